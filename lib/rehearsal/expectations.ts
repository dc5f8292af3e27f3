import { CfnElement, CfnResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The template-level `Metadata` key under which a stack records what its constructs expect of AWS
 * at deploy and run time. The deploy rehearsal reads it from the synthesized template.
 */
export const REHEARSAL_METADATA_KEY = 'MlDataEngineering::Rehearsal';

/** The version of the recorded format; the rehearsal rejects a format it does not know. */
export const REHEARSAL_FORMAT_VERSION = 1;

/**
 * A call that AWS makes at run time on a construct's behalf, for example Firehose's role calling
 * `kms:GenerateDataKey` on the lake's key through S3, or Glue assuming a crawler's role.
 */
export interface RuntimeCall {
  /** What the call is for, in a few words ("Firehose writes delivered records"). */
  readonly description: string;
  /**
   * Who makes the call: a role or user of the app, a service principal (`sts:AssumeRole` by a
   * service), an `ArnPrincipal` (a principal outside the app) or an `AccountPrincipal`.
   */
  readonly principal: iam.IPrincipal;
  /** The action, as IAM names it (`s3:PutObject`). */
  readonly action: string;
  /** The ARN of the resource the call acts on (`*` for actions that take no resource). */
  readonly resource: string;
  /**
   * Request context keys AWS sets on the call, for example `{ 'kms:ViaService': 's3.<region>.<suffix>' }`
   * or `{ 'aws:SecureTransport': 'false' }` for a call that must be denied.
   *
   * @default - no context beyond what the rehearsal derives (principal, account, TLS on)
   */
  readonly context?: Record<string, string | string[]>;
  /** The AWS documentation page that says the call happens (or must be refused). */
  readonly source: string;
}

/** A network flow that a security group graph must admit, egress of `from` and ingress of `to`. */
export interface PortFlow {
  /** What the flow is for ("training jobs mount the file system"). */
  readonly description: string;
  /**
   * The sender: anything with security groups (a security group itself, an instance, a cluster),
   * or a peer outside the app's security groups (`Peer.ipv4(cidr)`, `Peer.prefixList(id)`), whose
   * egress is then not checked.
   */
  readonly from: ec2.IConnectable | ec2.IPeer;
  /** The receiver, likewise (an S3 gateway endpoint is `Peer.prefixList(<its prefix list>)`). */
  readonly to: ec2.IConnectable | ec2.IPeer;
  /** The protocol and port(s), as `ec2.Port` (`Port.tcp(988)`, `Port.udp(500)`, `new Port({ protocol: Protocol.ESP, ... })`). */
  readonly port: ec2.Port;
  /** The AWS documentation page that names the port. */
  readonly source: string;
}

/** Two resources that CloudFormation must create in this order. */
export interface CreationOrder {
  /** Why the order matters ("FSx checks the security group's rules when it creates the file system"). */
  readonly description: string;
  /** What must exist first: a CloudFormation resource, or an L2 whose default child is one. */
  readonly first: IConstruct;
  /** What must be created after it. */
  readonly then: IConstruct;
  /** The AWS documentation page (or the issue) that says so. */
  readonly source: string;
}

/**
 * What a construct expects of AWS once deployed, recorded in the stack's template so that the deploy
 * rehearsal can check it at synth time, on this app or on any other.
 *
 * Constructs declare, next to the resources they create:
 * - `allows`: run-time calls that must succeed (a role reading a key through S3, a service assuming a
 *   role), evaluated against every identity, resource, key and trust policy of the template;
 * - `denies`: calls that must fail (another account, a request without TLS, a principal with no grant);
 * - `connects`: port flows the security groups must admit, egress included;
 * - `createsBefore`: creation orders the template's dependencies must guarantee.
 *
 * Each declaration names the AWS page that says the call, port or order happens. References
 * (role ARNs, security group ids, logical ids) are written as `${LogicalId}` / `${LogicalId.Attr}`
 * text, in `Fn::Sub` syntax but as plain strings: template-level `Metadata` is not processed by
 * CloudFormation, and plain text creates no dependency between resources.
 */
export class Rehearsal {
  /** The expectations of the stack that contains `scope`. */
  public static of(scope: IConstruct): Rehearsal {
    const stack = Stack.of(scope);
    let rehearsal = Rehearsal.byStack.get(stack);
    if (!rehearsal) {
      rehearsal = new Rehearsal(stack);
      Rehearsal.byStack.set(stack, rehearsal);
    }
    return rehearsal;
  }

  private static readonly byStack = new WeakMap<Stack, Rehearsal>();

  private readonly allowed: RuntimeCall[] = [];
  private readonly denied: RuntimeCall[] = [];
  private readonly portFlows: PortFlow[] = [];
  private readonly orders: CreationOrder[] = [];

  private constructor(private readonly stack: Stack) {
    stack.addMetadata(REHEARSAL_METADATA_KEY, Lazy.any({ produce: () => this.render() }));
  }

  /** Declares calls that AWS makes at run time and that the template's policies must allow. */
  public allows(...calls: RuntimeCall[]): void {
    this.allowed.push(...calls);
  }

  /** Declares calls that the template's policies must refuse. */
  public denies(...calls: RuntimeCall[]): void {
    this.denied.push(...calls);
  }

  /** Declares port flows that the security groups must admit. */
  public connects(...flows: PortFlow[]): void {
    this.portFlows.push(...flows);
  }

  /** Declares that `order.first` must be created before `order.then`. */
  public createsBefore(...orders: CreationOrder[]): void {
    this.orders.push(...orders);
  }

  private render(): RecordedExpectations {
    return {
      version: REHEARSAL_FORMAT_VERSION,
      allows: this.allowed.map(call => this.renderCall(call)),
      denies: this.denied.map(call => this.renderCall(call)),
      connects: this.portFlows.map(flow => this.renderPortFlow(flow)),
      createsBefore: this.orders.map(order => ({
        description: order.description,
        first: logicalIdOf(order.first),
        then: logicalIdOf(order.then),
        source: order.source,
      })),
    };
  }

  private renderCall(call: RuntimeCall): RecordedCall {
    return {
      description: call.description,
      principal: this.text(principalText(call.principal)),
      action: call.action,
      resource: this.text(call.resource),
      context: call.context === undefined ? undefined : Object.fromEntries(Object.entries(call.context)
        .map(([key, value]) => [key, Array.isArray(value) ? value.map(v => this.text(v)) : this.text(value)])),
      source: call.source,
    };
  }

  /**
   * One recorded flow with the security groups (or CIDR, or prefix list) of each side: a flow is
   * admitted when one security group of the sender allows it out and one of the receiver lets it in.
   */
  private renderPortFlow(flow: PortFlow): RecordedPortFlow {
    const port = this.stack.resolve(flow.port.toRuleJson());
    return {
      description: flow.description,
      from: this.endpoint(flow.from, 'from'),
      to: this.endpoint(flow.to, 'to'),
      protocol: String(port.ipProtocol),
      fromPort: port.fromPort,
      toPort: port.toPort,
      source: flow.source,
    };
  }

  private endpoint(side: ec2.IConnectable | ec2.IPeer, role: 'from' | 'to'): string[] {
    if ('connections' in side && side.connections.securityGroups.length > 0) {
      return side.connections.securityGroups.map(group => this.text(group.securityGroupId));
    }
    const peer = side as ec2.IPeer;
    const rule = this.stack.resolve(role === 'from' ? peer.toIngressRuleConfig() : peer.toEgressRuleConfig()) as Record<string, unknown>;
    const value = rule.cidrIp ?? rule.cidrIpv6 ?? rule.sourcePrefixListId ?? rule.destinationPrefixListId ?? rule.sourceSecurityGroupId ?? rule.destinationSecurityGroupId;
    if (value === undefined) {
      throw new Error(`The rehearsal cannot record the port flow peer ${peer.uniqueId}: use security groups, a CIDR or a prefix list`);
    }
    return [referenceText(value)];
  }

  /** A token-bearing string as `${LogicalId}` text (see the class doc). */
  private text(value: string): string {
    return Token.isUnresolved(value) ? referenceText(this.stack.resolve(value)) : value;
  }
}

/** The recorded form of the expectations of one stack (the template's `Metadata`). */
export interface RecordedExpectations {
  readonly version: number;
  readonly allows: RecordedCall[];
  readonly denies: RecordedCall[];
  readonly connects: RecordedPortFlow[];
  readonly createsBefore: RecordedCreationOrder[];
}

/** A {@link RuntimeCall} with its references as `${LogicalId}` text. */
export interface RecordedCall {
  readonly description: string;
  /** A principal ARN, `${Role.Arn}`, or `service:<service principal>`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly source: string;
}

/** A {@link PortFlow}: each side as its security groups (`${SecurityGroup.GroupId}` text), a CIDR or a prefix list id. */
export interface RecordedPortFlow {
  readonly description: string;
  readonly from: string[];
  readonly to: string[];
  /** `tcp`, `udp`, `icmp`, `-1` (all), or an IP protocol number such as `50` (ESP). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly source: string;
}

/** A {@link CreationOrder} between two logical ids. */
export interface RecordedCreationOrder {
  readonly description: string;
  readonly first: string;
  readonly then: string;
  readonly source: string;
}

/** How a principal is recorded: its ARN (a token for roles and users of the app) or `service:<name>`. */
function principalText(principal: iam.IPrincipal): string {
  if (principal instanceof iam.ServicePrincipal) {
    return `service:${principal.service}`;
  }
  const p = principal as unknown as Partial<Record<'roleArn' | 'userArn' | 'arn', string>>;
  const arn = p.roleArn ?? p.userArn ?? p.arn;
  if (arn !== undefined) {
    return arn;
  }
  if (principal instanceof iam.AccountPrincipal) {
    return `arn:\${AWS::Partition}:iam::${principal.accountId}:root`;
  }
  throw new Error(`The rehearsal cannot record the principal ${principal.toString()}: use a role, a user, a ServicePrincipal, an ArnPrincipal or an AccountPrincipal`);
}

function logicalIdOf(construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`The rehearsal records creation orders between CloudFormation resources; ${construct.node.path} is not one and has no default child that is`);
  }
  return referenceText(Stack.of(resource).resolve(resource.logicalId));
}

/**
 * Writes a resolved CloudFormation value as `Fn::Sub`-style text: `Ref` as `${Id}`, `Fn::GetAtt` as
 * `${Id.Attr}`, `Fn::Join` and `Fn::Sub` flattened.
 */
export function referenceText(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const fn = (value ?? {}) as Record<string, unknown>;
  if (typeof fn.Ref === 'string') {
    return `\${${fn.Ref}}`;
  }
  if (Array.isArray(fn['Fn::GetAtt'])) {
    const [id, attribute] = fn['Fn::GetAtt'] as [string, string];
    return `\${${id}.${attribute}}`;
  }
  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, parts] = fn['Fn::Join'] as [string, unknown[]];
    return parts.map(referenceText).join(delimiter);
  }
  if (fn['Fn::Sub'] !== undefined) {
    const [template, variables] = Array.isArray(fn['Fn::Sub']) ? fn['Fn::Sub'] as [string, Record<string, unknown>] : [fn['Fn::Sub'] as string, {}];
    return template.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => name in variables ? referenceText(variables[name]) : whole);
  }
  if (fn['Fn::ImportValue'] !== undefined) {
    return `\${ImportValue:${referenceText(fn['Fn::ImportValue'])}}`;
  }
  throw new Error(`The rehearsal cannot record ${JSON.stringify(value)}: declare references as ARNs, ids or names built from Ref, Fn::GetAtt, Fn::Join or Fn::Sub`);
}
