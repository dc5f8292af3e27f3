import * as fs from 'fs';
import * as path from 'path';
import {
  App, CfnParameter, CfnResource, CloudFormationValidatePlugin, Duration, IPolicyValidationContext, IPolicyValidationPlugin,
  PolicyValidationPluginReport, Stack, Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BackgroundWorkers } from '../../examples/gates/background';
import { GateCacheStats } from '../../examples/gates/cached-validation';
import { CloudFormationValidateGate } from '../../examples/gates/cfn-validate-gate';
import { ControlTowerGate } from '../../examples/gates/guard-gate';
import { AwsSolutionsGate } from '../../examples/gates/nag-gate';
import { deployRehearsalGate } from '../../examples/gates/rehearsal-gate';
import { DeployRehearsalPlugin } from '../../lib';
import { demoAssembly, validationContext } from '../demo-assembly';
import { CDK_CONTEXT, testRunDirectory } from '../helpers';

/**
 * Our gates must find exactly what today's plugins find (`AwsSolutionsChecks`,
 * `CfnGuardValidator`, `CloudFormationValidatePlugin`, `DeployRehearsalPlugin`): the same report,
 * violation for violation and in the same order, on every demo stack and on two stacks built to
 * break many rules, both with an empty cache (cold) and with a full one (warm, no stack checked
 * again).
 */

/** Two stacks with findings for every gate (the second repeats some, which the reports join). */
function knownViolationsApp(): App {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(testRunDirectory(), 'violations-')) });
  for (const id of ['KnownViolations', 'KnownViolationsToo']) {
    const stack = new Stack(app, id);
    new s3.Bucket(stack, 'Plain');
    // A generic L1 is not an instance of CfnBucket, which changes what cdk-nag checks.
    new CfnResource(stack, 'RawBucket', { type: 'AWS::S3::Bucket' });
    new CfnResource(stack, 'Invalid', { type: 'AWS::S3::Bucket', properties: { NotABucketProperty: true } });
    new CfnParameter(stack, 'NeverUsed', { type: 'String' });
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED, retentionPeriod: Duration.days(1) });
    new kms.Key(stack, 'Key', { enableKeyRotation: false });
    new kinesis.Stream(stack, 'Stream', { encryption: kinesis.StreamEncryption.UNENCRYPTED });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    // An action that does not exist, for the deploy rehearsal.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObjekt'], resources: ['*'] }));
    new lambda.Function(stack, 'Function', {
      runtime: lambda.Runtime.NODEJS_18_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'), role,
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const open = new ec2.SecurityGroup(stack, 'Open', { vpc });
    open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new ec2.CfnSecurityGroupIngress(stack, 'OpenIngress', { groupId: open.securityGroupId, ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIp: '0.0.0.0/0' });
    if (id === 'KnownViolationsToo') {
      // A type with a built-in rule of CloudFormation Validate (its engine then loads that rule).
      new CfnResource(stack, 'Fleet', { type: 'AWS::GameLift::Fleet', properties: { Name: 'fleet', EC2InstanceType: 'c5.large', ComputeType: 'EC2' } });
    }
    if (id === 'KnownViolations') {
      // Acknowledged findings are dropped by cdk-nag itself and by the framework for the others.
      Validations.of(stack.node.findChild('Queue')).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'a queue without a dead-letter queue, on purpose, to test acknowledgements' });
    }
  }
  return app;
}

