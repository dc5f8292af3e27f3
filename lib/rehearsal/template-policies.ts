import { awsManagedPolicy, isAwsManagedPolicyArn } from './aws-managed-policies';
import { TemplateResolver, isUnresolved } from './template-resolver';

/** What a policy document of the template is for. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'endpoint';

/** One policy document of the template, resolved as if deployed (see `TemplateResolver`). */
export interface TemplatePolicy {
  readonly kind: PolicyKind;
  /** The resource that holds the document. */
  readonly logicalId: string;
  /** Where the document sits in the resource (`Properties.KeyPolicy`). */
  readonly location: string;
  /** A readable name: `<logical id> (<location>)`, or the AWS managed policy's name. */
  readonly name: string;
  readonly document: { Statement?: unknown; [key: string]: unknown };
}

/** A resource policy and the ARNs it governs. */
interface ResourcePolicyTarget {
  readonly policy: TemplatePolicy;
  /** The ARN the policy is attached to. */
  readonly arn: string;
  /** Also the ARNs under it (`<bucket ARN>/…` for a bucket policy, topics of an MSK cluster). */
  readonly prefixes: string[];
}

/** The identity-side policies of one principal of the template. */
export interface PrincipalPolicies {
  readonly logicalId: string;
  readonly identity: TemplatePolicy[];
  readonly boundaries: TemplatePolicy[];
  /** AWS managed policies attached by ARN that the rehearsal does not carry (see `aws-managed-policies.ts`). */
  readonly unknownManagedPolicies: string[];
}

const IDENTITY_TYPES = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];

/**
 * Every policy document of a template: the identity policies of its roles, users and groups
 * (inline, `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`, customer managed policies and the AWS managed
 * policies the rehearsal carries), role trust policies, permission boundaries, VPC endpoint
 * policies, and the resource policies of buckets, keys, topics, queues, secrets, Lambda functions
 * (`AWS::Lambda::Permission`), log groups, MSK clusters, EFS file systems, Kinesis streams and
 * DynamoDB tables.
 */
export class TemplatePolicies {
  /** Every document, for the IAM names check. */
  public readonly all: TemplatePolicy[] = [];
  private readonly principals = new Map<string, PrincipalPolicies>();
  private readonly principalByArn = new Map<string, string>();
  private readonly targets: ResourcePolicyTarget[] = [];

