import { createHash } from 'crypto';
import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IConstruct, IDependable } from 'constructs';
import { PropValidationError } from './validation';
import { acknowledgeWildcards } from './wildcard-acknowledgements';

/** Properties of {@link attachGrantPolicy}. */
export interface GrantPolicyProps {
  /** Who receives the permissions. */
  readonly grantee: iam.IGrantable;
  /** The permissions: `Allow` statements of actions on resources, with or without conditions. */
  readonly statements: iam.PolicyStatement[];
  /**
   * Why the wildcards in `statements` are needed, for example "all objects of one bucket". Each
   * wildcard of this policy is acknowledged for cdk-nag's AwsSolutions-IAM5 with this reason.
   *
   * @default - the statements have no wildcard
   */
  readonly wildcardReason?: string;
  /**
   * What else the grant consists of, beside the IAM policy (the Lake Formation permissions of a
   * governed zone): `grant.applyBefore(x)` and `x.node.addDependency(grant)` wait for them too.
   *
   * @default - the IAM policy only
   */
  readonly dependables?: IDependable[];
}

/**
 * Grants `props.statements` to the grantee's role or user in an IAM policy of its own, and returns
 * the `iam.Grant`, as the grant methods of aws-cdk-lib do.
 *
 * A grant of a lake zone really needs wildcards (all objects of one bucket, all tables of one
 * database: their names are not known when the stack deploys). Keeping each grant in its own
 * policy lets the quality gates acknowledge exactly those wildcards, and nothing else the grantee
 * may be given elsewhere. A grantee that is not a role or user (a service principal, say) gets the
 * statements through `addToPrincipalPolicy`, which is what CDK grants do.
 *
 * The returned grant lists the statements (`principalStatements`) and depends on the policy (and
 * on `dependables`): a resource that uses the access at deployment waits for it with
 * `grant.applyBefore(resource)`. Calling it again with the same `scope` and `id` adds to the
 * policy made the first time (identical statements are written once).
 */
export function attachGrantPolicy(scope: Construct, id: string, props: GrantPolicyProps): iam.Grant {
  if (props.statements.length === 0) {
    throw new PropValidationError(scope, 'statements', [], `must grant at least one statement (grant ${id})`);
  }
  const principal = props.grantee.grantPrincipal;
  const extra = props.dependables ?? [];
  const withExtra = (dependable: IDependable | undefined): IDependable | undefined =>
    dependable && extra.length > 0 ? new DependencyGroup(dependable, ...extra) : dependable;
  const isRole = Construct.isConstruct(principal) && 'roleName' in principal;
  const isUser = Construct.isConstruct(principal) && 'userName' in principal;
  let add: (statement: iam.PolicyStatement) => iam.AddToPrincipalPolicyResult;
  if (isRole || isUser) {
    const policy = dedicatedPolicy(scope, id, principal, isRole, props.wildcardReason);
    add = statement => {
      policy.addStatements(statement);
      return { statementAdded: true, policyDependable: withExtra(policy) };
    };
  } else {
    add = statement => {
      const result = principal.addToPrincipalPolicy(statement);
      return { statementAdded: result.statementAdded, policyDependable: withExtra(result.policyDependable) };
    };
  }
  const grantee = new GrantPolicyPrincipal(principal, add);
  return props.statements
    .map(statement => iam.Grant.addToPrincipal({ grantee, actions: statement.actions, resourceArns: statement.resources, conditions: statement.conditions }))
    .reduce((all, grant) => all.combine(grant));
}

/** The policy of one grant: created once per `scope` and `id`, attached to the role or user. */
function dedicatedPolicy(scope: Construct, id: string, principal: iam.IPrincipal, isRole: boolean, wildcardReason?: string): iam.Policy {
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof iam.Policy) {
    return existing;
  }
  const policy = new iam.Policy(scope, id, {
    roles: isRole ? [principal as unknown as iam.IRole] : undefined,
    users: isRole ? undefined : [principal as unknown as iam.IUser],
  });
  if (wildcardReason) {
    acknowledgeWildcards(policy, wildcardReason);
  }
  return policy;
}

/**
 * The grantee as `iam.Grant` sees it: the same principal, whose statements go where
 * {@link attachGrantPolicy} decides (the grant's own policy).
 */
class GrantPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(private readonly principal: iam.IPrincipal,
    private readonly add: (statement: iam.PolicyStatement) => iam.AddToPrincipalPolicyResult) {}

  public get assumeRoleAction(): string {
    return this.principal.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.principal.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.principal.principalAccount;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.add(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return this.add(statement);
  }

  public toString(): string {
    return this.principal.toString();
  }
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
