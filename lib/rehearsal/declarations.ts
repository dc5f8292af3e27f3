import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { regionalServiceName } from '../core/service-names';
import { serviceAssumesRole, stepFunctionsAssumesRole } from './common-calls';
import { Rehearsal, RuntimeCall } from './expectations';

/**
 * Building blocks for the declarations of `Rehearsal.of(scope)` of the ingestion and
 * transformation constructs, beside those of `common-calls.ts`: the calls behind every state
 * machine and `.sync` job. Each names the AWS page that says the call
 * happens or fails.
 */

/** `service` (a service principal such as `glue.amazonaws.com`) assumes `role`, with the request context it sends. */
export function assumedBy(role: iam.IRole, service: string, source: string, context?: Record<string, string>): RuntimeCall {
  // A description is plain text: a regional principal (`dms.<region>.amazonaws.com`) is named by its service.
  const name = Token.isUnresolved(service) ? `${service.split('.')[0]} (regional principal)` : service;
  return serviceAssumesRole(service, role, `${name} assumes ${role.node.id}`, source, context);
}

/** The `kms:ViaService` value of calls that `service` (`s3`, `kinesis`) makes to KMS for its caller. */
export function viaService(scope: IConstruct, service: string): Record<string, string> {
  return { 'kms:ViaService': regionalServiceName(scope, service) };
}

/**
 * The calls behind every state machine of the library: Step Functions assumes its role, sets up
 * the delivery of its execution logs and sends its traces with it.
 */
export function declareStateMachineCalls(stateMachine: sfn.StateMachine): void {
  const role = stateMachine.role;
  Rehearsal.of(stateMachine).allows(
    stepFunctionsAssumesRole(stateMachine),
    { description: 'Step Functions delivers the execution logs', principal: role, action: 'logs:CreateLogDelivery', resource: '*', source: 'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html' },
    { description: 'Step Functions sends the execution traces', principal: role, action: 'xray:PutTraceSegments', resource: '*', source: 'https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html' },
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
