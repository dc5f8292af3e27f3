/**
 * # Kafka ingestion: Amazon MSK → Amazon Data Firehose → data lake (notes part two, section h)
 *
 * **This stack costs about 0.41 USD per hour (about 300 USD a month) while it exists, even when no
 * record flows.** Deploy it for a session, then destroy it.
 *
 * Read this stack top to bottom. Producers in the private network write JSON events to the Kafka
 * topic `events` of an MSK cluster (IAM authentication, TLS); Firehose reads the topic through MSK
 * multi-VPC private connectivity and delivers gzipped records into the raw zone under Hive-style
 * time prefixes `kafka/events/year=/month=/day=/hour=/`.
 *
 * Deploy in two steps (MSK cannot turn on multi-VPC private connectivity while it creates a
 * cluster, see `KafkaDeploymentStage`):
 *
 *     npx cdk deploy KafkaIngestionDemo -c kafka-stage=CLUSTER   # the cluster and topic (about 30 minutes)
 *     npx cdk deploy KafkaIngestionDemo                          # connectivity, cluster policy, Firehose (30+ minutes)
 *
 * Remove: `npx cdk destroy KafkaIngestionDemo`.
 *
 * Cost at idle (us-east-1 list prices, https://aws.amazon.com/msk/pricing/):
 * - two `kafka.m7g.large` brokers (one per AZ) at 0.204 USD per broker-hour: about 0.41 USD per
 *   hour, 298 USD a month, plus 2 × 10 GiB of broker storage at 0.10 USD per GB-month (2 USD);
 * - the multi-VPC connection Firehose opens bills per hour and per GB on top;
 * - MSK Serverless would bill 0.75 USD per cluster-hour plus 0.0015 USD per partition-hour (about
 *   550 USD a month idle), so the provisioned cluster is the cheaper idle choice; `kafka.t3.small`
 *   brokers (about 0.046 USD per hour) cannot be a private Firehose source;
 * - three customer-managed keys (lake, cluster, flow logs) at 1 USD a month each, two alarms at
 *   0.10 USD a month; Firehose and S3 bill per use; no NAT gateway, no interface endpoint.
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage, DataLake, HIVE_TIME_PARTITIONS, KafkaDeploymentStage, KafkaIngestion, PrivateNetwork, keepOutboundClosed } from '../../lib';

/** Properties of the {@link KafkaIngestionDemoStack}. */
export interface KafkaIngestionDemoStackProps extends StackProps {
  /**
   * Which deployment this is (`-c kafka-stage=CLUSTER` for the first one).
   *
   * @default KafkaDeploymentStage.DELIVERY
   */
  readonly stage?: KafkaDeploymentStage;
}

export class KafkaIngestionDemoStack extends Stack {
  /** The cluster and its delivery into the lake. */
  public readonly kafka: KafkaIngestion;
  /** The VPC of the brokers and the producers. */
  public readonly vpc: ec2.IVpc;
  /** The group of the producers: the brokers admit its members on the IAM/TLS port, and it may reach only them. */
  public readonly producerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: KafkaIngestionDemoStackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: Amazon MSK (IAM, TLS, KMS) read by Firehose into an S3 data lake; brokers bill about 0.41 USD per hour',
      ...props,
    });

    // 1. The lake: Kafka records land in the raw zone, as they arrived.
    const lake = new DataLake(this, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, zones: [{ name: 'raw' }] });

    // 2. The network: two private subnets in two AZs, no NAT gateway. MSK places one broker in each.
    const network = new PrivateNetwork(this, 'Network', { removalPolicy: RemovalPolicy.DESTROY, maxAzs: 2 });
    this.vpc = network.vpc;

    // 3. The cluster and the delivery. Two brokers (a multiple of the two AZs), the smallest type
    //    multi-VPC connectivity supports, 10 GiB each; the topic has two partitions, replicated twice.
    this.kafka = new KafkaIngestion(this, 'Kafka', {
      removalPolicy: RemovalPolicy.DESTROY,
      stage: props.stage ?? KafkaDeploymentStage.DELIVERY,
      vpc: network.vpc,
      brokerInstanceType: 'kafka.m7g.large',
      brokerCount: 2,
      brokerStorage: Size.gibibytes(10),
      topicName: 'events',
      partitions: 2,
      destination: lake.zone('raw'),
      prefix: `kafka/events/${HIVE_TIME_PARTITIONS}`,
      bufferingInterval: Duration.seconds(60),
    });

    // 4. Producers: a security group whose members may reach the brokers (a Lambda function or
    //    container in the private subnets), and a role that may write the topic over IAM.
    const producers = new ec2.SecurityGroup(this, 'ProducerSecurityGroup', {
      vpc: network.vpc,
      description: 'Kafka producers of the demo: may reach the brokers on the IAM/TLS port',
      allowAllOutbound: false,
    });
    this.kafka.allowClientsFrom(producers);
    producers.connections.allowToDefaultPort(this.kafka);
    // Its one outbound rule goes to the brokers' group: keep EC2's allow-all default off.
    keepOutboundClosed(producers);
    this.producerSecurityGroup = producers;
    const producer = new iam.Role(this, 'ProducerRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo Kafka producer: connects to the cluster and writes the events topic',
    });
    this.kafka.grantWrite(producer);

    // 5. On the data-flow diagram: the producer, a run-time actor acting as the producer role.
    DataFlow.node(this, 'Producer', { label: 'Kafka producer', detail: 'in the VPC', stage: DataFlowStage.SOURCE, roles: [producer] });

    new CfnOutput(this, 'ClusterArn', { value: this.kafka.cluster.attrArn });
    new CfnOutput(this, 'RawBucket', { value: lake.zone('raw').bucket.bucketName });
    if (this.kafka.deliveryStream) new CfnOutput(this, 'DeliveryStreamName', { value: this.kafka.deliveryStream.deliveryStreamName });
    new CfnOutput(this, 'ProducerRoleArn', { value: producer.roleArn });
    new CfnOutput(this, 'ProducerSecurityGroupId', { value: producers.securityGroupId });
  }
}
