import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FlinkRuntime, StreamAnalytics, StreamAnalyticsCode, StreamAnalyticsProps } from '../../lib';
import { declared, newStack, recordedAttr, rehearsalOf } from '../helpers';

/** A code directory with main.py and, if asked, a stand-in for the connector JAR (tests cannot download it). */
function codeDirectory(withJar: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flink-app-'));
  fs.writeFileSync(path.join(dir, 'main.py'), 'print("job")\n');
  if (withJar) {
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'flink-sql-connector-kinesis-5.0.0-1.20.jar'), 'stand-in');
  }
  return dir;
}

function setup(withJar = true) {
  const stack = newStack();
  const input = new kinesis.Stream(stack, 'In', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: new kms.Key(stack, 'InKey') });
  const output = new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: new kms.Key(stack, 'OutKey') });
  const base: StreamAnalyticsProps = { input, output, code: StreamAnalyticsCode.fromAsset(codeDirectory(withJar)) };
  return { stack, base };
}

const statementsOf = (analytics: StreamAnalytics) =>
  Stack.of(analytics).resolve((analytics.node.findChild('Policy') as iam.Policy).document.toJSON()).Statement;

describe('StreamAnalytics rehearsal declarations', () => {
  test('the service assumes the role for this account only, reads code and input, writes output and logs; orders the role before the application', () => {
    const { stack, base } = setup();
    const analytics = new StreamAnalytics(stack, 'Flink', base);
    const recorded = rehearsalOf(Template.fromStack(stack));
    const role = recordedAttr(analytics.role);
    const via = { 'kms:ViaService': 'kinesis.${AWS::Region}.${AWS::URLSuffix}' };
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': '${AWS::AccountId}' } }),
      declared({ principal: role, action: 's3:GetObject' }),
      declared({ principal: role, action: 'kinesis:GetRecords', resource: recordedAttr(base.input as kinesis.Stream) }),
      declared({ principal: role, action: 'kinesis:PutRecords', resource: recordedAttr(base.output as kinesis.Stream) }),
      declared({ principal: role, action: 'kms:Decrypt', resource: /^\$\{InKey.*\.Arn\}$/, context: via }),
      declared({ principal: role, action: 'kms:GenerateDataKey', resource: /^\$\{OutKey.*\.Arn\}$/, context: via }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: 'service:kinesisanalytics.amazonaws.com', action: 'sts:AssumeRole', context: { 'aws:SourceAccount': '111122223333' } }),
      declared({ principal: role, action: 'kinesis:PutRecords', resource: recordedAttr(base.input as kinesis.Stream) }),
    ]));
    expect(recorded.createsBefore).toEqual(expect.arrayContaining([declared({ first: /^FlinkPolicy/, then: /^FlinkApplication/ })]));
  });
});

