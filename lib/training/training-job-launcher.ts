import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DataFlow, DataFlowKind, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { check, checkCount, checkInteger, checkLength, checkMap } from '../core/validation';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { S3_KMS_SOURCE, S3_MULTIPART_KMS_SOURCE, bucketRefusals, serviceAssumesRole, stepFunctionsAssumesRole, viaS3 } from '../rehearsal/common-calls';
import { Rehearsal, RuntimeCall } from '../rehearsal/expectations';
import { TrainingInput, checkRelativePrefix } from './training-input';

/** Properties of a {@link TrainingJobLauncher}. */
export interface TrainingJobLauncherProps extends DataRetentionProps {
  /** The VPC the training job runs in (use `PrivateNetwork`: no route out but its endpoints). */
  readonly vpc: ec2.IVpc;
  /** The training image URI (for the built-in XGBoost: `xgboostImageUri(this)`). */
  readonly trainingImage: string;
  /** The input channels (at least one; at most 20, with distinct names). */
  readonly inputs: TrainingInput[];
  /** The bucket the model artifacts are written to (encrypted with the bucket's key, if any). */
  readonly outputBucket: s3.IBucket;
  /**
   * The key prefix of the model artifacts, relative, ending with `/`.
   *
   * @default 'models/'
   */
  readonly outputPrefix?: string;
  /**
   * The prefix of the training job names: lower-case letters, digits and hyphens, at most 26
   * characters (a UUID is appended per execution). The state machine may only touch jobs whose
   * names start with it.
   */
  readonly jobNamePrefix: string;
  /**
   * The instance type.
   *
   * @default 'ml.m5.large'
   */
  readonly instanceType?: string;
  /**
   * The number of instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The size of each instance's ML storage volume, GiB (S3 `File` mode copies the data there).
   *
   * @default 30
   */
  readonly volumeSizeGiB?: number;
  /**
   * How long a job may run before SageMaker stops it.
   *
   * @default Duration.hours(1)
   */
  readonly maxRuntime?: Duration;
  /**
   * The algorithm's hyperparameters: at most 100, keys of at most 256 and values of at most 2,500 characters.
   *
   * @default - none
   */
  readonly hyperparameters?: Record<string, string>;
  /**
   * The key that encrypts the instances' ML storage volumes.
   *
   * @default - a new rotating key
   */
  readonly volumeEncryptionKey?: kms.IKey;
  /**
   * The key that encrypts the state machine's execution logs (CloudWatch Logs must be allowed
   * to use it: see `allowLogsToUse`).
   *
   * @default - a new rotating key
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** The log group of SageMaker training jobs, fixed by SageMaker. */
const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
/** What the execution role of a training job needs, per SageMaker. */
const EXECUTION_ROLE_SOURCE = 'https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createtrainingjob-perms';
/** What the role of a state machine that runs SageMaker jobs needs. */
const STATES_SAGEMAKER_SOURCE = 'https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html';
/** Inter-container traffic encryption: UDP 500 and ESP (IP protocol 50) among the job's instances. */
const TRAIN_ENCRYPT_SOURCE = 'https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html';
/** Distributed training: the instances of a job talk to each other through its security group. */
const TRAIN_VPC_SOURCE = 'https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html';

/**
 * A Step Functions state machine that starts a SageMaker training job, waits for it and records
 * how long each phase took.
 *
 * The state is a `createTrainingJob.sync` task: Step Functions calls `CreateTrainingJob`, then
 * follows the job (through an EventBridge rule it manages) until it ends, and returns the job's
 * description. The state keeps the fields that compare storage options: creation, training
 * start and end times, billable seconds and the `SecondaryStatusTransitions` (Starting,
 * Downloading, Training, Uploading), whose Downloading phase is the load time the notes' table
 * compares.
 *
 * `tasks.SageMakerCreateTrainingJob` of aws-cdk-lib accepts only S3 input, so the state is built
 * from the raw `CreateTrainingJob` parameters, with the permissions that task would add:
 * `CreateTrainingJob`/`DescribeTrainingJob`/`StopTrainingJob`/`AddTags`/`ListTags` on this
 * launcher's jobs only, the managed EventBridge rule, and `iam:PassRole` of the execution role
 * to SageMaker only.
 *
 * The execution role is least-privilege: it reads only the inputs' S3 prefixes, writes only the
 * output prefix, uses only the keys involved, writes only to the training log group, and has the
 * network-interface permissions a job in a VPC needs (EC2 accepts only `*` for the `Describe*`
 * actions). It has no ECR permission: SageMaker pulls built-in algorithm images with its own
 * credentials (add `ecr:` permissions to `role` for your own images).
 *
 * The job runs in the VPC, in the subnets its file-system inputs require, carrying their
 * security groups; it reaches S3 through the VPC's gateway endpoint (the only endpoint a VPC job
 * with built-in images needs: SageMaker itself writes the job's logs and metrics). Volumes and
 * model artifacts are encrypted with KMS and traffic between instances is encrypted.
 *
 * Network: the security group allows all outbound traffic (S3 through the gateway endpoint, the
 * file systems of the inputs). A job of several instances is admitted, from its own security
 * group, all traffic: distributed training talks among the instances on ports chosen by the
 * framework, and inter-container traffic encryption is IPsec, UDP 500 (IKE) and IP protocol 50
 * (ESP), which a TCP-only rule would block (every multi-instance job would hang at its first
 * exchange).
 *
 * Model artifacts larger than one part are uploaded in parts; with SSE-KMS, S3 needs the
 * requester's `kms:GenerateDataKey` and `kms:Decrypt` on the key, so the role has both on the
 * output bucket's key, whatever its inputs.
 *
 * Cost at idle: nothing (a state machine bills per state transition, 0.025 USD per 1,000), plus
 * 1 USD a month per key and the log group's storage. A run bills the training instances per
 * second, for example ml.m5.large at about 0.115 USD an hour.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-createtrainingjob-perms
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 */
export class TrainingJobLauncher extends Construct {
  /** The state machine. Start it with any input: its output adds `training` with the timings. */
  public readonly stateMachine: sfn.StateMachine;
  /** The execution role of the training jobs. */
  public readonly role: iam.Role;
  /** The security group of the training jobs (plus those of their file-system inputs). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The key of the instances' ML storage volumes. */
  public readonly volumeEncryptionKey: kms.IKey;
  /** The log group of the state machine's executions. */
  public readonly logGroup: logs.LogGroup;
  /** The state that trains, as Amazon States Language (for reading and tests). */
  public readonly trainingState: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: TrainingJobLauncherProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const instanceType = props.instanceType ?? 'ml.m5.large';
    const instanceCount = props.instanceCount ?? 1;
    const volumeSizeGiB = props.volumeSizeGiB ?? 30;
    const maxRuntime = props.maxRuntime ?? Duration.hours(1);
    const outputPrefix = props.outputPrefix ?? 'models/';
    this.validate(props, instanceType, instanceCount, volumeSizeGiB, maxRuntime, outputPrefix);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Training jobs of ${this.node.path}`,
      allowAllOutbound: true,
    });
    if (instanceCount > 1) {
      // All traffic among the job's instances: the framework's ports, and IPsec (UDP 500 and
      // ESP) for inter-container traffic encryption. Egress is open (allowAllOutbound).
      this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.allTraffic(),
        'Distributed training among the job\'s instances, IPsec (UDP 500, ESP) included');
    }
    const securityGroups = unique([this.securityGroup, ...props.inputs.flatMap(input => input.securityGroups ?? [])]);
    check(securityGroups.length <= 5, this, 'inputs', props.inputs.length, 'must need at most 4 security groups (SageMaker allows 5 per job, one is the launcher\'s)');
    const subnets = this.selectSubnets(props);

    this.volumeEncryptionKey = props.volumeEncryptionKey ?? createDataKey(this, 'VolumeKey', `Encrypts the training volumes of ${this.node.path}`, props);
    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the training jobs of ${this.node.path}`,
    });
    this.grantExecutionRole(props, outputPrefix, subnets);

    const jobArns = stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${props.jobNamePrefix}-*` });
    const storage = unique(props.inputs.map(input => input.storageLabel)).join(' + ');
    this.trainingState = {
      Type: 'Task',
      Comment: `Trains on ${storage} and waits for the job to end`,
      Resource: `arn:${Aws.PARTITION}:states:::sagemaker:createTrainingJob.sync`,
      Parameters: {
        'TrainingJobName.$': `States.Format('${props.jobNamePrefix}-{}', States.UUID())`,
        'AlgorithmSpecification': { TrainingImage: props.trainingImage, TrainingInputMode: props.inputs[0].inputMode },
        'RoleArn': this.role.roleArn,
        'InputDataConfig': props.inputs.map(input => ({
          ChannelName: input.channelName,
          DataSource: input.dataSource,
          InputMode: input.inputMode,
          ...(input.contentType ? { ContentType: input.contentType } : {}),
        })),
        'OutputDataConfig': {
          S3OutputPath: props.outputBucket.s3UrlForObject(outputPrefix),
          ...(props.outputBucket.encryptionKey ? { KmsKeyId: props.outputBucket.encryptionKey.keyArn } : {}),
        },
        'ResourceConfig': {
          InstanceType: instanceType,
          InstanceCount: instanceCount,
          VolumeSizeInGB: volumeSizeGiB,
          VolumeKmsKeyId: this.volumeEncryptionKey.keyArn,
        },
        'StoppingCondition': { MaxRuntimeInSeconds: maxRuntime.toSeconds() },
        'VpcConfig': {
          SecurityGroupIds: securityGroups.map(group => group.securityGroupId),
          Subnets: subnets.map(subnet => subnet.subnetId),
        },
        'EnableInterContainerTrafficEncryption': true,
        ...(props.hyperparameters ? { HyperParameters: props.hyperparameters } : {}),
        'Tags': [{ Key: 'training-input', Value: storage }],
      },
      ResultSelector: {
        'TrainingJobName.$': '$.TrainingJobName',
        'Storage': storage,
        'CreationTime.$': '$.CreationTime',
        'TrainingStartTime.$': '$.TrainingStartTime',
        'TrainingEndTime.$': '$.TrainingEndTime',
        'TrainingTimeInSeconds.$': '$.TrainingTimeInSeconds',
        'BillableTimeInSeconds.$': '$.BillableTimeInSeconds',
        'SecondaryStatusTransitions.$': '$.SecondaryStatusTransitions',
        'ModelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts',
      },
      ResultPath: '$.training',
    };
    const train = new sfn.CustomState(this, 'Train', { stateJson: this.trainingState });
    const failed = new sfn.Fail(this, 'TrainingFailed', { error: 'TrainingFailed', causePath: '$.failure.Cause' });
    train.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });

    const logKey = props.logEncryptionKey ?? createDataKey(this, 'LogKey', `Encrypts the execution logs of ${this.node.path}`, props);
    if (!props.logEncryptionKey) {
      allowLogsToUse(logKey);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: dataRemovalPolicy(props),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(train),
      comment: `Trains a SageMaker model on ${storage}`,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: maxRuntime.plus(Duration.hours(1)),
    });
    attachGrantPolicy(this, 'StartTrainingJobs', {
      grantee: this.stateMachine,
      statements: [
        new iam.PolicyStatement({
          actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'],
          resources: [jobArns],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTrainingJobsRule' })],
        }),
      ],
      wildcardReason: `the training jobs of this launcher (\`training-job/${props.jobNamePrefix}-*\`): each execution names a new job`,
    });
    // On the data-flow diagram: the state machine, and the training job it starts, a run-time
    // actor acting as the execution role; it reads file systems over the network, not through IAM.
    DataFlow.node(this, 'StateMachineNode', { label: 'Step Functions', detail: this.node.id, stage: DataFlowStage.ORCHESTRATION, resources: [this.stateMachine] });
    const job = DataFlow.node(this, 'TrainingJob', { label: 'SageMaker training job', detail: storage, stage: DataFlowStage.CONSUMER, roles: [this.role] });
    props.inputs.filter(input => input.fileSystem !== undefined).forEach(input => DataFlow.edge(this, {
      from: DataFlow.nodeOf(input.fileSystem!), to: job, kind: DataFlowKind.DATA,
      description: `the training job mounts ${input.storageLabel} and reads the channel ${input.channelName}`,
    }));
    acknowledgeWildcards(this.stateMachine.role,
      'Step Functions log delivery (logs:*LogDelivery, logs:Describe*) and X-Ray tracing (xray:Put*, xray:Get*) only accept `*` as resource');
    this.declareExpectations(props, instanceCount, outputPrefix, jobArns);
  }

  /**
   * The calls AWS makes for a run (Step Functions starts the job and passes the role, SageMaker
   * assumes it, reads the S3 inputs, writes the artifacts in parts, encrypts the volumes), the
   * reads of the artifacts that must be refused, and the flows among the instances of a job.
   */
  private declareExpectations(props: TrainingJobLauncherProps, instanceCount: number, outputPrefix: string, jobArns: string): void {
    const rehearsal = Rehearsal.of(this);
    const job = jobArns.replace(/\*$/, 'rehearsal');
    const calls: RuntimeCall[] = [
      stepFunctionsAssumesRole(this.stateMachine),
      { description: 'the state machine starts a training job', principal: this.stateMachine.role, action: 'sagemaker:CreateTrainingJob', resource: job, source: STATES_SAGEMAKER_SOURCE },
      {
        description: 'the state machine passes the execution role to SageMaker', principal: this.stateMachine.role, action: 'iam:PassRole', resource: this.role.roleArn,
        context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' }, source: STATES_SAGEMAKER_SOURCE,
      },
      serviceAssumesRole('sagemaker.amazonaws.com', this.role, 'SageMaker runs the training job with the execution role', EXECUTION_ROLE_SOURCE),
      {
        description: 'SageMaker encrypts the instances\' volumes with a grant on the volume key', principal: this.role, action: 'kms:CreateGrant', resource: this.volumeEncryptionKey.keyArn,
        context: { 'kms:GrantIsForAWSResource': 'true' }, source: EXECUTION_ROLE_SOURCE,
      },
      {
        description: 'the job writes its model artifacts', principal: this.role, action: 's3:PutObject',
        resource: props.outputBucket.arnForObjects(`${outputPrefix}rehearsal/output/model.tar.gz`), source: EXECUTION_ROLE_SOURCE,
      },
    ];
    const outputKey = props.outputBucket.encryptionKey;
    if (outputKey) {
      calls.push(...['kms:GenerateDataKey', 'kms:Decrypt'].map(action => ({
        description: `the job uploads its model artifacts in parts with SSE-KMS (${action})`, principal: this.role, action,
        resource: outputKey.keyArn, context: viaS3(this), source: S3_MULTIPART_KMS_SOURCE,
      })));
    }
    props.inputs.forEach(input => {
      const location = input.s3Location;
      if (!location) {
        return;
      }
      calls.push(
        {
          description: `the job lists the ${input.channelName} channel`, principal: this.role, action: 's3:ListBucket', resource: location.bucket.bucketArn,
          context: { 's3:prefix': location.prefix }, source: EXECUTION_ROLE_SOURCE,
        },
        {
          description: `the job reads the ${input.channelName} channel`, principal: this.role, action: 's3:GetObject',
          resource: location.bucket.arnForObjects(`${location.prefix}rehearsal.csv`), source: EXECUTION_ROLE_SOURCE,
        },
        ...(location.bucket.encryptionKey ? [{
          description: `the job decrypts the ${input.channelName} channel through S3`, principal: this.role, action: 'kms:Decrypt',
          resource: location.bucket.encryptionKey.keyArn, context: viaS3(this), source: S3_KMS_SOURCE,
        }] : []),
      );
    });
    rehearsal.allows(...calls);
    rehearsal.denies(...bucketRefusals(this, props.outputBucket, this.role, 'the model artifacts'));
    if (instanceCount > 1) {
      const group = this.securityGroup;
      rehearsal.connects(
        { description: 'distributed training among the job\'s instances', from: group, to: group, port: ec2.Port.allTraffic(), source: TRAIN_VPC_SOURCE },
        { description: 'IPsec key exchange among the instances (inter-container traffic encryption)', from: group, to: group, port: ec2.Port.udp(500), source: TRAIN_ENCRYPT_SOURCE },
        {
          description: 'IPsec ESP among the instances (inter-container traffic encryption)', from: group, to: group,
          port: new ec2.Port({ protocol: ec2.Protocol.ESP, stringRepresentation: 'ESP' }), source: TRAIN_ENCRYPT_SOURCE,
        },
      );
    }
  }

  private grantExecutionRole(props: TrainingJobLauncherProps, outputPrefix: string, subnets: ec2.ISubnet[]): void {
    const stack = Stack.of(this);
    const statements = props.inputs.flatMap(input => input.readStatements);
    statements.push(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [props.outputBucket.arnForObjects(`${outputPrefix}*`)] }),
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: TRAINING_LOG_GROUP, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${TRAINING_LOG_GROUP}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/TrainingJobs', 'aws/sagemaker/TrainingJobs'] } },
      }),
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
          ...subnets.map(subnet => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnet.subnetId })),
          stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
      }),
      new iam.PolicyStatement({
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: [this.volumeEncryptionKey.keyArn], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
    );
    const outputKey = props.outputBucket.encryptionKey;
    if (outputKey) {
      // kms:Decrypt too: S3 needs it for uploads in parts with SSE-KMS (large model artifacts).
      statements.push(new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'], resources: [outputKey.keyArn] }));
    }
    attachGrantPolicy(this, 'ExecutionPolicy', {
      grantee: this.role,
      statements,
      wildcardReason: 'objects under the input and output prefixes (names chosen by the data and by SageMaker), '
        + 'the job\'s log streams and network interfaces (created per job); EC2 Describe* and cloudwatch:PutMetricData only accept `*` '
        + '(metrics are limited to the SageMaker namespace by condition)',
    });
  }

  private selectSubnets(props: TrainingJobLauncherProps): ec2.ISubnet[] {
    const required = props.inputs.filter(input => input.subnets !== undefined).map(input => input.subnets as ec2.ISubnet[]);
    if (required.length === 0) {
      const isolated = props.vpc.isolatedSubnets.length > 0 ? props.vpc.isolatedSubnets : props.vpc.privateSubnets;
      check(isolated.length > 0, this, 'vpc', 'a VPC with public subnets only', 'must have isolated or private subnets (training jobs do not run in public subnets)');
      return isolated;
    }
    // A subnet every file-system input can be reached from: FSx for Lustre lives in one subnet.
    const common = required.reduce((a, b) => a.filter(subnet => b.includes(subnet)));
    check(common.length > 0, this, 'inputs', props.inputs.map(input => input.storageLabel),
      'must share at least one subnet (each file system is reachable from the subnets it names)');
    return common;
  }

  /**
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html (job names 63 characters;
   *   1 to 20 channels; hyperparameters: 100 entries, keys 256 and values 2,500 characters)
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Channel.html (channel names, content types of 256 characters)
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html (28 days at most)
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceConfig.html (ML storage volumes are gp2)
   * @see https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html (gp2: 16 TiB at most)
   */
  private validate(props: TrainingJobLauncherProps, instanceType: string, instanceCount: number, volumeSizeGiB: number, maxRuntime: Duration, outputPrefix: string) {
    check(/^[a-z0-9](-?[a-z0-9])*$/.test(props.jobNamePrefix) && props.jobNamePrefix.length <= 26, this, 'jobNamePrefix', props.jobNamePrefix,
      'must be at most 26 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (a 36-character UUID is appended and job names have at most 63 characters)');
    check(/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType), this, 'instanceType', instanceType, 'must be a SageMaker instance type such as ml.m5.large');
    // The API sets no upper bound: the number of instances is an account quota per instance type.
    checkInteger(this, 'instanceCount', instanceCount, { min: 1 });
    // SageMaker provisions the ML storage volume as a gp2 EBS volume: 16,384 GiB at most.
    checkInteger(this, 'volumeSizeGiB', volumeSizeGiB, { min: 1, max: 16_384, why: 'GiB of a gp2 ML storage volume' });
    const seconds = maxRuntime.toSeconds();
    checkInteger(this, 'maxRuntime', seconds, { min: 1, max: 2_419_200, why: 'seconds: SageMaker stops training jobs after 28 days at most' });
    checkRelativePrefix(this, 'outputPrefix', outputPrefix);
    checkCount(this, 'inputs', props.inputs.length, { min: 1, max: 20 }, 'channels');
    checkMap(this, 'hyperparameters', props.hyperparameters ?? {}, { entries: { max: 100 }, keyLength: { max: 256 }, valueLength: { max: 2500 } });
    const names = props.inputs.map(input => input.channelName);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    check(duplicate === undefined, this, 'inputs[].channelName', duplicate, 'must be unique in the job');
    props.inputs.forEach((input, index) => {
      check(/^[A-Za-z0-9.\-_]{1,64}$/.test(input.channelName), this, `inputs[${index}].channelName`, input.channelName, 'must be 1 to 64 letters, digits, ., - or _');
      if (input.contentType !== undefined) {
        checkLength(this, `inputs[${index}].contentType`, input.contentType, { max: 256, why: 'a MIME type' });
      }
      check(!('FileSystemDataSource' in input.dataSource) || input.inputMode === 'File', this, `inputs[${index}].inputMode`, input.inputMode,
        'must be File for a file-system input (SageMaker mounts the file system)');
    });
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
