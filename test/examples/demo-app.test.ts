import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DEMO_TAG, addDemoStacks } from '../../examples/demo-stacks';
import { QUALITY_GATES, addQualityGates, readGateResults } from '../../examples/quality-gates';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { CDK_CONTEXT } from '../helpers';

/** The demo app exactly as `bin/app.ts` builds it, with the context of `cdk.json`. */
function synthDemoApp(): CloudAssembly {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'demo-app-')) });
  addDemoStacks(app);
  addQualityGates(app);
  return app.synth();
}

describe('the demo app', () => {
  let assembly: CloudAssembly;
  beforeAll(() => {
    // Synthesis throws, with the full report, if any gate has an unacknowledged finding.
    assembly = synthDemoApp();
  });

  test('has one stack per example', () => {
    // Each example's own test (test/examples/<pattern>.test.ts) snapshots and checks its stack.
    expect(assembly.stacks.map(stack => stack.stackName).sort()).toEqual([
      'DataLakeDemo',
      'DatabaseIngestionDemo',
      'DmsAccountRolesDemo',
      'GlueEtlDemo',
      'KafkaIngestionDemo',
      'RedshiftSpectrumDemo',
      'SparkAtScaleDemo',
      'StreamAnalyticsDemo',
      'StreamingIngestionDemo',
      'TrainingStorageDemo',
      'TrainingStorageLustreDemo',
      'VideoIngestionDemo',
    ]);
  });

  test('every resource that takes tags carries the demo\'s tag (how npm run leftovers finds what a destroy kept)', () => {
    for (const stack of assembly.stacks) {
      const resources = Object.values(stack.template.Resources as Record<string, any>);
      for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EC2::VPC']) {
        for (const resource of resources.filter(r => r.Type === type)) {
          expect([stack.stackName, type, resource.Properties.Tags]).toEqual([stack.stackName, type, expect.arrayContaining([{ Key: DEMO_TAG, Value: stack.stackName }])]);
        }
      }
    }
  });

  test('every stack is environment-agnostic', () => {
    for (const stack of assembly.stacks) {
      expect(stack.environment.account).toBe('unknown-account');
      expect(stack.environment.region).toBe('unknown-region');
    }
  });

  test('no security group keeps the allow-all outbound rule that EC2 adds when its SecurityGroupEgress lists nothing', () => {
    // CloudFormation removes EC2's default egress rule only when the group itself lists a rule;
    // separate AWS::EC2::SecurityGroupEgress resources leave it in place.
    const open = assembly.stacks.flatMap(stack => Object.entries(stack.template.Resources as Record<string, any>)
      .filter(([, resource]) => resource.Type === 'AWS::EC2::SecurityGroup' && !(resource.Properties.SecurityGroupEgress?.length > 0))
      .map(([id]) => `${stack.stackName}/${id}`));
    expect(open).toEqual([]);
  });

  test('the stacks of the ingestion and transformation patterns record their rehearsal expectations as plain text, each with the page it comes from', () => {
    const withExpectations = ['DatabaseIngestionDemo', 'GlueEtlDemo', 'KafkaIngestionDemo', 'SparkAtScaleDemo', 'StreamAnalyticsDemo', 'StreamingIngestionDemo', 'VideoIngestionDemo'];
    for (const stack of assembly.stacks) {
      const recorded = stack.template.Metadata?.[REHEARSAL_METADATA_KEY];
      expect({ stack: stack.stackName, recorded: recorded !== undefined }).toEqual({ stack: stack.stackName, recorded: withExpectations.includes(stack.stackName) ? true : recorded !== undefined });
      if (!recorded) {
        continue;
      }
      expect(JSON.stringify(recorded)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
      const declarations = [...recorded.allows, ...recorded.denies, ...recorded.connects, ...recorded.createsBefore];
      expect(declarations.filter((d: { source: string }) => !/^https:\/\//.test(d.source))).toEqual([]);
    }
  });

  test('all four quality gates report success with no unacknowledged finding', () => {
    const results = readGateResults(assembly.directory);
    expect(results.map(result => result.gate)).toEqual(QUALITY_GATES);
    for (const result of results) {
      expect(result).toMatchObject({ success: true, violations: 0 });
    }
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    for (const pluginReport of report.pluginReports) {
      expect({ plugin: pluginReport.pluginName, violations: pluginReport.violations }).toEqual({ plugin: pluginReport.pluginName, violations: [] });
      for (const acknowledged of pluginReport.suppressedViolations ?? []) {
        expect(acknowledged.reason.length).toBeGreaterThan(40);
      }
    }
  });
});

describe('the quality gates fail a synth on findings', () => {
  test('each of the three gates reports a bucket without the secure defaults and an invalid resource', () => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gates-')) });
    const stack = new Stack(app, 'Insecure');
    new s3.Bucket(stack, 'Plain');
    new CfnResource(stack, 'Invalid', { type: 'AWS::S3::Bucket', properties: { NotABucketProperty: true } });
    addQualityGates(app);
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('AwsSolutions-S1');
    expect(message).toContain('[CT.S3.PR.1]');
    expect(message).toContain('(CloudFormation Validate)');
  });
});
