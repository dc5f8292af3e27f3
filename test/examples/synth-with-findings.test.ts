import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { synthWithFindings } from '../../examples/synth-with-findings';
import { CDK_CONTEXT } from '../helpers';

/** An app with one finding of the CloudFormation Validate gate (a security group description over 255 characters). */
function failingApp(): App {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'findings-')) });
  const stack = new Stack(app, 'Findings');
  new ec2.CfnSecurityGroup(stack, 'Group', { groupDescription: 'd'.repeat(300) });
  return app;
}

describe('synthWithFindings', () => {
  test('a plain node run throws with the findings, not only the path of the report', () => {
    // Outside jest (NODE_ENV is not 'test'), aws-cdk-lib prints the report to stderr and throws a
    // short message; the app runs in a child process, as `node bin/app.ts` would.
    const run = (...args: string[]) => execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'failing-app.ts'),
      fs.mkdtempSync(path.join(os.tmpdir(), 'findings-')), ...args], { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(run('plain')).toMatch(/^Validation failed\. A copy of this report can be found in: \S+validation-report\.json$/);
    const thrown = run();
    expect(thrown).toMatch(/^Validation failed with 1 unacknowledged finding\(s\) \(report: \S+validation-report\.json\):/);
    expect(thrown).toContain('[CloudFormation Validate] F3033 (error): GroupDescription: length 300 exceeds maximum 255');
    expect(thrown).toContain('at Findings/Group (Group, Properties.GroupDescription)');
  });

  test('in jest (in-memory mode) the findings are listed the same way', () => {
    expect(() => synthWithFindings(failingApp())).toThrow(/\[CloudFormation Validate\] F3033 \(error\): GroupDescription: length 300/);
  });

  test('an acknowledged finding is not listed, and a clean app synthesizes', () => {
    const app = failingApp();
    Validations.of(app.node.findChild('Findings')).acknowledge({ id: 'CloudFormation-Validate::F3033', reason: 'test' });
    expect(synthWithFindings(app).stacks.map(stack => stack.stackName)).toEqual(['Findings']);
  });

  test('errors that are not validation failures pass through unchanged', () => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'findings-')) });
    const stack = new Stack(app, 'Broken');
    stack.node.addValidation({ validate: () => ['something else is wrong'] });
    expect(() => synthWithFindings(app)).toThrow(/something else is wrong/);
  });
});
