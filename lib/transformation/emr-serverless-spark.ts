import { Aws, Duration, Names, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { check, checkCount, checkInteger, checkLength } from '../core/validation';
import { MAX_EXECUTION_MINUTES, StateMachineJob } from '../core/state-machine-job';
import { SparkJobProps, allowSparkTraffic, declareSparkDataCalls, grantPrefixWrite, grantSparkRead, grantSparkWrite } from './spark-data';
import { assumedBy, declareSyncJobCalls } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { SparkScriptAsset } from './spark-script-asset';

/** CPU architecture of the EMR Serverless workers. */
export enum EmrServerlessArchitecture {
  /** AWS Graviton: about 20 % cheaper per vCPU-hour than x86_64 (needs emr-6.9.0 or later). */
  ARM64 = 'ARM64',
  /** Intel/AMD x86_64. */
  X86_64 = 'X86_64',
}

/** The size of one EMR Serverless worker. */
export interface EmrServerlessWorkerSize {
  /** vCPUs per worker: 1, 2, 4, 8 or 16. */
  readonly vcpu: number;
  /** Memory per worker, in whole GiB, within the range its vCPU count allows. */
  readonly memory: Size;
  /**
   * Ephemeral disk per worker, 20 to 200 whole GiB.
   *
   * @default Size.gibibytes(20)
   */
  readonly disk?: Size;
}

/** Pre-initialized workers of one kind (driver or executor). */
export interface EmrServerlessInitialWorkers extends EmrServerlessWorkerSize {
  /** How many workers stay warm while the application is started. */
  readonly count: number;
}

/** Pre-initialized capacity: workers that are ready before a job arrives. */
export interface EmrServerlessInitialCapacity {
  /** The warm driver workers. */
  readonly driver: EmrServerlessInitialWorkers;
  /** The warm executor workers. */
  readonly executor: EmrServerlessInitialWorkers;
}

/** The most an application may use at once, all its jobs together. */
export interface EmrServerlessMaximumCapacity {
  /** vCPUs. */
  readonly vcpu: number;
  /** Memory, in whole GiB. */
  readonly memory: Size;
  /**
   * Disk, in whole GiB.
   *
   * @default - no disk limit beyond what vCPU and memory allow
   */
  readonly disk?: Size;
}

/** Properties of an {@link EmrServerlessSpark}. */
export interface EmrServerlessSparkProps extends SparkJobProps {
  /**
   * `spark-submit` parameters (`--conf ...`) of the job.
   *
   * @default - EMR Serverless defaults
   */
  readonly sparkSubmitParameters?: string;
  /**
   * The EMR release.
   *
   * @default 'emr-7.12.0'
   */
  readonly releaseLabel?: string;
  /**
   * The workers' CPU architecture.
   *
   * @default EmrServerlessArchitecture.ARM64
   */
  readonly architecture?: EmrServerlessArchitecture;
  /**
   * How long the application stays started without jobs before it stops (1 minute to 7 days).
   *
   * @default Duration.minutes(15)
   */
  readonly idleTimeout?: Duration;
  /**
   * The most the application may use at once: a cost ceiling.
   *
   * @default { vcpu: 16, memory: Size.gibibytes(64), disk: Size.gibibytes(400) }
   */
  readonly maximumCapacity?: EmrServerlessMaximumCapacity;
  /**
   * Warm workers, billed while the application is started, so that jobs start in seconds.
   *
   * @default - none: jobs wait a minute or two for workers, nothing bills between jobs
   */
  readonly initialCapacity?: EmrServerlessInitialCapacity;
  /**
   * A VPC to run the workers in (private subnets); they then reach AWS services only through
   * the VPC's endpoints (S3 through its gateway endpoint).
   *
   * @default - the EMR Serverless service network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * How long a job may run before it is cancelled and the execution fails.
   *
   * @default Duration.hours(2)
   */
  readonly jobTimeout?: Duration;
}

const RELEASE_LABEL = /^emr-(\d+)\.(\d+)\.(\d+)$/;
/** Memory range (GB) and step per worker vCPU count. */
const WORKER_MEMORY: Record<number, { min: number; max: number; step: number }> = {
  1: { min: 2, max: 8, step: 1 },
  2: { min: 4, max: 16, step: 1 },
  4: { min: 8, max: 30, step: 1 },
  8: { min: 16, max: 60, step: 4 },
  16: { min: 32, max: 120, step: 8 },
};

/**
 * Apache Spark on EMR Serverless: an application that starts when a job arrives and stops when
 * idle, a job runtime role scoped to the job's inputs and outputs, and a Step Functions state
 * machine that runs the job and waits for it.
 *
 * EMR Serverless runs Spark without a cluster: each job gets drivers and executors sized to it,
 * within the application's maximum capacity, and you pay per vCPU-, GB- and storage-second while
 * workers run. It suits batch feature engineering over a data lake that runs a few times a day.
 *
 * Choices:
 * - auto-start on job submission and auto-stop after `idleTimeout` (15 minutes), so that a
 *   started application, and any pre-initialized capacity, stop billing soon after the last job;
 * - a maximum capacity (16 vCPU, 64 GB by default): a runaway job cannot scale the bill;
 * - Graviton (ARM64) workers by default, cheaper for the same work;
 * - the job runtime role can be assumed only by EMR Serverless for this application, reads the
 *   script object and the inputs, writes the outputs and its own log prefix, nothing else;
 * - logs go to the workspace bucket, encrypted with its KMS key;
 * - the state machine uses the optimized `emr-serverless:startJobRun.sync` integration: Step
 *   Functions waits for the job, and a failed or cancelled job fails the execution (with the
 *   error `SparkJobFailed`); the job's own timeout equals the state machine's. The task's result
 *   is the execution's output as it is: no JsonPath selects from it, because a path to a field
 *   the result lacks raises `States.Runtime`, which no `States.ALL` catch handles.
 *
 * Cost at idle: nothing. The application bills only while workers run (jobs, or
 * pre-initialized capacity until auto-stop); logs bill as S3 storage; the state machine bills
 * per state transition.
 *
 * The notes call Spark "designed to handle real-time data": Spark is a batch engine first;
 * Structured Streaming processes streams in micro-batches (latency in seconds), which EMR
 * Serverless runs as long-running jobs. This construct runs batch jobs.
 *
 * @see https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html
 * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_GetJobRun.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class EmrServerlessSpark extends StateMachineJob {
  /** The EMR Serverless application. */
  public readonly application: emrserverless.CfnApplication;
  /** The role the Spark job runs as. */
  public readonly jobRole: iam.Role;
  /** The state machine that runs the job and waits for it. */
  public readonly stateMachine: sfn.StateMachine;
  /** The uploaded script. */
  public readonly script: SparkScriptAsset;
  /** The security group of the workers, when they run in a VPC. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** Where job logs go: `s3://<workspace>/emr-serverless/<id>/logs/`. */
  public readonly logUri: string;

  constructor(scope: Construct, id: string, props: EmrServerlessSparkProps) {
    super(scope, id);
    const releaseLabel = props.releaseLabel ?? 'emr-7.12.0';
    const architecture = props.architecture ?? EmrServerlessArchitecture.ARM64;
    this.validateReleaseLabel(releaseLabel, architecture);
    const idleMinutes = (props.idleTimeout ?? Duration.minutes(15)).toMinutes({ integral: false });
    checkInteger(this, 'idleTimeout', idleMinutes, { min: 1, max: 10080, why: 'whole minutes from 1 minute to 7 days' });
    const maximum = props.maximumCapacity ?? { vcpu: 16, memory: Size.gibibytes(64), disk: Size.gibibytes(400) };
    this.validateMaximumCapacity(maximum);
    if (props.initialCapacity) {
      this.validateWorkers('initialCapacity.driver', props.initialCapacity.driver);
      this.validateWorkers('initialCapacity.executor', props.initialCapacity.executor);
      this.validateInitialWithinMaximum(props.initialCapacity, maximum);
    }
    const jobTimeout = props.jobTimeout ?? Duration.hours(2);
    const jobMinutes = jobTimeout.toMinutes({ integral: false });
    // The state machine waits 15 minutes more than the job, within Step Functions' one year.
    checkInteger(this, 'jobTimeout', jobMinutes, { min: 1, max: MAX_EXECUTION_MINUTES - 15, why: 'whole minutes, within the one year a state machine execution may run' });
    this.validateJobDriver(props);
    check(props.vpcSubnets === undefined || props.vpc !== undefined, this, 'vpcSubnets', 'set', 'needs `vpc`');

    if (props.vpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `EMR Serverless workers of ${this.node.path}: no inbound rule, outbound to the VPC endpoints`,
        allowAllOutbound: false,
      });
      allowSparkTraffic(this.securityGroup);
    }

    this.application = new emrserverless.CfnApplication(this, 'Application', {
      name: Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }),
      releaseLabel,
      type: 'Spark',
      architecture,
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: idleMinutes },
      maximumCapacity: {
        cpu: `${maximum.vcpu} vCPU`,
        memory: inGb(maximum.memory),
        disk: maximum.disk !== undefined ? inGb(maximum.disk) : undefined,
      },
      initialCapacity: props.initialCapacity ? [
        { key: 'Driver', value: initialWorkers(props.initialCapacity.driver) },
        { key: 'Executor', value: initialWorkers(props.initialCapacity.executor) },
      ] : undefined,
      networkConfiguration: props.vpc ? {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets).subnetIds,
        securityGroupIds: [this.securityGroup!.securityGroupId],
      } : undefined,
    });

    const stack = Stack.of(this);
    this.jobRole = new iam.Role(this, 'JobRole', {
      description: `Spark jobs of the EMR Serverless application ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.application.attrArn },
        },
      }),
    });
    this.script = new SparkScriptAsset(this, 'Script', props.scriptPath);
    this.script.grantRead(this.jobRole, 'ScriptRead');
    (props.inputs ?? []).forEach(input => grantSparkRead(this, this.jobRole, input));
    (props.outputs ?? []).forEach(output => grantSparkWrite(this, this.jobRole, output));
    const logPrefix = `emr-serverless/${Names.uniqueId(this)}/logs/`;
    this.logUri = props.workspace.bucket.s3UrlForObject(logPrefix);
    grantPrefixWrite(this, 'LogWrite', this.jobRole, props.workspace, logPrefix);

    const runJob = new sfn.CustomState(this, 'RunSparkJob', {
      stateJson: {
        Type: 'Task',
        Comment: 'Starts the Spark job and waits until it succeeds; a failed or cancelled job fails the task',
        Resource: `arn:${Aws.PARTITION}:states:::emr-serverless:startJobRun.sync`,
        Parameters: {
          'ApplicationId': this.application.attrApplicationId,
          'ExecutionRoleArn': this.jobRole.roleArn,
          'Name.$': '$$.Execution.Name',
          'ExecutionTimeoutMinutes': jobMinutes,
          'JobDriver': {
            SparkSubmit: {
              EntryPoint: this.script.s3Uri,
              EntryPointArguments: props.scriptArguments ?? [],
              ...(props.sparkSubmitParameters ? { SparkSubmitParameters: props.sparkSubmitParameters } : {}),
            },
          },
          'ConfigurationOverrides': {
            MonitoringConfiguration: {
              S3MonitoringConfiguration: { LogUri: this.logUri, EncryptionKeyArn: props.workspace.encryptionKey.keyArn },
            },
          },
        },
        // No ResultSelector: the result of startJobRun.sync becomes the execution's output as it is.
        // A JsonPath into it that names a field the result lacks raises States.Runtime, which the
        // States.ALL catch below does not catch: the execution would fail after a run that succeeded.
        // (The former selector read both `$.JobRunId`, of StartJobRun's response, and
        // `$.JobRun.State`, of GetJobRun's: no result has both.)
      },
    });
    const failed = new sfn.Fail(this, 'SparkJobFailed', {
      error: 'SparkJobFailed',
      causePath: '$.Cause',
    });
    runJob.addCatch(failed, { errors: ['States.ALL'] });
    this.stateMachine = this.createStateMachine('StateMachine', {
      definition: runJob,
      timeout: jobTimeout.plus(Duration.minutes(15)),
      encryptionKey: props.workspace.encryptionKey,
      removalPolicy: dataRemovalPolicy(props),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      job: { label: 'EMR Serverless job run', roles: [this.jobRole], resources: [this.application] },
    }).stateMachine;
    this.grantStartJob(this.stateMachine);
    this.declareRuntimeCalls(props, logPrefix);
  }

  /** What EMR Serverless and Step Functions do with the job and state machine roles, and what they refuse. */
  private declareRuntimeCalls(props: EmrServerlessSparkProps, logPrefix: string): void {
    const stack = Stack.of(this);
    const runtimeRole = 'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/security-iam-runtime-role.html';
    const sfnIam = 'https://docs.aws.amazon.com/step-functions/latest/dg/emr-serverless-iam.html';
    const machine = this.stateMachine.role;
    const application = this.application.attrArn;
    const rehearsal = Rehearsal.of(this);
    declareSparkDataCalls(this, this.jobRole, props, runtimeRole);
    rehearsal.allows(
      assumedBy(this.jobRole, 'emr-serverless.amazonaws.com', runtimeRole, { 'aws:SourceAccount': stack.account, 'aws:SourceArn': application }),
      {
        description: 'the job writes its logs to the workspace', principal: this.jobRole, action: 's3:PutObject', resource: props.workspace.bucket.arnForObjects(`${logPrefix}applications/driver/stdout.gz`),
        source: 'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/logging.html',
      },
      { description: 'the state machine starts a run', principal: machine, action: 'emr-serverless:StartJobRun', resource: application, source: sfnIam },
      { description: 'the state machine waits for the run', principal: machine, action: 'emr-serverless:GetJobRun', resource: `${application}/jobruns/00fjobrun`, source: sfnIam },
    );
    declareSyncJobCalls(this.stateMachine, this.jobRole, 'emr-serverless.amazonaws.com', 'StepFunctionsGetEventsForEMRServerlessJobRule', sfnIam);
    rehearsal.denies(
      {
        description: 'EMR Serverless assumes the job role for another application', principal: new iam.ServicePrincipal('emr-serverless.amazonaws.com'), action: 'sts:AssumeRole',
        resource: this.jobRole.roleArn, context: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': stack.formatArn({ service: 'emr-serverless', resource: '/applications', resourceName: 'another' }) },
        source: runtimeRole,
      },
    );
    if (this.securityGroup) {
      rehearsal.connects({
        description: 'the Spark driver and executors of a job reach each other', from: this.securityGroup, to: this.securityGroup, port: ec2.Port.allTraffic(),
        source: 'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/vpc-access.html',
      });
    }
  }

  /**
   * What the state machine needs for `startJobRun.sync`: start runs of this application, read
   * and cancel them, pass the job role to EMR Serverless only, and manage the EventBridge rule
   * through which Step Functions learns that a run ended.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/emr-serverless-iam.html
   */
  private grantStartJob(stateMachine: sfn.StateMachine): void {
    const stack = Stack.of(this);
    attachGrantPolicy(this, 'StartJobPolicy', {
      grantee: stateMachine,
      statements: [
        new iam.PolicyStatement({ actions: ['emr-serverless:StartJobRun'], resources: [this.application.attrArn] }),
        new iam.PolicyStatement({
          actions: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'],
          resources: [`${this.application.attrArn}/jobruns/*`],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.jobRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForEMRServerlessJobRule' })],
        }),
      ],
      wildcardReason: 'the job runs of this one application (`<application>/jobruns/*`): their ids are made when each run starts',
    });
  }

  /**
   * The job driver's `spark-submit` parameters (1 to 102,400 characters, not blank) and entry
   * point arguments (at most 1,024, none blank).
   *
   * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_SparkSubmit.html
   */
  private validateJobDriver(props: EmrServerlessSparkProps): void {
    if (props.sparkSubmitParameters !== undefined) {
      checkLength(this, 'sparkSubmitParameters', props.sparkSubmitParameters, { min: 1, max: 102_400 });
      check(props.sparkSubmitParameters.trim().length > 0, this, 'sparkSubmitParameters', props.sparkSubmitParameters, 'must not be blank');
    }
    const args = props.scriptArguments ?? [];
    checkCount(this, 'scriptArguments', args.length, { max: 1024, why: 'EntryPointArguments' }, 'arguments');
    args.forEach((argument, index) => check(argument.trim().length > 0, this, `scriptArguments[${index}]`, argument,
      'must not be blank (EMR Serverless rejects empty entry point arguments)'));
  }

  /** @see https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-versions.html */
  private validateReleaseLabel(label: string, architecture: EmrServerlessArchitecture): void {
    if (Token.isUnresolved(label)) {
      return;
    }
    const match = RELEASE_LABEL.exec(label);
    check(match !== null, this, 'releaseLabel', label, 'must look like emr-7.12.0');
    const [major, minor] = [Number(match![1]), Number(match![2])];
    check(major > 6 || (major === 6 && minor >= 6), this, 'releaseLabel', label, 'must be emr-6.6.0 or later (EMR Serverless starts at 6.6.0)');
    check(architecture !== EmrServerlessArchitecture.ARM64 || major > 6 || minor >= 9, this, 'releaseLabel', label,
      'must be emr-6.9.0 or later for ARM64 workers');
  }

  private validateMaximumCapacity(maximum: EmrServerlessMaximumCapacity): void {
    checkInteger(this, 'maximumCapacity.vcpu', maximum.vcpu, { min: 1 });
    checkInteger(this, 'maximumCapacity.memory', gib(maximum.memory), { min: 2, why: 'whole GiB: the smallest worker has 2' });
    if (maximum.disk !== undefined) {
      checkInteger(this, 'maximumCapacity.disk', gib(maximum.disk), { min: 20, why: 'whole GiB: each worker has at least 20 of disk' });
    }
  }

  /** @see https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html#worker-configs */
  private validateWorkers(prop: string, workers: EmrServerlessInitialWorkers): void {
    checkInteger(this, `${prop}.count`, workers.count, { min: 1, max: 1_000_000, why: 'workerCount of InitialCapacityConfig' });
    const memory = WORKER_MEMORY[workers.vcpu];
    check(memory !== undefined, this, `${prop}.vcpu`, workers.vcpu, 'must be 1, 2, 4, 8 or 16');
    const memoryGiB = gib(workers.memory);
    const ok = Number.isInteger(memoryGiB) && memoryGiB >= memory.min && memoryGiB <= memory.max
      && (memoryGiB - memory.min) % memory.step === 0;
    check(ok, this, `${prop}.memory`, memoryGiB,
      `must be ${memory.min} to ${memory.max} GiB in steps of ${memory.step} GiB for ${workers.vcpu}-vCPU workers`);
    if (workers.disk !== undefined) {
      checkInteger(this, `${prop}.disk`, gib(workers.disk), { min: 20, max: 200, why: 'whole GiB' });
    }
  }

  private validateInitialWithinMaximum(initial: EmrServerlessInitialCapacity, maximum: EmrServerlessMaximumCapacity): void {
    const vcpu = initial.driver.count * initial.driver.vcpu + initial.executor.count * initial.executor.vcpu;
    const memory = initial.driver.count * gib(initial.driver.memory) + initial.executor.count * gib(initial.executor.memory);
    check(vcpu <= maximum.vcpu && memory <= gib(maximum.memory), this, 'initialCapacity', { vcpu, memoryGiB: memory },
      `must fit in the maximum capacity (${maximum.vcpu} vCPU, ${gib(maximum.memory)} GiB)`);
  }
}

function initialWorkers(workers: EmrServerlessInitialWorkers): emrserverless.CfnApplication.InitialCapacityConfigProperty {
  return {
    workerCount: workers.count,
    workerConfiguration: {
      cpu: `${workers.vcpu} vCPU`,
      memory: inGb(workers.memory),
      disk: inGb(workers.disk ?? Size.gibibytes(20)),
    },
  };
}

function gib(size: Size): number {
  return size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** A size as EMR Serverless writes it (`16 GB`: its worker memory and disk are counted in GiB). */
function inGb(size: Size): string {
  return `${gib(size)} GB`;
}
