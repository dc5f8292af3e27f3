import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLake, KafkaDeploymentStage, KafkaIngestion, KafkaIngestionProps, PrivateNetwork } from '../../lib';
import { CDK_CONTEXT, declared, newStack, recordedAttr, rehearsalOf } from '../helpers';

function setup(maxAzs = 2, region?: string) {
  // A stack with an account and a region has three (dummy) AZs; an environment-agnostic one has two.
  const stack = region ? new Stack(new App({ context: CDK_CONTEXT }), 'Test', { env: { account: '123456789012', region } }) : newStack();
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
  const network = new PrivateNetwork(stack, 'Network', { maxAzs });
  const base: KafkaIngestionProps = { stage: KafkaDeploymentStage.DELIVERY, vpc: network.vpc, destination: lake.zone('raw') };
  return { stack, base, network };
}

describe('KafkaIngestion', () => {
  test('a provisioned cluster: one m7g.large broker per AZ, IAM only, TLS, KMS at rest, encrypted broker logs, retained by default', () => {
    const { stack, base } = setup();
    new KafkaIngestion(stack, 'Kafka', base);
    const template = Template.fromStack(stack);
    template.hasResource('AWS::MSK::Cluster', {
      DeletionPolicy: 'Retain',
      Properties: {
        KafkaVersion: '3.6.0',
        NumberOfBrokerNodes: 2,
        BrokerNodeGroupInfo: Match.objectLike({ InstanceType: 'kafka.m7g.large', StorageInfo: { EBSStorageInfo: { VolumeSize: 10 } } }),
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
        EncryptionInfo: {
          EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KafkaKey'), 'Arn'] } },
          EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
        },
        LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: { Ref: Match.stringLikeRegexp('KafkaBrokerLogs') } } } },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('KafkaKey'), 'Arn'] } });
    template.hasResource('AWS::MSK::Topic', { DeletionPolicy: 'Retain', Properties: { TopicName: 'events', PartitionCount: 2, ReplicationFactor: 2 } });
  });

  test('the Firehose role reads only its topic and the consumer groups of its cluster', () => {
    const { stack, base } = setup();
    const kafka = new KafkaIngestion(stack, 'Kafka', base);
    const statements = Stack.of(stack).resolve((kafka.node.findChild('SourcePolicy') as iam.Policy).document.toJSON()).Statement;
    expect(statements.map((s: any) => s.Action)).toEqual([
      ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka-cluster:Connect'],
      'kafka:GetBootstrapBrokers',
      ['kafka-cluster:DescribeTopic', 'kafka-cluster:DescribeTopicDynamicConfiguration', 'kafka-cluster:ReadData'],
      'kafka-cluster:DescribeGroup',
    ]);
    expect(statements[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/KafkaCluster/), 'Arn'] });
    // kafka:GetBootstrapBrokers has no resource type: only `*` grants it.
    expect(statements[1].Resource).toBe('*');
    expect(statements[2].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/KafkaTopic/), 'TopicArn'] });
    expect(JSON.stringify(statements[3].Resource)).toMatch(/:group\/.*\/\*"/);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions).not.toContain('kafka-cluster:WriteData');
  });

  test('the brokers admit the multi-VPC connectivity ports (IAM, 14001-14100) from the VPC, where Firehose\'s PrivateLink path enters, in the DELIVERY stage only', () => {
    const rangeRule = Match.objectLike({ IpProtocol: 'tcp', FromPort: 14001, ToPort: 14100, CidrIp: { 'Fn::GetAtt': [Match.stringLikeRegexp('NetworkVpc'), 'CidrBlock'] } });
    const delivery = setup();
    new KafkaIngestion(delivery.stack, 'Kafka', delivery.base);
    Template.fromStack(delivery.stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Brokers of'), SecurityGroupIngress: Match.arrayWith([rangeRule]),
    });
    const cluster = setup();
    new KafkaIngestion(cluster.stack, 'Kafka', { ...cluster.base, stage: KafkaDeploymentStage.CLUSTER });
    const [brokers] = Object.values(Template.fromStack(cluster.stack).findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Brokers of') } }));
    expect(brokers.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('rehearsal declarations: Firehose connects through the cluster policy and reads its topic; clients reach the brokers on 9098; the order of creation', () => {
    const { stack, base, network } = setup();
    const kafka = new KafkaIngestion(stack, 'Kafka', base);
    const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc: network.vpc });
    kafka.allowClientsFrom(clients);
    const recorded = rehearsalOf(Template.fromStack(stack));
    const role = recordedAttr(kafka.deliveryRole!);
    const cluster = recordedAttr(kafka.cluster);
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role }),
      declared({ principal: 'service:firehose.amazonaws.com', action: 'kafka:CreateVpcConnection', resource: cluster }),
      declared({ principal: role, action: 'kafka-cluster:Connect', resource: cluster }),
      declared({ principal: role, action: 'kafka-cluster:ReadData', resource: recordedAttr(kafka.topic, 'TopicArn') }),
      declared({ principal: role, action: 's3:PutObject' }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: /:iam::111122223333:root$/, action: 'kafka:CreateVpcConnection' }),
      declared({ principal: role, action: 'kafka-cluster:WriteData' }),
      declared({ action: 's3:GetObject', context: { 'aws:SecureTransport': 'false' } }),
    ]));
    expect(recorded.connects).toEqual(expect.arrayContaining([
      declared({ from: [recordedAttr(clients, 'GroupId')], to: [/^\$\{KafkaBrokerSecurityGroup.*\.GroupId\}$/], protocol: 'tcp', fromPort: 9098 }),
      declared({ from: [/^\$\{NetworkVpc.*\.CidrBlock\}$/], to: [/^\$\{KafkaBrokerSecurityGroup.*\.GroupId\}$/], protocol: 'tcp', fromPort: 14001, toPort: 14100 }),
    ]));
    expect(recorded.createsBefore.map(order => order.first)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^KafkaClusterPolicy/), expect.stringMatching(/^KafkaSourcePolicy/), expect.stringMatching(/^KafkaTopic/),
    ]));
  });

  test('the CLUSTER stage has no connectivity, cluster policy, Firehose stream or alarms', () => {
    const { stack, base } = setup();
    const kafka = new KafkaIngestion(stack, 'Kafka', { ...base, stage: KafkaDeploymentStage.CLUSTER });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::MSK::Cluster', {
      BrokerNodeGroupInfo: Match.objectLike({ ConnectivityInfo: { VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: false } } } } } }),
    });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::MSK::ClusterPolicy', 0);
    expect(kafka.deliveryStream).toBeUndefined();
    expect(kafka.alarms).toEqual([]);
  });

  test('producers get connect and write on the topic, and network access on 9098 only when allowed', () => {
    const { stack, base, network } = setup();
    const kafka = new KafkaIngestion(stack, 'Kafka', base);
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    const statements = Stack.of(stack).resolve(kafka.grantProduce(producer)!.document.toJSON()).Statement;
    expect(statements.map((s: any) => [s.Action, s.Resource === '*'])).toEqual([
      [['kafka-cluster:Connect', 'kafka:DescribeCluster'], false],
      ['kafka:GetBootstrapBrokers', true],
      [['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], false],
    ]);
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
    kafka.allowClientsFrom(client);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Client'), 'GroupId'] },
    });
  });

  test('three AZs: three brokers by default, six allowed, replication factor capped at 3', () => {
    const { stack, base } = setup(3);
    const kafka = new KafkaIngestion(stack, 'A', { ...base, brokerCount: 6 });
    expect(kafka.brokerCount).toBe(6);
    Template.fromStack(stack).hasResourceProperties('AWS::MSK::Topic', { ReplicationFactor: 3 });
  });

  test('validates brokers, subnets, instance type, storage, version and topic', () => {
    const { stack, base, network } = setup();
    const cases: Array<[Partial<KafkaIngestionProps>, string]> = [
      [{ brokerCount: 3 }, 'Test/C0: `brokerCount` must be a multiple of the 2 Availability Zones of the subnets (MSK spreads the brokers evenly over them), got 3'],
      [{ brokerCount: 1 }, 'Test/C1: `brokerCount` must be a whole number of at least 2 (a multiple of the 2 Availability Zones of the subnets), got 1'],
      [{ vpcSubnets: { subnets: [network.vpc.isolatedSubnets[0]] } },
        'Test/C2: `vpcSubnets` must select two or three subnets, each in its own Availability Zone (MSK places the brokers in two or three AZs), got 1'],
      [{ brokerInstanceType: 'kafka.t3.small' },
        "Test/C3: `brokerInstanceType` must not be kafka.t3.small (MSK multi-VPC private connectivity, which Firehose needs to read private brokers, does not support it); use kafka.m7g.large or larger, got 'kafka.t3.small'"],
      [{ brokerInstanceType: 'm5.large' }, "Test/C4: `brokerInstanceType` must be an MSK broker type such as kafka.m7g.large, got 'm5.large'"],
      [{ brokerStorageGiB: 0 }, 'Test/C5: `brokerStorageGiB` must be a whole number from 1 to 16384 (GiB of EBS storage per broker), got 0'],
      [{ brokerStorageGiB: 16385 }, 'Test/C6: `brokerStorageGiB` must be a whole number from 1 to 16384 (GiB of EBS storage per broker), got 16385'],
      [{ kafkaVersion: '2.6.2' }, "Test/C7: `kafkaVersion` must be an Apache Kafka version of 2.7.1 or later (for multi-VPC private connectivity), got '2.6.2'"],
      [{ kafkaVersion: 'latest' }, "Test/C8: `kafkaVersion` must be an Apache Kafka version of 2.7.1 or later (for multi-VPC private connectivity), got 'latest'"],
      [{ topicName: 'my topic' }, "Test/C9: `topicName` must be 1 to 249 letters, digits, dots, underscores or hyphens (Kafka topic names), got 'my topic'"],
      [{ partitions: 0 }, 'Test/C10: `partitions` must be a whole number of at least 1, got 0'],
      [{ replicationFactor: 3 }, 'Test/C11: `replicationFactor` must be a whole number from 1 to 2 (at most the number of brokers), got 3'],
    ];
    cases.forEach(([props, message], i) => {
      expect(() => new KafkaIngestion(stack, `C${i}`, { ...base, ...props })).toThrow(message);
    });
  });

  test('accepts kafka 2.7.1 and 3.10.1', () => {
    const { stack, base } = setup();
    expect(() => new KafkaIngestion(stack, 'A', { ...base, kafkaVersion: '2.7.1' })).not.toThrow();
    expect(() => new KafkaIngestion(stack, 'B', { ...base, kafkaVersion: '3.10.1' })).not.toThrow();
  });

  test('topic names follow Kafka\'s rules: not only periods, at most 249 characters', () => {
    const { stack, base } = setup();
    expect(() => new KafkaIngestion(stack, 'Dot', { ...base, topicName: '.' }))
      .toThrow("Test/Dot: `topicName` must not consist of periods only, such as `.` or `..` (Kafka rejects them), got '.'");
    expect(() => new KafkaIngestion(stack, 'Dots', { ...base, topicName: '..' })).toThrow('must not consist of periods only');
    expect(() => new KafkaIngestion(stack, 'Long', { ...base, topicName: 't'.repeat(250) })).toThrow('must be 1 to 249 letters');
    expect(() => new KafkaIngestion(stack, 'Ok', { ...base, topicName: `.${'t'.repeat(248)}` })).not.toThrow();
  });

  test('Express brokers: three AZs, M7g, Kafka 3.6 or later, no EBS storage, a replication factor of at least 2', () => {
    const { stack, base } = setup(3, 'eu-west-1');
    const kafka = new KafkaIngestion(stack, 'Express', { ...base, brokerInstanceType: 'express.m7g.large' });
    expect(kafka.brokerCount).toBe(3);
    const cluster = Template.fromStack(stack).findResources('AWS::MSK::Cluster');
    expect(Object.values(cluster)[0].Properties.BrokerNodeGroupInfo.StorageInfo).toBeUndefined();
    const cases: Array<[Partial<KafkaIngestionProps>, string]> = [
      [{ brokerInstanceType: 'express.m5.large' }, "`brokerInstanceType` must be an express.m7g size for Express brokers (MSK offers Express brokers on M7g only), got 'express.m5.large'"],
      [{ brokerInstanceType: 'express.m7g.large', brokerStorageGiB: 100 }, '`brokerStorageGiB` must not be given for Express brokers (MSK manages their storage), got 100'],
      [{ brokerInstanceType: 'express.m7g.large', kafkaVersion: '3.5.1' }, "`kafkaVersion` must be 3.6.0 or later for Express brokers, got '3.5.1'"],
      [{ brokerInstanceType: 'express.m7g.large', replicationFactor: 1 },
        '`replicationFactor` must be a whole number from 2 to 3 (at least 2, because Express brokers fix min.insync.replicas at 2, and at most the number of brokers), got 1'],
    ];
    cases.forEach(([props, message], i) => expect(() => new KafkaIngestion(stack, `E${i}`, { ...base, ...props })).toThrow(message));
    const twoAzs = setup(2);
    expect(() => new KafkaIngestion(twoAzs.stack, 'Express', { ...twoAzs.base, brokerInstanceType: 'express.m7g.large' }))
      .toThrow("Test/Express: `vpcSubnets` must select three subnets in three Availability Zones for Express brokers (express.m7g.large), got '2 subnets'");
  });

  test('us-west-1 takes exactly two subnets', () => {
    const three = setup(3, 'us-west-1');
    expect(() => new KafkaIngestion(three.stack, 'Kafka', three.base))
      .toThrow("Test/Kafka: `vpcSubnets` must select exactly two subnets in us-west-1 (N. California), where MSK offers two Availability Zones, got '3 subnets'");
    const two = setup(2, 'us-west-1');
    expect(() => new KafkaIngestion(two.stack, 'Kafka', two.base)).not.toThrow();
  });
});
