import * as path from 'path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, SageMakerSparkProcessing, SageMakerSparkProcessingProps } from '../../lib';
import { SPARK_PROCESSING_IMAGE_ACCOUNTS, SPARK_PROCESSING_PYTHON_VERSIONS } from '../../lib/transformation/sagemaker-spark-processing';
import { aslErrors, applyResultSelector, stateMachineDefinitions } from '../asl';
import { CDK_CONTEXT } from '../helpers';
import { newStack, policyStatements } from '../helpers-transformation';
import { declared, recordedAttr, rehearsalOf } from '../helpers';

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'spark-at-scale', 'feature_engineering.py');

function build(overrides: Partial<SageMakerSparkProcessingProps> = {}, stack: Stack = newStack()) {
  const lake = new DataLake(stack, 'Lake');
  const workspace = { bucket: new s3.Bucket(stack, 'Workspace'), encryptionKey: new kms.Key(stack, 'Key') };
  const spark = new SageMakerSparkProcessing(stack, 'Spark', {
    scriptPath: SCRIPT,
    scriptArguments: ['--input', 's3://in/', '--s3-scheme', 's3a'],
    inputs: [lake.zone('raw')],
    outputs: [lake.zone('analytics')],
    workspace,
    ...overrides,
  });
  return { stack, spark, template: Template.fromStack(stack) };
}

