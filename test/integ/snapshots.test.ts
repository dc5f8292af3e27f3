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

/** Actions whose IAM authorization takes no resource (Service Authorization Reference): `*` is the only choice. */
const ACTIONS_WITHOUT_RESOURCES = new Set([
  'lakeformation:GetDataAccess', 'lakeformation:ListResources', 'redshift-data:DescribeStatement', 'redshift-data:GetStatementResult',
]);

test('the assertion providers may call only what their calls need, on the resources they name', () => {
  for (const file of files) {
    const dir = snapshotDirOf(file);
    for (const name of fs.readdirSync(dir).filter(n => n.endsWith('IntegAssertions.template.json'))) {
      const template = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf-8'));
      const roles = Object.entries(template.Resources as Record<string, any>).filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('SingletonFunction'));
      for (const [id, role] of roles) {
        expect([name, id, role.Properties.ManagedPolicyArns]).toEqual([name, id, [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }]]);
        for (const statement of role.Properties.Policies?.[0].PolicyDocument.Statement ?? []) {
          if (JSON.stringify(statement.Resource).includes('"*"')) {
            expect([name, statement.Action.filter((action: string) => !ACTIONS_WITHOUT_RESOURCES.has(action))]).toEqual([name, []]);
          }
        }
      }
    }
  }
});
