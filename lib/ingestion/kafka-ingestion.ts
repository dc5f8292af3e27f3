import { Duration, Fn, Names, Size, SizeRoundingBehavior, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger } from '../core/validation';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { OTHER_ACCOUNT, principalWithoutGrant } from '../rehearsal/common-calls';
import { assumedBy } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { removeUnusedFirehoseCidrMapping } from './firehose-cidr-mapping';
import { FirehoseIngestion } from './firehose-ingestion';
import { LakeDeliveryOptions, ResolvedLakeDelivery, resolveLakeDelivery } from './lake-delivery';
import { LakeS3Destination, lakeTarget } from './lake-s3-destination';

/** The port of the brokers for IAM-authenticated clients over TLS inside the VPC. */
const MSK_IAM_TLS_PORT = 9098;

/**
 * The ports of MSK multi-VPC private connectivity for IAM-authenticated clients: one port per
 * broker, from 14001 (SASL/SCRAM and TLS use the next ranges). A client of another VPC, or Firehose
 * reading a private cluster, reaches the brokers on these ports, not on 9098.
 *
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html
 */
const MSK_MULTI_VPC_IAM_PORTS = { from: 14001, to: 14100 } as const;

/**
 * Which deployment of a {@link KafkaIngestion} this is.
 *
 * Firehose reaches a private MSK cluster only through MSK multi-VPC private connectivity, and MSK
 * refuses to create a cluster with it turned on ("When creating a cluster, all vpcConnectivity
 * auth schemes must be disabled"): it can only be turned on on an ACTIVE cluster. A new cluster
 * therefore takes two deployments of the same stack: `CLUSTER` first, then `DELIVERY`.
 *
 * @see https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1775
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-turn-on.html
 */
export enum KafkaDeploymentStage {
  /** The first deployment: the cluster, its topic, key and logs, and no Firehose stream yet. */
  CLUSTER = 'CLUSTER',
  /**
   * Every later deployment: turns on multi-VPC private connectivity for IAM on the cluster (a
   * rolling restart of the brokers, 30 minutes or more), then adds the cluster policy and the
   * Firehose stream into the lake.
   */
  DELIVERY = 'DELIVERY',
}

