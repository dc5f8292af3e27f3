/**
 * Sandbox test of KafkaIngestionDemo, first deployment stage (`CLUSTER`): the MSK cluster with
 * IAM authentication and its topic.
 *
 * 1. DescribeClusterV2: ACTIVE, provisioned, two `kafka.m7g.large` brokers, IAM client
 *    authentication, TLS in transit (client-broker and in-cluster), encrypted at rest with the
 *    cluster's customer-managed key;
 * 2. GetBootstrapBrokers returns the IAM (SASL/IAM over TLS, port 9098) bootstrap brokers producers
 *    connect to. The topic `events` is a CloudFormation resource: the deployment fails if MSK
 *    cannot create it.
 *
 * Not asserted: records flowing through Firehose into the lake. Firehose reads MSK through
 * multi-VPC private connectivity, which MSK turns on only on an existing cluster: the `DELIVERY`
 * stage is a second deployment of the same stack, and an integ test deploys its stacks once.
 * Producing to the topic also takes a Kafka client inside the VPC (IAM auth over TLS), which an
 * AWS API call cannot be. For the full path: `npx cdk deploy KafkaIngestionDemo -c
 * kafka-stage=CLUSTER`, then `npx cdk deploy KafkaIngestionDemo` (docs/kafka-ingestion.md).
 *
 * Run: `npm run integ -- KafkaIngestionDemo` (about 50 minutes, most of it MSK creating and
 * deleting the cluster; about 0.40 USD).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { KafkaDeploymentStage } from '../../lib/ingestion/kafka-ingestion';
import { KafkaIngestionDemoStack } from '../../examples/kafka-ingestion/kafka-ingestion-stack';
import { SandboxTest } from './sandbox-test';

const test = new SandboxTest('KafkaIngestionDemo', (app, id) => new KafkaIngestionDemoStack(app, id, { stage: KafkaDeploymentStage.CLUSTER }));
const clusterArn = test.output('ClusterArn');

test.call('Kafka', 'DescribeClusterV2', { ClusterArn: clusterArn }, [clusterArn]).expect(ExpectedResult.objectLike({
  ClusterInfo: Match.objectLike({
    State: 'ACTIVE',
    ClusterType: 'PROVISIONED',
    Provisioned: Match.objectLike({
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: Match.objectLike({ InstanceType: 'kafka.m7g.large' }),
      ClientAuthentication: Match.objectLike({ Sasl: Match.objectLike({ Iam: { Enabled: true } }) }),
      EncryptionInfo: Match.objectLike({ EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } }),
    }),
  }),
}));
test.call('Kafka', 'GetBootstrapBrokers', { ClusterArn: clusterArn }, [clusterArn])
  .expect(ExpectedResult.objectLike({ BootstrapBrokerStringSaslIam: Match.stringLikeRegexp(':9098') }));
test.synth();
