#!/usr/bin/env node
// Command benchmark (`npm run bench`): times the CDK commands a user runs on the demo app, side by
// side in one run, and checks them against the budgets of issue 15 (exit code 1 when one is over).
//
//   gate-less synth     the same app without any gate (scripts/bench/gateless-app.ts, CDK_VALIDATION=false)
//   cold synth          all gates, empty cache: every gate checks every stack
//   warm synth          all gates, nothing changed since the last synth: every result from the cache
//   cdk ls              likewise (cdk diff X and cdk deploy X run the same app before they need AWS)
//   one-stack synth     -c stacks=StreamingIngestionDemo: after an edit (its cache empty), and warm
//
// Rounds run every command once, in this order, so that a busy moment of the shared machine hits
// all of them alike; a first round is not timed (it fills tsx's and the file system's caches).
// BENCH_RUNS sets the number of timed rounds (default 5).
//
// The former comparison of the TypeScript app against the same app precompiled to JavaScript is
// gone: tsx only strips types (no type check) and caches what it transpiles, so the two differed
// by a few hundredths of a second, while compiling the app cost half a minute of each run. Type
// checking belongs in `npm test` (tsc --noEmit), not in every synth.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONE_STACK = 'StreamingIngestionDemo';
const root = path.resolve(__dirname, '..');
const work = path.join(root, '.bench');
const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
const out = name => path.join(work, name);

/** Each command: its label, what it runs, and what to do before (not timed). */
const COMMANDS = [
  {
    key: 'gateless', label: 'gate-less synth',
    args: ['synth', '--quiet', '--app', 'node --require tsx/cjs scripts/bench/gateless-app.ts', '--output', out('gateless.out')],
    env: { CDK_VALIDATION: 'false' },
  },
  { key: 'cold', label: 'cold synth (all gates, empty cache)', args: ['synth', '--quiet', '--output', out('app.out')], before: () => fs.rmSync(out('app.out'), { recursive: true, force: true }) },
  { key: 'warm', label: 'warm synth (all gates, cached)', args: ['synth', '--quiet', '--output', out('app.out')] },
  { key: 'ls', label: 'cdk ls (all gates, cached)', args: ['ls', '--output', out('app.out')] },
  {
    key: 'oneCold', label: `one-stack synth after an edit (${ONE_STACK}, its cache empty)`,
    args: ['synth', ONE_STACK, '--quiet', '-c', `stacks=${ONE_STACK}`, '--output', out('one.out')],
    before: () => fs.rmSync(out('one.out'), { recursive: true, force: true }),
  },
  { key: 'oneWarm', label: `one-stack synth, cached (${ONE_STACK})`, args: ['synth', ONE_STACK, '--quiet', '-c', `stacks=${ONE_STACK}`, '--output', out('one.out')] },
];

/** The budgets, as ratios to the gate-less synth of the whole app. */
const BUDGETS = [
  { key: 'cold', max: 2, goal: 'cold synth with all gates at most 2x the gate-less synth' },
  { key: 'warm', max: 1.2, goal: 'warm synth at most 1.2x the gate-less synth' },
  { key: 'ls', max: 1.2, goal: 'warm cdk ls at most 1.2x the gate-less synth' },
  { key: 'oneCold', max: 1.5, goal: 'one-stack synth after an edit, all gates: a few seconds, at most 1.5x the gate-less synth of the whole app' },
  { key: 'oneWarm', max: 0.75, goal: 'cached one-stack synth at most 0.75x the gate-less synth of the whole app' },
];

/** Commands that ended on unacknowledged findings: the gates ran in full, so their times count. */
const withFindings = new Set();

function seconds(command) {
  command.before?.();
  const start = process.hrtime.bigint();
  try {
    execFileSync(cdk, command.args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...command.env } });
  } catch (error) {
    const stderr = String(error.stderr ?? error);
    // The app prints the gates' lines once they have all run: a FAILED line is a finding, not a crash.
    if (!/Quality gates:[\s\S]*FAILED/.test(stderr)) {
      process.stderr.write(stderr);
      throw new Error(`${command.label} failed: cdk ${command.args.join(' ')}`);
    }
    withFindings.add(command.label);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const sorted = values => [...values].sort((a, b) => a - b);
const median = values => sorted(values)[Math.floor(values.length / 2)];
const load = () => os.loadavg().map(l => l.toFixed(1)).join(' ');

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
console.log(`${os.cpus().length} cores, load average ${load()}; ${RUNS} timed rounds after one untimed round`);
const times = Object.fromEntries(COMMANDS.map(c => [c.key, []]));
for (let round = 0; round <= RUNS; round++) {
  const name = round === 0 ? 'untimed round' : `round ${round}/${RUNS}`;
  for (const command of COMMANDS) {
    const t = seconds(command);
    if (round > 0) times[command.key].push(t);
    console.log(`  ${name}: ${command.label}: ${t.toFixed(2)} s`);
  }
}

console.log(`\nload average ${load()}\n`);
const width = Math.max(...COMMANDS.map(c => c.label.length));
console.log(`${'command'.padEnd(width)}    min  median     max  (seconds, ${RUNS} runs)`);
for (const command of COMMANDS) {
  const values = sorted(times[command.key]);
  console.log(`${command.label.padEnd(width)} ${values[0].toFixed(2).padStart(6)} ${median(values).toFixed(2).padStart(7)} ${values[values.length - 1].toFixed(2).padStart(7)}`);
}

if (withFindings.size > 0) {
  console.log(`\nThese ended on unacknowledged findings of the gates (which ran in full, so the times count): ${[...withFindings].join('; ')}`);
}

const baseline = median(times.gateless);
let over = 0;
console.log(`\nratios of medians to the gate-less synth (${baseline.toFixed(2)} s):`);
for (const budget of BUDGETS) {
  const ratio = median(times[budget.key]) / baseline;
  const ok = ratio <= budget.max;
  if (!ok) over++;
  console.log(`  ${ok ? 'ok  ' : 'OVER'} ${ratio.toFixed(2)}x  (budget ${budget.max}x: ${budget.goal})`);
}
fs.rmSync(work, { recursive: true, force: true });
if (over > 0) {
  console.error(`\n${over} budget(s) exceeded.`);
  process.exit(1);
}
