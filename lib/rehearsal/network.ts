import type { RecordedPortFlow } from './expectations';
import { TemplateResolver, isUnresolved } from './template-resolver';

/** One rule of a security group, resolved: its protocol, ports and peer. */
interface Rule {
  readonly protocol: number;
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: { readonly group?: string; readonly cidr?: string; readonly prefixList?: string };
}

interface Group {
  readonly logicalId: string;
  readonly vpcCidr?: string;
  readonly ingress: Rule[];
  readonly egress: Rule[];
}

/** The outcome of one declared port flow. */
export interface PortFlowOutcome {
  readonly flow: RecordedPortFlow;
  readonly ok: boolean | undefined;
  readonly message: string;
  /** The security group the finding is reported on (the side that lacks a rule). */
  readonly logicalId?: string;
}

const PROTOCOLS: Record<string, number> = { '-1': -1, 'all': -1, 'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'esp': 50, 'ah': 51 };
const NAMES: Record<number, string> = { [-1]: 'all traffic', 6: 'TCP', 17: 'UDP', 1: 'ICMP', 58: 'ICMPv6', 50: 'ESP (protocol 50)', 51: 'AH (protocol 51)' };

function protocolNumber(protocol: unknown): number {
  const text = String(protocol).toLowerCase();
  return text in PROTOCOLS ? PROTOCOLS[text] : Number(text);
}

/**
 * The security-group graph of a template: `AWS::EC2::SecurityGroup` with its inline rules (and
 * the allow-all egress rule EC2 adds when the group declares no `SecurityGroupEgress`), and the
 * standalone `AWS::EC2::SecurityGroupIngress` / `AWS::EC2::SecurityGroupEgress` rules.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
export class SecurityGroupGraph {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly resolver: TemplateResolver) {
    for (const [id, resource] of Object.entries(resolver.resources)) {
      if (resource.Type !== 'AWS::EC2::SecurityGroup') continue;
      const props = resource.Properties ?? {};
      const vpcId = props.VpcId === undefined ? undefined : resolver.text(props.VpcId);
      const vpc = Object.entries(resolver.resources).find(([vpcLogicalId, candidate]) => candidate.Type === 'AWS::EC2::VPC' && resolver.text({ Ref: vpcLogicalId }) === vpcId);
      const group: Group = {
        logicalId: id,
        vpcCidr: vpc ? resolver.text(vpc[1].Properties?.CidrBlock) : undefined,
        ingress: (props.SecurityGroupIngress ?? []).map((rule: Record<string, unknown>) => this.rule(rule, 'Source')),
        // Without `SecurityGroupEgress`, EC2 keeps its default rule: all traffic to anywhere.
        egress: props.SecurityGroupEgress === undefined
          ? [{ protocol: -1, fromPort: -1, toPort: -1, peer: { cidr: '0.0.0.0/0' } }]
          : (props.SecurityGroupEgress as Array<Record<string, unknown>>).map(rule => this.rule(rule, 'Destination')),
      };
      this.groups.set(resolver.getAtt(id, 'GroupId'), group);
    }
    for (const resource of Object.values(resolver.resources)) {
      const direction = resource.Type === 'AWS::EC2::SecurityGroupIngress' ? 'ingress' : resource.Type === 'AWS::EC2::SecurityGroupEgress' ? 'egress' : undefined;
      if (!direction) continue;
      const props = resource.Properties ?? {};
      const group = this.groups.get(resolver.text(props.GroupId));
      group?.[direction].push(this.rule(props, direction === 'ingress' ? 'Source' : 'Destination'));
    }
  }

  /** The logical id of the security group with this id, if the template creates it. */
  public logicalIdOf(groupId: string): string | undefined {
    return this.groups.get(groupId)?.logicalId;
  }

  /**
   * Whether the graph admits a flow: one security group of the sender allows it out to the
   * receiver, and one security group of the receiver lets it in from the sender. A side that is a
   * CIDR or a prefix list (or a group outside the template) is not checked.
   */
  public check(flow: RecordedPortFlow): PortFlowOutcome {
    const from = flow.from.map(text => this.resolver.substitute(text));
    const to = flow.to.map(text => this.resolver.substitute(text));
    const protocol = protocolNumber(flow.protocol);
    const ports = { protocol, fromPort: flow.fromPort ?? -1, toPort: flow.toPort ?? -1 };
    const what = `${flow.description}: ${describe(ports)} from ${from.join('+')} to ${to.join('+')}`;
    if ([...from, ...to].some(isUnresolved)) {
      return { flow, ok: undefined, message: `${what}: not modelled, the rehearsal cannot resolve a side` };
    }
    const senders = from.map(id => this.groups.get(id)).filter((g): g is Group => g !== undefined);
    const receivers = to.map(id => this.groups.get(id)).filter((g): g is Group => g !== undefined);
    if (senders.length === 0 && receivers.length === 0) {
      return { flow, ok: undefined, message: `${what}: not modelled, neither side is a security group of the template` };
    }
    const problems: string[] = [];
    let logicalId: string | undefined;
    if (senders.length > 0 && !senders.some(group => group.egress.some(rule => covers(rule, ports) && this.peerMatches(rule, to, receivers)))) {
      problems.push(`no egress rule of ${senders.map(g => g.logicalId).join(' or ')} allows it to ${to.join('+')}`);
      logicalId = senders[0].logicalId;
    }
    if (receivers.length > 0 && !receivers.some(group => group.ingress.some(rule => covers(rule, ports) && this.peerMatches(rule, from, senders)))) {
      problems.push(`no ingress rule of ${receivers.map(g => g.logicalId).join(' or ')} allows it from ${from.join('+')}`);
      logicalId = logicalId ?? receivers[0].logicalId;
    }
    if (problems.length > 0) {
      return { flow, ok: false, logicalId, message: `${what}: ${problems.join('; ')} [declared from ${flow.source}]` };
    }
    return { flow, ok: true, message: `${what}: admitted` };
  }

  /** Whether a rule's peer is the other side: one of its security groups, a CIDR that contains its VPC, or its prefix list. */
  private peerMatches(rule: Rule, side: string[], groups: Group[]): boolean {
    if (rule.peer.group !== undefined) return side.includes(rule.peer.group);
    if (rule.peer.prefixList !== undefined) return side.includes(rule.peer.prefixList);
    if (rule.peer.cidr !== undefined) {
      const cidr = rule.peer.cidr;
      if (cidr === '0.0.0.0/0') return true;
      const addresses = [...side.filter(text => text.includes('/')), ...groups.map(g => g.vpcCidr ?? '0.0.0.0/0')];
      return addresses.length > 0 && addresses.every(address => cidrContains(cidr, address));
    }
    return false;
  }

  private rule(props: Record<string, unknown>, peer: 'Source' | 'Destination'): Rule {
    const text = (value: unknown): string | undefined => (value === undefined ? undefined : this.resolver.text(value));
    const protocol = protocolNumber(text(props.IpProtocol));
    const ranged = protocol === 6 || protocol === 17 || protocol === 1 || protocol === 58;
    return {
      protocol,
      fromPort: ranged ? Number(text(props.FromPort) ?? -1) : -1,
      toPort: ranged ? Number(text(props.ToPort) ?? -1) : -1,
      peer: {
        group: text(props[`${peer}SecurityGroupId`]),
        cidr: text(props.CidrIp) ?? text(props.CidrIpv6),
        prefixList: text(props[`${peer}PrefixListId`]),
      },
    };
  }
}

