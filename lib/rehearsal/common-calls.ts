import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { RuntimeCall } from './expectations';

/**
 * Run-time calls that many constructs declare, built once so that each declaration reads as one line.
 * Each function returns {@link RuntimeCall}s for `Rehearsal.of(scope).allows()` or `.denies()`.
 */

/** The IAM page that says a service assumes the role it is given (the role's trust policy decides). */
export const SERVICE_ROLE_SOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html';
/** KMS: S3 calls the key on the requester's behalf with `kms:ViaService` = `s3.<region>.<suffix>`. */
export const S3_KMS_SOURCE = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html';
/** S3: objects written in parts with SSE-KMS need `kms:GenerateDataKey` and `kms:Decrypt`. */
export const S3_MULTIPART_KMS_SOURCE = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html';
/** S3: a bucket policy that denies `aws:SecureTransport` false refuses plain HTTP. */
export const S3_TLS_SOURCE = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html';
/** IAM: a principal of another account needs the resource policy's allow; an identity policy alone grants nothing there. */
export const CROSS_ACCOUNT_SOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html';
/** IAM: within one account, a request with no allow in any identity or resource policy is implicitly denied. */
export const SAME_ACCOUNT_SOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html';

/** An account that is not the stack's, for calls that must be refused (the documentation account of AWS examples). */
export const OTHER_ACCOUNT = '111122223333';

/** Step Functions: assuming a state machine's role, it sets `aws:SourceArn` to the state machine and `aws:SourceAccount`. */
export const STATES_CONFUSED_DEPUTY_SOURCE = 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html';

/** `service` assumes `role` (its trust policy must name the service), with the request context the service sets. */
export function serviceAssumesRole(service: string, role: iam.IRole, description: string, source = SERVICE_ROLE_SOURCE,
  context?: Record<string, string>): RuntimeCall {
  return { description, principal: new iam.ServicePrincipal(service), action: 'sts:AssumeRole', resource: role.roleArn, context, source };
}

/**
 * Step Functions assumes `stateMachine`'s role to run it, naming the state machine and its account as
 * the source (CDK's default role trusts `states.amazonaws.com` only with these conditions).
 */
export function stepFunctionsAssumesRole(stateMachine: sfn.IStateMachine & { readonly role: iam.IRole }): RuntimeCall {
  return serviceAssumesRole('states.amazonaws.com', stateMachine.role, 'Step Functions runs the state machine with its role', STATES_CONFUSED_DEPUTY_SOURCE,
    { 'aws:SourceArn': stateMachine.stateMachineArn, 'aws:SourceAccount': Stack.of(stateMachine).account });
}

/** The request context of a KMS call that S3 makes for a requester (SSE-KMS). */
export function viaS3(scope: IConstruct): Record<string, string> {
  const stack = Stack.of(scope);
  return { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}`, 'kms:CallerAccount': stack.account };
}

/** A role of the stack's account that no policy of the app names: what a principal without a grant can do. */
export function principalWithoutGrant(scope: IConstruct): iam.IPrincipal {
  return new iam.ArnPrincipal(Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'rehearsal-principal-without-grant' }));
}

/**
 * The three reads of `bucket`'s objects that its policies must refuse: from another account, over
 * plain HTTP (even by `reader`, who may otherwise read), and by a principal of this account with no grant.
 */
export function bucketRefusals(scope: IConstruct, bucket: s3.IBucket, reader: iam.IPrincipal, what: string): RuntimeCall[] {
  const object = bucket.arnForObjects('rehearsal/object');
  return [
    { description: `another account reads ${what}`, principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 's3:GetObject', resource: object, source: CROSS_ACCOUNT_SOURCE },
    { description: `${what} read without TLS`, principal: reader, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' }, source: S3_TLS_SOURCE },
    { description: `a principal of this account with no grant reads ${what}`, principal: principalWithoutGrant(scope), action: 's3:GetObject', resource: object, source: SAME_ACCOUNT_SOURCE },
  ];
}
