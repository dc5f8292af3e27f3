/**
 * integ-runner's snapshot mode, without AWS: every sandbox integ test synthesizes under the quality
 * gates and matches its committed snapshot (`test/integ/integ.<pattern>.ts.snapshot/`). Update the
 * snapshots deliberately with `npm run integ -- --update-snapshots` and read the diff.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { addDemoStacks } from '../../examples/demo-stacks';
import { integTestFiles, readSnapshot, snapshotDirOf, synthIntegTest } from '../../scripts/sandbox/integ-snapshots';

const files = integTestFiles();

describe.each(files.map(file => [path.basename(file), file]))('%s', (_name, file) => {
  test('synthesizes under the quality gates and matches its snapshot', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
    synthIntegTest(file, outdir);
    const expected = readSnapshot(snapshotDirOf(file));
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(readSnapshot(outdir)).toEqual(expected);
  });
});

test('every demo stack of the app has exactly one sandbox integ test', () => {
  const app = new App();
  addDemoStacks(app);
  const demos = app.node.children.filter((child): child is Stack => child instanceof Stack).map(stack => stack.stackName).sort();
  const tested = files.flatMap(file => {
    const manifest = JSON.parse(fs.readFileSync(path.join(snapshotDirOf(file), 'integ.json'), 'utf-8'));
    return Object.values(manifest.testCases as Record<string, { stacks: string[] }>).flatMap(testCase => testCase.stacks);
  }).map(stack => stack.replace(/Integ$/, '')).sort();
  expect(tested).toEqual(demos);
});