/** Whether a rule covers the protocol and every port of a flow. */
function covers(rule: Rule, flow: { protocol: number; fromPort: number; toPort: number }): boolean {
  if (rule.protocol === -1) return true;
  if (rule.protocol !== flow.protocol) return false;
  if (flow.protocol === 6 || flow.protocol === 17) {
    const all = rule.fromPort <= 0 && rule.toPort === 65535;
    return flow.fromPort === -1 ? all : all || (rule.fromPort <= flow.fromPort && flow.toPort <= rule.toPort);
  }
  if (flow.protocol === 1 || flow.protocol === 58) {
    // ICMP: FromPort is the type, ToPort the code; -1 is any.
    return (rule.fromPort === -1 || rule.fromPort === flow.fromPort) && (rule.toPort === -1 || rule.toPort === flow.toPort);
  }
  return true;
}

function describe(flow: { protocol: number; fromPort: number; toPort: number }): string {
  const name = NAMES[flow.protocol] ?? `protocol ${flow.protocol}`;
  if (flow.protocol !== 6 && flow.protocol !== 17) return name;
  return flow.fromPort === flow.toPort ? `${name} ${flow.fromPort}` : `${name} ${flow.fromPort}-${flow.toPort}`;
}

/** Whether IPv4 CIDR `outer` contains `inner` (an IPv6 CIDR only contains itself, or ::/0 everything). */
function cidrContains(outer: string, inner: string): boolean {
  if (outer === '::/0') return inner.includes(':');
  if (outer.includes(':') || inner.includes(':')) return outer === inner;
  const [outerAddress, outerBits] = parse(outer);
  const [innerAddress, innerBits] = parse(inner);
  if (innerBits < outerBits) return false;
  const mask = outerBits === 0 ? 0 : (~0 << (32 - outerBits)) >>> 0;
  return ((outerAddress & mask) >>> 0) === ((innerAddress & mask) >>> 0);
}

function parse(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/');
  const value = address.split('.').reduce((sum, octet) => ((sum << 8) >>> 0) + Number(octet), 0) >>> 0;
  return [value, bits === undefined ? 32 : Number(bits)];
}
