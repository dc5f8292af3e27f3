import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the streaming-ingestion demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('StreamingIngestionDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('one provisioned one-shard stream, the cheapest at idle, read by two Firehose streams', () => {
    expect(ofType('AWS::Kinesis::Stream').map(s => [s.Properties.StreamModeDetails.StreamMode, s.Properties.ShardCount, s.Properties.RetentionPeriodHours]))
      .toEqual([['PROVISIONED', 1, 24]]);
    expect(ofType('AWS::KinesisFirehose::DeliveryStream').map(d => d.Properties.DeliveryStreamType)).toEqual(['KinesisStreamAsSource', 'KinesisStreamAsSource']);
  });

  test('raw: dynamic partitioning by the transform\'s event_type key; curated: Parquet with Hive-style time prefixes', () => {
    const [raw, curated] = ofType('AWS::KinesisFirehose::DeliveryStream').map(d => d.Properties.ExtendedS3DestinationConfiguration);
    expect(raw.Prefix).toBe('events/event_type=!{partitionKeyFromLambda:event_type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(raw.DynamicPartitioningConfiguration.Enabled).toBe(true);
    expect(raw.ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual(['Lambda']);
    expect(curated.Prefix).toBe('events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(curated.DataFormatConversionConfiguration.SchemaConfiguration.TableName).toBe('events');
    for (const config of [raw, curated]) {
      expect(config.ErrorOutputPrefix).toContain('!{firehose:error-output-type}');
      expect(config.S3BackupMode).toBe('Enabled');
    }
  });

  test('the transform is bundled locally and runs in the private network, which has no NAT gateway', () => {
    const [fn] = ofType('AWS::Lambda::Function').filter(f => f.Properties.Handler === 'index.handler' && f.Properties.VpcConfig);
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
    expect(ofType('AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType('AWS::EC2::InternetGateway')).toEqual([]);
  });

  test('no function reserves concurrency: a new account whose quota is 10 rejects any reservation', () => {
    expect(ofType('AWS::Lambda::Function').filter(f => f.Properties.ReservedConcurrentExecutions !== undefined)).toEqual([]);
  });

  test('every alarm has its stream or delivery-stream dimension and an action', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(a => a.Properties);
    expect(alarms).toHaveLength(13);
    for (const alarm of alarms) {
      expect(alarm.Dimensions.map((d: any) => d.Name)).toEqual([alarm.Namespace === 'AWS/Kinesis' ? 'StreamName' : 'DeliveryStreamName']);
      expect(alarm.AlarmActions).toHaveLength(1);
    }
  });

  test('leaves nothing behind on destroy', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::Logs::LogGroup']) {
      expect(ofType(type).map(r => [type, r.DeletionPolicy])).toEqual(ofType(type).map(() => [type, 'Delete']));
    }
  });
});
