import { createHash } from 'crypto';

/**
 * The account, Region and partition the rehearsal deploys into, on paper: it resolves a template as
 * if it were deployed there (no AWS call is made).
 */
export interface RehearsalEnvironment {
  /** @default '123456789012' */
  readonly account?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
}

/** A CloudFormation resource as it appears in a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, any>;
}

/** A synthesized CloudFormation template. */
export interface CloudFormationTemplate {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Metadata?: Record<string, any>;
  readonly [key: string]: unknown;
}

/**
 * Written into a resolved value where the rehearsal cannot know what CloudFormation would put
 * (an attribute it does not model, an imported value): checks skip values that contain it.
 */
export const UNRESOLVED = '{unresolved}';

/** The pseudo parameters of CloudFormation that a template may reference. */
const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId', 'AWS::NoValue', 'AWS::NotificationARNs'];

/** Removed from objects and lists where `Ref: AWS::NoValue` stands. */
const NO_VALUE = Symbol('AWS::NoValue');

/** One resource as the rehearsal pictures it once deployed: its ids, physical name and properties. */
interface DeployedResource {
  readonly id: string;
  /** The physical name: the resource's own name property, or one derived from its logical id. */
  readonly name: string;
  /** A short stable hex string derived from the logical id, for generated ids (`sg-…`, `fs-…`). */
  readonly hex: string;
  readonly props: Record<string, any>;
  readonly p: string;
  readonly r: string;
  readonly a: string;
  readonly suffix: string;
}

/** How CloudFormation names and refers to one resource type: `Ref`, `Fn::GetAtt`, and the name property. */
interface TypeModel {
  /** Properties that name the resource (the first one present wins). */
  readonly nameProperty?: string[];
  /** Names are lower case (S3 buckets, RDS identifiers). */
  readonly lowerCaseName?: boolean;
  readonly ref: (x: DeployedResource) => string;
  readonly attributes?: Record<string, (x: DeployedResource) => string>;
}

const arn = (x: DeployedResource, service: string, resource: string, region = x.r, account = x.a): string =>
  `arn:${x.p}:${service}:${region}:${account}:${resource}`;
const uuid = (x: DeployedResource): string => `${x.hex.slice(0, 8)}-${x.hex.slice(8, 12)}-4${x.hex.slice(13, 16)}-8${x.hex.slice(17, 20)}-${x.hex.slice(20, 32)}`;
const named = (ref: (x: DeployedResource) => string, attributes: Record<string, (x: DeployedResource) => string> = {}, nameProperty?: string[]): TypeModel =>
  ({ ref, attributes, nameProperty });

/**
 * The resource types the rehearsal knows, with the `Ref` and `Fn::GetAtt` values their CloudFormation
 * reference pages document (ARN formats from the Service Authorization Reference). Any other type
 * resolves `Ref` to a name derived from its logical id and its attributes to {@link UNRESOLVED}.
 */
