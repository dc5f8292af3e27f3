import type { RequestAnalysis, Simulation } from '@cloud-copilot/iam-simulate';
import { iamPackages } from './iam-packages';
import type { RecordedCall } from './expectations';
import { TemplatePolicies, TemplatePolicy } from './template-policies';
import { TemplateResolver, isUnresolved } from './template-resolver';

/** The outcome of one declared call. */
export interface FlowOutcome {
  readonly call: RecordedCall;
  /** What the declaration expects. */
  readonly expected: 'allowed' | 'denied';
  /** True when the call is decided as declared; false on a finding; undefined when the rehearsal cannot decide it. */
  readonly ok: boolean | undefined;
  /** What was evaluated and why it passed or failed. */
  readonly message: string;
  /** The resource the finding is reported on: the call's resource if the template creates it, else the principal. */
  readonly logicalId?: string;
}

/** The statement the rehearsal gives principals of another account: their own account's policies are out of sight. */
const OTHER_ACCOUNT_IDENTITY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * Evaluates each declared call with `@cloud-copilot/iam-simulate`, as IAM would once the template
 * is deployed:
 *
 * - identity policies: those of the role or user when the template creates it (inline,
 *   `AWS::IAM::Policy`, customer managed, and the AWS managed policies of `aws-managed-policies.ts`,
 *   bounded by its permission boundary); none for a principal of the same account that the
 *   template does not create (a service-linked role, a role by ARN): only resource policies can
 *   grant it something; allow-all for a principal of another account, so that only the resource
 *   side decides; none for a service principal;
 * - the resource policy: the bucket policy (for the bucket and its objects), key policy, topic,
 *   queue, secret, Lambda permission, log-group, MSK cluster, EFS or Kinesis policy of the
 *   template, or the role's trust policy for `sts:AssumeRole*`; with KMS's rule that the key
 *   policy must allow the call, directly or through the account root (which lets IAM policies
 *   grant it). A key the template does not create is given the default key policy;
 * - same-account and cross-account semantics (a cross-account call needs both sides);
 * - the request context: `aws:SecureTransport` true, `aws:PrincipalArn`, `aws:PrincipalAccount`,
 *   `aws:PrincipalIsAWSService` (and `aws:PrincipalServiceName` for a service), `kms:CallerAccount`
 *   for KMS calls of IAM principals, and what the declaration adds (`kms:ViaService`,
 *   `aws:SourceArn`, `aws:SourceAccount`, or `aws:SecureTransport` false for a call that must fail).
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export async function checkRuntimeFlows(calls: { allows: RecordedCall[]; denies: RecordedCall[] }, resolver: TemplateResolver,
  policies: TemplatePolicies): Promise<FlowOutcome[]> {
  const outcomes: FlowOutcome[] = [];
  for (const [expected, list] of [['allowed', calls.allows], ['denied', calls.denies]] as const) {
    for (const call of list) {
      outcomes.push(await evaluate(call, expected, resolver, policies));
    }
  }
  return outcomes;
}

