#!/usr/bin/env node
// Synth benchmark: `cdk synth` of the demo app as users run it (TypeScript through tsx, cdk.json's
// app command) against the same app precompiled to JavaScript. Prints both medians and the ratio;
// the budget is 1.3x. A benchmark, not a test: run it with `npm run bench`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BUDGET = 1.3;
const root = path.resolve(__dirname, '..');
const work = path.join(root, '.bench');
const cdk = path.join(root, 'node_modules', '.bin', 'cdk');

fs.rmSync(work, { recursive: true, force: true });
// The compiled app still needs the files that are not compiled (Lambda handler sources bundled
// at synth, PySpark scripts, Flink code): copy the source trees first, then emit .js beside them.
for (const dir of ['lib', 'examples']) {
  fs.cpSync(path.join(root, dir), path.join(work, 'dist', dir), { recursive: true });
}
execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', root, '--outDir', path.join(work, 'dist')], { stdio: 'inherit' });

function synthSeconds(args) {
  const start = process.hrtime.bigint();
  execFileSync(cdk, ['synth', '--quiet', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const typescript = [];
const javascript = [];
synthSeconds(['--output', path.join(work, 'warmup.out')]);
for (let run = 0; run < RUNS; run++) {
  // Alternate the two, so that a busy moment of the machine hits both alike.
  typescript.push(synthSeconds(['--output', path.join(work, 'ts.out')]));
  javascript.push(synthSeconds(['--app', `node ${path.join(work, 'dist', 'bin', 'app.js')}`, '--output', path.join(work, 'js.out')]));
}

const ratio = median(typescript) / median(javascript);
console.log(`cdk synth, TypeScript app (cdk.json):   median ${median(typescript).toFixed(2)} s over ${RUNS} runs`);
console.log(`cdk synth, precompiled JavaScript app:  median ${median(javascript).toFixed(2)} s over ${RUNS} runs`);
console.log(`ratio ${ratio.toFixed(2)} (budget ${BUDGET})`);
fs.rmSync(work, { recursive: true, force: true });
if (ratio > BUDGET) {
  console.error(`The TypeScript synth is ${ratio.toFixed(2)}x the precompiled one, over the ${BUDGET}x budget.`);
  process.exit(1);
}