/** Properties of a {@link KafkaIngestion}. */
export interface KafkaIngestionProps extends LakeDeliveryOptions {
  /** Which deployment this is: see {@link KafkaDeploymentStage}. */
  readonly stage: KafkaDeploymentStage;
  /** The VPC of the brokers (use a `PrivateNetwork`: private subnets, no NAT). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the brokers: two or three, each in its own Availability Zone.
   *
   * @default - the private (isolated) subnets of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The broker instance type. `kafka.t3.small` is refused: MSK multi-VPC private connectivity,
   * which Firehose needs to read a private cluster, does not support it. Express brokers
   * (`express.m7g.*`) need three subnets in three AZs and Kafka 3.6 or later, and have no
   * `brokerStorage` (MSK manages their storage).
   *
   * @default 'kafka.m7g.large' (the smallest Graviton broker that supports multi-VPC connectivity)
   */
  readonly brokerInstanceType?: string;
  /**
   * The number of brokers: a multiple of the number of Availability Zones of the subnets (MSK
   * spreads the brokers evenly over them).
   *
   * @default - one broker per Availability Zone
   */
  readonly brokerCount?: number;
  /**
   * The EBS storage of each broker, in whole GiB: 1 to 16,384 (Standard brokers only).
   *
   * @default - Size.gibibytes(10) for Standard brokers; none for Express brokers
   */
  readonly brokerStorage?: Size;
  /**
   * The Apache Kafka version: 2.7.1 or later (multi-VPC private connectivity needs it).
   *
   * @default '3.6.0'
   */
  readonly kafkaVersion?: string;
  /**
   * The topic Firehose reads; the construct creates it (`AWS::MSK::Topic`): 1 to 249 letters,
   * digits, `.`, `_` or `-`, not only periods.
   *
   * @default 'events'
   */
  readonly topicName?: string;
  /**
   * The number of partitions of the topic (Firehose reads them in parallel).
   *
   * @default 2
   */
  readonly partitions?: number;
  /**
   * The replication factor of the topic: at most the number of brokers.
   *
   * @default - the number of brokers, at most 3
   */
  readonly replicationFactor?: number;
  /**
   * The key that encrypts the broker volumes, the broker logs and the delivery error logs.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the broker logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly brokerLogRetention?: logs.RetentionDays;
}

/**
 * Amazon MSK (Apache Kafka) → Amazon Data Firehose → the data lake (notes part two, section h).
 *
 * **Apache Kafka** keeps records in partitioned, replicated topics on brokers, for any number of
 * consumer groups to read and replay; **Amazon MSK** runs the brokers (and the metadata quorum) for
 * you in your VPC. Firehose can read a topic of an MSK cluster itself (`MSKAsSource`) and deliver it
 * into the lake, with the buffering, prefixes, error output and alarms of every Firehose delivery
 * of this library (see {@link LakeS3Destination}), without a Kafka Connect cluster.
 *
 * Choices and why:
 * - **security**: clients authenticate with IAM only (no unauthenticated access, no SCRAM secrets
 *   to rotate); TLS between clients and brokers and between brokers; broker volumes encrypted with
 *   a customer-managed key; broker logs in a KMS-encrypted CloudWatch log group; brokers in private
 *   subnets, behind a security group that admits only the clients named with `allowClientsFrom`
 *   (port 9098) and, in the `DELIVERY` stage, the multi-VPC connectivity ports 14001–14100 from
 *   the VPC's addresses, where MSK's PrivateLink load balancer forwards Firehose to the brokers;
 * - **Firehose reads the private brokers through MSK multi-VPC private connectivity** (PrivateLink,
 *   for IAM), with a cluster policy that lets only the Firehose service create the VPC connection.
 *   MSK cannot turn it on while it creates a cluster, hence the two deployment stages
 *   ({@link KafkaDeploymentStage}); and it does not support `kafka.t3.small` brokers, hence the
 *   default `kafka.m7g.large`;
 * - **provisioned, not Serverless**, because it is cheaper at idle (below). MSK Serverless is also
 *   a valid Firehose source and needs no broker sizing; it pays off with spiky traffic;
 * - the Firehose role may read only its topic: connect to and describe the cluster, describe and
 *   read the topic, describe its consumer groups;
 * - the topic is created by CloudFormation (`AWS::MSK::Topic`), replicated over the brokers.
 *
 * **Cost at idle** (us-east-1 list prices, see the pricing page): provisioned brokers bill per
 * broker-hour whether or not data flows: two `kafka.m7g.large` brokers at 0.204 USD per hour each
 * are about 0.41 USD per hour (about 298 USD a month), plus 0.10 USD per GB-month of broker storage
 * (2 USD a month for 2 × 10 GiB) and the multi-VPC connectivity of the Firehose connection (billed
 * per hour per connection and per GB). MSK Serverless bills 0.75 USD per cluster-hour plus 0.0015
 * USD per partition-hour (about 550 USD a month before any data), so the smallest provisioned
 * cluster Firehose can read is the cheaper idle cluster. `kafka.t3.small` (about 0.0456 USD per
 * broker-hour) would be far cheaper but cannot be a private Firehose source. Firehose bills per GB
 * read; the key 1 USD a month; each alarm 0.10 USD a month. Destroy the demo when you are done.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/writing-with-msk.html
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html
 * @see https://aws.amazon.com/msk/pricing/
 */
export class KafkaIngestion extends FirehoseIngestion {
  /** The MSK cluster. */
  public readonly cluster: msk.CfnCluster;
  /** The topic Firehose reads. */
  public readonly topic: msk.CfnTopic;
  /** The security group of the brokers. */
  public readonly connections: ec2.Connections;
  /** The log group of the broker logs. */
  public readonly brokerLogGroup: logs.LogGroup;
  /** The key that encrypts the broker volumes and the logs. */
  public readonly encryptionKey: kms.IKey;
  /** The Firehose stream that delivers the topic into the lake (`DELIVERY` stage only). */
  public readonly deliveryStream?: firehose.DeliveryStream;
  /** The role Firehose assumes to read the topic and write the lake (`DELIVERY` stage only). */
  public readonly deliveryRole?: iam.Role;
  /** The bucket the records are delivered to. */
  public readonly destinationBucket: s3.IBucket;
  /** The alarms on the delivery (`DELIVERY` stage only; none with `alarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The topic the alarms notify (none with `alarms: false`). */
  public readonly alarmTopic?: sns.ITopic;
  /** The settings of the delivery, with the defaults filled in. */
  public readonly delivery: ResolvedLakeDelivery;
  /** The number of brokers. */
  public readonly brokerCount: number;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: KafkaIngestionProps) {
    super(scope, id);
    const target = lakeTarget(this, props);
    this.destinationBucket = target.bucket;
    this.delivery = resolveLakeDelivery(this, props);
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    const settings = this.validate(props, subnets);
    this.brokerCount = settings.brokerCount;

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the brokers and logs of ${this.node.path}`, props);
    allowLogsToUse(this.encryptionKey);
    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      retention: props.brokerLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.encryptionKey,
      removalPolicy: dataRemovalPolicy(props),
    });

    const securityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', {
      vpc: props.vpc,
      description: `Brokers of ${this.node.path}: admits only the clients named with allowClientsFrom`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(MSK_IAM_TLS_PORT) });

    // MSK cluster names are unique per account and Region: derive one from the construct path.
    this.clusterName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const delivering = props.stage === KafkaDeploymentStage.DELIVERY;
    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      kafkaVersion: settings.kafkaVersion,
      numberOfBrokerNodes: settings.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: settings.instanceType,
        clientSubnets: subnets.subnetIds,
        securityGroups: [securityGroup.securityGroupId],
        // Express brokers have storage that MSK manages: no EBS volume to size.
        storageInfo: settings.storageGiB === undefined ? undefined : { ebsStorageInfo: { volumeSize: settings.storageGiB } },
        // Multi-VPC private connectivity (PrivateLink) for IAM: how Firehose reaches the brokers.
        connectivityInfo: { vpcConnectivity: { clientAuthentication: { sasl: { iam: { enabled: delivering } } } } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: this.encryptionKey.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } } },
    });
    this.cluster.applyRemovalPolicy(dataRemovalPolicy(props));

    this.topic = new msk.CfnTopic(this, 'Topic', {
      clusterArn: this.cluster.attrArn,
      topicName: settings.topicName,
      partitionCount: settings.partitions,
      replicationFactor: settings.replicationFactor,
    });
    this.topic.applyRemovalPolicy(dataRemovalPolicy(props));
    DataFlow.node(this, 'ClusterNode', {
      label: 'MSK cluster', detail: `topic ${settings.topicName}`, stage: DataFlowStage.INGESTION, resources: [this.cluster, this.topic],
    });

    if (props.alarms ?? true) {
      this.alarmTopic = this.createAlarmTopic(this.encryptionKey, props.alarmTopic);
    }
    if (!delivering) {
      return;
    }

    // The path Firehose reads the brokers by: its managed VPC connection reaches, over PrivateLink,
    // the load balancer MSK puts in the cluster's subnets for multi-VPC connectivity, which forwards
    // to each broker on that broker's own port of 14001-14100 (IAM). The load balancer has no
    // security group, and its addresses are the VPC's: the brokers admit those ports from the VPC's
    // CIDR, and nothing else from outside the clients named with allowClientsFrom.
    securityGroup.addIngressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), ec2.Port.tcpRange(MSK_MULTI_VPC_IAM_PORTS.from, MSK_MULTI_VPC_IAM_PORTS.to),
      'MSK multi-VPC private connectivity (IAM): the PrivateLink load balancer in the VPC forwards Firehose to each broker on its port');
    Rehearsal.of(this).connects({
      description: 'MSK\'s PrivateLink load balancer forwards Firehose to each broker on its multi-VPC (IAM) port', from: ec2.Peer.ipv4(props.vpc.vpcCidrBlock), to: this,
      port: ec2.Port.tcpRange(MSK_MULTI_VPC_IAM_PORTS.from, MSK_MULTI_VPC_IAM_PORTS.to), source: 'https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html',
    });
    if (Token.isUnresolved(props.vpc.vpcCidrBlock)) {
      Validations.of(securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'cdk-nag cannot resolve the one CIDR rule of the brokers, which admits the VPC\'s own CIDR block (Fn::GetAtt of the VPC) on the '
          + 'multi-VPC connectivity ports 14001-14100, where MSK\'s PrivateLink load balancer for Firehose sits; no rule admits 0.0.0.0/0',
      });
    }

    // Only the Firehose service may create a VPC connection to the cluster: this is the cluster
    // policy Firehose documents for a private MSK source.
    const clusterPolicy = new msk.CfnClusterPolicy(this, 'ClusterPolicy', {
      clusterArn: this.cluster.attrArn,
      policy: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'firehose.amazonaws.com' },
          Action: ['kafka:CreateVpcConnection'],
          Resource: this.cluster.attrArn,
        }],
      },
    });

    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: `Reads the topic ${settings.topicName} of ${this.node.path} and writes the lake`,
    });
    const sourcePolicy = new iam.Policy(this, 'SourcePolicy', {
      roles: [this.deliveryRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka-cluster:Connect'],
          resources: [this.cluster.attrArn],
        }),
        getBootstrapBrokers(),
        new iam.PolicyStatement({
          actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:DescribeTopicDynamicConfiguration', 'kafka-cluster:ReadData'],
          resources: [this.topic.attrTopicArn],
        }),
        new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup'], resources: [this.kafkaArn('group', '*')] }),
      ],
    });
    acknowledgeWildcards(sourcePolicy, 'the consumer groups of this one cluster: Firehose names the group it reads the topic with; '
      + 'kafka:GetBootstrapBrokers has no resource type in the Service Authorization Reference, so only `*` grants it');

    const destination = new LakeS3Destination(target, this.delivery, props, this.deliveryRole, this.encryptionKey);
    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', { destination, role: this.deliveryRole });
    const cfnDelivery = this.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream;
    // The stable L2 has no MSK source: the L1 properties say where Firehose reads.
    cfnDelivery.deliveryStreamType = 'MSKAsSource';
    cfnDelivery.mskSourceConfiguration = {
      mskClusterArn: this.cluster.attrArn,
      topicName: settings.topicName,
      authenticationConfiguration: { connectivity: 'PRIVATE', roleArn: this.deliveryRole.roleArn },
    };
    cfnDelivery.node.addDependency(clusterPolicy, sourcePolicy, this.topic);

    removeUnusedFirehoseCidrMapping(this);
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason: 'Firehose server-side encryption exists only for Direct PUT sources; records stay encrypted at rest in MSK with the cluster key, '
        + 'travel over TLS, and land in S3 encrypted with the lake key',
    });
    DataFlow.node(this, 'DeliveryNode', { label: 'Firehose stream', detail: this.node.id, stage: DataFlowStage.INGESTION, resources: [this.deliveryStream] });
    if (this.alarmTopic) {
      this.alarms.push(...this.createDeliveryAlarms(this.delivery, props.transform !== undefined, this.alarmTopic));
    }
    this.declareDeliveryCalls(clusterPolicy, sourcePolicy);
  }

  /** What Firehose does to read the topic (the S3 side is declared by `LakeS3Destination`), and what the cluster refuses. */
  private declareDeliveryCalls(clusterPolicy: msk.CfnClusterPolicy, sourcePolicy: iam.Policy): void {
    const role = this.deliveryRole!;
    const cluster = this.cluster.attrArn;
    const source = 'https://docs.aws.amazon.com/firehose/latest/dev/writing-with-msk.html';
    const actions = 'https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html';
    const createConnection = 'https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-policy.html';
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(
      assumedBy(role, 'firehose.amazonaws.com', 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html'),
      { description: 'Firehose creates its managed VPC connection to the cluster', principal: new iam.ServicePrincipal('firehose.amazonaws.com'), action: 'kafka:CreateVpcConnection', resource: cluster, source: createConnection },
      { description: 'Firehose finds the brokers', principal: role, action: 'kafka:GetBootstrapBrokers', resource: '*', source },
      { description: 'Firehose connects to the cluster (IAM access control)', principal: role, action: 'kafka-cluster:Connect', resource: cluster, source: actions },
      { description: 'Firehose reads the topic', principal: role, action: 'kafka-cluster:ReadData', resource: this.topic.attrTopicArn, source: actions },
    );
    rehearsal.denies(
      { description: 'another account creates a VPC connection to the cluster', principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 'kafka:CreateVpcConnection', resource: cluster, source: createConnection },
      { description: 'a principal with no grant connects to the cluster', principal: principalWithoutGrant(this), action: 'kafka-cluster:Connect', resource: cluster, source: actions },
      { description: 'the delivery role writes the topic it only reads', principal: role, action: 'kafka-cluster:WriteData', resource: this.topic.attrTopicArn, source: actions },
    );
    const stream = this.deliveryStream!;
    rehearsal.createsBefore(
      { description: 'Firehose creates its VPC connection when the delivery stream is created, as the cluster policy allows', first: clusterPolicy, then: stream, source: 'https://docs.aws.amazon.com/firehose/latest/dev/writing-with-msk.html' },
      { description: 'Firehose reads the topic with its role as soon as the delivery stream exists', first: sourcePolicy, then: stream, source },
      { description: 'the topic Firehose reads exists before it starts reading', first: this.topic, then: stream, source },
    );
  }

  /**
   * The share of a broker's data-log disk in use, in percent (`AWS/Kafka` `KafkaDataLogsDiskUsed`,
   * by `Cluster Name` and `Broker ID`, a DEFAULT-level metric): a full disk stops the broker.
   *
   * @param brokerId the broker, from 1 to the number of brokers
   * @default - maximum over 5 minutes
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
   */
  public metricKafkaDataLogsDiskUsed(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.brokerMetric('KafkaDataLogsDiskUsed', brokerId, 'Maximum', props);
  }

  /**
   * The share of a broker's CPU in user space, in percent (`AWS/Kafka` `CpuUser`, by `Cluster Name`
   * and `Broker ID`, a DEFAULT-level metric).
   *
   * @param brokerId the broker, from 1 to the number of brokers
   * @default - average over 5 minutes
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
   */
  public metricCpuUser(brokerId: number, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.brokerMetric('CpuUser', brokerId, 'Average', props);
  }

  /**
   * Partitions of the cluster with no active leader (`AWS/Kafka` `OfflinePartitionsCount`, by
   * `Cluster Name`): above 0, some records can be neither written nor read.
   *
   * @default - maximum over 5 minutes
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
   */
  public metricOfflinePartitionsCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Kafka', metricName: 'OfflinePartitionsCount', dimensionsMap: { 'Cluster Name': this.clusterName },
      statistic: 'Maximum', period: Duration.minutes(5), ...props,
    });
  }

  private brokerMetric(metricName: string, brokerId: number, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    // MSK numbers the brokers of a provisioned cluster from 1.
    checkInteger(this, 'brokerId', brokerId, { min: 1, max: this.brokerCount, why: `a broker of the ${this.brokerCount} of the cluster` });
    return new cloudwatch.Metric({
      namespace: 'AWS/Kafka', metricName, dimensionsMap: { 'Cluster Name': this.clusterName, 'Broker ID': String(brokerId) },
      statistic, period: Duration.minutes(5), ...props,
    });
  }

  /** Lets `peer` (producers, consumers) reach the brokers on the IAM/TLS port. */
  public allowClientsFrom(peer: ec2.IConnectable): void {
    this.connections.allowDefaultPortFrom(peer, `IAM-authenticated Kafka clients of ${this.node.path}`);
    Rehearsal.of(this).connects({
      description: 'IAM-authenticated Kafka clients reach the brokers over TLS', from: peer, to: this, port: ec2.Port.tcp(MSK_IAM_TLS_PORT),
      source: 'https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html',
    });
  }

  /**
   * Lets `producer` connect to the cluster and write the topic (IAM access control), in a policy of
   * its own. The producer still needs network access: see `allowClientsFrom`.
   *
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
   */
  public grantWrite(producer: iam.IGrantable): iam.Grant {
    return attachGrantPolicy(this, `Produce${granteeId(this, producer)}`, {
      grantee: producer,
      statements: [
        new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka:DescribeCluster'], resources: [this.cluster.attrArn] }),
        getBootstrapBrokers(),
        new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: [this.topic.attrTopicArn] }),
      ],
      wildcardReason: 'kafka:GetBootstrapBrokers has no resource type in the Service Authorization Reference, so only `*` grants it',
    });
  }

  /** An ARN of a Kafka resource (`topic`, `group`) of this cluster: `<type>/<cluster name>/<cluster uuid>/<name>`. */
  private kafkaArn(type: 'topic' | 'group', name: string): string {
    const uuid = Fn.select(2, Fn.split('/', this.cluster.attrArn));
    return Stack.of(this).formatArn({ service: 'kafka', resource: type, resourceName: `${this.clusterName}/${uuid}/${name}` });
  }

  /**
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-msk-cluster-brokernodegroupinfo.html (two or three client subnets; two in us-west-1)
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-create-cluster.html (brokers spread evenly over the AZs; Express: three subnets in three AZs)
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/broker-instance-types.html (Express: M7g brokers, MSK-managed storage, Kafka 3.6 or later)
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-configuration-express-read-only.html (Express: min.insync.replicas is 2)
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html (no t3.small, Kafka 2.7.1 or later)
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-msk-cluster-ebsstorageinfo.html (1 to 16,384 GiB)
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html (topic name pattern)
   * @see https://github.com/apache/kafka/blob/trunk/clients/src/main/java/org/apache/kafka/common/internals/Topic.java (topic names)
   */
  private validate(props: KafkaIngestionProps, subnets: ec2.SelectedSubnets) {
    const instanceType = props.brokerInstanceType ?? 'kafka.m7g.large';
    check(/^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType), this, 'brokerInstanceType', instanceType,
      'must be an MSK broker type such as kafka.m7g.large');
    check(instanceType !== 'kafka.t3.small', this, 'brokerInstanceType', instanceType,
      'must not be kafka.t3.small (MSK multi-VPC private connectivity, which Firehose needs to read private brokers, does not support it); use kafka.m7g.large or larger');
    const express = instanceType.startsWith('express.');
    check(!express || instanceType.startsWith('express.m7g.'), this, 'brokerInstanceType', instanceType,
      'must be an express.m7g size for Express brokers (MSK offers Express brokers on M7g only)');

    const azCount = new Set(subnets.availabilityZones).size;
    check(subnets.subnets.length >= 2 && subnets.subnets.length <= 3 && azCount === subnets.subnets.length, this, 'vpcSubnets',
      subnets.subnets.length, 'must select two or three subnets, each in its own Availability Zone (MSK places the brokers in two or three AZs)');
    check(!express || azCount === 3, this, 'vpcSubnets', `${azCount} subnets`,
      `must select three subnets in three Availability Zones for Express brokers (${instanceType})`);
    const region = Stack.of(this).region;
    check(Token.isUnresolved(region) || region !== 'us-west-1' || azCount === 2, this, 'vpcSubnets', `${azCount} subnets`,
      'must select exactly two subnets in us-west-1 (N. California), where MSK offers two Availability Zones');
    const brokerCount = props.brokerCount ?? azCount;
    checkInteger(this, 'brokerCount', brokerCount, { min: azCount, why: `a multiple of the ${azCount} Availability Zones of the subnets` });
    check(brokerCount % azCount === 0, this, 'brokerCount', brokerCount,
      `must be a multiple of the ${azCount} Availability Zones of the subnets (MSK spreads the brokers evenly over them)`);

    const givenStorage = props.brokerStorage?.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    check(!express || givenStorage === undefined, this, 'brokerStorage', givenStorage,
      'must not be given for Express brokers (MSK manages their storage)');
    const storageGiB = express ? undefined : givenStorage ?? 10;
    if (storageGiB !== undefined) {
      checkInteger(this, 'brokerStorage', storageGiB, { min: 1, max: 16384, why: 'whole GiB of EBS storage per broker' });
    }

    const kafkaVersion = props.kafkaVersion ?? '3.6.0';
    const parts = kafkaVersion.split('.').map(Number);
    const atLeast = (major: number, minor: number, patch: number) => parts.length >= 3 && parts.every(Number.isInteger)
      && (parts[0] > major || (parts[0] === major && (parts[1] > minor || (parts[1] === minor && parts[2] >= patch))));
    check(atLeast(2, 7, 1), this, 'kafkaVersion', kafkaVersion, 'must be an Apache Kafka version of 2.7.1 or later (for multi-VPC private connectivity)');
    check(!express || atLeast(3, 6, 0), this, 'kafkaVersion', kafkaVersion, 'must be 3.6.0 or later for Express brokers');

    const topicName = props.topicName ?? 'events';
    check(/^[a-zA-Z0-9._-]{1,249}$/.test(topicName), this, 'topicName', topicName,
      'must be 1 to 249 letters, digits, dots, underscores or hyphens (Kafka topic names)');
    check(!/^\.+$/.test(topicName), this, 'topicName', topicName, 'must not consist of periods only, such as `.` or `..` (Kafka rejects them)');
    const partitions = props.partitions ?? 2;
    checkInteger(this, 'partitions', partitions, { min: 1 });
    const replicationFactor = props.replicationFactor ?? Math.min(brokerCount, 3);
    checkInteger(this, 'replicationFactor', replicationFactor, { min: express ? 2 : 1, max: brokerCount,
      why: express ? 'at least 2, because Express brokers fix min.insync.replicas at 2, and at most the number of brokers' : 'at most the number of brokers' });
    return { brokerCount, instanceType, storageGiB, kafkaVersion, topicName, partitions, replicationFactor };
  }
}

/**
 * `kafka:GetBootstrapBrokers` (the broker addresses of a cluster) on `*`: the Service
 * Authorization Reference gives it no resource type, so a statement naming the cluster ARN would
 * grant nothing.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedstreamingforapachekafka.html
 */
function getBootstrapBrokers(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: ['*'] });
}
