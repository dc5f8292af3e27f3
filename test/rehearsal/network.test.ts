import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Rehearsal } from '../../lib/rehearsal/expectations';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { bareStack, findingsOf, rehearseStack } from './helpers';

function isolatedVpc(stack: ReturnType<typeof bareStack>): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

describe('port flows', () => {
  const TRAIN_ENCRYPT = 'https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html';

  /** The security group of multi-instance training with inter-container traffic encryption. */
  async function trainingFindings(ipsec: boolean) {
    const stack = bareStack();
    const group = new ec2.SecurityGroup(stack, 'Training', { vpc: isolatedVpc(stack), allowAllOutbound: false });
    group.connections.allowInternally(ec2.Port.allTcp(), 'instances of one job');
    if (ipsec) {
      group.connections.allowInternally(ec2.Port.udp(500), 'IKE');
      group.connections.allowInternally(ec2.Port.esp(), 'ESP');
    }
    Rehearsal.of(stack).connects(
      { description: 'instances exchange training traffic', from: group, to: group, port: ec2.Port.allTcp(), source: TRAIN_ENCRYPT },
      { description: 'IPsec key exchange between instances', from: group, to: group, port: ec2.Port.udp(500), source: TRAIN_ENCRYPT },
      { description: 'encrypted traffic between instances', from: group, to: group, port: ec2.Port.esp(), source: TRAIN_ENCRYPT },
    );
    const result = await rehearseStack(stack);
    expect(result.counts.portFlows).toBe(3);
    return findingsOf(result, REHEARSAL_RULES.PORT);
  }

  test('(3) a multi-instance training group without UDP 500 and ESP fails both flows; with them it passes', async () => {
    // Its egress passes: CDK writes the self rules as separate resources and no SecurityGroupEgress,
    // so EC2 keeps the group's default allow-all egress rule.
    const findings = await trainingFindings(false);
    expect(findings.map(f => f.description)).toEqual([
      expect.stringMatching(/^IPsec key exchange between instances: UDP 500 from sg-\w+ to sg-\w+: no ingress rule of Training\w+ allows it from sg-\w+ \[declared from https:\/\/docs\.aws\.amazon\.com\/sagemaker\/latest\/dg\/train-encrypt\.html\]$/),
      expect.stringMatching(/^encrypted traffic between instances: ESP \(protocol 50\) from .+: no ingress rule/),
    ]);
    expect(findings[0].resourceLogicalId).toMatch(/^Training/);
    expect(await trainingFindings(true)).toEqual([]);
  });

  /** The EMR-managed groups of a cluster in a private subnet, with egress only on 443 or with the egress EMR documents. */
  async function emrFindings(egress: 'https only' | 'documented') {
    const stack = bareStack();
    const vpc = isolatedVpc(stack);
    const allowAllOutbound = egress === 'documented';
    const primary = new ec2.SecurityGroup(stack, 'Primary', { vpc, allowAllOutbound });
    const core = new ec2.SecurityGroup(stack, 'Core', { vpc, allowAllOutbound });
    const serviceAccess = new ec2.SecurityGroup(stack, 'ServiceAccess', { vpc, allowAllOutbound: false });
    for (const group of [primary, core]) {
      for (const other of [primary, core]) group.addIngressRule(other, ec2.Port.allTraffic(), 'cluster nodes');
      if (!allowAllOutbound) group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS endpoints');
    }
    primary.addIngressRule(serviceAccess, ec2.Port.tcp(8443), 'service access');
    core.addIngressRule(serviceAccess, ec2.Port.tcp(8443), 'service access');
    serviceAccess.addIngressRule(primary, ec2.Port.tcp(9443), 'primary node to service access');
    if (egress === 'documented') {
      serviceAccess.addEgressRule(primary, ec2.Port.tcp(8443), 'to the primary node');
      serviceAccess.addEgressRule(core, ec2.Port.tcp(8443), 'to the core nodes');
    }
    const source = 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-man-sec-groups.html';
    Rehearsal.of(stack).connects(
      { description: 'core nodes reach the primary node', from: core, to: primary, port: ec2.Port.allTcp(), source },
      { description: 'the primary node reaches the core nodes', from: primary, to: core, port: ec2.Port.allTcp(), source },
      { description: 'the primary node reaches service access', from: primary, to: serviceAccess, port: ec2.Port.tcp(9443), source },
      { description: 'service access reaches the primary node', from: serviceAccess, to: primary, port: ec2.Port.tcp(8443), source },
      { description: 'nodes reach S3 through the gateway endpoint', from: core, to: ec2.Peer.prefixList('pl-63a5400a'), port: ec2.Port.tcp(443), source },
    );
    return findingsOf(await rehearseStack(stack), REHEARSAL_RULES.PORT).map(f => f.description);
  }

  test('(10) EMR groups with egress only on 443 cannot reach each other nor service access; the documented egress passes', async () => {
    expect(await emrFindings('https only')).toEqual([
      expect.stringMatching(/^core nodes reach the primary node: TCP 0-65535 .+: no egress rule of Core\w+ allows it to sg-\w+ \[/),
      expect.stringMatching(/^the primary node reaches the core nodes: .+: no egress rule of Primary\w+ allows it/),
      expect.stringMatching(/^the primary node reaches service access: TCP 9443 .+: no egress rule of Primary\w+ allows it/),
      expect.stringMatching(/^service access reaches the primary node: TCP 8443 .+: no egress rule of ServiceAccess\w+ allows it/),
    ]);
    expect(await emrFindings('documented')).toEqual([]);
  });

  test('a group without SecurityGroupEgress keeps EC2\'s allow-all egress; a CIDR rule must contain the sender\'s VPC', async () => {
    const stack = bareStack();
    const vpc = isolatedVpc(stack);
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc });
    const server = new ec2.SecurityGroup(stack, 'Server', { vpc, allowAllOutbound: false });
    server.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432), 'the VPC');
    server.addIngressRule(ec2.Peer.ipv4('192.168.0.0/16'), ec2.Port.tcp(6379), 'another network');
    Rehearsal.of(stack).connects(
      { description: 'clients reach the database', from: client, to: server, port: ec2.Port.tcp(5432), source: 'https://x' },
      { description: 'clients reach the cache', from: client, to: server, port: ec2.Port.tcp(6379), source: 'https://y' },
      { description: 'the server answers nobody', from: server, to: client, port: ec2.Port.tcp(80), source: 'https://z' },
    );
    expect(findingsOf(await rehearseStack(stack), REHEARSAL_RULES.PORT).map(f => f.description)).toEqual([
      expect.stringMatching(/^clients reach the cache: TCP 6379 .+: no ingress rule of Server\w+ allows it from sg-\w+ \[declared from https:\/\/y\]$/),
      expect.stringMatching(/^the server answers nobody: TCP 80 .+: no egress rule of Server\w+ allows it/),
    ]);
  });
});
