import { KafkaIngestionDemoStack } from '../../examples/kafka-ingestion/kafka-ingestion-stack';
import { KafkaDeploymentStage } from '../../lib/ingestion/kafka-ingestion';
import { maskAssetHashes, resourcesOfType, synthDemoStack } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the kafka-ingestion demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('KafkaIngestionDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('two kafka.m7g.large brokers, one per AZ, with IAM only, TLS everywhere, a customer-managed key and encrypted broker logs', () => {
    const [cluster] = ofType('AWS::MSK::Cluster').map(c => c.Properties);
    expect(cluster.NumberOfBrokerNodes).toBe(2);
    expect(cluster.BrokerNodeGroupInfo.InstanceType).toBe('kafka.m7g.large');
    expect(cluster.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(2);
    expect(cluster.ClientAuthentication).toEqual({ Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } });
    expect(cluster.EncryptionInfo.EncryptionInTransit).toEqual({ ClientBroker: 'TLS', InCluster: true });
    expect(cluster.EncryptionInfo.EncryptionAtRest.DataVolumeKMSKeyId['Fn::GetAtt'][1]).toBe('Arn');
    expect(cluster.LoggingInfo.BrokerLogs.CloudWatchLogs.Enabled).toBe(true);
    expect(ofType('AWS::Logs::LogGroup').every(g => g.Properties.KmsKeyId && g.Properties.RetentionInDays === 365)).toBe(true);
  });

  test('Firehose reads the topic through multi-VPC private connectivity, allowed by the cluster policy', () => {
    const [cluster] = ofType('AWS::MSK::Cluster').map(c => c.Properties);
    expect(cluster.BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Sasl.Iam.Enabled).toBe(true);
    const [stream] = ofType('AWS::KinesisFirehose::DeliveryStream');
    expect(stream.Properties.DeliveryStreamType).toBe('MSKAsSource');
    expect(stream.Properties.MSKSourceConfiguration).toMatchObject({ TopicName: 'events', AuthenticationConfiguration: { Connectivity: 'PRIVATE' } });
    expect(stream.Properties.ExtendedS3DestinationConfiguration.Prefix)
      .toBe('kafka/events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    const [policy] = ofType('AWS::MSK::ClusterPolicy');
    expect(policy.Properties.Policy.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'firehose.amazonaws.com' }, Action: ['kafka:CreateVpcConnection'] })]);
    expect(stream.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/ClusterPolicy/), expect.stringMatching(/Topic/)]));
  });

  test('the first stage deploys the cluster and topic without connectivity or Firehose', () => {
    const first = synthDemoStack(app => new KafkaIngestionDemoStack(app, 'KafkaIngestionDemo', { stage: KafkaDeploymentStage.CLUSTER }));
    const [cluster] = resourcesOfType(first, 'AWS::MSK::Cluster').map(c => c.Properties);
    expect(cluster.BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Sasl.Iam.Enabled).toBe(false);
    expect(resourcesOfType(first, 'AWS::MSK::Topic')).toHaveLength(1);
    expect(resourcesOfType(first, 'AWS::KinesisFirehose::DeliveryStream')).toEqual([]);
    expect(resourcesOfType(first, 'AWS::MSK::ClusterPolicy')).toEqual([]);
  });

  test('the brokers admit only the producers, on the IAM/TLS port; no NAT gateway', () => {
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').map(r => r.Properties).filter(r => r.FromPort === 9098);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ IpProtocol: 'tcp', ToPort: 9098 });
    expect(ingress[0].SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/ProducerSecurityGroup/);
    expect(ofType('AWS::EC2::NatGateway')).toEqual([]);
  });

  test('leaves nothing behind on destroy', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::MSK::Cluster', 'AWS::MSK::Topic', 'AWS::Logs::LogGroup']) {
      expect(ofType(type).map(r => [type, r.DeletionPolicy])).toEqual(ofType(type).map(() => [type, 'Delete']));
    }
  });
});
