import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { allowLogsToUse } from '../core/private-network';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { declareStateMachineCalls } from '../rehearsal/declarations';

/**
 * The longest a standard state machine execution may run: one year.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_EXECUTION_MINUTES = 365 * 24 * 60;

/** Properties of {@link createJobStateMachine}. */
export interface JobStateMachineOptions {
  /** The states. */
  readonly definition: sfn.IChainable;
  /** How long one execution may run before Step Functions fails it. */
  readonly timeout: Duration;
  /** The key that encrypts the execution log group. */
  readonly encryptionKey: kms.IKey;
  /** What happens to the execution logs when the state machine leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** How long the execution logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Why the wildcards that CDK's own task states add to the role's default policy are needed.
   *
   * @default - the tasks add no wildcard
   */
  readonly taskWildcardReason?: string;
  /** The job the state machine starts, drawn on the data-flow diagram as a run-time actor. */
  readonly job: {
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
 * A standard state machine that runs one job: every execution event logged, with inputs and
 * outputs, to a KMS-encrypted log group, X-Ray tracing on, and a timeout so that a stuck job
 * cannot run forever. (Standard, not Express: only standard workflows support the `.sync`
 * integrations that wait for a job to finish.)
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-supported-services.html
 */
export function createJobStateMachine(scope: Construct, id: string, options: JobStateMachineOptions): sfn.StateMachine {
  allowLogsToUse(options.encryptionKey);
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    encryptionKey: options.encryptionKey,
    retention: options.logRetention,
    removalPolicy: options.removalPolicy,
  });
  const stateMachine = new sfn.StateMachine(scope, id, {
    definitionBody: sfn.DefinitionBody.fromChainable(options.definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: options.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  declareStateMachineCalls(stateMachine);
  DataFlow.node(scope, `${id}Node`, { label: 'Step Functions', detail: scope.node.id, stage: DataFlowStage.ORCHESTRATION, resources: [stateMachine] });
  DataFlow.node(scope, 'JobRun', {
    label: options.job.label, detail: scope.node.id, stage: DataFlowStage.PROCESSING, roles: options.job.roles, resources: options.job.resources, actor: true,
  });
  // CDK puts the log-delivery and X-Ray permissions in the role's default policy: both APIs only
  // accept `*` as resource.
  acknowledgeWildcards(stateMachine.role.node.findChild('DefaultPolicy'),
    'CloudWatch Logs log-delivery actions and X-Ray trace uploads accept only `*` as resource '
    + '(https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html)'
    + (options.taskWildcardReason ? `; ${options.taskWildcardReason}` : ''));
  return stateMachine;
}

/**
 * The rules of a Spark security group: the nodes of one job talk to each other on any port
 * (driver, executors, shuffle, YARN), and leave the group only on HTTPS, to the VPC endpoints
 * (in isolated subnets there is no other route). No inbound rule from outside the group.
 */
export function allowSparkTraffic(securityGroup: ec2.SecurityGroup): void {
  securityGroup.connections.allowInternally(ec2.Port.allTraffic(), 'Spark nodes of the same job');
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints (S3 gateway, interface endpoints)');
}

