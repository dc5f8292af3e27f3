import { createHash } from 'crypto';
import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { PropValidationError } from './validation';
import { acknowledgeWildcards } from './wildcard-acknowledgements';

/** Properties of {@link attachGrantPolicy}. */
export interface GrantPolicyProps {
  /** Who receives the permissions. */
  readonly grantee: iam.IGrantable;
  /** The permissions. */
  readonly statements: iam.PolicyStatement[];
  /**
   * Why the wildcards in `statements` are needed, for example "all objects of one bucket". Each
   * wildcard of this policy is acknowledged for cdk-nag's AwsSolutions-IAM5 with this reason.
   *
   * @default - the statements have no wildcard
   */
  readonly wildcardReason?: string;
}

/**
 * Attaches one grant's statements to the grantee's role or user as an IAM policy of their own.
 *
 * A grant of a lake zone really needs wildcards (all objects of one bucket, all tables of one
 * database: their names are not known when the stack deploys). Keeping each grant in its own
 * policy lets the quality gates acknowledge exactly those wildcards, and nothing else the grantee
 * may be given elsewhere. A grantee that is not a role or user (a service principal, say) gets the
 * statements through `addToPrincipalPolicy`, which is what CDK grants do.
 *
 * Calling it again with the same `scope` and `id` returns the policy made the first time.
 */
export function attachGrantPolicy(scope: Construct, id: string, props: GrantPolicyProps): iam.Policy | undefined {
  const principal = props.grantee.grantPrincipal;
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof iam.Policy) {
    return existing;
  }
  const isRole = Construct.isConstruct(principal) && 'roleName' in principal;
  const isUser = Construct.isConstruct(principal) && 'userName' in principal;
  if (!isRole && !isUser) {
    props.statements.forEach(statement => principal.addToPrincipalPolicy(statement));
    return undefined;
  }
  const policy = new iam.Policy(scope, id, {
    statements: props.statements,
    roles: isRole ? [principal as unknown as iam.IRole] : undefined,
    users: isUser ? [principal as unknown as iam.IUser] : undefined,
  });
  if (props.wildcardReason) {
    acknowledgeWildcards(policy, props.wildcardReason);
  }
  return policy;
}

/** The ARN that names a principal in a Lake Formation grant: a role's or a user's. */
export function principalArn(scope: IConstruct, grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal;
  if ('roleArn' in principal && typeof principal.roleArn === 'string') {
    return principal.roleArn;
  }
  if ('userArn' in principal && typeof principal.userArn === 'string') {
    return principal.userArn;
  }
  if (principal instanceof iam.ArnPrincipal) {
    return principal.arn;
  }
  throw new PropValidationError(scope, 'grantee', principal.toString(),
    'must be an IAM role or user under Lake Formation, whose grants name a principal ARN');
}

/** A stable, construct-id-safe name for a grantee: its construct id, or a hash of what it is. */
export function granteeId(scope: IConstruct, grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal;
  if (Construct.isConstruct(principal)) {
    return Names.nodeUniqueId(principal.node);
  }
  const resolved = JSON.stringify(Stack.of(scope).resolve(principal.policyFragment.principalJson));
  return createHash('sha256').update(resolved).digest('hex').slice(0, 12);
}