/** Synthesizes without gates (the findings would fail the synth) and returns the validation context. */
function synthWithoutGates(app: App): IPolicyValidationContext {
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return validationContext(app.synth() as unknown as CloudAssembly, app);
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

interface Gate extends IPolicyValidationPlugin {
  readonly lastRun?: GateCacheStats;
}

/** Our gate's report with an empty cache, then again with the cache it filled. */
function coldAndWarm(makeGate: (cacheDirectory: string) => Gate, context: IPolicyValidationContext) {
  const gate = makeGate(fs.mkdtempSync(path.join(testRunDirectory(), 'cache-')));
  const cold = gate.validate(context);
  const coldRun = gate.lastRun;
  const warm = gate.validate(context);
  return { cold, coldRun, warm, warmRun: gate.lastRun };
}

/** The report as the framework would read it (it drops undefined fields when it writes the report). */
const plain = (report: PolicyValidationPluginReport) => JSON.parse(JSON.stringify(report));

describe.each([
  ['every demo stack', () => {
    const { assembly } = demoAssembly();
    return { context: validationContext(assembly, new App()), expectFindings: false };
  }],
  ['two stacks with known violations', () => ({ context: synthWithoutGates(knownViolationsApp()), expectFindings: true })],
])('on %s, our gates report what today\'s plugins report', (_name, setUp) => {
  let context: IPolicyValidationContext;
  let expectFindings: boolean;
  let referenceGuard: BackgroundWorkers;
  beforeAll(() => {
    ({ context, expectFindings } = setUp());
    // CfnGuardValidator, with all its rules over all the templates, is the slowest: it runs in a
    // worker thread while the tests of the other gates run (its test comes last).
    const { appConstruct, ...templates } = context;
    referenceGuard = new BackgroundWorkers('plugin-worker.js', 1, {
      modulePath: require.resolve('@cdklabs/cdk-validator-cfnguard'), exportName: CfnGuardValidator.name, context: templates,
    });
  }, 600_000);

  test('the deploy rehearsal (DeployRehearsalPlugin)', () => {
    const reference = plain(new DeployRehearsalPlugin().validate(context));
    const { cold, coldRun, warm, warmRun } = coldAndWarm(dir => deployRehearsalGate(dir), context);
    expect(plain(cold)).toEqual(reference);
    expect(plain(warm)).toEqual(reference);
    expect([coldRun?.checked, warmRun?.cached]).toEqual([context.stackTemplates.length, context.stackTemplates.length]);
    expect(Object.keys(reference.metadata)).toHaveLength(context.stackTemplates.length);
    if (expectFindings) {
      expect(reference.violations).toEqual(expect.arrayContaining([
        expect.objectContaining({ ruleName: 'REHEARSAL-IAM-ACTION', description: expect.stringContaining('s3:GetObjekt') }),
      ]));
    }
  }, 600_000);

  test('the CloudFormation Validate plugin of aws-cdk-lib', () => {
    const plugin = new CloudFormationValidatePlugin();
    const reference = plain(plugin.validate(context));
    const { cold, coldRun, warm, warmRun } = coldAndWarm(dir => new CloudFormationValidateGate({}, dir), context);
    expect(plain(cold)).toEqual(reference);
    expect(plain(warm)).toEqual(reference);
    expect(new CloudFormationValidateGate({}, testRunDirectory()).version).toBe(plugin.version);
    expect(warmRun).toEqual({ gate: 'CloudFormation Validate', cached: context.stackTemplates.length, checked: 0 });
    expect(coldRun?.checked).toBe(context.stackTemplates.length);
    if (expectFindings) {
      // Joined across the two templates, as the plugin joins them.
      expect(reference.violations).toEqual(expect.arrayContaining([
        expect.objectContaining({ ruleName: 'F3002', severity: 'error', violatingResources: [expect.anything(), expect.anything()] }),
        expect.objectContaining({ ruleName: 'W2001', severity: 'warning' }),
      ]));
    }
  }, 600_000);

  test('the Control Tower rules (CfnGuardValidator)', () => {
    const [{ report, error }] = referenceGuard.wait<{ report?: PolicyValidationPluginReport; error?: string }>();
    expect(error).toBeUndefined();
    const reference = plain(report!);
    const { cold, coldRun, warm, warmRun } = coldAndWarm(dir => new ControlTowerGate({}, dir), context);
    expect(plain(cold)).toEqual(reference);
    expect(plain(warm)).toEqual(reference);
    expect([coldRun, warmRun]).toEqual([
      { gate: 'cdk-validator-cfnguard', cached: 0, checked: context.stackTemplates.length },
      { gate: 'cdk-validator-cfnguard', cached: context.stackTemplates.length, checked: 0 },
    ]);
    // On the demo stacks, the findings are all acknowledged ones (the framework drops them later).
    expect(reference.violations.length > 0).toBe(true);
    if (expectFindings) {
      expect(reference.violations.map((v: { ruleName: string }) => v.ruleName)).toEqual(expect.arrayContaining([
        's3_bucket_level_public_access_prohibited_check', 'lambda_inside_vpc_check', 'iam_inline_policy_no_statements_with_full_access_check',
        'iam_inline_policy_no_statements_with_admin_access_check', 'vpc_sg_open_only_to_authorized_ports_check',
      ]));
    }
  }, 600_000);
});

describe('cdk-nag AwsSolutionsChecks (it reads the construct tree)', () => {
  test('on every demo stack: recorded by the shared synth of the demo app, which has the tree', () => {
    const { assembly, record } = demoAssembly();
    const nag = record.awsSolutions!;
    const stacks = assembly.stacks.length;
    expect(plain(nag.cold)).toEqual(plain(nag.reference));
    expect(plain(nag.warm)).toEqual(plain(nag.reference));
    expect(nag.coldRun).toEqual({ gate: 'AwsSolutions', cached: 0, checked: stacks });
    expect(nag.warmRun).toEqual({ gate: 'AwsSolutions', cached: stacks, checked: 0 });
  });

  test('on two stacks with known violations, and one acknowledgement', () => {
    const app = knownViolationsApp();
    const context = synthWithoutGates(app);
    const reference = plain(new AwsSolutionsChecks().validate(context));
    const { cold, warm, warmRun } = coldAndWarm(dir => new AwsSolutionsGate({}, dir), context);
    expect(plain(cold)).toEqual(reference);
    expect(plain(warm)).toEqual(reference);
    expect(warmRun).toEqual({ gate: 'AwsSolutions', cached: 2, checked: 0 });
    const rules = reference.violations.map((v: { ruleName: string }) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-IAM5[Action::*]', 'AwsSolutions-EC23', 'AwsSolutions-KMS5', 'AwsSolutions-SQS3']));
    // The acknowledged queue is dropped, the other stack's queue is reported.
    const sqs3 = reference.violations.find((v: { ruleName: string }) => v.ruleName === 'AwsSolutions-SQS3');
    expect(sqs3.violatingResources.map((r: { constructPath: string }) => r.constructPath)).toEqual(['KnownViolationsToo/Queue/Resource']);
  });
});