  constructor(private readonly resolver: TemplateResolver) {
    const resources = resolver.resources;
    const byName = new Map<string, string>();
    for (const [id, resource] of Object.entries(resources)) {
      if (IDENTITY_TYPES.includes(resource.Type)) {
        this.principals.set(id, { logicalId: id, identity: [], boundaries: [], unknownManagedPolicies: [] });
        byName.set(`${resource.Type}/${resolver.text({ Ref: id })}`, id);
        if (resource.Type !== 'AWS::IAM::Group') {
          this.principalByArn.set(resolver.getAtt(id, 'Arn'), id);
        }
      }
    }
    const attachTo = (type: string, names: unknown, policy: TemplatePolicy): void => {
      const list = resolver.resolve(names);
      for (const name of Array.isArray(list) ? list : []) {
        const id = byName.get(`${type}/${String(name).split('/').pop()}`);
        if (id) this.principals.get(id)!.identity.push(policy);
      }
    };
    const managedPolicies = new Map<string, TemplatePolicy>();

    for (const [id, resource] of Object.entries(resources)) {
      const props = resource.Properties ?? {};
      const add = (kind: PolicyKind, location: string, raw: unknown): TemplatePolicy | undefined => {
        if (raw === undefined) return undefined;
        let document = resolver.resolve(raw);
        if (typeof document === 'string') {
          try {
            document = JSON.parse(document);
          } catch {
            return undefined;
          }
        }
        const policy: TemplatePolicy = { kind, logicalId: id, location, name: `${id} (${location})`, document: document as TemplatePolicy['document'] };
        this.all.push(policy);
        return policy;
      };
      const resourcePolicy = (location: string, raw: unknown, arns: unknown[], prefixes: (arn: string) => string[] = () => []): void => {
        const policy = add('resource', location, raw);
        if (!policy) return;
        for (const target of arns) {
          const arn = resolver.text(target);
          this.targets.push({ policy, arn, prefixes: prefixes(arn) });
        }
      };
      switch (resource.Type) {
        case 'AWS::IAM::Role':
        case 'AWS::IAM::User':
        case 'AWS::IAM::Group': {
          const principal = this.principals.get(id)!;
          (props.Policies ?? []).forEach((inline: { PolicyDocument: unknown }, i: number) => {
            const policy = add('identity', `Properties.Policies[${i}].PolicyDocument`, inline.PolicyDocument);
            if (policy) principal.identity.push(policy);
          });
          if (resource.Type === 'AWS::IAM::Role') {
            const trust = add('trust', 'Properties.AssumeRolePolicyDocument', props.AssumeRolePolicyDocument);
            if (trust) this.targets.push({ policy: trust, arn: resolver.getAtt(id, 'Arn'), prefixes: [] });
          }
          break;
        }
        case 'AWS::IAM::Policy': {
          const policy = add('identity', 'Properties.PolicyDocument', props.PolicyDocument);
          if (policy) {
            attachTo('AWS::IAM::Role', props.Roles, policy);
            attachTo('AWS::IAM::User', props.Users, policy);
            attachTo('AWS::IAM::Group', props.Groups, policy);
          }
          break;
        }
        case 'AWS::IAM::RolePolicy':
        case 'AWS::IAM::UserPolicy':
        case 'AWS::IAM::GroupPolicy': {
          const policy = add('identity', 'Properties.PolicyDocument', props.PolicyDocument);
          const type = resource.Type.replace('Policy', '');
          const nameProperty = { 'AWS::IAM::Role': 'RoleName', 'AWS::IAM::User': 'UserName', 'AWS::IAM::Group': 'GroupName' }[type]!;
          if (policy) attachTo(type, [props[nameProperty]], policy);
          break;
        }
        case 'AWS::IAM::ManagedPolicy': {
          const policy = add('identity', 'Properties.PolicyDocument', props.PolicyDocument);
          if (policy) {
            managedPolicies.set(resolver.text({ Ref: id }), policy);
            attachTo('AWS::IAM::Role', props.Roles, policy);
            attachTo('AWS::IAM::User', props.Users, policy);
            attachTo('AWS::IAM::Group', props.Groups, policy);
          }
          break;
        }
        case 'AWS::EC2::VPCEndpoint':
          add('endpoint', 'Properties.PolicyDocument', props.PolicyDocument);
          break;
        case 'AWS::S3::BucketPolicy': {
          const bucketArn = `arn:${resolver.partition}:s3:::${resolver.text(props.Bucket)}`;
          resourcePolicy('Properties.PolicyDocument', props.PolicyDocument, [bucketArn], arn => [`${arn}/`]);
          break;
        }
        case 'AWS::KMS::Key':
          resourcePolicy('Properties.KeyPolicy', props.KeyPolicy, [{ 'Fn::GetAtt': [id, 'Arn'] }]);
          break;
        case 'AWS::SNS::TopicPolicy':
          resourcePolicy('Properties.PolicyDocument', props.PolicyDocument, props.Topics ?? []);
          break;
        case 'AWS::SNS::TopicInlinePolicy':
          resourcePolicy('Properties.PolicyDocument', props.PolicyDocument, [props.TopicArn]);
          break;
        case 'AWS::SQS::QueuePolicy':
        case 'AWS::SQS::QueueInlinePolicy': {
          const urls = resource.Type === 'AWS::SQS::QueuePolicy' ? props.Queues ?? [] : [props.Queue];
          resourcePolicy('Properties.PolicyDocument', props.PolicyDocument, urls.map((url: unknown) => queueArnOf(resolver.text(url), resolver)));
          break;
        }
        case 'AWS::SecretsManager::ResourcePolicy':
          resourcePolicy('Properties.ResourcePolicy', props.ResourcePolicy, [props.SecretId]);
          break;
        case 'AWS::Logs::ResourcePolicy':
          resourcePolicy('Properties.PolicyDocument', props.PolicyDocument,
            [`arn:${resolver.partition}:logs:${resolver.region}:${resolver.account}:log-group:`], arn => [arn]);
          break;
        case 'AWS::MSK::ClusterPolicy':
          // The cluster policy also governs the cluster's topics and groups (same name and uuid).
          resourcePolicy('Properties.Policy', props.Policy, [props.ClusterArn], arn => ['topic', 'group', 'transactional-id']
            .map(kind => `${arn.replace(':cluster/', `:${kind}/`)}/`));
          break;
        case 'AWS::EFS::FileSystem':
          resourcePolicy('Properties.FileSystemPolicy', props.FileSystemPolicy, [{ 'Fn::GetAtt': [id, 'Arn'] }]);
          break;
        case 'AWS::Kinesis::ResourcePolicy':
          resourcePolicy('Properties.ResourcePolicy', props.ResourcePolicy, [props.ResourceArn]);
          break;
        case 'AWS::DynamoDB::Table':
          resourcePolicy('Properties.ResourcePolicy.PolicyDocument', props.ResourcePolicy?.PolicyDocument, [{ 'Fn::GetAtt': [id, 'Arn'] }], arn => [`${arn}/`]);
          break;
        case 'AWS::Lambda::Permission':
          this.lambdaPermission(id, props);
          break;
      }
    }

    // Managed policy ARNs and permission boundaries, now that every customer managed policy is known.
    for (const [id, principal] of this.principals) {
      const props = resources[id].Properties ?? {};
      const arns = resolver.resolve(props.ManagedPolicyArns ?? []);
      for (const policyArn of (Array.isArray(arns) ? arns : []).map(String)) {
        const policy = this.managedPolicy(policyArn, managedPolicies);
        if (policy) principal.identity.push(policy);
        else principal.unknownManagedPolicies.push(policyArn);
      }
      if (props.PermissionsBoundary !== undefined) {
        const boundaryArn = resolver.text(props.PermissionsBoundary);
        const boundary = this.managedPolicy(boundaryArn, managedPolicies);
        if (boundary) {
          principal.boundaries.push({ ...boundary, kind: 'boundary' });
        } else {
          principal.unknownManagedPolicies.push(boundaryArn);
        }
      }
    }
    // Users inherit the policies of their groups.
    for (const [id, resource] of Object.entries(resources)) {
      const groups = resource.Type === 'AWS::IAM::User' ? resource.Properties?.Groups
        : resource.Type === 'AWS::IAM::UserToGroupAddition' ? [resource.Properties?.GroupName] : undefined;
      const users = resource.Type === 'AWS::IAM::User' ? [{ Ref: id }] : resource.Properties?.Users ?? [];
      for (const group of (resolver.resolve(groups ?? []) as unknown[])) {
        const groupId = byName.get(`AWS::IAM::Group/${String(group)}`);
        for (const user of resolver.resolve(users) as unknown[]) {
          const userId = byName.get(`AWS::IAM::User/${String(user)}`);
          if (groupId && userId) this.principals.get(userId)!.identity.push(...this.principals.get(groupId)!.identity);
        }
      }
    }
  }

