import { ArnFormat, Aws, CfnMapping, Duration, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { check, checkCount, checkInteger, checkLength } from '../core/validation';
import { StateMachineJob } from '../core/state-machine-job';
import { SparkJobProps, allowSparkTraffic, declareSparkDataCalls, grantSparkRead, grantSparkWrite } from './spark-data';
import { OTHER_ACCOUNT } from '../rehearsal/common-calls';
import { assumedBy, declareSyncJobCalls } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { SparkScriptAsset } from './spark-script-asset';

/**
 * The AWS accounts that publish the prebuilt `sagemaker-spark-processing` images, by region: the
 * `registries` of Spark 3.5 in the SageMaker Python SDK's `image_uri_config/spark.json`, which is
 * how `PySparkProcessor` resolves the image.
 *
 * @see https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-core/src/sagemaker/core/image_uri_config/spark.json
 * @see https://github.com/aws/sagemaker-spark-container/blob/master/available_images.md
 */
export const SPARK_PROCESSING_IMAGE_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '309385258863', 'ap-east-1': '732049463269', 'ap-east-2': '533267296287',
  'ap-northeast-1': '411782140378', 'ap-northeast-2': '860869212795', 'ap-northeast-3': '102471314380',
  'ap-south-1': '105495057255', 'ap-south-2': '873151114052', 'ap-southeast-1': '759080221371',
  'ap-southeast-2': '440695851116', 'ap-southeast-3': '800295151634', 'ap-southeast-4': '819679513684',
  'ap-southeast-5': '841784149062', 'ap-southeast-6': '278240940207', 'ap-southeast-7': '471112967968',
  'ca-central-1': '446299261295', 'ca-west-1': '000907499111', 'cn-north-1': '671472414489',
  'cn-northwest-1': '844356804704', 'eu-central-1': '906073651304', 'eu-central-2': '142351485170',
  'eu-isoe-west-1': '010264522435', 'eu-north-1': '330188676905', 'eu-south-1': '753923664805',
  'eu-south-2': '833944533722', 'eu-west-1': '571004829621', 'eu-west-2': '836651553127',
  'eu-west-3': '136845547031', 'eusc-de-east-1': '713710892325', 'il-central-1': '408426139102',
  'me-central-1': '395420993607', 'me-south-1': '750251592176', 'mx-central-1': '211125459255',
  'sa-east-1': '737130764395', 'us-east-1': '173754725891', 'us-east-2': '314815235551',
  'us-gov-east-1': '260923028637', 'us-gov-west-1': '271483468897', 'us-west-1': '667973535471',
  'us-west-2': '153931337802',
};

/**
 * The Python builds published for each Spark version of the processing image (`py_versions` in the
 * same `spark.json`). Spark 3.5 has py39 and py312 builds, and no py310 one.
 *
 * @see https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-core/src/sagemaker/core/image_uri_config/spark.json
 */
export const SPARK_PROCESSING_PYTHON_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  '2.4': ['py37'], '3.0': ['py37'], '3.1': ['py37'], '3.2': ['py39'], '3.3': ['py39'], '3.5': ['py39', 'py312'],
};

/**
 * The default image: Spark 3.5, CPU, Python 3.12, container major version 1. It is the tag the
 * SageMaker Python SDK composes for that combination (`<version>-<processor>-<py>-<container
 * version>`, with container version `v1`): `v1` follows the latest `v1.x` release of the image.
 *
 * @see https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-mlops/src/sagemaker/mlops/feature_store/feature_processor/_image_resolver.py
 */
export const DEFAULT_SPARK_PROCESSING_IMAGE_TAG = '3.5-cpu-py312-v1';

/** Where the script is copied inside the processing container. */
const CODE_DIRECTORY = '/opt/ml/processing/input/code';
const IMAGE_TAG = /^([0-9]+\.[0-9]+)-cpu-(py[0-9]+)-v[0-9]+(\.[0-9]+)?$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

/** Properties of a {@link SageMakerSparkProcessing}. */
export interface SageMakerSparkProcessingProps extends SparkJobProps {
  /**
   * The tag of the prebuilt Spark processing image: `<Spark version>-cpu-<Python build>-v<image
   * version>`, with a Spark and Python pair that SageMaker publishes (see
   * {@link SPARK_PROCESSING_PYTHON_VERSIONS}).
   *
   * @default '3.5-cpu-py312-v1' (see {@link DEFAULT_SPARK_PROCESSING_IMAGE_TAG})
   */
  readonly imageTag?: string;
  /**
   * The instance type of every node (driver and executors share the instances).
   *
   * @default 'ml.m5.xlarge'
   */
  readonly instanceType?: string;
  /**
   * How many instances form the Spark cluster (1 to 100).
   *
   * @default 2
   */
  readonly instanceCount?: number;
  /**
   * The storage volume of each instance, in whole GiB (1 to 16,384), encrypted with the workspace key.
   *
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * Run the instances in this VPC's private subnets; with isolated subnets they reach only the
   * VPC's endpoints (S3 through the gateway endpoint).
   *
   * @default - SageMaker's service network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * How long the job may run before SageMaker stops it (at most 9 days, 777,600 seconds).
   *
   * @default Duration.hours(2)
   */
  readonly maxRuntime?: Duration;
}

