import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { DEMO_STACK_NAMES, DEMO_TAG, STACKS_CONTEXT, addDemoStacks } from '../../examples/demo-stacks';
import { QUALITY_GATES, addQualityGates, printGateResults, readGateResults } from '../../examples/quality-gates';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { DemoSynthRecord, demoAssembly } from '../demo-assembly';
import { CDK_CONTEXT } from '../helpers';

describe('the demo app', () => {
  let assembly: CloudAssembly;
  let record: DemoSynthRecord;
  beforeAll(() => {
    // The demo app as bin/app.ts builds it, synthesized once per run with the gates (test/demo-assembly.ts).
    ({ assembly, record } = demoAssembly());
  });

  test('synthesizes: no gate has an unacknowledged finding', () => {
    expect(record.error).toBeUndefined();
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
    expect([...DEMO_STACK_NAMES].sort()).toEqual(assembly.stacks.map(stack => stack.stackName).sort());
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

  test('the gates checked every stack, starting from an empty cache', () => {
    const byGate = (a: { gate: string }, b: { gate: string }) => a.gate.localeCompare(b.gate);
    expect([...record.gates].sort(byGate)).toEqual(QUALITY_GATES.map(gate => ({ gate, cached: 0, checked: assembly.stacks.length })).sort(byGate));
  });
});

describe('one-stack commands', () => {
  const build = (context: Record<string, unknown>) => {
    const app = new App({ context: { ...CDK_CONTEXT, ...context }, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stacks-')) });
    addDemoStacks(app);
    return app.node.children.map(child => child.node.id);
  };

  test('the context value `stacks` builds only the stacks it names, in the app\'s order', () => {
    expect(build({ [STACKS_CONTEXT]: 'SparkAtScaleDemo,StreamingIngestionDemo' })).toEqual(['StreamingIngestionDemo', 'SparkAtScaleDemo']);
    expect(build({ [STACKS_CONTEXT]: ' VideoIngestionDemo ' })).toEqual(['VideoIngestionDemo']);
    expect(build({ [STACKS_CONTEXT]: ['DataLakeDemo'] })).toEqual(['DataLakeDemo']);
  });

  test('a stack comes with the stacks it depends on', () => {
    expect(build({ [STACKS_CONTEXT]: 'DatabaseIngestionDemo' })).toEqual(['DmsAccountRolesDemo', 'DatabaseIngestionDemo']);
    expect(build({ [STACKS_CONTEXT]: 'DatabaseIngestionDemo', 'dms-account-roles': 'existing' })).toEqual(['DatabaseIngestionDemo']);
    // The ETL demo's lake takes the account's Lake Formation settings from the data lake demo.
    expect(build({ [STACKS_CONTEXT]: 'GlueEtlDemo,StreamingIngestionDemo' })).toEqual(['StreamingIngestionDemo', 'DataLakeDemo', 'GlueEtlDemo']);
  });

  test('without it, every demo stack is built', () => {
    expect(build({})).toEqual(DEMO_STACK_NAMES);
  });

  test('a name that is not a demo stack fails, listing the demo stacks', () => {
    expect(() => build({ [STACKS_CONTEXT]: 'StreamingIngestionDemo,Streaming' })).toThrow(
      `\`stacks\` (a context value) must name one or more demo stacks, separated by commas, among ${DEMO_STACK_NAMES.join(', ')}, got 'StreamingIngestionDemo,Streaming'`);
    expect(() => build({ [STACKS_CONTEXT]: '' })).toThrow(/`stacks` \(a context value\) must name one or more demo stacks.*, got ''$/);
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
  test('with a warning of CloudFormation Validate only, the synth still fails (strict, as cdk.json asks)', () => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gates-')) });
    const stack = new Stack(app, 'Warned');
    // An unused parameter is a warning (W2001) of CloudFormation Validate, and nothing for the other gates.
    new CfnResource(stack, 'Unused', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    new CfnParameter(stack, 'NeverUsed', { type: 'String' });
    addQualityGates(app);
    expect(() => app.synth()).toThrow(/WARNING Parameters\/NeverUsed: Parameter 'NeverUsed' is not referenced anywhere in the template \(CloudFormation Validate\)/);
  });
});

describe('the gates\' lines at every synth', () => {
  test('show each gate\'s result, what was acknowledged and what came from the cache', () => {
    let printed = '';
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(text => {
      printed += String(text);
      return true;
    });
    try {
      printGateResults([
        { gate: 'AwsSolutions', success: true, violations: 0, acknowledged: 0, cache: { gate: 'AwsSolutions', cached: 11, checked: 0 } },
        { gate: 'CloudFormation Validate', success: true, violations: 0, acknowledged: 3, cache: { gate: 'CloudFormation Validate', cached: 10, checked: 1 } },
        { gate: 'cdk-validator-cfnguard', success: false, violations: 2, acknowledged: 53, cache: { gate: 'cdk-validator-cfnguard', cached: 0, checked: 1 } },
      ]);
    } finally {
      write.mockRestore();
    }
    expect(printed).toBe([
      'Quality gates:',
      '  AwsSolutions: success (cached: 11 stacks)',
      '  CloudFormation Validate: success, 3 finding(s) acknowledged (checked 1 stack, cached 10)',
      '  cdk-validator-cfnguard: FAILED (2 unacknowledged), 53 finding(s) acknowledged (checked 1 stack)',
      '',
    ].join('\n'));
  });
});