describe('StreamAnalytics', () => {
  test('a PyFlink application with checkpoints every minute, snapshots, one KPU, INFO logs to an encrypted log group kept a year', () => {
    const { stack, base } = setup();
    new StreamAnalytics(stack, 'Flink', base);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::Application', {
      RuntimeEnvironment: 'FLINK-1_20',
      ApplicationConfiguration: Match.objectLike({
        FlinkApplicationConfiguration: {
          CheckpointConfiguration: { ConfigurationType: 'CUSTOM', CheckpointingEnabled: true, CheckpointInterval: 60000, MinPauseBetweenCheckpoints: 5000 },
          MonitoringConfiguration: { ConfigurationType: 'CUSTOM', LogLevel: 'INFO', MetricsLevel: 'APPLICATION' },
          ParallelismConfiguration: { ConfigurationType: 'CUSTOM', Parallelism: 1, ParallelismPerKPU: 1, AutoScalingEnabled: false },
        },
        ApplicationSnapshotConfiguration: { SnapshotsEnabled: true },
      }),
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlinkLogKey'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {
      ApplicationName: { Ref: Match.stringLikeRegexp('FlinkApplication') },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'kinesisanalytics.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] },
    });
  });

  test('the role reads only its input and code, writes only its output and its own log stream', () => {
    const { stack, base } = setup();
    const statements = statementsOf(new StreamAnalytics(stack, 'Flink', base));
    const byAction = (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource);
    expect(byAction('kinesis:GetRecords')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^In/), 'Arn'] }]);
    expect(byAction('kinesis:PutRecords')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Out/), 'Arn'] }]);
    expect(byAction('kms:Decrypt')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^InKey/), 'Arn'] }]);
    expect(byAction('kms:GenerateDataKey')).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^OutKey/), 'Arn'] }]);
    expect(JSON.stringify(byAction('s3:GetObject'))).toMatch(/[0-9a-f]{64}\.zip/);
    expect(JSON.stringify(byAction('logs:PutLogEvents'))).toMatch(/:log-stream:/);
    const inputActions = statements.filter((s: any) => JSON.stringify(s.Resource).includes('"In')).flatMap((s: any) => [s.Action].flat());
    expect(inputActions).not.toContain('kinesis:PutRecord');
    expect(inputActions).not.toContain('kinesis:PutRecords');
  });

  test('code from a bucket with a key: the role may read that one object and decrypt it', () => {
    const { stack, base } = setup();
    const bucket = new s3.Bucket(stack, 'Code', { encryption: s3.BucketEncryption.KMS });
    const analytics = new StreamAnalytics(stack, 'Flink', { ...base, code: StreamAnalyticsCode.fromBucket(bucket, 'flink/app.zip') });
    const statements = statementsOf(analytics);
    expect(statements[0]).toMatchObject({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Code/), 'Arn'] }, '/flink/app.zip']] } });
    expect(statements.find((s: any) => s.Action === 'kms:Decrypt' && JSON.stringify(s.Resource).includes('CodeKey'))).toBeDefined();
  });

  test('a missing connector JAR is reported but does not stop the synth (the application is created stopped)', () => {
    const { stack, base } = setup(false);
    new StreamAnalytics(stack, 'Flink', base);
    Annotations.fromStack(stack).hasInfo('/Test/Flink', Match.stringLikeRegexp('lib/flink-sql-connector-kinesis-5.0.0-1.20.jar is not in .*: the application deploys but cannot start'));
  });

  test('validates runtime, parallelism, checkpoints and file names', () => {
    const { stack, base } = setup();
    const cases: Array<[Partial<StreamAnalyticsProps>, string]> = [
      [{ runtime: 'FLINK-1_13' as FlinkRuntime }, "Test/C0: `runtime` must be one of FLINK-1_15, FLINK-1_18, FLINK-1_19, FLINK-1_20, got 'FLINK-1_13'"],
      [{ parallelism: 0 }, 'Test/C1: `parallelism` must be a whole number of at least 1, got 0'],
      [{ parallelismPerKpu: 9 }, 'Test/C2: `parallelismPerKpu` must be a whole number from 1 to 8, got 9'],
      [{ checkpointInterval: Duration.millis(0) }, 'Test/C3: `checkpointInterval` must be a whole number of at least 1 (milliseconds), got 0'],
      [{ minPauseBetweenCheckpoints: Duration.millis(0.5) }, 'Test/C4: `minPauseBetweenCheckpoints` must be a whole number of at least 0 (milliseconds), got 0.5'],
      [{ mainFile: 'main.jar' }, "Test/C5: `mainFile` must be a .py file relative to the root of the application ZIP, got 'main.jar'"],
      [{ mainFile: 'job.py' }, "must exist in the code directory"],
      [{ connectorJar: '/opt/connector.jar' }, "Test/C7: `connectorJar` must be a .jar file relative to the root of the application ZIP, got '/opt/connector.jar'"],
      [{ connectorJar: '../connector.jar' }, "Test/C8: `connectorJar` must be a .jar file relative to the root of the application ZIP, got '../connector.jar'"],
    ];
    cases.forEach(([props, message], i) => {
      expect(() => new StreamAnalytics(stack, `C${i}`, { ...base, ...props })).toThrow(message);
    });
    expect(() => new StreamAnalytics(stack, 'C9', { ...base, mainFile: 'job.py' })).toThrow(/^Test\/C9: `mainFile` must exist in the code directory .*flink-app-.*, got 'job.py'$/);
  });

  test('validates the program properties, including the three the construct adds to the group', () => {
    const { stack, base } = setup();
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, 'v']));
    expect(() => new StreamAnalytics(stack, 'Max', { ...base, properties: { ...props(46), ['k'.repeat(2048)]: 'v'.repeat(2048) } })).not.toThrow();
    const cases: Array<[Partial<StreamAnalyticsProps>, string]> = [
      [{ properties: props(48) }, 'Test/P0: `properties` must have at most 47 entries (the property group takes 50, and the construct sets 3), got 48'],
      [{ properties: { 'aws.region': 'eu-west-1' } },
        "Test/P1: `properties key` must not be one the construct sets (input.stream.arn, output.stream.arn, aws.region), got 'aws.region'"],
      [{ properties: { window: '' } }, "Test/P2: `properties.window` must be 1 to 2048 characters long, got ''"],
      [{ properties: { window: 'v'.repeat(2049) } }, 'Test/P3: `properties.window` must be 1 to 2048 characters long'],
      [{ properties: { ['k'.repeat(2049)]: 'v' } }, 'Test/P4: `properties key` must be 1 to 2048 characters long'],
      [{ connectorJar: `${'l/'.repeat(1022)}connector.jar` }, 'Test/P5: `connectorJar` must be at most 2048 characters long (a runtime property value)'],
    ];
    cases.forEach(([overrides, message], i) => {
      expect(() => new StreamAnalytics(stack, `P${i}`, { ...base, ...overrides })).toThrow(message);
    });
  });
});