const TYPES: Record<string, TypeModel> = {
  'AWS::S3::Bucket': {
    nameProperty: ['BucketName'], lowerCaseName: true, ref: x => x.name,
    attributes: {
      Arn: x => `arn:${x.p}:s3:::${x.name}`,
      DomainName: x => `${x.name}.s3.${x.suffix}`,
      RegionalDomainName: x => `${x.name}.s3.${x.r}.${x.suffix}`,
      WebsiteURL: x => `http://${x.name}.s3-website-${x.r}.${x.suffix}`,
    },
  },
  'AWS::IAM::Role': {
    nameProperty: ['RoleName'], ref: x => x.name,
    attributes: { Arn: x => `arn:${x.p}:iam::${x.a}:role${x.props.Path ?? '/'}${x.name}`, RoleId: x => `AROA${x.hex.slice(0, 17).toUpperCase()}` },
  },
  'AWS::IAM::User': {
    nameProperty: ['UserName'], ref: x => x.name,
    attributes: { Arn: x => `arn:${x.p}:iam::${x.a}:user${x.props.Path ?? '/'}${x.name}` },
  },
  'AWS::IAM::Group': {
    nameProperty: ['GroupName'], ref: x => x.name,
    attributes: { Arn: x => `arn:${x.p}:iam::${x.a}:group${x.props.Path ?? '/'}${x.name}` },
  },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: ['ManagedPolicyName'], ref: x => `arn:${x.p}:iam::${x.a}:policy${x.props.Path ?? '/'}${x.name}`,
    attributes: { PolicyArn: x => `arn:${x.p}:iam::${x.a}:policy${x.props.Path ?? '/'}${x.name}` },
  },
  'AWS::IAM::Policy': named(x => x.name, {}, ['PolicyName']),
  'AWS::IAM::InstanceProfile': {
    nameProperty: ['InstanceProfileName'], ref: x => x.name,
    attributes: { Arn: x => `arn:${x.p}:iam::${x.a}:instance-profile${x.props.Path ?? '/'}${x.name}` },
  },
  'AWS::KMS::Key': named(x => uuid(x), { Arn: x => arn(x, 'kms', `key/${uuid(x)}`), KeyId: x => uuid(x) }),
  'AWS::KMS::Alias': named(x => x.name, {}, ['AliasName']),
  'AWS::Lambda::Function': named(x => x.name, { Arn: x => arn(x, 'lambda', `function:${x.name}`) }, ['FunctionName']),
  'AWS::Lambda::Permission': named(x => x.name),
  'AWS::Logs::LogGroup': named(x => x.name, { Arn: x => arn(x, 'logs', `log-group:${x.name}:*`) }, ['LogGroupName']),
  'AWS::Logs::LogStream': named(x => x.name, {}, ['LogStreamName']),
  'AWS::Kinesis::Stream': named(x => x.name, { Arn: x => arn(x, 'kinesis', `stream/${x.name}`) }, ['Name']),
  'AWS::KinesisFirehose::DeliveryStream': named(x => x.name, { Arn: x => arn(x, 'firehose', `deliverystream/${x.name}`) }, ['DeliveryStreamName']),
  'AWS::KinesisVideo::Stream': named(x => x.name, { Arn: x => arn(x, 'kinesisvideo', `stream/${x.name}/1700000000000`) }, ['Name']),
  'AWS::KinesisAnalyticsV2::Application': named(x => x.name, {}, ['ApplicationName']),
  'AWS::SNS::Topic': named(x => arn(x, 'sns', x.name), { TopicArn: x => arn(x, 'sns', x.name), TopicName: x => x.name }, ['TopicName']),
  'AWS::SQS::Queue': named(x => `https://sqs.${x.r}.${x.suffix}/${x.a}/${x.name}`,
    { Arn: x => arn(x, 'sqs', x.name), QueueName: x => x.name, QueueUrl: x => `https://sqs.${x.r}.${x.suffix}/${x.a}/${x.name}` }, ['QueueName']),
  'AWS::SecretsManager::Secret': named(x => arn(x, 'secretsmanager', `secret:${x.name}-AbCdEf`), { Id: x => arn(x, 'secretsmanager', `secret:${x.name}-AbCdEf`) }, ['Name']),
  'AWS::StepFunctions::StateMachine': named(x => arn(x, 'states', `stateMachine:${x.name}`),
    { Arn: x => arn(x, 'states', `stateMachine:${x.name}`), Name: x => x.name }, ['StateMachineName']),
  'AWS::Events::Rule': named(x => x.name, { Arn: x => arn(x, 'events', `rule/${x.name}`) }, ['Name']),
  'AWS::CloudWatch::Alarm': named(x => x.name, { Arn: x => arn(x, 'cloudwatch', `alarm:${x.name}`) }, ['AlarmName']),
  'AWS::EC2::VPC': named(x => `vpc-${x.hex.slice(0, 17)}`, {
    CidrBlock: x => x.props.CidrBlock ?? '10.0.0.0/16',
    DefaultSecurityGroup: x => `sg-default${x.hex.slice(0, 10)}`,
    VpcId: x => `vpc-${x.hex.slice(0, 17)}`,
  }),
  'AWS::EC2::Subnet': named(x => `subnet-${x.hex.slice(0, 17)}`, { SubnetId: x => `subnet-${x.hex.slice(0, 17)}`, AvailabilityZone: x => `${x.r}a` }),
  'AWS::EC2::SecurityGroup': named(x => `sg-${x.hex.slice(0, 17)}`, { GroupId: x => `sg-${x.hex.slice(0, 17)}`, VpcId: x => String(x.props.VpcId ?? UNRESOLVED) }),
  'AWS::EC2::VPCEndpoint': named(x => `vpce-${x.hex.slice(0, 17)}`, { Id: x => `vpce-${x.hex.slice(0, 17)}` }),
  'AWS::EC2::PrefixList': named(x => `pl-${x.hex.slice(0, 17)}`, { PrefixListId: x => `pl-${x.hex.slice(0, 17)}` }),
  'AWS::EC2::RouteTable': named(x => `rtb-${x.hex.slice(0, 17)}`),
  'AWS::Glue::Database': named(x => String(x.props.DatabaseInput?.Name ?? x.name.toLowerCase())),
  'AWS::Glue::Table': named(x => String(x.props.TableInput?.Name ?? x.name.toLowerCase())),
  'AWS::EFS::FileSystem': named(x => `fs-${x.hex.slice(0, 8)}`, { Arn: x => arn(x, 'elasticfilesystem', `file-system/fs-${x.hex.slice(0, 8)}`), FileSystemId: x => `fs-${x.hex.slice(0, 8)}` }),
  'AWS::EFS::AccessPoint': named(x => `fsap-${x.hex.slice(0, 17)}`, { Arn: x => arn(x, 'elasticfilesystem', `access-point/fsap-${x.hex.slice(0, 17)}`), AccessPointId: x => `fsap-${x.hex.slice(0, 17)}` }),
  'AWS::FSx::FileSystem': named(x => `fs-${x.hex.slice(0, 17)}`, {
    LustreMountName: () => 'abcdefgh', DNSName: x => `fs-${x.hex.slice(0, 17)}.fsx.${x.r}.${x.suffix}`, ResourceARN: x => arn(x, 'fsx', `file-system/fs-${x.hex.slice(0, 17)}`),
  }),
  'AWS::MSK::Cluster': named(x => arn(x, 'kafka', `cluster/${x.name}/${uuid(x)}-2`), { Arn: x => arn(x, 'kafka', `cluster/${x.name}/${uuid(x)}-2`) }, ['ClusterName']),
  'AWS::EMRServerless::Application': named(x => x.hex.slice(0, 16),
    { ApplicationId: x => x.hex.slice(0, 16), Arn: x => arn(x, 'emr-serverless', `/applications/${x.hex.slice(0, 16)}`) }),
  'AWS::RDS::DBCluster': {
    nameProperty: ['DBClusterIdentifier'], lowerCaseName: true, ref: x => x.name,
    attributes: {
      DBClusterArn: x => arn(x, 'rds', `cluster:${x.name}`), 'Endpoint.Address': x => `${x.name}.cluster-abc.${x.r}.rds.${x.suffix}`,
      'Endpoint.Port': x => String(x.props.Port ?? 5432), DBClusterResourceId: x => `cluster-${x.hex.slice(0, 26).toUpperCase()}`,
    },
  },
  'AWS::RDS::DBInstance': { nameProperty: ['DBInstanceIdentifier'], lowerCaseName: true, ref: x => x.name, attributes: { DBInstanceArn: x => arn(x, 'rds', `db:${x.name}`) } },
  'AWS::DMS::ReplicationTask': named(x => arn(x, 'dms', `task:${x.hex.slice(0, 26).toUpperCase()}`)),
  'AWS::DMS::ReplicationInstance': named(x => arn(x, 'dms', `rep:${x.hex.slice(0, 26).toUpperCase()}`)),
  'AWS::DMS::Endpoint': named(x => arn(x, 'dms', `endpoint:${x.hex.slice(0, 26).toUpperCase()}`)),
  'AWS::RedshiftServerless::Namespace': named(x => x.name, {
    'Namespace.NamespaceArn': x => arn(x, 'redshift-serverless', `namespace/${uuid(x)}`), 'Namespace.NamespaceName': x => x.name,
  }, ['NamespaceName']),
  'AWS::RedshiftServerless::Workgroup': named(x => x.name, {
    'Workgroup.WorkgroupArn': x => arn(x, 'redshift-serverless', `workgroup/${uuid(x)}`), 'Workgroup.WorkgroupName': x => x.name,
  }, ['WorkgroupName']),
  'AWS::Athena::WorkGroup': named(x => x.name, {}, ['Name']),
  'AWS::Glue::Job': named(x => x.name, {}, ['Name']),
  'AWS::Glue::Crawler': named(x => x.name, {}, ['Name']),
  'AWS::Glue::Workflow': named(x => x.name, {}, ['Name']),
  'AWS::Glue::SecurityConfiguration': named(x => x.name, {}, ['Name']),
  'AWS::EMR::SecurityConfiguration': named(x => x.name, {}, ['Name']),
};

