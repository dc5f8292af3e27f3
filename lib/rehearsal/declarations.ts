import { ArnFormat, Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { Rehearsal, RuntimeCall } from './expectations';

/**
 * Building blocks for the declarations of `Rehearsal.of(scope)`: the run-time calls that many
 * constructs expect in the same shape (a service assuming a role, CloudWatch Logs using a key,
 * the refusals a bucket owes). Each names the AWS page that says the call happens or fails.
 */

/** An account that is not the app's (the example account of the AWS documentation). */
export const OTHER_ACCOUNT = '111122223333';

const S3_POLICIES = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html';
const IAM_EVALUATION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html';

/** `service` (a service principal such as `glue.amazonaws.com`) assumes `role`, with the request context it sends. */
export function assumedBy(role: iam.IRole, service: string, source: string, context?: Record<string, string>): RuntimeCall {
  // A description is plain text: a regional principal (`dms.<region>.amazonaws.com`) is named by its service.
  const name = Token.isUnresolved(service) ? `${service.split('.')[0]} (regional principal)` : service;
  return {
    description: `${name} assumes ${role.node.id}`,
    principal: new iam.ServicePrincipal(service),
    action: 'sts:AssumeRole',
    resource: role.roleArn,
    context,
    source,
  };
}

/** The `kms:ViaService` value of calls that `service` (`s3`, `kinesis`) makes to KMS for its caller. */
export function viaService(scope: IConstruct, service: string): Record<string, string> {
  const stack = Stack.of(scope);
  return { 'kms:ViaService': `${service}.${stack.region}.${stack.urlSuffix}` };
}

/** The ARN CloudWatch Logs puts in the encryption context of the keys of `logGroup` (no `:*`). */
export function logGroupArn(logGroup: logs.ILogGroup): string {
  return Stack.of(logGroup).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * CloudWatch Logs encrypts the events of `logGroup` with `key`: the regional logs service
 * principal calls `kms:GenerateDataKey` with the log group's ARN in the encryption context, which
 * the key policy must allow.
 */
export function logsUseKey(logGroup: logs.ILogGroup, key: kms.IKey): RuntimeCall {
  return {
    description: `CloudWatch Logs encrypts ${logGroup.node.path} with its key`,
    principal: new iam.ServicePrincipal(`logs.${Stack.of(logGroup).region}.amazonaws.com`),
    action: 'kms:GenerateDataKey',
    resource: key.keyArn,
    context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn(logGroup) },
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  };
}

/** A principal of the app's account that nothing in the app grants anything. */
export function principalWithNoGrant(): iam.IPrincipal {
  return new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/rehearsal-principal-with-no-grant`);
}

/**
 * The refusals every bucket of the library owes, on one object key: another account reads it, a
 * principal of the account that nothing grants reads it, and `writer`, which may write it, writes
 * it without TLS (the bucket policy denies `aws:SecureTransport` false).
 */
export function bucketRefusals(bucket: s3.IBucket, objectKey: string, writer: iam.IPrincipal): RuntimeCall[] {
  const resource = bucket.arnForObjects(objectKey);
  return [
    { description: `another account reads ${bucket.node.path}`, principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 's3:GetObject', resource, source: IAM_EVALUATION },
    { description: `a principal with no grant reads ${bucket.node.path}`, principal: principalWithNoGrant(), action: 's3:GetObject', resource, source: IAM_EVALUATION },
    {
      description: `a writer of ${bucket.node.path} writes without TLS`, principal: writer, action: 's3:PutObject', resource,
      context: { 'aws:SecureTransport': 'false' }, source: S3_POLICIES,
    },
  ];
}

/**
 * The calls behind every state machine of the library: Step Functions assumes its role, sets up
 * the delivery of its execution logs and sends its traces with it, and CloudWatch Logs encrypts
 * the log group with its key.
 */
export function declareStateMachineCalls(stateMachine: sfn.StateMachine, logGroup: logs.ILogGroup, key: kms.IKey): void {
  const role = stateMachine.role;
  const context = { 'aws:SourceAccount': Stack.of(stateMachine).account, 'aws:SourceArn': stateMachine.stateMachineArn };
  Rehearsal.of(stateMachine).allows(
    assumedBy(role, 'states.amazonaws.com', 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html', context),
    { description: 'Step Functions delivers the execution logs', principal: role, action: 'logs:CreateLogDelivery', resource: '*', source: 'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html' },
    { description: 'Step Functions sends the execution traces', principal: role, action: 'xray:PutTraceSegments', resource: '*', source: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html' },
    logsUseKey(logGroup, key),
  );
}

/**
 * The calls of a state machine that runs a job with a `.sync` integration: it passes `role` to
 * `service` and no other service (`iam:PassedToService`), and manages the EventBridge rule
 * `ruleName` through which Step Functions learns that the job ended.
 */
export function declareSyncJobCalls(stateMachine: sfn.StateMachine, role: iam.IRole, service: string, ruleName: string, source: string): void {
  const machine = stateMachine.role;
  const rehearsal = Rehearsal.of(stateMachine);
  rehearsal.allows(
    { description: `the state machine passes ${role.node.id} to ${service}`, principal: machine, action: 'iam:PassRole', resource: role.roleArn, context: { 'iam:PassedToService': service }, source },
    {
      description: 'Step Functions watches the job through its EventBridge rule', principal: machine, action: 'events:PutRule',
      resource: Stack.of(stateMachine).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }), source,
    },
  );
  rehearsal.denies({
    description: `the state machine passes ${role.node.id} to another service`, principal: machine, action: 'iam:PassRole', resource: role.roleArn,
    context: { 'iam:PassedToService': 'glue.amazonaws.com' }, source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  });
}