async function evaluate(call: RecordedCall, expected: 'allowed' | 'denied', resolver: TemplateResolver, policies: TemplatePolicies): Promise<FlowOutcome> {
  const principalText = resolver.substitute(call.principal);
  const resource = resolver.substitute(call.resource);
  const isService = principalText.startsWith('service:');
  const principal = isService ? principalText.slice('service:'.length) : principalText;
  const what = `${call.description}: ${principal} ${call.action} on ${resource}`;
  const resourceLogicalId = logicalIdOf(call.resource);
  const logicalId = resourceLogicalId !== undefined && resolver.resources[resourceLogicalId] ? resourceLogicalId : logicalIdOf(call.principal);
  const outcome = (ok: boolean | undefined, message: string): FlowOutcome => ({ call, expected, ok, message, logicalId });
  if (isUnresolved(principal) || isUnresolved(resource)) {
    return outcome(undefined, `${what}: not modelled, the rehearsal cannot resolve the principal or the resource`);
  }

  const resourceAccount = accountOf(resource) ?? resolver.account;
  const principalAccount = isService ? undefined : accountOf(principal);
  const notes: string[] = [];
  const identityPolicies: Array<{ name: string; policy: unknown }> = [];
  const boundaries: Array<{ name: string; policy: unknown }> = [];
  let unknownManaged: string[] = [];
  if (!isService) {
    const own = policies.principal(principal);
    if (own) {
      identityPolicies.push(...own.identity.map(p => ({ name: p.name, policy: p.document })));
      boundaries.push(...own.boundaries.map(p => ({ name: p.name, policy: p.document })));
      unknownManaged = own.unknownManagedPolicies;
    } else if (principalAccount !== undefined && principalAccount !== resolver.account) {
      identityPolicies.push({ name: `the policies of account ${principalAccount} (outside the template; assumed to allow everything)`, policy: OTHER_ACCOUNT_IDENTITY });
    } else {
      notes.push('the template does not create this principal, so no identity policy of it is known');
    }
  }

  let resourcePolicy = policies.resourcePolicy(resource);
  if (!resourcePolicy && /^arn:[^:]+:kms:/.test(resource) && resource.includes(':key/')) {
    // A key the template does not create: assume the default key policy (the account root may use the key).
    const root = `arn:${resolver.partition}:iam::${resourceAccount}:root`;
    resourcePolicy = { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' }] }, sources: [] };
    notes.push('the key is not in the template; its default key policy is assumed');
  }

  const context: Record<string, string | string[]> = { 'aws:SecureTransport': 'true', 'aws:ResourceAccount': resourceAccount, 'aws:RequestedRegion': resolver.region };
  if (isService) {
    Object.assign(context, { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal });
  } else {
    Object.assign(context, { 'aws:PrincipalArn': principal, 'aws:PrincipalIsAWSService': 'false' });
    if (principalAccount) context['aws:PrincipalAccount'] = principalAccount;
    if (call.action.toLowerCase().startsWith('kms:') && principalAccount) context['kms:CallerAccount'] = principalAccount;
  }
  for (const [key, value] of Object.entries(call.context ?? {})) {
    context[key] = Array.isArray(value) ? value.map(v => resolver.substitute(v)) : resolver.substitute(value);
  }

  const simulation: Simulation = {
    request: { principal, action: call.action, resource: { resource, accountId: resourceAccount }, contextVariables: context },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy?.policy,
    ...(boundaries.length > 0 ? { permissionBoundaryPolicies: boundaries } : {}),
  };
  const response = await iamPackages().simulate.runSimulation(simulation, { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return outcome(false, `${what}: the rehearsal cannot evaluate it (${JSON.stringify(response.errors)}) [${call.source}]`);
  }
  const analysis = response.resultType === 'single' ? response.result.analysis
    : response.results.find(result => result.analysis?.result !== 'Allowed')?.analysis ?? response.results[0]?.analysis;
  const result = response.overallResult;
  const allowed = result === 'Allowed';
  const sources = resourcePolicy?.sources ?? [];
  if (allowed === (expected === 'allowed')) {
    return outcome(true, `${what}: ${result}`);
  }
  if (!allowed && unknownManaged.length > 0 && !identityAllows(analysis)) {
    return outcome(undefined, `${what}: not modelled, denied unless the AWS managed policies ${unknownManaged.join(', ')} (which the rehearsal does not carry) allow it`);
  }
  const why = allowed ? grantsText(analysis, identityPolicies, sources) : denialText(analysis, call.action, principal, isService, identityPolicies, sources, resource, notes);
  return outcome(false, `${what}: must be ${expected}, but is ${result}: ${why} [declared from ${call.source}]`);
}

function identityAllows(analysis: RequestAnalysis | undefined): boolean {
  return (analysis?.identityAnalysis?.allowStatements.length ?? 0) > 0;
}

function denialText(analysis: RequestAnalysis | undefined, action: string, principal: string, isService: boolean,
  identity: Array<{ name: string }>, sources: TemplatePolicy[], resource: string, notes: string[]): string {
  if (!analysis) return 'no analysis';
  const resourceName = sources.length > 0 ? sources.map(s => s.name).join(' + ') : undefined;
  const reasons = iamPackages().simulate.getDenialReasons(analysis).map(reason => {
    if (reason.denialType === 'Explicit') {
      const statement = reason.statementId ? `statement ${reason.statementId}` : `statement ${reason.statementIndex}`;
      const where = reason.policyType === 'resource' ? resourceName ?? 'the resource policy' : reason.policyIdentifier ?? reason.policyType;
      return `${statement} of ${where} denies it`;
    }
    switch (reason.policyType) {
      case 'identity':
        return isService ? 'a service principal has no identity policy' : identity.length === 0
          ? `${principal} has no identity policy in the template` : `no identity policy of ${principal} allows it (${identity.map(p => p.name).join(', ')})`;
      case 'resource':
        if (!resourceName) return `${resource} has no resource policy in the template that could allow ${isService ? 'a service principal' : 'this principal'}`;
        if (action.toLowerCase().startsWith('kms:')) {
          return `the key policy (${resourceName}) neither allows this principal nor lets IAM policies of its account grant ${action} (KMS requires the key policy to allow it)`;
        }
        return `the resource policy (${resourceName}) does not allow this principal${isService || !analysis.sameAccount ? ', and it must for a service or another account' : ''}`;
      case 'pb':
        return 'its permission boundary does not allow it';
      default:
        return `${reason.policyType} policies do not allow it`;
    }
  });
  return [...reasons, ...notes].join('; ');
}

function grantsText(analysis: RequestAnalysis | undefined, identity: Array<{ name: string }>, sources: TemplatePolicy[]): string {
  if (!analysis) return 'no analysis';
  return iamPackages().simulate.getGrantReasons(analysis).map(grant => {
    const statement = grant.statementId ? `statement ${grant.statementId}` : `statement ${grant.statementIndex}`;
    if (grant.policyType === 'resource') return `${statement} of ${sources.map(s => s.name).join(' + ') || 'the resource policy'} allows it`;
    if (grant.policyType === 'identity') return `${statement} of ${grant.policyIdentifier} allows it`;
    return `${statement} of a ${grant.policyType} policy allows it`;
  }).join('; ') || `allowed (${identity.map(p => p.name).join(', ')})`;
}

/** The account of an ARN (`arn:partition:service:region:account:…`), if it names one. */
function accountOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length > 5 && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** The logical id a declaration's text refers to first (`${Role.Arn}` → `Role`). */
function logicalIdOf(text: string): string | undefined {
  const match = /\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/.exec(text);
  return match?.[1];
}