describe('SageMakerSparkProcessing', () => {
  test('resolves the Spark image per region from a mapping of the publishing accounts', () => {
    const { template } = build();
    const mappings = Object.values(template.toJSON().Mappings) as Array<Record<string, { account: string }>>;
    expect(mappings).toHaveLength(1);
    expect(mappings[0]['us-east-1']).toEqual({ account: '173754725891' });
    expect(mappings[0]['eu-west-1']).toEqual({ account: '571004829621' });
    expect(mappings[0]['cn-north-1']).toEqual({ account: '671472414489' });
    // The Spark 3.5 registries of the SDK's spark.json, newer regions included.
    expect(mappings[0]['mx-central-1']).toEqual({ account: '211125459255' });
    expect(mappings[0]['ap-southeast-7']).toEqual({ account: '471112967968' });
    expect(Object.keys(mappings[0])).toHaveLength(Object.keys(SPARK_PROCESSING_IMAGE_ACCOUNTS).length);
    expect(Object.keys(SPARK_PROCESSING_IMAGE_ACCOUNTS)).toHaveLength(40);
  });

  test('defaults to a tag that exists: Spark 3.5 is published for py39 and py312 only', () => {
    expect(SPARK_PROCESSING_PYTHON_VERSIONS['3.5']).toEqual(['py39', 'py312']);
    const [definition] = stateMachineDefinitions(build().template.toJSON());
    const tag = definition.States.RunSparkProcessingJob.Parameters.AppSpecification.ImageUri.split(':').pop();
    expect(tag).toBe('3.5-cpu-py312-v1');
    const [, spark, python] = /^(\d+\.\d+)-cpu-(py\d+)-v/.exec(tag)!;
    expect(SPARK_PROCESSING_PYTHON_VERSIONS[spark]).toContain(python);
  });

  test('the role may list the S3Prefix of the code input (SageMaker calls ListObjectsV2 on it), and only that prefix', () => {
    const { template } = build();
    const [definition] = stateMachineDefinitions(template.toJSON());
    const inputs = definition.States.RunSparkProcessingJob.Parameters.ProcessingInputs;
    expect(inputs.map((i: any) => i.S3Input.S3DataType)).toEqual(['S3Prefix']);
    const statements = policyStatements(template, 'SparkScriptScriptRead') as Array<Record<string, any>>;
    const key = expect.stringMatching(/^[0-9a-f]{64}\.py$/);
    expect(statements).toEqual([
      expect.objectContaining({ Action: 's3:GetObject' }),
      {
        Action: 's3:ListBucket',
        Condition: { StringEquals: { 's3:prefix': key } },
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }]] },
      },
    ]);
    // The prefix listed is the key the input names.
    const listed = statements[1].Condition.StringEquals['s3:prefix'];
    expect(inputs[0].S3Input.S3Uri).toBe('resolved-at-deploy-time');
    expect(definition.States.RunSparkProcessingJob.Parameters.AppSpecification.ContainerEntrypoint[1]).toBe(`/opt/ml/processing/input/code/${listed}`);
  });

  test('the state machine runs createProcessingJob.sync with encrypted volumes and inter-node traffic, and fails on a failed job', () => {
    const { template } = build();
    const [definition] = stateMachineDefinitions(template.toJSON());
    expect(aslErrors(definition)).toEqual([]);
    const task = definition.States.RunSparkProcessingJob;
    expect(task.Resource).toBe('arn:aws:states:::sagemaker:createProcessingJob.sync');
    expect(task.Parameters['ProcessingJobName.$']).toBe("States.Format('spark-{}', States.UUID())");
    expect(task.Parameters.AppSpecification.ImageUri).toBe('resolved-at-deploy-time.dkr.ecr.us-east-1.amazonaws.com/sagemaker-spark-processing:3.5-cpu-py312-v1');
    expect(task.Parameters.AppSpecification.ContainerEntrypoint).toEqual(['smspark-submit', expect.stringMatching(/^\/opt\/ml\/processing\/input\/code\/[0-9a-f]{64}\.py$/)]);
    expect(task.Parameters.AppSpecification.ContainerArguments).toEqual(['--input', 's3://in/', '--s3-scheme', 's3a']);
    expect(task.Parameters.ProcessingResources.ClusterConfig).toEqual({
      InstanceCount: 2, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30, VolumeKmsKeyId: 'resolved-at-deploy-time',
    });
    expect(task.Parameters.NetworkConfig).toEqual({ EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: false });
    expect(task.Parameters.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200 });
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'SparkJobFailed' }]);
    expect(definition.TimeoutSeconds).toBe(7200 + 1800);
    // createProcessingJob.sync returns DescribeProcessingJob's response.
    expect(applyResultSelector(task.ResultSelector, { ProcessingJobName: 'spark-1', ProcessingJobArn: 'arn', ProcessingJobStatus: 'Completed', CreationTime: 1 }))
      .toEqual({ ProcessingJobName: 'spark-1', ProcessingJobStatus: 'Completed' });
  });

  test('runs in private subnets with a security group open only to its own nodes', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { template } = build({ vpc }, stack);
    const [definition] = stateMachineDefinitions(template.toJSON());
    expect(definition.States.RunSparkProcessingJob.Parameters.NetworkConfig.VpcConfig).toEqual({
      SecurityGroupIds: ['resolved-at-deploy-time'], Subnets: ['resolved-at-deploy-time', 'resolved-at-deploy-time'],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: '-1',
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('SparkSecurityGroup'), 'GroupId'] },
    });
    expect(JSON.stringify(policyStatements(template, 'SparkRuntimePolicy'))).toContain('ec2:CreateNetworkInterface');
  });

  test('only SageMaker may assume the execution role, and the state machine passes it to SageMaker only', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' }, Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }) })],
      },
    });
    const statements = policyStatements(template, 'SparkCreateJobPolicy') as Array<Record<string, any>>;
    expect(statements.find(s => s.Action === 'iam:PassRole')).toEqual({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SparkExecutionRole/), 'Arn'] },
    });
    expect(statements[0].Action).toEqual(['sagemaker:AddTags', 'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:ListTags', 'sagemaker:StopProcessingJob']);
    expect(JSON.stringify(statements[0].Resource)).toContain(':processing-job/spark-*');
    expect(JSON.stringify(statements)).toContain('rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule');
  });

  test('rehearsal declarations: SageMaker assumes the role for this account\'s jobs, lists the code prefix and nothing else, the nodes reach each other with IPsec', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { spark, template } = build({ vpc }, stack);
    const recorded = rehearsalOf(template);
    const [role, machine] = [recordedAttr(spark.executionRole), recordedAttr(spark.stateMachine.role)];
    const key = spark.script.asset.s3ObjectKey;
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceArn': /:processing-job\/spark-/ } }),
      declared({ principal: role, action: 's3:ListBucket', context: { 's3:prefix': key } }),
      declared({ principal: role, action: 's3:GetObject', resource: new RegExp(`/${key.replace('.', '\\.')}$`) }),
      declared({ principal: role, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'true' } }),
      declared({ principal: machine, action: 'sagemaker:CreateProcessingJob' }),
      declared({ principal: machine, action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: role, action: 's3:ListBucket', context: { 's3:prefix': '' } }),
      declared({ principal: 'service:sagemaker.amazonaws.com', action: 'sts:AssumeRole', context: { 'aws:SourceAccount': '111122223333' } }),
    ]));
    const group = recordedAttr(spark.securityGroup!, 'GroupId');
    expect(recorded.connects.map(flow => [flow.from.join() === group && flow.to.join() === group, flow.protocol, flow.fromPort])).toEqual([[true, 'tcp', 0], [true, 'udp', 500], [true, '50', undefined]]);
  });

  describe('rejects bad input', () => {
    const cases: Array<[string, Partial<SageMakerSparkProcessingProps>, string]> = [
      ['a tag that is not a Spark processing tag', { imageTag: 'latest' },
        'Test/Spark: `imageTag` must be a sagemaker-spark-processing tag, <Spark version>-cpu-<Python build>-v<image version>, such as 3.5-cpu-py312-v1, got \'latest\''],
      ['a Python build SageMaker does not publish for Spark 3.5', { imageTag: '3.5-cpu-py310-v1.0' },
        'Test/Spark: `imageTag` must name a Python build published for Spark 3.5 (py39, py312): the image tag does not exist otherwise, got \'3.5-cpu-py310-v1.0\''],
      ['a Spark version with no processing image', { imageTag: '3.4-cpu-py39-v1' },
        'Test/Spark: `imageTag` must name a Spark version SageMaker publishes a processing image for (2.4, 3.0, 3.1, 3.2, 3.3, 3.5), got \'3.4-cpu-py39-v1\''],
      ['a non-ML instance type', { instanceType: 'm5.xlarge' }, 'Test/Spark: `instanceType` must be an ML instance type such as ml.m5.xlarge, got \'m5.xlarge\''],
      ['no instances', { instanceCount: 0 }, 'Test/Spark: `instanceCount` must be a whole number from 1 to 100, got 0'],
      ['a volume too large', { volumeSize: Size.gibibytes(20000) }, 'Test/Spark: `volumeSize` must be a whole number from 1 to 16384 (whole GiB), got 20000'],
      ['a run longer than 9 days', { maxRuntime: Duration.seconds(777_601) }, 'Test/Spark: `maxRuntime` must be a whole number from 1 to 777600 (seconds, up to 9 days), got 777601'],
      ['101 script arguments', { scriptArguments: Array.from({ length: 101 }, (_, i) => `a${i}`) },
        'Test/Spark: `scriptArguments` must have at most 100 arguments (ContainerArguments), got 101'],
      ['a script argument over 256 characters', { scriptArguments: ['--input', `s3://${'b'.repeat(252)}`] },
        'Test/Spark: `scriptArguments[1]` must be at most 256 characters long (a container argument)'],
      ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'Test/Spark: `vpcSubnets` needs `vpc`, got \'set\''],
    ];
    test.each(cases)('%s', (_name, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });

    test('the limits themselves are accepted: 9 days, 100 arguments of 256 characters', () => {
      expect(() => build({ maxRuntime: Duration.days(9), scriptArguments: Array.from({ length: 100 }, () => 'a'.repeat(256)) })).not.toThrow();
    });

    test('a job without script arguments has no ContainerArguments (the API takes 1 to 100)', () => {
      const { template } = build({ scriptArguments: [] });
      const [definition] = stateMachineDefinitions(template.toJSON());
      expect(definition.States.RunSparkProcessingJob.Parameters.AppSpecification).not.toHaveProperty('ContainerArguments');
    });

    test('a region where the image is not published', () => {
      const stack = new Stack(new App({ context: CDK_CONTEXT }), 'Test', { env: { region: 'xx-nowhere-1', account: '111111111111' } });
      expect(() => build({}, stack)).toThrow('Test/Spark: `region` must be a region where SageMaker publishes the Spark processing image, got \'xx-nowhere-1\'');
    });
  });
});
