import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { runRehearsalCli } from '../../lib/rehearsal/cli';
import { Rehearsal } from '../../lib/rehearsal/expectations';
import { DeployRehearsalPlugin } from '../../lib/rehearsal/plugin';

/** An app with the rehearsal plugin and a stack whose subnet is not declared to wait for an unrelated VPC. */
function appWithOrderingDefect(acknowledge: boolean): { app: App; plugin: DeployRehearsalPlugin } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-plugin-')) });
  const plugin = new DeployRehearsalPlugin();
  Validations.of(app).addPlugins(plugin);
  const stack = new Stack(app, 'Ordered');
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  const other = new ec2.CfnVPC(stack, 'Other', { cidrBlock: '10.1.0.0/16' });
  const subnet = new ec2.CfnSubnet(stack, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.0.0/24' });
  Rehearsal.of(stack).createsBefore({ description: 'the subnet waits for the other VPC', first: other, then: subnet, source: 'https://example.com/order' });
  if (acknowledge) {
    Validations.of(subnet).acknowledge({ id: 'Deploy-rehearsal::REHEARSAL-ORDER', reason: 'the test acknowledges the finding on the narrowest construct, the subnet' });
  }
  return { app, plugin };
}

describe('the validation plugin', () => {
  test('fails the synth with the finding, mapped to the construct path', () => {
    const { app } = appWithOrderingDefect(false);
    expect(() => app.synth()).toThrow(/Subnet neither depends on Other[\s\S]*Ordered\/Subnet[\s\S]*Acknowledge with 'Deploy-rehearsal::REHEARSAL-ORDER'/);
  });

  test('lets a finding be acknowledged like any plugin\'s, and reports what it checked', () => {
    const { app, plugin } = appWithOrderingDefect(true);
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    const rehearsal = report.pluginReports.find((r: { pluginName: string }) => r.pluginName === DeployRehearsalPlugin.PLUGIN_NAME);
    expect(rehearsal.violations).toEqual([]);
    expect(rehearsal.suppressedViolations).toEqual([expect.objectContaining({ ruleName: 'REHEARSAL-ORDER' })]);
    expect(plugin.lastResults.map(result => [result.stackName, result.counts.orderings])).toEqual([['Ordered', 1]]);
  });
});

describe('npm run rehearse', () => {
  test('prints per stack what it checked and exits 1 on a finding, 0 without', async () => {
    const { app } = appWithOrderingDefect(true);
    const assembly = app.synth();
    let printed = '';
    expect(await runRehearsalCli([assembly.directory], text => { printed += text; })).toBe(1);
    expect(printed).toMatch(/^Deploy rehearsal:\nOrdered: \d+ IAM actions, 0 calls, 0 port flows, 1 orderings, 0 state machines \(0 paths\), 0 versions; 1 FINDING\(S\)/);
    expect(printed).toContain('[REHEARSAL-ORDER] Subnet: the subnet waits for the other VPC');

    const clean = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-clean-')) });
    new ec2.CfnVPC(new Stack(clean, 'Clean'), 'Vpc', { cidrBlock: '10.0.0.0/16' });
    const template = path.join(clean.synth().directory, 'Clean.template.json');
    expect(await runRehearsalCli([template, '--json'], text => { printed = text; })).toBe(0);
    expect(JSON.parse(printed)).toEqual([expect.objectContaining({ stackName: 'Clean', findings: [] })]);
  });
});
