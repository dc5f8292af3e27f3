import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeProviderOutsideVpc } from './cdk-providers';
import { DataRetentionProps, dataRemovalPolicy } from './data-retention';
import { regionalServiceName } from './service-names';
import { createDataKey } from './secure-bucket';
import { check, checkCount, checkInteger } from './validation';
import { Rehearsal } from '../rehearsal/expectations';

/** Properties of a {@link PrivateNetwork}. */
export interface PrivateNetworkProps extends DataRetentionProps {
  /**
   * How many Availability Zones the subnets span: the stack's first `maxAzs`. Not with
   * `availabilityZones`.
   *
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * The Availability Zones of the subnets, by name (`['eu-west-1a', 'eu-west-1b']`), instead of
   * the stack's first `maxAzs`: at least one, each once, in the stack's Region.
   *
   * Where the names come from: an environment-agnostic stack gets two, chosen at deploy time with
   * `Fn::GetAZs`; a stack with an explicit `env` reads its AZs from the context key
   * `availability-zones:account=<account>:region=<region>`, which the CDK CLI looks up with your
   * credentials on the first `cdk synth` and caches in `cdk.context.json` (commit that file). CDK's
   * `Vpc` reads that key even when the AZs are given here, to check them against it, so to
   * synthesize without credentials (CI, a fresh clone) write the key yourself, in
   * `cdk.context.json` or in the app's context: {@link PrivateNetwork.availabilityZonesContext}
   * builds it.
   *
   * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
   * @default - the first `maxAzs` Availability Zones of the stack
   */
  readonly availabilityZones?: string[];
  /**
   * AWS services reached through interface endpoints (each bills about 0.01 USD per hour per AZ).
   * S3 and DynamoDB are always reached through gateway endpoints, which are free.
   *
   * @default - none
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];
  /**
   * How long VPC flow logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * A VPC with private (isolated) subnets only: no internet gateway and no NAT gateway.
 *
 * Data services in this library (FSx for Lustre, EFS, MSK, DMS, EMR, training jobs) run in
 * private subnets. A NAT gateway would cost about 33 USD a month per AZ even when nothing runs, so
 * the network reaches AWS services through VPC endpoints instead: S3 and DynamoDB through gateway
 * endpoints (free), other services through the interface endpoints a pattern asks for, open only
 * to the security groups that need them. Flow logs of all traffic go to a KMS-encrypted CloudWatch
 * log group, and the VPC's default security group has every rule removed.
 *
 * Cost at idle: nothing for the VPC, subnets and gateway endpoints; 0.01 USD per hour per AZ for
 * each interface endpoint; flow logs bill per GB ingested.
 */
export class PrivateNetwork extends Construct {
  /**
   * The context entry that gives a stack with an explicit `env` its Availability Zones without a
   * lookup (and without credentials): put it in `cdk.context.json`, or in the app's context
   * (`new App({ context: PrivateNetwork.availabilityZonesContext('123456789012', 'eu-west-1', ['eu-west-1a', 'eu-west-1b']) })`).
   * It is the entry the CLI's lookup would write.
   *
   * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
   */
  public static availabilityZonesContext(account: string, region: string, availabilityZones: string[]): Record<string, string[]> {
    return { [`availability-zones:account=${account}:region=${region}`]: availabilityZones };
  }

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The log group of the VPC flow logs. */
  public readonly flowLogGroup: logs.LogGroup;
  private readonly interfaceEndpoints = new Map<string, ec2.InterfaceVpcEndpoint>();
  private readonly endpointClients: ec2.IConnectable[] = [];

