import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  EfsTrainingStorage, LustreTrainingStorage, S3InputMode, TrainingInput, TrainingJobLauncher, TrainingJobLauncherProps, xgboostImageUri,
} from '../../lib';
import { XGBOOST_REGISTRY_ACCOUNTS } from '../../lib/training/built-in-algorithm-image';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { resourcesOfType } from '../helpers';
import { trainingSetup } from './fixtures';
import { aslErrors, stateMachineDefinition } from '../asl';

const setup = trainingSetup;

function launcher(overrides: (s: ReturnType<typeof setup>) => Partial<TrainingJobLauncherProps> = () => ({})) {
  const s = setup();
  const construct = new TrainingJobLauncher(s.stack, 'Launcher', {
    vpc: s.network.vpc,
    trainingImage: xgboostImageUri(s.stack),
    inputs: [TrainingInput.fromS3(s.bucket, { inputMode: S3InputMode.FAST_FILE })],
    output: s.bucket,
    jobNamePrefix: 'xgb',
    ...overrides(s),
  });
  return { ...s, construct, template: Template.fromStack(s.stack) };
}

describe('TrainingJobLauncher', () => {
  test('a valid ASL state machine: createTrainingJob.sync with S3 FastFile input, VPC, encrypted volume and output, timings recorded', () => {
    const { template } = launcher();
    const [machine] = resourcesOfType(template.toJSON(), 'AWS::StepFunctions::StateMachine');
    const definition = stateMachineDefinition(machine);
    expect(aslErrors(definition)).toEqual([]);
    const train = definition.States.Train;
    expect(train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(train.Parameters['TrainingJobName.$']).toBe("States.Format('xgb-{}', States.UUID())");
    expect(train.Parameters.AlgorithmSpecification.TrainingImage).toBe('resolved-at-deploy-time.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(train.Parameters.InputDataConfig).toEqual([{
      ChannelName: 'train', InputMode: 'FastFile', ContentType: 'text/csv',
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://resolved-at-deploy-time/train/', S3DataDistributionType: 'FullyReplicated' } },
    }]);
    expect(train.Parameters.OutputDataConfig).toEqual({ S3OutputPath: 's3://resolved-at-deploy-time/models/', KmsKeyId: 'resolved-at-deploy-time' });
    expect(train.Parameters.ResourceConfig).toEqual({ InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: 'resolved-at-deploy-time' });
    expect(train.Parameters.VpcConfig).toEqual({ SecurityGroupIds: ['resolved-at-deploy-time'], Subnets: ['resolved-at-deploy-time', 'resolved-at-deploy-time'] });
    expect(train.Parameters.EnableInterContainerTrafficEncryption).toBe(true);
    expect(Object.keys(train.ResultSelector)).toEqual(expect.arrayContaining(['CreationTime.$', 'TrainingStartTime.$', 'TrainingEndTime.$', 'SecondaryStatusTransitions.$', 'BillableTimeInSeconds.$']));
    expect(train.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'TrainingFailed' }]);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  test('the state machine has the permissions the SageMaker task would add, scoped to this launcher\'s jobs', () => {
    const { template } = launcher();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sagemaker:AddTags', 'sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:ListTags', 'sagemaker:StopTrainingJob'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':training-job/xgb-*']] },
          },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LauncherExecutionRole'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
          {
            Effect: 'Allow',
            Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule']] },
          },
        ],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('LauncherStateMachineRole') }],
    });
  });

  test('the execution role reads only the input prefix, writes only the output prefix, and has the VPC network-interface permissions', () => {
    const { template } = launcher();
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } });
    const policy = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('LauncherExecutionRole') }] } }))[0];
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const actions = statements.flatMap(statement => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 's3:PutObject', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant',
      'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'logs:PutLogEvents', 'cloudwatch:PutMetricData']));
    expect(actions.filter(action => action.startsWith('ecr:') || action.includes('*'))).toEqual([]);
    expect(statements.find(statement => statement.Action === 's3:GetObject').Resource)
      .toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Bucket/), 'Arn'] }, '/train/*']] });
    expect(JSON.stringify(statements.find(statement => statement.Action === 's3:ListBucket').Condition)).toBe('{"StringLike":{"s3:prefix":["train/*"]}}');
    expect(statements.find(statement => [statement.Action].flat().includes('s3:PutObject')).Resource['Fn::Join'][1][1]).toBe('/models/*');
  });

  test('file-system inputs: the job runs in the file system\'s subnet with its training security group, in File mode', () => {
    const { template, stack } = launcher(s => {
      const lustre = new LustreTrainingStorage(s.stack, 'Lustre', { vpc: s.network.vpc, deploymentType: fsx.LustreDeploymentType.SCRATCH_2, dataRepositories: [{ source: s.bucket }] });
      const efs = new EfsTrainingStorage(s.stack, 'Efs', { vpc: s.network.vpc });
      return { inputs: [TrainingInput.fromLustre(lustre), TrainingInput.fromEfs(efs, { channelName: 'validation' })] };
    });
    const definition = stateMachineDefinition(resourcesOfType(template.toJSON(), 'AWS::StepFunctions::StateMachine')[0]);
    expect(aslErrors(definition)).toEqual([]);
    const parameters = definition.States.Train.Parameters;
    expect(parameters.InputDataConfig.map((channel: any) => [channel.ChannelName, channel.InputMode, channel.DataSource.FileSystemDataSource.FileSystemType]))
      .toEqual([['train', 'File', 'FSxLustre'], ['validation', 'File', 'EFS']]);
    expect(parameters.VpcConfig.SecurityGroupIds).toHaveLength(3);
    expect(parameters.VpcConfig.Subnets).toHaveLength(1);
    expect(Stack.of(stack)).toBe(stack);
  });

  test('a job of several instances admits all traffic among its instances: IPsec (UDP 500, ESP) of inter-container encryption included, egress open', () => {
    const { template, construct, stack } = launcher(() => ({ instanceCount: 2 }));
    const group = JSON.stringify(stack.resolve(construct.securityGroup.securityGroupId));
    const selfRules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(rule => rule.Properties)
      .filter(rule => JSON.stringify(rule.GroupId) === group && JSON.stringify(rule.SourceSecurityGroupId) === group);
    const admits = (protocol: string, port?: number) => selfRules.some(rule => rule.IpProtocol === '-1'
      || (rule.IpProtocol === protocol && (port === undefined || (rule.FromPort <= port && port <= rule.ToPort))));
    expect([admits('udp', 500), admits('50'), admits('tcp', 7777)]).toEqual([true, true, true]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Training jobs of'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
    const recorded = template.toJSON().Metadata[REHEARSAL_METADATA_KEY];
    expect(recorded.connects.map((flow: any) => [flow.protocol, flow.fromPort ?? null])).toEqual([['-1', null], ['udp', 500], ['50', null]]);
  });

  test('file-system launchers may decrypt with the output key: S3 needs kms:Decrypt and kms:GenerateDataKey for uploads in parts', () => {
    const { template, stack } = launcher(s => ({ inputs: [TrainingInput.fromEfs(new EfsTrainingStorage(s.stack, 'Efs', { vpc: s.network.vpc }))] }));
    const policy = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('LauncherExecutionRole') }] } }))[0];
    const onOutputKey = (policy.Properties.PolicyDocument.Statement as any[])
      .filter(statement => JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as any), 'Arn'] }))
      .flatMap(statement => [statement.Action].flat());
    expect(onOutputKey).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']));
  });

  test('declares the run\'s calls (start, pass role, assume, read input, write artifacts in parts) and the reads of the artifacts that must be refused', () => {
    const { template } = launcher();
    const recorded = template.toJSON().Metadata[REHEARSAL_METADATA_KEY];
    const calls = recorded.allows.map((call: any) => `${call.principal.replace(/\$\{(\w+?)[0-9A-F]{8}\.Arn\}/, '$1')} ${call.action}`);
    expect(calls).toEqual(expect.arrayContaining([
      'service:states.amazonaws.com sts:AssumeRole', 'LauncherStateMachineRole sagemaker:CreateTrainingJob', 'LauncherStateMachineRole iam:PassRole',
      'service:sagemaker.amazonaws.com sts:AssumeRole', 'LauncherExecutionRole s3:ListBucket', 'LauncherExecutionRole s3:GetObject',
      'LauncherExecutionRole kms:Decrypt', 'LauncherExecutionRole s3:PutObject', 'LauncherExecutionRole kms:GenerateDataKey', 'LauncherExecutionRole kms:CreateGrant',
    ]));
    expect(recorded.allows.find((call: any) => call.action === 'kms:GenerateDataKey').context).toEqual({ 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}', 'kms:CallerAccount': '${AWS::AccountId}' });
    expect(recorded.denies.map((call: any) => call.description)).toEqual([
      'another account reads the model artifacts', 'the model artifacts read without TLS', 'a principal of this account with no grant reads the model artifacts',
    ]);
  });

  test('the XGBoost image URI comes from one region mapping per stack, never :latest', () => {
    const { stack, template } = launcher();
    expect(xgboostImageUri(stack, '1.5-1')).toContain('sagemaker-xgboost:1.5-1');
    const mappings = template.toJSON().Mappings;
    expect(Object.keys(mappings)).toEqual(['SageMakerXGBoostRegistries']);
    expect(mappings.SageMakerXGBoostRegistries['us-east-1']).toEqual({ account: '683313688378' });
    expect(mappings.SageMakerXGBoostRegistries['eu-west-1']).toEqual({ account: '141502667606' });
    expect(Object.keys(XGBOOST_REGISTRY_ACCOUNTS)).toHaveLength(33);
    expect(() => xgboostImageUri(stack, 'latest')).toThrow('Train: `version` must be one of 1.0-1, 1.2-1, 1.2-2, 1.3-1, 1.5-1, 1.7-1, got \'latest\'');
  });

  test.each<[string, (s: ReturnType<typeof setup>) => Partial<TrainingJobLauncherProps>, string]>([
    ['an upper-case job name prefix', () => ({ jobNamePrefix: 'XGB' }),
      'Train/Launcher: `jobNamePrefix` must be at most 26 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (a 36-character UUID is appended and job names have at most 63 characters), got \'XGB\''],
    ['a job name prefix too long', () => ({ jobNamePrefix: 'a'.repeat(27) }),
      `Train/Launcher: \`jobNamePrefix\` must be at most 26 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (a 36-character UUID is appended and job names have at most 63 characters), got '${'a'.repeat(27)}'`],
    ['an EC2 instance type', () => ({ instanceType: 'm5.large' }),
      'Train/Launcher: `instanceType` must be a SageMaker instance type such as ml.m5.large, got \'m5.large\''],
    ['no instance', () => ({ instanceCount: 0 }), 'Train/Launcher: `instanceCount` must be a whole number of at least 1, got 0'],
    ['a volume of 0 GiB', () => ({ volumeSize: Size.gibibytes(0) }), 'Train/Launcher: `volumeSize` must be a whole number from 1 to 16384 (whole GiB of a gp2 ML storage volume), got 0'],
    ['a volume over 16 TiB', () => ({ volumeSize: Size.gibibytes(16385) }), 'Train/Launcher: `volumeSize` must be a whole number from 1 to 16384 (whole GiB of a gp2 ML storage volume), got 16385'],
    ['a volume of part of a GiB', () => ({ volumeSize: Size.mebibytes(1536) }), 'Train/Launcher: `volumeSize` must be a whole number from 1 to 16384 (whole GiB of a gp2 ML storage volume), got 1.5'],
    ['101 hyperparameters', () => ({ hyperparameters: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`h${i}`, '1'])) }),
      'Train/Launcher: `hyperparameters` must have at most 100 entries, got 101'],
    ['a hyperparameter name over 256 characters', () => ({ hyperparameters: { ['h'.repeat(257)]: '1' } }),
      'Train/Launcher: `hyperparameters key` must be at most 256 characters long'],
    ['a hyperparameter value over 2,500 characters', () => ({ hyperparameters: { eta: '0'.repeat(2501) } }),
      'Train/Launcher: `hyperparameters.eta` must be at most 2500 characters long'],
    ['21 channels', s => ({ inputs: Array.from({ length: 21 }, (_, i) => TrainingInput.fromS3(s.bucket, { channelName: `c${i}`, prefix: `c${i}/` })) }),
      'Train/Launcher: `inputs` must have 1 to 20 channels, got 21'],
    ['a content type over 256 characters', s => ({ inputs: [TrainingInput.fromS3(s.bucket, { contentType: `text/${'x'.repeat(252)}` })] }),
      'Train/Launcher: `inputs[0].contentType` must be at most 256 characters long (a MIME type)'],
    ['a runtime above 28 days', () => ({ maxRuntime: Duration.days(29) }),
      'Train/Launcher: `maxRuntime` must be a whole number from 1 to 2419200 (seconds: SageMaker stops training jobs after 28 days at most), got 2505600'],
    ['an absolute output prefix', () => ({ outputPrefix: '/models/' }),
      'Train/Launcher: `outputPrefix` must be a relative S3 key prefix ending with \'/\' (no leading \'/\', no \'s3://\', no empty, \'.\' or \'..\' segments), or \'\' for the whole bucket, got \'/models/\''],
    ['no input', () => ({ inputs: [] }), 'Train/Launcher: `inputs` must have 1 to 20 channels, got 0'],
    ['two channels of the same name', s => ({ inputs: [TrainingInput.fromS3(s.bucket), TrainingInput.fromS3(s.bucket, { prefix: 'b/' })] }),
      'Train/Launcher: `inputs[].channelName` must be unique in the job, got \'train\''],
    ['file systems without a common subnet', s => {
      const a = new LustreTrainingStorage(s.stack, 'A', { vpc: s.network.vpc, subnet: s.network.vpc.isolatedSubnets[0], dataRepositories: [{ source: s.bucket }] });
      const b = new LustreTrainingStorage(s.stack, 'B', { vpc: s.network.vpc, subnet: s.network.vpc.isolatedSubnets[1], dataRepositories: [{ source: s.bucket }] });
      return { inputs: [TrainingInput.fromLustre(a), TrainingInput.fromLustre(b, { channelName: 'b' })] };
    }, 'Train/Launcher: `inputs` must share at least one subnet (each file system is reachable from the subnets it names), got ["FSx for Lustre","FSx for Lustre"]'],
    ['an S3 prefix without a trailing slash', s => ({ inputs: [TrainingInput.fromS3(s.bucket, { prefix: 'train' })] }),
      'Train/Launcher: `prefix` must be a relative S3 key prefix ending with \'/\' (no leading \'/\', no \'s3://\', no empty, \'.\' or \'..\' segments), or \'\' for the whole bucket, got \'train\''],
  ])('rejects %s', (_, overrides, message) => {
    expect(() => launcher(overrides)).toThrow(message);
  });

  test('accepts the limits themselves: 100 hyperparameters of 256-character names and 2,500-character values, 20 channels, 28 days, many instances', () => {
    const hyperparameters = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`${i}`.padEnd(256, 'h'), 'v'.repeat(2500)]));
    const { template } = launcher(s => ({
      hyperparameters,
      inputs: Array.from({ length: 20 }, (_, i) => TrainingInput.fromS3(s.bucket, { channelName: `c${i}`, prefix: `c${i}/` })),
      maxRuntime: Duration.days(28),
      instanceCount: 500,
      volumeSize: Size.tebibytes(16),
    }));
    const definition = stateMachineDefinition(resourcesOfType(template.toJSON(), 'AWS::StepFunctions::StateMachine')[0]);
    expect(Object.keys(definition.States.Train.Parameters.HyperParameters)).toHaveLength(100);
    expect(definition.States.Train.Parameters.ResourceConfig.InstanceCount).toBe(500);
  });
});

describe('TrainingJobLauncher with resources of your own', () => {
  test('a given execution role and subnets: the jobs run with them, the launcher creates no execution role', () => {
    const { template, construct, stack, network } = launcher(s => ({
      role: new iam.Role(s.stack, 'SageMakerRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }),
      vpcSubnets: { subnets: [s.network.vpc.isolatedSubnets[1]] },
    }));
    expect(construct.role.node.id).toBe('SageMakerRole');
    const definition = stateMachineDefinition(resourcesOfType(template.toJSON(), 'AWS::StepFunctions::StateMachine')[0]);
    expect(definition.States.Train.Parameters.VpcConfig.Subnets).toHaveLength(1);
    // The execution role may create network interfaces in the given subnet only.
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain(JSON.stringify(stack.resolve(network.vpc.isolatedSubnets[1].subnetId)));
    expect(policy).not.toContain(JSON.stringify(stack.resolve(network.vpc.isolatedSubnets[0].subnetId)));
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter(id => id.startsWith('LauncherExecutionRole'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: stack.getLogicalId(construct.role.node.defaultChild as iam.CfnRole) }] });
  });
});