  /** The identity policies of the role or user with this ARN, if the template creates it. */
  public principal(principalArn: string): PrincipalPolicies | undefined {
    const id = this.principalByArn.get(principalArn);
    return id === undefined ? undefined : this.principals.get(id);
  }

  /**
   * The resource policy that governs `resourceArn`: the statements of every policy of the template
   * attached to it (a bucket policy also governs the bucket's objects), merged into one document.
   */
  public resourcePolicy(resourceArn: string): { policy: { Version: string; Statement: unknown[] }; sources: TemplatePolicy[] } | undefined {
    const matching = this.targets.filter(target => target.arn === resourceArn
      || target.prefixes.some(prefix => resourceArn.startsWith(prefix))
      || (target.policy.kind === 'resource' && target.arn.includes(':secretsmanager:') && resourceArn.startsWith(target.arn.replace(/-[A-Za-z0-9]{6}$/, ''))));
    if (matching.length === 0) return undefined;
    const sources = [...new Set(matching.map(target => target.policy))];
    const statements = sources.flatMap(source => [source.document.Statement ?? []].flat());
    return { policy: { Version: '2012-10-17', Statement: statements }, sources };
  }

  private managedPolicy(policyArn: string, managedPolicies: Map<string, TemplatePolicy>): TemplatePolicy | undefined {
    const own = managedPolicies.get(policyArn);
    if (own) return own;
    if (isAwsManagedPolicyArn(policyArn)) {
      const known = awsManagedPolicy(policyArn);
      if (known) {
        return { kind: 'identity', logicalId: known.name, location: known.source, name: `AWS managed policy ${known.name}`, document: known.document as unknown as TemplatePolicy['document'] };
      }
    }
    return undefined;
  }

  /** `AWS::Lambda::Permission` as the statement Lambda adds to the function's resource policy. */
  private lambdaPermission(id: string, props: Record<string, unknown>): void {
    const functionName = this.resolver.text(props.FunctionName);
    // A qualified ARN (`…:function:name:alias`) is governed by the function's policy.
    const functionArn = functionName.startsWith('arn:') ? functionName.split(':').slice(0, 7).join(':')
      : `arn:${this.resolver.partition}:lambda:${this.resolver.region}:${this.resolver.account}:function:${functionName}`;
    const principal = this.resolver.text(props.Principal);
    const condition: Record<string, Record<string, string>> = {};
    if (props.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': this.resolver.text(props.SourceArn) };
    if (props.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': this.resolver.text(props.SourceAccount) };
    if (props.PrincipalOrgID !== undefined) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': this.resolver.text(props.PrincipalOrgID) };
    const statement = {
      Effect: 'Allow',
      Principal: principal === '*' ? '*' : principal.endsWith('.amazonaws.com') || principal.endsWith('.amazonaws.com.cn') ? { Service: principal } : { AWS: principal },
      Action: this.resolver.text(props.Action),
      Resource: functionArn,
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
    const policy: TemplatePolicy = { kind: 'resource', logicalId: id, location: 'Properties', name: `${id} (Lambda permission)`, document: { Version: '2012-10-17', Statement: [statement] } };
    this.all.push(policy);
    this.targets.push({ policy, arn: functionArn, prefixes: [`${functionArn}:`] });
  }
}

/** The ARN of the queue with this URL (`https://sqs.<region>.<suffix>/<account>/<name>`). */
function queueArnOf(url: string, resolver: TemplateResolver): string {
  if (isUnresolved(url)) return url;
  const [, , host, account, name] = url.split('/');
  const region = host?.split('.')[1] ?? resolver.region;
  return `arn:${resolver.partition}:sqs:${region}:${account}:${name}`;
}
