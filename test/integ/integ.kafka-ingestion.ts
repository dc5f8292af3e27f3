/**
 * Sandbox test of KafkaIngestionDemo: records a producer writes to the topic inside the VPC reach
 * the lake through Firehose.
 *
 * The demo deploys twice (MSK turns on multi-VPC private connectivity, which Firehose needs, only
 * on an existing cluster): `npm run integ` first deploys the demo stack alone with
 * `-c kafka-stage=CLUSTER` (`FIRST_DEPLOYMENTS` in scripts/integ.ts), then this app, the
 * `DELIVERY` stage, with its assertions:
 *
 * 1. DescribeClusterV2: ACTIVE, provisioned, two `kafka.m7g.large` brokers, IAM client
 *    authentication, TLS in transit (client-broker and in-cluster), and multi-VPC private
 *    connectivity on for IAM (the second deployment's change);
 * 2. GetBootstrapBrokers returns the IAM (SASL/IAM over TLS, port 9098) bootstrap brokers;
 * 3. DescribeDeliveryStream: the Firehose stream is ACTIVE and reads the cluster (`MSKAsSource`);
 * 4. a producer writes: a test-only function in the demo's isolated subnets and its producer
 *    security group, with the cluster's `grantWrite` only ({@link KafkaProducer}), is invoked with
 *    the bootstrap brokers of step 2 (the subnets have no route to AWS APIs). It authenticates with
 *    SASL `AWS_MSK_IAM` over TLS, finds the partition leaders with Metadata and sends three JSON
 *    records with Produce (acks = -1): two to partition 0, one to partition 1; any Kafka error code
 *    fails the test with its name;
 * 5. Firehose delivers them: within 15 minutes (the demo buffers 60 seconds; Firehose starts
 *    reading a few minutes after its stream is created) objects appear in the raw zone under
 *    `kafka/events/year=/month=/day=/hour=/`. Their content is not read back: Firehose gzips
 *    them, and an assertion compares text.
 *
 * Run: `npm run integ -- KafkaIngestionDemo` (about 2 hours: MSK creates the cluster, turns on
 * multi-VPC connectivity with a rolling restart, then deletes the cluster; about 1 USD).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { allowLogsToUse, createDataKey } from '../../lib';
import { kafkaStage } from '../../examples/demo-stacks';
import { KafkaIngestionDemoStack } from '../../examples/kafka-ingestion/kafka-ingestion-stack';
import { KafkaProducer } from './kafka-producer';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('KafkaIngestionDemo', (app, id) => new KafkaIngestionDemoStack(app, id, { stage: kafkaStage(app) }));
const demo = test.stack as KafkaIngestionDemoStack;
const clusterArn = test.output('ClusterArn');
const delivering = demo.kafka.deliveryStream !== undefined;

test.call('Kafka', 'DescribeClusterV2', { ClusterArn: clusterArn }, [clusterArn]).expect(ExpectedResult.objectLike({
  ClusterInfo: Match.objectLike({
    State: 'ACTIVE',
    ClusterType: 'PROVISIONED',
    Provisioned: Match.objectLike({
      NumberOfBrokerNodes: 2,
      BrokerNodeGroupInfo: Match.objectLike({
        InstanceType: 'kafka.m7g.large',
        ConnectivityInfo: Match.objectLike({ VpcConnectivity: { ClientAuthentication: { Sasl: Match.objectLike({ Iam: { Enabled: delivering } }) } } }),
      }),
      ClientAuthentication: Match.objectLike({ Sasl: Match.objectLike({ Iam: { Enabled: true } }) }),
      EncryptionInfo: Match.objectLike({ EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } }),
    }),
  }),
}));
const bootstrap = test.call('Kafka', 'GetBootstrapBrokers', { ClusterArn: clusterArn }, [clusterArn]);
// The producer reads this attribute, which flattens the response: the assertion names its path.
bootstrap.assertAtPath('BootstrapBrokerStringSaslIam', ExpectedResult.stringLikeRegexp(':9098'));

// The first deployment (CLUSTER) has no delivery yet: its app is only the demo stack to deploy.
if (delivering) {
  const deliveryStreamName = test.output('DeliveryStreamName');
  test.call('Firehose', 'DescribeDeliveryStream', { DeliveryStreamName: deliveryStreamName }, [test.arn('firehose', `deliverystream/${deliveryStreamName}`)])
    .expect(ExpectedResult.objectLike({ DeliveryStreamDescription: Match.objectLike({ DeliveryStreamStatus: 'ACTIVE', DeliveryStreamType: 'MSKAsSource' }) }));

  // The producer: its logs are encrypted with a key of the test's own.
  const logKey = createDataKey(demo, 'IntegProducerLogKey', 'Encrypts the logs of the sandbox test\'s Kafka producer', { removalPolicy: RemovalPolicy.DESTROY });
  allowLogsToUse(logKey);
  const producer = new KafkaProducer(demo, 'IntegProducer', {
    kafka: demo.kafka, vpc: demo.vpc, securityGroup: demo.producerSecurityGroup, logEncryptionKey: logKey,
  }).function;
  const event = { bootstrapBrokers: bootstrap.getAttString('BootstrapBrokerStringSaslIam'), topic: 'events', records: 3 };
  test.call('Lambda', 'Invoke', { FunctionName: producer.functionName, Payload: test.assertionStack.toJsonString(event) }, [producer.functionArn],
    { actions: ['lambda:InvokeFunction'] })
    .expect(ExpectedResult.objectLike({
      StatusCode: 200,
      Payload: Match.serializedJson(Match.objectLike({
        produced: 3,
        partitions: [Match.objectLike({ partition: 0, records: 2 }), Match.objectLike({ partition: 1, records: 1 })],
      })),
    }));
  test.expectObjects(test.output('RawBucket'), 'kafka/events/', '^kafka/events/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', within(15, 60));
}
test.synth();