/**
 * Apache Spark on a SageMaker Processing job: the prebuilt `sagemaker-spark-processing` image on
 * a short-lived cluster of ML instances, started by a Step Functions state machine that waits for
 * it to finish.
 *
 * SageMaker Processing runs a container on instances it starts for one job and removes when the
 * job ends. The prebuilt Spark image turns those instances into a Spark cluster (YARN) and runs
 * `smspark-submit` on the script, which is what the SageMaker Python SDK's `PySparkProcessor`
 * does. It suits feature engineering that belongs to an ML pipeline next to training jobs.
 *
 * Choices:
 * - the image URI is resolved per region at deploy time from a `CfnMapping` of the accounts that
 *   publish it (the region of an environment-agnostic stack is only known then); a region
 *   without the image fails the deployment, a known region fails `cdk synth`;
 * - volumes encrypted with the workspace key, traffic between the Spark nodes encrypted
 *   (inter-container traffic encryption), optional private subnets;
 * - no network isolation mode: the Spark image reads and writes S3 itself (S3A), which an
 *   isolated container cannot do; in a VPC with isolated subnets it reaches only the endpoints;
 * - an execution role that SageMaker alone can assume, reading the script and inputs and writing
 *   the outputs, its logs and metrics;
 * - the optimized `sagemaker:createProcessingJob.sync` integration: a failed or stopped job fails
 *   the execution (error `SparkJobFailed`).
 *
 * Cost at idle: nothing. Instances bill per second while the job runs (2 × ml.m5.xlarge by
 * default); the state machine bills per state transition.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/use-spark-processing-container.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingStoppingCondition.html (MaxRuntimeInSeconds: 1 to 777,600)
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html (1 to 100 instances, 1 to 16,384 GB)
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AppSpecification.html (ContainerArguments: 1 to 100 of 256 characters)
 */
export class SageMakerSparkProcessing extends StateMachineJob {
  /** The role the processing job runs as. */
  public readonly executionRole: iam.Role;
  /** The state machine that runs the job and waits for it. */
  public readonly stateMachine: sfn.StateMachine;
  /** The image URI (a token resolved per region). */
  public readonly imageUri: string;
  /** The uploaded script. */
  public readonly script: SparkScriptAsset;
  /** The security group of the instances, when they run in a VPC. */
  public readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SageMakerSparkProcessingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const imageTag = props.imageTag ?? DEFAULT_SPARK_PROCESSING_IMAGE_TAG;
    this.validateImageTag(imageTag);
    const instanceType = props.instanceType ?? 'ml.m5.xlarge';
    check(INSTANCE_TYPE.test(instanceType), this, 'instanceType', instanceType, 'must be an ML instance type such as ml.m5.xlarge');
    const instanceCount = props.instanceCount ?? 2;
    checkInteger(this, 'instanceCount', instanceCount, { min: 1, max: 100 });
    const volumeSizeGb = (props.volumeSize ?? Size.gibibytes(30)).toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    checkInteger(this, 'volumeSize', volumeSizeGb, { min: 1, max: 16384, why: 'whole GiB' });
    const maxRuntimeSeconds = (props.maxRuntime ?? Duration.hours(2)).toSeconds();
    checkInteger(this, 'maxRuntime', maxRuntimeSeconds, { min: 1, max: 777_600, why: 'seconds, up to 9 days' });
    const scriptArguments = props.scriptArguments ?? [];
    checkCount(this, 'scriptArguments', scriptArguments.length, { max: 100, why: 'ContainerArguments' }, 'arguments');
    scriptArguments.forEach((argument, index) => checkLength(this, `scriptArguments[${index}]`, argument, { max: 256, why: 'a container argument' }));
    check(props.vpcSubnets === undefined || props.vpc !== undefined, this, 'vpcSubnets', 'set', 'needs `vpc`');
    if (!Token.isUnresolved(stack.region)) {
      check(SPARK_PROCESSING_IMAGE_ACCOUNTS[stack.region] !== undefined, this, 'region', stack.region,
        'must be a region where SageMaker publishes the Spark processing image');
    }