  constructor(scope: Construct, id: string, props: PrivateNetworkProps = {}) {
    super(scope, id);
    const availabilityZones = props.availabilityZones;
    const maxAzs = availabilityZones ? undefined : props.maxAzs ?? 2;
    if (availabilityZones) {
      this.validateAvailabilityZones(availabilityZones, props.maxAzs);
    } else {
      checkInteger(this, 'maxAzs', maxAzs!, { min: 1 });
    }
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    const key = createDataKey(this, 'FlowLogKey', `Encrypts the flow logs of ${this.node.path}`, props);
    allowLogsToUse(key);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: dataRemovalPolicy(props),
    });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup) });
    acknowledgeProviderOutsideVpc(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider',
      'removes every rule of the VPC\'s default security group, so that nothing can use it');
    (props.interfaceEndpoints ?? []).forEach(service => this.addInterfaceEndpoint(service));
  }

  /**
   * Lets `client` reach every interface endpoint of the network, present and future, on HTTPS.
   * Endpoints admit nobody else: not even the whole VPC.
   */
  public allowEndpointAccessFrom(client: ec2.IConnectable): void {
    this.endpointClients.push(client);
    this.interfaceEndpoints.forEach(endpoint => this.admit(client, endpoint));
  }

  /**
   * Reaches `service` through an interface endpoint in the private subnets, with private DNS, so
   * that SDK calls from inside the VPC need no internet route. The endpoint admits only the
   * clients named with `allowEndpointAccessFrom`. Adding the same service twice returns the first
   * endpoint.
   */
  public addInterfaceEndpoint(service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    const existing = this.interfaceEndpoints.get(service.name);
    if (existing) {
      return existing;
    }
    const id = service.shortName.split(/[.-]/).map(part => part.charAt(0).toUpperCase() + part.slice(1)).join('');
    const endpoint = this.vpc.addInterfaceEndpoint(`${id}Endpoint`, { service, privateDnsEnabled: true, open: false });
    this.endpointClients.forEach(client => this.admit(client, endpoint));
    this.interfaceEndpoints.set(service.name, endpoint);
    return endpoint;
  }

  /** At least one AZ, each once, each named after the stack's Region (`eu-west-1a`; Local Zones too: `us-west-2-lax-1a`). */
  private validateAvailabilityZones(availabilityZones: string[], maxAzs: number | undefined): void {
    check(maxAzs === undefined, this, 'maxAzs', maxAzs, 'must not be set with `availabilityZones`, which already says how many AZs the subnets span');
    checkCount(this, 'availabilityZones', availabilityZones.length, { min: 1 }, 'Availability Zones');
    check(new Set(availabilityZones).size === availabilityZones.length, this, 'availabilityZones', availabilityZones, 'must name each Availability Zone once');
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      availabilityZones.forEach((zone, index) => check(zone.startsWith(region), this, `availabilityZones[${index}]`, zone,
        `must be an Availability Zone of the stack's Region ${region} (its name starts with the Region's)`));
    }
  }

  /** Lets `client` reach `endpoint` on HTTPS, and declares the flow for the deploy rehearsal. */
  private admit(client: ec2.IConnectable, endpoint: ec2.InterfaceVpcEndpoint): void {
    endpoint.connections.allowDefaultPortFrom(client);
    Rehearsal.of(this).connects({
      description: `a client of the network calls ${endpoint.node.id} over HTTPS`, from: client, to: endpoint, port: ec2.Port.tcp(443),
      source: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
    });
  }
}

/**
 * Lets CloudWatch Logs use `key` for the log groups of this account and region: CloudWatch Logs
 * encrypts a log group with a customer-managed key only if the key policy allows it. (The
 * condition cannot name the log group itself: the log group already refers to the key, and the
 * reference back would be circular.)
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function allowLogsToUse(key: kms.IKey): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(regionalServiceName(key, 'logs'))],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
}

/**
 * Keeps the default "allow all outbound" rule of EC2 off a security group whose outbound rules are
 * all separate `AWS::EC2::SecurityGroupEgress` resources (rules to other security groups).
 *
 * EC2 gives every VPC security group an allow-all egress rule, and CloudFormation removes it only
 * when the group's own `SecurityGroupEgress` property lists a rule. CDK writes rules to other
 * security groups as separate resources and, once one is added, drops the "Disallow all traffic" rule it
 * keeps inline for `allowAllOutbound: false`, so such a group would allow all outbound traffic.
 * This puts that rule (ICMP type 252 code 86 to 255.255.255.255/32, which matches no traffic)
 * back inline. Call it after the group's last egress rule.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
 */
export function keepOutboundClosed(securityGroup: ec2.SecurityGroup): void {
  securityGroup.addEgressRule(ec2.Peer.ipv4('255.255.255.255/32'), ec2.Port.icmpTypeAndCode(252, 86), 'Disallow all traffic');
}
