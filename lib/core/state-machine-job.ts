import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { DataFlow, DataFlowStage } from './data-flow';
import { allowLogsToUse } from './private-network';
import { acknowledgeWildcards } from './wildcard-acknowledgements';
import { declareStateMachineCalls } from '../rehearsal/declarations';

/**
 * The longest a standard state machine execution may run: one year.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_EXECUTION_MINUTES = 365 * 24 * 60;

/** Options of {@link StateMachineJob.createStateMachine}. */
export interface JobStateMachineOptions {
  /** The states. */
  readonly definition: sfn.IChainable;
  /** How long one execution may run before Step Functions fails it. */
  readonly timeout: Duration;
  /** The key that encrypts the execution log group (CloudWatch Logs is allowed to use it). */
  readonly encryptionKey: kms.IKey;
  /** What happens to the execution logs when the state machine leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** How long the execution logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * What the state machine does, in a sentence.
   *
   * @default - no comment
   */
  readonly comment?: string;
  /**
   * The construct id of the execution log group.
   *
   * @default `${id}Logs`
   */
  readonly logGroupId?: string;
  /**
   * Why the wildcards that the task states add to the role's default policy are needed.
   *
   * @default - the tasks add no wildcard
   */
  readonly taskWildcardReason?: string;
  /**
   * The job the state machine starts, drawn on the data-flow diagram as a run-time actor.
   *
   * @default - the construct draws its job itself
   */
  readonly job?: {
    /** What runs, such as `EMR Serverless job run`. */
    readonly label: string;
    /** The roles the job reads and writes data with. */
    readonly roles: iam.IRole[];
    /**
     * Resources the job runs on (an EMR Serverless application).
     *
     * @default - none
     */
    readonly resources?: IConstruct[];
  };
}

/**
 * A construct that runs a job with a Step Functions state machine (a training job, a Spark job, a
 * DMS task): start it with `grantStartExecution`, watch it with `metricFailed` and
 * `metricTimedOut`.
 *
 * Every such state machine is standard (only standard workflows have the `.sync` integrations that
 * wait for a job), logs every execution event with its inputs and outputs to a KMS-encrypted log
 * group, traces with X-Ray, and has a timeout so that a stuck job cannot run forever.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-supported-services.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
 */
export abstract class StateMachineJob extends Construct {
  /** The state machine that runs the job. */
  public abstract readonly stateMachine: sfn.StateMachine;

  /** Lets `grantee` start the job: `states:StartExecution` on the state machine. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * Executions that failed (`AWS/States` `ExecutionsFailed`, by `StateMachineArn`): the job failed,
   * or could not start.
   *
   * @default - sum over 5 minutes
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /**
   * Executions that ran past the state machine's timeout (`AWS/States` `ExecutionsTimedOut`, by
   * `StateMachineArn`).
   *
   * @default - sum over 5 minutes
   */
  public metricTimedOut(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTimedOut(props);
  }

  /**
   * Creates the state machine of the job, with its encrypted log group, tracing and timeout, its
   * data-flow node and the rehearsal declarations every state machine shares.
   */
  protected createStateMachine(id: string, options: JobStateMachineOptions): { stateMachine: sfn.StateMachine; logGroup: logs.LogGroup } {
    allowLogsToUse(options.encryptionKey);
    const logGroup = new logs.LogGroup(this, options.logGroupId ?? `${id}Logs`, {
      encryptionKey: options.encryptionKey,
      retention: options.logRetention,
      removalPolicy: options.removalPolicy,
    });
    const stateMachine = new sfn.StateMachine(this, id, {
      definitionBody: sfn.DefinitionBody.fromChainable(options.definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: options.comment,
      timeout: options.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    declareStateMachineCalls(stateMachine);
    DataFlow.node(this, `${id}Node`, { label: 'Step Functions', detail: this.node.id, stage: DataFlowStage.ORCHESTRATION, resources: [stateMachine] });
    if (options.job) {
      DataFlow.node(this, 'JobRun', {
        label: options.job.label, detail: this.node.id, stage: DataFlowStage.PROCESSING, roles: options.job.roles, resources: options.job.resources, actor: true,
      });
    }
    // CDK puts the log-delivery and X-Ray permissions in the role's default policy: both APIs only
    // accept `*` as resource.
    acknowledgeWildcards(stateMachine.role.node.findChild('DefaultPolicy'),
      'CloudWatch Logs log-delivery actions and X-Ray trace uploads accept only `*` as resource '
      + '(https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html)'
      + (options.taskWildcardReason ? `; ${options.taskWildcardReason}` : ''));
    return { stateMachine, logGroup };
  }
}