    const accounts = new CfnMapping(this, 'ImageAccounts', {
      mapping: Object.fromEntries(Object.entries(SPARK_PROCESSING_IMAGE_ACCOUNTS).map(([region, account]) => [region, { account }])),
    });
    this.imageUri = `${accounts.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/sagemaker-spark-processing:${imageTag}`;

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: `SageMaker Spark processing jobs of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: 'spark-*' }) },
        },
      }),
    });
    this.script = new SparkScriptAsset(this, 'Script', props.scriptPath);
    // The code input is an S3Prefix: SageMaker lists the prefix (ListObjectsV2) before it copies
    // the objects, so the role may also list the bucket, under the script's own key only.
    this.script.grantRead(this.executionRole, 'ScriptRead', { listPrefix: true });
    (props.inputs ?? []).forEach(input => grantSparkRead(this, this.executionRole, input));
    (props.outputs ?? []).forEach(output => grantSparkWrite(this, this.executionRole, output));
    this.grantJobRuntime(props);

    if (props.vpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `Spark nodes of ${this.node.path}: reach each other and the VPC endpoints`,
        allowAllOutbound: false,
      });
      allowSparkTraffic(this.securityGroup);
    }

    const runJob = new sfn.CustomState(this, 'RunSparkProcessingJob', {
      stateJson: {
        Type: 'Task',
        Comment: 'Runs the Spark processing job and waits until it completes; a failed or stopped job fails the task',
        Resource: `arn:${Aws.PARTITION}:states:::sagemaker:createProcessingJob.sync`,
        Parameters: {
          'ProcessingJobName.$': "States.Format('spark-{}', States.UUID())",
          'RoleArn': this.executionRole.roleArn,
          'AppSpecification': {
            ImageUri: this.imageUri,
            // SageMaker copies the object under its own key name (the asset hash), not the local file name.
            ContainerEntrypoint: ['smspark-submit', `${CODE_DIRECTORY}/${this.script.asset.s3ObjectKey}`],
            // The API takes 1 to 100 arguments: none is no ContainerArguments at all.
            ...(scriptArguments.length > 0 ? { ContainerArguments: scriptArguments } : {}),
          },
          'ProcessingInputs': [{
            InputName: 'code',
            S3Input: {
              S3Uri: this.script.s3Uri,
              LocalPath: CODE_DIRECTORY,
              S3DataType: 'S3Prefix',
              S3InputMode: 'File',
              S3DataDistributionType: 'FullyReplicated',
            },
          }],
          'ProcessingResources': {
            ClusterConfig: {
              InstanceCount: instanceCount,
              InstanceType: instanceType,
              VolumeSizeInGB: volumeSizeGb,
              VolumeKmsKeyId: props.workspace.encryptionKey.keyArn,
            },
          },
          'NetworkConfig': {
            EnableInterContainerTrafficEncryption: true,
            EnableNetworkIsolation: false,
            ...(props.vpc ? {
              VpcConfig: {
                SecurityGroupIds: [this.securityGroup!.securityGroupId],
                Subnets: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
              },
            } : {}),
          },
          'StoppingCondition': { MaxRuntimeInSeconds: maxRuntimeSeconds },
        },
        ResultSelector: { 'ProcessingJobName.$': '$.ProcessingJobName', 'ProcessingJobStatus.$': '$.ProcessingJobStatus' },
      },
    });
    runJob.addCatch(new sfn.Fail(this, 'SparkJobFailed', { error: 'SparkJobFailed', causePath: '$.Cause' }), { errors: ['States.ALL'] });
    this.stateMachine = this.createStateMachine('StateMachine', {
      definition: runJob,
      timeout: Duration.seconds(maxRuntimeSeconds).plus(Duration.minutes(30)),
      encryptionKey: props.workspace.encryptionKey,
      removalPolicy: dataRemovalPolicy(props),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      job: { label: 'SageMaker Processing job', roles: [this.executionRole] },
    }).stateMachine;
    this.grantCreateJob();
    this.declareRuntimeCalls(props);
  }

  /** What SageMaker and Step Functions do with the roles, what they refuse, and the flows between the nodes. */
  private declareRuntimeCalls(props: SageMakerSparkProcessingProps): void {
    const stack = Stack.of(this);
    const roles = 'https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html';
    const sfnIam = 'https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html';
    const machine = this.stateMachine.role;
    const job = stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: 'spark-0f1e2d3c' });
    const rehearsal = Rehearsal.of(this);
    declareSparkDataCalls(this, this.executionRole, props, roles);
    rehearsal.allows(
      assumedBy(this.executionRole, 'sagemaker.amazonaws.com', roles, { 'aws:SourceAccount': stack.account, 'aws:SourceArn': job }),
      {
        description: 'SageMaker encrypts the volumes with a grant on the workspace key', principal: this.executionRole, action: 'kms:CreateGrant',
        resource: props.workspace.encryptionKey.keyArn, context: { 'kms:GrantIsForAWSResource': 'true' }, source: roles,
      },
      {
        description: 'the job writes its logs', principal: this.executionRole, action: 'logs:PutLogEvents',
        resource: stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs:log-stream:spark-0f1e2d3c/algo-1', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        source: roles,
      },
      { description: 'the state machine creates the job', principal: machine, action: 'sagemaker:CreateProcessingJob', resource: job, source: sfnIam },
    );
    declareSyncJobCalls(this.stateMachine, this.executionRole, 'sagemaker.amazonaws.com', 'StepFunctionsGetEventsForSageMakerProcessingJobsRule', sfnIam);
    rehearsal.denies(
      {
        description: 'SageMaker assumes the role for a job of another account', principal: new iam.ServicePrincipal('sagemaker.amazonaws.com'), action: 'sts:AssumeRole',
        resource: this.executionRole.roleArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': job }, source: 'https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html',
      },
    );
    if (this.securityGroup) {
      const group = this.securityGroup;
      const encrypt = 'https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html';
      rehearsal.connects(
        { description: 'the Spark nodes of the job reach each other', from: group, to: group, port: ec2.Port.allTcp(), source: 'https://docs.aws.amazon.com/sagemaker/latest/dg/use-spark-processing-container.html' },
        { description: 'inter-container traffic encryption negotiates IPsec (IKE)', from: group, to: group, port: ec2.Port.udp(500), source: encrypt },
        { description: 'inter-container traffic encryption carries ESP', from: group, to: group, port: new ec2.Port({ protocol: ec2.Protocol.ESP, stringRepresentation: 'ESP' }), source: encrypt },
      );
    }
  }

  /**
   * @see https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-core/src/sagemaker/core/image_uri_config/spark.json
   */
  private validateImageTag(imageTag: string): void {
    const match = IMAGE_TAG.exec(imageTag);
    check(match !== null, this, 'imageTag', imageTag,
      `must be a sagemaker-spark-processing tag, <Spark version>-cpu-<Python build>-v<image version>, such as ${DEFAULT_SPARK_PROCESSING_IMAGE_TAG}`);
    const [, spark, python] = match!;
    const published = SPARK_PROCESSING_PYTHON_VERSIONS[spark];
    check(published !== undefined, this, 'imageTag', imageTag,
      `must name a Spark version SageMaker publishes a processing image for (${Object.keys(SPARK_PROCESSING_PYTHON_VERSIONS).join(', ')})`);
    check(published.includes(python), this, 'imageTag', imageTag,
      `must name a Python build published for Spark ${spark} (${published?.join(', ')}): the image tag does not exist otherwise`);
  }

  /** What the job itself needs: its logs and metrics, the volume key, and VPC interfaces in VPC mode. */
  private grantJobRuntime(props: SageMakerSparkProcessingProps): void {
    const stack = Stack.of(this);
    const key = props.workspace.encryptionKey;
    const statements = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: ['/aws/sagemaker/ProcessingJobs', '/aws/sagemaker/ProcessingJobs:*']
          .map(resourceName => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
      }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/ProcessingJobs' } },
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'], resources: [key.keyArn] }),
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: [key.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ];
    if (props.vpc) {
      statements.push(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }));
    }
    attachGrantPolicy(this, 'RuntimePolicy', {
      grantee: this.executionRole,
      statements,
      wildcardReason: 'the log streams of SageMaker processing jobs (`/aws/sagemaker/ProcessingJobs:*`), named per job at run time; '
        + 'cloudwatch:PutMetricData and the EC2 network-interface actions of VPC mode accept only `*` as resource',
    });
  }

  /**
   * What the state machine needs for `createProcessingJob.sync`: create, describe and stop jobs
   * named `spark-*`, pass the execution role to SageMaker only, and manage the EventBridge rule
   * through which Step Functions learns that a job ended.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html
   */
  private grantCreateJob(): void {
    const stack = Stack.of(this);
    attachGrantPolicy(this, 'CreateJobPolicy', {
      grantee: this.stateMachine,
      statements: [
        new iam.PolicyStatement({
          actions: ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob', 'sagemaker:AddTags', 'sagemaker:ListTags'],
          resources: [stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: 'spark-*' })],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.executionRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerProcessingJobsRule' })],
        }),
      ],
      wildcardReason: 'the processing jobs this state machine names `spark-<uuid>` at run time (`processing-job/spark-*`)',
    });
  }
}