/** A stable hex string derived from a text (generated ids must not change between runs). */
function hexOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Evaluates the intrinsic functions of a synthesized template to the concrete values a deployment into the {@link RehearsalEnvironment} would give:
 * `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (with the
 * template's conditions), `Fn::FindInMap`, `Fn::GetAZs`, `Fn::ImportValue`, `Fn::Base64` and the
 * pseudo parameters. Each resource gets a physical name (its name property, or one derived from its
 * logical id) and the ARN format of its type, so that a policy's `{ Fn::GetAtt: [Key, Arn] }` and
 * a declaration's `${Key.Arn}` resolve to the same string.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
export class TemplateResolver {
  /** The resources the template creates (those whose condition holds). */
  public readonly resources: Record<string, TemplateResource>;
  public readonly account: string;
  public readonly region: string;
  public readonly partition: string;
  public readonly urlSuffix: string;
  private readonly conditions = new Map<string, boolean>();
  private readonly names = new Map<string, string>();

  constructor(public readonly template: CloudFormationTemplate, public readonly stackName: string, environment: RehearsalEnvironment = {}) {
    this.account = environment.account ?? '123456789012';
    this.region = environment.region ?? 'us-east-1';
    this.partition = environment.partition ?? 'aws';
    this.urlSuffix = environment.urlSuffix ?? 'amazonaws.com';
    this.resources = Object.fromEntries(Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Condition === undefined || this.condition(resource.Condition)));
  }

  /** Resolves every intrinsic function in `value`. */
  public resolve(value: unknown): unknown {
    const resolved = this.evaluate(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves `value` to a string (lists are joined with commas, as CloudFormation does for `Ref` to a list parameter). */
  public text(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    if (Array.isArray(resolved)) return resolved.map(String).join(',');
    return UNRESOLVED;
  }

  /**
   * Resolves `Fn::Sub`-style text, as the rehearsal declarations are written (`${Role.Arn}`,
   * `${AWS::Partition}`, `${ImportValue:Name}`).
   */
  public substitute(text: string): string {
    return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
      if (name.startsWith('ImportValue:')) return `${UNRESOLVED}import:${name.slice('ImportValue:'.length)}`;
      return this.reference(name);
    });
  }

  /** The resource types of the template, by logical id. */
  public typeOf(logicalId: string): string | undefined {
    return this.resources[logicalId]?.Type;
  }

  /** `Ref` of a resource, a parameter or a pseudo parameter. */
  public ref(logicalId: string): unknown {
    switch (logicalId) {
      case 'AWS::AccountId': return this.account;
      case 'AWS::Region': return this.region;
      case 'AWS::Partition': return this.partition;
      case 'AWS::URLSuffix': return this.urlSuffix;
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:${this.partition}:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/${uuid(this.deployed(this.stackName))}`;
      case 'AWS::NotificationARNs': return [];
      case 'AWS::NoValue': return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      return parameter.Default !== undefined ? parameter.Default : `${UNRESOLVED}parameter:${logicalId}`;
    }
    const resource = this.resources[logicalId];
    if (!resource) {
      return `${UNRESOLVED}ref:${logicalId}`;
    }
    if (resource.Type === 'AWS::SecretsManager::SecretTargetAttachment') {
      // Ref of an attachment is the ARN of its secret.
      return this.resolve(resource.Properties?.SecretId);
    }
    const model = TYPES[resource.Type];
    return model ? model.ref(this.deployed(logicalId)) : this.nameOf(logicalId);
  }

  /** `Fn::GetAtt` of a resource. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resources[logicalId];
    const model = resource ? TYPES[resource.Type] : undefined;
    const produce = model?.attributes?.[attribute];
    return produce ? produce(this.deployed(logicalId)) : `${UNRESOLVED}${logicalId}.${attribute}`;
  }

  /** The physical name of a resource: its name property if the template sets one, else derived from its logical id. */
  public nameOf(logicalId: string): string {
    let name = this.names.get(logicalId);
    if (name === undefined) {
      const resource = this.resources[logicalId];
      const model = resource ? TYPES[resource.Type] : undefined;
      const property = model?.nameProperty?.find(key => resource?.Properties?.[key] !== undefined);
      if (property !== undefined) {
        this.names.set(logicalId, `${UNRESOLVED}cycle`);
        name = this.text(resource!.Properties![property]);
      } else {
        const generated = `${this.stackName}-${logicalId}`;
        name = model?.lowerCaseName ? generated.toLowerCase() : generated;
      }
      this.names.set(logicalId, name);
    }
    return name;
  }

  /** Whether a condition of the template holds in the rehearsal's environment. */
  public condition(name: string): boolean {
    let value = this.conditions.get(name);
    if (value === undefined) {
      const definition = this.template.Conditions?.[name];
      if (definition === undefined) {
        throw new Error(`The template has no condition ${name}`);
      }
      value = this.truth(definition);
      this.conditions.set(name, value);
    }
    return value;
  }

  private truth(definition: unknown): boolean {
    const fn = definition as Record<string, any>;
    if (fn.Condition !== undefined) return this.condition(fn.Condition);
    if (fn['Fn::Equals']) {
      const [a, b] = fn['Fn::Equals'] as unknown[];
      return JSON.stringify(this.resolve(a)) === JSON.stringify(this.resolve(b));
    }
    if (fn['Fn::Not']) return !this.truth(fn['Fn::Not'][0]);
    if (fn['Fn::And']) return (fn['Fn::And'] as unknown[]).every(c => this.truth(c));
    if (fn['Fn::Or']) return (fn['Fn::Or'] as unknown[]).some(c => this.truth(c));
    if (fn['Fn::Contains']) {
      const [list, item] = fn['Fn::Contains'] as unknown[];
      const values = this.resolve(list);
      return Array.isArray(values) && values.includes(this.resolve(item));
    }
    throw new Error(`The rehearsal cannot evaluate the condition ${JSON.stringify(definition)}`);
  }

  private deployed(logicalId: string): DeployedResource {
    const resource = this.resources[logicalId];
    return {
      id: logicalId,
      name: resource ? this.nameOf(logicalId) : logicalId,
      hex: hexOf(`${this.stackName}/${logicalId}`),
      props: resource?.Properties ?? {},
      p: this.partition,
      r: this.region,
      a: this.account,
      suffix: this.urlSuffix,
    };
  }

  /** `${Name}` or `${Name.Attr}` of `Fn::Sub`. */
  private reference(name: string): string {
    if (PSEUDO_PARAMETERS.includes(name) || !name.includes('.')) {
      const value = this.ref(name);
      return Array.isArray(value) ? value.join(',') : String(value === NO_VALUE ? '' : value);
    }
    const dot = name.indexOf('.');
    return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
  }

  private evaluate(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map(item => this.evaluate(item)).filter(item => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], object[keys[0]]);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      const resolved = this.evaluate(item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(name: string, args: any): unknown {
    switch (name) {
      case 'Ref': return this.ref(this.text(args));
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof args === 'string' ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)] : args as [string, unknown];
        return this.getAtt(id, this.text(attribute));
      }
      case 'Fn::Join': {
        const [delimiter, parts] = args as [string, unknown];
        const list = this.evaluate(parts);
        return Array.isArray(list) ? list.map(part => this.stringOf(part)).join(delimiter) : UNRESOLVED;
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(args) ? args as [string, Record<string, unknown>] : [args as string, {}];
        const values = Object.fromEntries(Object.entries(variables ?? {}).map(([key, v]) => [key, this.stringOf(this.evaluate(v))]));
        return template.replace(/\$\{([^}]+)\}/g, (_whole, ref: string) => {
          if (ref.startsWith('!')) return `\${${ref.slice(1)}}`;
          return ref in values ? values[ref] : this.reference(ref);
        });
      }
      case 'Fn::Select': {
        const [index, list] = args as [unknown, unknown];
        const values = this.evaluate(list);
        const i = Number(this.evaluate(index));
        return Array.isArray(values) && i < values.length ? values[i] : `${UNRESOLVED}select`;
      }
      case 'Fn::Split': {
        const [delimiter, source] = args as [string, unknown];
        return this.stringOf(this.evaluate(source)).split(delimiter);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = args as [string, unknown, unknown];
        return this.evaluate(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (args as unknown[]).map(a => this.stringOf(this.evaluate(a)));
        const found = this.template.Mappings?.[map]?.[top]?.[second];
        return found === undefined ? `${UNRESOLVED}map:${map}.${top}.${second}` : this.evaluate(found);
      }
      case 'Fn::GetAZs': return ['a', 'b', 'c', 'd', 'e', 'f'].map(zone => `${this.region}${zone}`);
      case 'Fn::ImportValue': return `${UNRESOLVED}import:${this.stringOf(this.evaluate(args))}`;
      case 'Fn::Base64': return Buffer.from(this.stringOf(this.evaluate(args))).toString('base64');
      case 'Fn::Equals': case 'Fn::Not': case 'Fn::And': case 'Fn::Or': case 'Fn::Contains':
        return this.truth({ [name]: args });
      case 'Fn::Length': {
        const list = this.evaluate(args);
        return Array.isArray(list) ? list.length : UNRESOLVED;
      }
      case 'Fn::ToJsonString': return JSON.stringify(this.evaluate(args));
      default: return `${UNRESOLVED}${name}`;
    }
  }

  private stringOf(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) return value.map(v => this.stringOf(v)).join(',');
    return UNRESOLVED;
  }
}

/** Whether a resolved value holds something the rehearsal could not resolve. */
export function isUnresolved(value: unknown): boolean {
  return JSON.stringify(value ?? '').includes(UNRESOLVED);
}
