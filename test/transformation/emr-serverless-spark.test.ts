import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, EmrServerlessArchitecture, EmrServerlessSpark, EmrServerlessSparkProps } from '../../lib';
import { aslErrors, applyResultSelector, stateMachineDefinitions } from '../asl';
import { newStack, policyStatements } from '../helpers-transformation';
import { declared, recordedAttr, rehearsalOf } from '../helpers';

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'spark-at-scale', 'feature_engineering.py');

function build(overrides: Partial<EmrServerlessSparkProps> = {}, stack: Stack = newStack()) {
  const lake = new DataLake(stack, 'Lake');
  const key = new kms.Key(stack, 'Key');
  const workspace = { bucket: new s3.Bucket(stack, 'Workspace'), encryptionKey: key };
  const spark = new EmrServerlessSpark(stack, 'Spark', {
    scriptPath: SCRIPT,
    scriptArguments: ['--input', 's3://in/', '--output', 's3://out/'],
    inputs: [lake.zone('raw')],
    outputs: [lake.zone('analytics')],
    workspace,
    ...overrides,
  });
  return { stack, spark, template: Template.fromStack(stack) };
}

describe('EmrServerlessSpark', () => {
  test('an ARM64 Spark application on a current release that starts on demand and stops after 15 idle minutes, with a capacity ceiling', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      ReleaseLabel: 'emr-7.12.0',
      Type: 'Spark',
      Architecture: 'ARM64',
      AutoStartConfiguration: { Enabled: true },
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
      MaximumCapacity: { Cpu: '16 vCPU', Memory: '64 GB', Disk: '400 GB' },
      InitialCapacity: Match.absent(),
      NetworkConfiguration: Match.absent(),
    });
  });

  test('pre-initialized capacity and private subnets when asked', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { template } = build({
      vpc,
      idleTimeout: Duration.minutes(5),
      architecture: EmrServerlessArchitecture.X86_64,
      initialCapacity: { driver: { count: 1, vcpu: 2, memoryGb: 4 }, executor: { count: 2, vcpu: 4, memoryGb: 8, diskGb: 40 } },
    }, stack);
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      Architecture: 'X86_64',
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 5 },
      InitialCapacity: [
        { Key: 'Driver', Value: { WorkerCount: 1, WorkerConfiguration: { Cpu: '2 vCPU', Memory: '4 GB', Disk: '20 GB' } } },
        { Key: 'Executor', Value: { WorkerCount: 2, WorkerConfiguration: { Cpu: '4 vCPU', Memory: '8 GB', Disk: '40 GB' } } },
      ],
      NetworkConfiguration: { SubnetIds: Match.anyValue(), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SparkSecurityGroup'), 'GroupId'] }] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('EMR Serverless workers'),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]),
    });
  });

  test('the job role can be assumed only by EMR Serverless for this application', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('Spark jobs of the EMR Serverless application'),
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Principal: { Service: 'emr-serverless.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('SparkApplication'), 'Arn'] } },
          },
        }],
      },
    });
  });

  test('the job role reads the script object only, and writes its own log prefix', () => {
    const { template } = build();
    expect(policyStatements(template, 'SparkScriptScriptRead')).toEqual([{
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, expect.stringMatching(/^\/[0-9a-f]{64}\.py$/)]] },
    }]);
    expect(policyStatements(template, 'SparkLogWrite')[1]).toEqual({
      Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Workspace/), 'Arn'] }, '/emr-serverless/TestSpark83DFEB43/logs/*']] },
    });
  });

  test('the state machine runs the job with startJobRun.sync, passes only the job role, logs everything and traces', () => {
    const { template } = build();
    const [definition] = stateMachineDefinitions(template.toJSON());
    expect(aslErrors(definition)).toEqual([]);
    const task = definition.States.RunSparkJob;
    expect(task.Resource).toBe('arn:aws:states:::emr-serverless:startJobRun.sync');
    expect(task.Parameters.JobDriver.SparkSubmit.EntryPointArguments).toEqual(['--input', 's3://in/', '--output', 's3://out/']);
    expect(task.Parameters.ExecutionTimeoutMinutes).toBe(120);
    expect(task.Parameters.ConfigurationOverrides.MonitoringConfiguration.S3MonitoringConfiguration.LogUri).toMatch(/^s3:\/\/.*\/logs\/$/);
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'SparkJobFailed' }]);
    expect(definition.States.SparkJobFailed).toMatchObject({ Type: 'Fail', Error: 'SparkJobFailed' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() });
    const application = { 'Fn::GetAtt': [expect.stringMatching(/^SparkApplication/), 'Arn'] };
    expect(policyStatements(template, 'SparkStartJobPolicy')).toEqual([
      { Action: 'emr-serverless:StartJobRun', Effect: 'Allow', Resource: application },
      { Action: ['emr-serverless:CancelJobRun', 'emr-serverless:GetJobRun'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [application, '/jobruns/*']] } },
      {
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SparkJobRole/), 'Arn'] },
      },
      {
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':rule/StepFunctionsGetEventsForEMRServerlessJobRule']] },
      },
    ]);
  });

  test('no JsonPath selects from the result of startJobRun.sync, so a succeeded run cannot end in States.Runtime', () => {
    const [definition] = stateMachineDefinitions(build().template.toJSON());
    const task = definition.States.RunSparkJob;
    expect(task.ResultSelector).toBeUndefined();
    expect(task.ResultPath).toBeUndefined();
    expect(task.OutputPath).toBeUndefined();
    // The former selector read StartJobRun's `JobRunId` and GetJobRun's `JobRun.State`: no API result has both.
    const former = { 'JobRunId.$': '$.JobRunId', 'State.$': '$.JobRun.State' };
    const startJobRun = { ApplicationId: '00fabc123', JobRunId: '00fjob456', Arn: 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabc123/jobruns/00fjob456' };
    const getJobRun = { JobRun: { ApplicationId: '00fabc123', JobRunId: '00fjob456', State: 'SUCCESS', StateDetails: '', ReleaseLabel: 'emr-7.12.0' } };
    for (const result of [startJobRun, getJobRun]) {
      expect(() => applyResultSelector(former, result)).toThrow('States.Runtime');
    }
  });

  test('rehearsal declarations: EMR Serverless assumes the job role for this application only; the state machine starts runs and passes the role to EMR Serverless only; workers reach each other', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { spark, template } = build({ vpc }, stack);
    const recorded = rehearsalOf(template);
    const [job, machine, application] = [recordedAttr(spark.jobRole), recordedAttr(spark.stateMachine.role), recordedAttr(spark.application)];
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:emr-serverless.amazonaws.com', action: 'sts:AssumeRole', resource: job, context: { 'aws:SourceArn': application } }),
      declared({ principal: job, action: 's3:GetObject', resource: /^arn:\$\{AWS::Partition\}:s3:::cdk-hnb659fds-assets-.*\.py$/ }),
      declared({ principal: job, action: 's3:GetObject', resource: /^\$\{LakeRawBucket/ }),
      declared({ principal: job, action: 's3:PutObject', resource: /^\$\{LakeAnalyticsBucket/ }),
      declared({ principal: machine, action: 'emr-serverless:StartJobRun', resource: application }),
      declared({ principal: machine, action: 'iam:PassRole', resource: job, context: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } }),
      declared({ principal: 'service:states.amazonaws.com', action: 'sts:AssumeRole', resource: machine }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: machine, action: 'iam:PassRole', context: { 'iam:PassedToService': 'glue.amazonaws.com' } }),
      declared({ principal: 'service:emr-serverless.amazonaws.com', action: 'sts:AssumeRole', context: { 'aws:SourceArn': /\/applications\/another$/ } }),
      declared({ action: 's3:GetObject', context: { 'aws:SecureTransport': 'false' } }),
    ]));
    const group = recordedAttr(spark.securityGroup!, 'GroupId');
    expect(recorded.connects).toEqual([declared({ from: [group], to: [group], protocol: '-1' })]);
  });

  describe('rejects bad input', () => {
    const cases: Array<[string, Partial<EmrServerlessSparkProps>, string]> = [
      ['a malformed release label', { releaseLabel: 'emr-7' }, 'Test/Spark: `releaseLabel` must look like emr-7.12.0, got \'emr-7\''],
      ['a release before EMR Serverless', { releaseLabel: 'emr-6.5.0', architecture: EmrServerlessArchitecture.X86_64 },
        'Test/Spark: `releaseLabel` must be emr-6.6.0 or later (EMR Serverless starts at 6.6.0), got \'emr-6.5.0\''],
      ['ARM64 before 6.9.0', { releaseLabel: 'emr-6.8.0' }, 'Test/Spark: `releaseLabel` must be emr-6.9.0 or later for ARM64 workers, got \'emr-6.8.0\''],
      ['an idle timeout over 7 days', { idleTimeout: Duration.days(8) },
        'Test/Spark: `idleTimeout` must be a whole number from 1 to 10080 (whole minutes from 1 minute to 7 days), got 11520'],
      ['a fractional idle timeout', { idleTimeout: Duration.seconds(90) },
        'Test/Spark: `idleTimeout` must be a whole number from 1 to 10080 (whole minutes from 1 minute to 7 days), got 1.5'],
      ['zero vCPU', { maximumCapacity: { vcpu: 0, memoryGb: 8 } }, 'Test/Spark: `maximumCapacity.vcpu` must be a whole number of at least 1, got 0'],
      ['too little memory', { maximumCapacity: { vcpu: 4, memoryGb: 1 } },
        'Test/Spark: `maximumCapacity.memoryGb` must be a whole number of at least 2 (the smallest worker has 2 GB), got 1'],
      ['too little disk', { maximumCapacity: { vcpu: 4, memoryGb: 16, diskGb: 10 } },
        'Test/Spark: `maximumCapacity.diskGb` must be a whole number of at least 20 (each worker has at least 20 GB of disk), got 10'],
      ['a 3-vCPU worker', { initialCapacity: { driver: { count: 1, vcpu: 3, memoryGb: 8 }, executor: { count: 1, vcpu: 2, memoryGb: 4 } } },
        'Test/Spark: `initialCapacity.driver.vcpu` must be 1, 2, 4, 8 or 16, got 3'],
      ['memory off the 4 GB step of 8-vCPU workers', { initialCapacity: { driver: { count: 1, vcpu: 2, memoryGb: 4 }, executor: { count: 1, vcpu: 8, memoryGb: 18 } } },
        'Test/Spark: `initialCapacity.executor.memoryGb` must be 16 to 60 GB in steps of 4 GB for 8-vCPU workers, got 18'],
      ['a worker disk over 200 GB', { initialCapacity: { driver: { count: 1, vcpu: 1, memoryGb: 2, diskGb: 300 }, executor: { count: 1, vcpu: 1, memoryGb: 2 } } },
        'Test/Spark: `initialCapacity.driver.diskGb` must be a whole number from 20 to 200, got 300'],
      ['zero warm workers', { initialCapacity: { driver: { count: 0, vcpu: 1, memoryGb: 2 }, executor: { count: 1, vcpu: 1, memoryGb: 2 } } },
        'Test/Spark: `initialCapacity.driver.count` must be a whole number from 1 to 1000000 (workerCount of InitialCapacityConfig), got 0'],
      ['warm workers above the maximum', { initialCapacity: { driver: { count: 1, vcpu: 4, memoryGb: 16 }, executor: { count: 4, vcpu: 4, memoryGb: 16 } } },
        'Test/Spark: `initialCapacity` must fit in the maximum capacity (16 vCPU, 64 GB), got {"vcpu":20,"memoryGb":80}'],
      ['a fractional job timeout', { jobTimeout: Duration.seconds(30) },
        'Test/Spark: `jobTimeout` must be a whole number from 1 to 525585 (whole minutes, within the one year a state machine execution may run), got 0.5'],
      ['a job timeout past a year', { jobTimeout: Duration.minutes(525_586) },
        'Test/Spark: `jobTimeout` must be a whole number from 1 to 525585 (whole minutes, within the one year a state machine execution may run), got 525586'],
      ['blank spark-submit parameters', { sparkSubmitParameters: '  ' }, "Test/Spark: `sparkSubmitParameters` must not be blank, got '  '"],
      ['spark-submit parameters over 102,400 characters', { sparkSubmitParameters: `--conf ${'x'.repeat(102_400)}` },
        'Test/Spark: `sparkSubmitParameters` must be 1 to 102400 characters long'],
      ['an empty script argument', { scriptArguments: ['--input', ''] },
        "Test/Spark: `scriptArguments[1]` must not be blank (EMR Serverless rejects empty entry point arguments), got ''"],
      ['1,025 script arguments', { scriptArguments: Array.from({ length: 1025 }, () => 'a') },
        'Test/Spark: `scriptArguments` must have at most 1024 arguments (EntryPointArguments), got 1025'],
      ['more than a million warm workers', { maximumCapacity: { vcpu: 4_000_004, memoryGb: 8_000_008 },
        initialCapacity: { driver: { count: 1, vcpu: 1, memoryGb: 2 }, executor: { count: 1_000_001, vcpu: 1, memoryGb: 2 } } },
      'Test/Spark: `initialCapacity.executor.count` must be a whole number from 1 to 1000000 (workerCount of InitialCapacityConfig), got 1000001'],
      ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'Test/Spark: `vpcSubnets` needs `vpc`, got \'set\''],
      ['a script that does not exist', { scriptPath: '/nonexistent/job.py' },
        'Test/Spark: `scriptPath` must be an existing local Python file (*.py), the PySpark script to run, got \'/nonexistent/job.py\''],
    ];
    test.each(cases)('%s', (_name, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });

  test('the limits themselves are accepted', () => {
    expect(() => build({ jobTimeout: Duration.minutes(525_585), sparkSubmitParameters: 'x'.repeat(102_400), scriptArguments: Array.from({ length: 1024 }, () => 'a') }))
      .not.toThrow();
  });
});
