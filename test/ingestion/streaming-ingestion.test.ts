import { App, CfnMapping, Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataLake, DataLakeZone, LakeDataFormat, StreamingIngestion, StreamingIngestionProps } from '../../lib';
import { declared, grantResources, grantStatements, metricFacts, newStack, recordedAttr, rehearsalOf } from '../helpers';

function setup() {
  const stack = newStack();
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
  const transform = lambda.Function.fromFunctionArn(stack, 'Transform', 'arn:aws:lambda:us-east-1:123456789012:function:transform');
  return { stack, zone: lake.zone('raw'), transform };
}

function ingest(props: Partial<StreamingIngestionProps> = {}, env = setup()) {
  const ingestion = new StreamingIngestion(env.stack, 'Ingest', { destination: env.zone, ...props });
  return { ...env, ingestion, template: Template.fromStack(env.stack) };
}

const extendedS3 = (template: Template) => Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0]
  .Properties.ExtendedS3DestinationConfiguration;

describe('StreamingIngestion defaults', () => {
  const { template, stack, ingestion } = ingest();

  test('a provisioned, one-shard stream kept 7 days, encrypted with a customer-managed key', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 1,
      RetentionPeriodHours: 168,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: Match.anyValue() },
    });
    template.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
  });

  test('Firehose reads the stream, without encryption of its own', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: Match.anyValue(), RoleARN: Match.anyValue() },
      DeliveryStreamEncryptionConfigurationInput: Match.absent(),
    });
  });

  test('delivers gzipped, KMS-encrypted objects under Hive-style time prefixes, errors by type', () => {
    const config = extendedS3(template);
    expect(config.Prefix).toBe('data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(config.ErrorOutputPrefix).toBe('errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(config.CompressionFormat).toBe('GZIP');
    expect(config.BufferingHints).toEqual({ IntervalInSeconds: 300, SizeInMBs: 5 });
    expect(config.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toBeDefined();
    expect(config.CloudWatchLoggingOptions.Enabled).toBe(true);
    expect(config.S3BackupMode).toBe('Disabled');
    expect(config.ProcessingConfiguration).toBeUndefined();
  });

  test('logs delivery errors to an encrypted log group kept one year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
  });

  test('the delivery role may write objects but never delete them, and use the key only through S3', () => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('DeliveryPolicy') } });
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:AbortMultipartUpload', 'kms:GenerateDataKey', 'logs:PutLogEvents']));
    expect(actions.filter((a: string) => a.includes('Delete') || a.includes('*'))).toEqual([]);
    expect(statements.find((s: any) => [s.Action].flat().includes('kms:GenerateDataKey')).Condition)
      .toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } });
  });

  test('alarms carry the stream and delivery-stream dimensions, so they fire', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    const byMetric = Object.fromEntries(alarms.map(a => [a.MetricName, a]));
    expect(Object.keys(byMetric).sort()).toEqual([
      'DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'GetRecords.IteratorAgeMilliseconds',
      'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded',
    ]);
    const streamRef = { Ref: stack.getLogicalId(ingestion.stream.node.defaultChild as kinesis.CfnStream) };
    const firehoseRef = { Ref: stack.getLogicalId(ingestion.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream) };
    for (const name of ['GetRecords.IteratorAgeMilliseconds', 'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded']) {
      expect(byMetric[name]).toMatchObject({ Namespace: 'AWS/Kinesis', Dimensions: [{ Name: 'StreamName', Value: streamRef }] });
    }
    for (const name of ['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success']) {
      expect(byMetric[name]).toMatchObject({ Namespace: 'AWS/Firehose', Dimensions: [{ Name: 'DeliveryStreamName', Value: firehoseRef }] });
    }
    // Half of the 7-day retention, in milliseconds; twice the buffering interval plus 15 minutes.
    expect(byMetric['GetRecords.IteratorAgeMilliseconds']).toMatchObject({ Threshold: 302400000, Statistic: 'Maximum' });
    expect(byMetric['DeliveryToS3.DataFreshness']).toMatchObject({ Threshold: 1500, Statistic: 'Maximum' });
    expect(byMetric['DeliveryToS3.Success']).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', Statistic: 'Minimum' });
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toHaveLength(1);
    }
  });

  test('alarms notify an encrypted, TLS-only topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('StreamingIngestion rehearsal declarations', () => {
  test('Firehose assumes its role, reads and decrypts the stream, writes and encrypts the lake, logs; the lake and stream refuse strangers', () => {
    const { template, ingestion } = ingest({ transform: setup().transform });
    const role = recordedAttr(ingestion.deliveryRole);
    const recorded = rehearsalOf(template);
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:firehose.amazonaws.com', action: 'sts:AssumeRole', resource: role }),
      declared({ principal: role, action: 'kinesis:GetRecords', resource: /^\$\{IngestStream.*\.Arn\}$/ }),
      declared({ principal: role, action: 'kms:Decrypt', context: { 'kms:ViaService': 'kinesis.${AWS::Region}.${AWS::URLSuffix}' } }),
      declared({ principal: role, action: 's3:PutObject', resource: /^\$\{LakeRawBucket.*\.Arn\}\/data\// }),
      declared({ principal: role, action: 'kms:GenerateDataKey', resource: /^\$\{LakeKey.*\.Arn\}$/, context: { 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}' } }),
      declared({ principal: role, action: 'logs:PutLogEvents' }),
      declared({ principal: role, action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:us-east-1:123456789012:function:transform' }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: /:iam::111122223333:root$/, action: 's3:GetObject' }),
      declared({ principal: /role\/rehearsal-principal-without-grant$/, action: 's3:GetObject' }),
      declared({ action: 's3:GetObject', context: { 'aws:SecureTransport': 'false' } }),
      declared({ principal: /:iam::111122223333:root$/, action: 'kinesis:GetRecords' }),
    ]));
    expect(recorded.createsBefore).toEqual([declared({ first: /^IngestDeliveryStreamDeliveryPolicy/, then: /^IngestDeliveryStream[0-9A-F]{8}$/ })]);
  });
});

describe('StreamingIngestion options', () => {
  test('a transform: Lambda processor, source backup, invoke permission, transform alarm', () => {
    const { template, transform } = ingest({ transform: setup().transform });
    const config = extendedS3(template);
    expect(config.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: transform.functionArn }, { ParameterName: 'NumberOfRetries', ParameterValue: '3' }] }],
    });
    expect(config.S3BackupMode).toBe('Enabled');
    expect(config.S3BackupConfiguration).toMatchObject({
      Prefix: 'source-backup/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      ErrorOutputPrefix: 'source-backup-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      CompressionFormat: 'GZIP',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'], Resource: transform.functionArn })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecuteProcessing.Success', Dimensions: [{ Name: 'DeliveryStreamName', Value: Match.anyValue() }] });
  });

  test('dynamic partitioning by jq query keys: default prefix, metadata extraction, delimiter, 64 MiB', () => {
    const { template } = ingest({ partitionKeys: { eventType: '.event_type' } });
    const config = extendedS3(template);
    expect(config.Prefix).toBe('data/eventType=!{partitionKeyFromQuery:eventType}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/');
    expect(config.DynamicPartitioningConfiguration).toEqual({ Enabled: true, RetryOptions: { DurationInSeconds: 300 } });
    expect(config.BufferingHints.SizeInMBs).toBe(64);
    expect(config.ProcessingConfiguration.Processors).toEqual([
      { Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{eventType:.event_type}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] },
      { Type: 'AppendDelimiterToRecord', Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }] },
    ]);
  });

  test('Parquet: conversion against the Glue table, uncompressed file, Glue read permission, conversion alarm', () => {
    const env = setup();
    const table = new glue.CfnTable(env.stack, 'Table', {
      catalogId: '123456789012', databaseName: 'db', tableInput: { name: 'events', storageDescriptor: { columns: [{ name: 'a', type: 'string' }] } },
    });
    const { template } = ingest({ dataFormat: LakeDataFormat.PARQUET, schemaTable: table }, env);
    const config = extendedS3(template);
    expect(config.CompressionFormat).toBe('UNCOMPRESSED');
    expect(config.BufferingHints.SizeInMBs).toBe(64);
    expect(config.DataFormatConversionConfiguration).toMatchObject({
      Enabled: true,
      InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
      OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
      SchemaConfiguration: { CatalogId: '123456789012', DatabaseName: 'db', TableName: 'events', VersionId: 'LATEST' },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'] })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedConversion.Records' });
  });

  test('on-demand stream without shard count', () => {
    const { template } = ingest({ streamMode: kinesis.StreamMode.ON_DEMAND });
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, ShardCount: Match.absent() });
  });

  test('an existing stream: no new stream, iterator-age alarm at half of its given retention', () => {
    const env = setup();
    const stream = new kinesis.Stream(env.stack, 'Existing', { encryption: kinesis.StreamEncryption.MANAGED });
    const { template } = ingest({ stream, retentionPeriod: Duration.hours(48) }, env);
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Threshold: 86400000 });
  });

  test('any bucket with its key as destination', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    const ingestion = new StreamingIngestion(stack, 'Ingest', { destination: bucket });
    expect(ingestion.destinationBucket).toBe(bucket);
    expect(extendedS3(Template.fromStack(stack)).EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN)
      .toEqual({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] });
  });

  test('grants: producers put and encrypt, consumers read and decrypt, each in a policy of its own', () => {
    const { stack, ingestion } = ingest();
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    const write = ingestion.grantWrite(producer);
    const read = ingestion.grantRead(consumer);
    const doc = (grant: iam.Grant) => grantStatements(stack, grant).map(s => s.Action);
    expect(grantResources(write)).toHaveLength(1);
    expect(grantResources(write)[0]).toBeInstanceOf(iam.Policy);
    expect(grantResources(read)[0]).not.toBe(grantResources(write)[0]);
    expect(doc(write)).toEqual([['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary'], 'kms:GenerateDataKey']);
    expect(doc(read)).toEqual([['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'], 'kms:Decrypt']);
  });

  test('a given alarm topic is used instead of a new one', () => {
    const env = setup();
    const topic = new sns.Topic(env.stack, 'Topic');
    const { template, ingestion } = ingest({ alarmTopic: topic }, env);
    expect(ingestion.alarmTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });
});

describe('StreamingIngestion validation', () => {
  const fails = (props: Partial<StreamingIngestionProps>, message: string, env = setup()) => {
    expect(() => new StreamingIngestion(env.stack, 'Ingest', { destination: env.zone, ...props })).toThrow(message);
  };

  test('buffering interval 0 to 900 seconds, at least 60 with dynamic partitioning', () => {
    fails({ bufferingInterval: Duration.seconds(901) }, 'Test/Ingest: `bufferingInterval` must be a whole number from 0 to 900 (seconds), got 901');
    fails({ bufferingInterval: Duration.millis(1500) }, 'Test/Ingest: `bufferingInterval` must be a whole number from 0 to 900 (seconds), got 1.5');
    fails({ bufferingInterval: Duration.seconds(30), partitionKeys: { t: '.t' } },
      'Test/Ingest: `bufferingInterval` must be a whole number from 60 to 900 (seconds; Firehose has no zero buffering with dynamic partitioning), got 30');
  });

  test('buffering size 1 to 128 MiB, at least 64 with dynamic partitioning or Parquet', () => {
    fails({ bufferingSize: Size.mebibytes(129) }, 'Test/Ingest: `bufferingSize` must be a whole number from 1 to 128 (MiB), got 129');
    fails({ bufferingSize: Size.kibibytes(512) }, 'Test/Ingest: `bufferingSize` must be a whole number from 1 to 128 (MiB), got 0.5');
    fails({ bufferingSize: Size.mebibytes(32), partitionKeys: { t: '.t' } },
      'Test/Ingest: `bufferingSize` must be a whole number from 64 to 128 (MiB with dynamic partitioning), got 32');
    const env = setup();
    const table = new glue.CfnTable(env.stack, 'Table', { catalogId: 'c', databaseName: 'db', tableInput: { name: 't' } });
    fails({ bufferingSize: Size.mebibytes(16), dataFormat: LakeDataFormat.PARQUET, schemaTable: table },
      'Test/Ingest: `bufferingSize` must be a whole number from 64 to 128 (MiB with Parquet conversion), got 16', env);
  });

  test('Parquet needs a schema and no second compression', () => {
    fails({ dataFormat: LakeDataFormat.PARQUET }, 'Test/Ingest: `schemaTable` must be given for Parquet conversion (Firehose reads the Parquet schema from a Glue table), got nothing');
    const env = setup();
    const table = new glue.CfnTable(env.stack, 'Table', { catalogId: 'c', databaseName: 'db', tableInput: { name: 't' } });
    fails({ dataFormat: LakeDataFormat.PARQUET, schemaTable: table, compression: firehose.Compression.GZIP },
      "Test/Ingest: `compression` must be UNCOMPRESSED with Parquet conversion (Parquet compresses its pages with Snappy itself), got 'GZIP'", env);
  });

  test('prefixes with expressions need an error prefix with the error type, without partition keys', () => {
    fails({ errorOutputPrefix: '' }, "Test/Ingest: `errorOutputPrefix` must not be empty when `prefix` uses expressions (Firehose needs an error prefix to evaluate them), got ''");
    fails({ errorOutputPrefix: 'errors/!{timestamp:yyyy}/' }, "Test/Ingest: `errorOutputPrefix` must contain !{firehose:error-output-type} when it uses expressions, got 'errors/!{timestamp:yyyy}/'");
    fails({ partitionKeys: { t: '.t' }, errorOutputPrefix: 'e/!{firehose:error-output-type}/!{partitionKeyFromQuery:t}/' },
      "Test/Ingest: `errorOutputPrefix` must not use partition keys such as !{partitionKeyFromQuery:t} (records that fail partitioning have none), got 'e/!{firehose:error-output-type}/!{partitionKeyFromQuery:t}/'");
    fails({ prefix: '/data/' }, "Test/Ingest: `prefix` must not start with \"/\" (S3 keys would begin with an empty folder), got '/data/'");
  });

  test('partition keys in the prefix need dynamic partitioning, defined keys, and a transform for Lambda keys', () => {
    fails({ prefix: 'd/!{partitionKeyFromQuery:t}/' }, "Test/Ingest: `prefix` may use partition keys such as !{partitionKeyFromQuery:t} only with dynamic partitioning (`partitionKeys`), got 'd/!{partitionKeyFromQuery:t}/'");
    fails({ partitionKeys: { a: '.a' }, prefix: 'd/!{partitionKeyFromQuery:b}/' }, "Test/Ingest: `prefix` uses !{partitionKeyFromQuery:b}, a key that `partitionKeys` does not define (a), got 'd/!{partitionKeyFromQuery:b}/'");
    fails({ partitionKeys: {}, prefix: 'd/!{partitionKeyFromLambda:b}/' }, "Test/Ingest: `prefix` uses !{partitionKeyFromLambda:b}, which needs a `transform` that returns the keys, got 'd/!{partitionKeyFromLambda:b}/'");
    fails({ partitionKeys: { a: '.a' }, prefix: 'd/!{timestamp:yyyy}/' },
      "Test/Ingest: `prefix` must use at least one partition key (!{partitionKeyFromQuery:...} or !{partitionKeyFromLambda:...}) with dynamic partitioning, got 'd/!{timestamp:yyyy}/'");
  });

  test('dynamic partitioning needs an error prefix and jq keys Firehose can evaluate', () => {
    fails({ partitionKeys: { t: '.t' }, prefix: 'd/', errorOutputPrefix: '' },
      "Test/Ingest: `errorOutputPrefix` must not be empty with dynamic partitioning (Firehose requires an error prefix for records it cannot partition), got ''");
    fails({ partitionKeys: { 'event-type': '.t' }, prefix: 'd/!{partitionKeyFromQuery:event-type}/' },
      "Test/Ingest: `partitionKeys key` must be a jq identifier: a letter or underscore, then letters, digits or underscores, got 'event-type'");
    fails({ partitionKeys: { t: ' ' }, prefix: 'd/!{partitionKeyFromQuery:t}/' }, "Test/Ingest: `partitionKeys.t` must be a jq expression, such as .event_type, got ' '");
    fails({ partitionKeys: { t: `.${'a'.repeat(5116)}` }, prefix: 'd/!{partitionKeyFromQuery:t}/' },
      'Test/Ingest: `partitionKeys` must be at most 5120 characters long (as the jq query {key:expression,...} Firehose evaluates), got \'{t:.aaaa');
  });

  test('shard count and retention within the service limits', () => {
    fails({ shardCount: 0 }, 'Test/Ingest: `shardCount` must be a whole number of at least 1, got 0');
    fails({ shardCount: 1.5 }, 'Test/Ingest: `shardCount` must be a whole number of at least 1, got 1.5');
    fails({ shardCount: 2, streamMode: kinesis.StreamMode.ON_DEMAND }, 'Test/Ingest: `shardCount` must not be given for an ON_DEMAND stream (Kinesis manages its shards), got 2');
    fails({ retentionPeriod: Duration.hours(23) }, 'Test/Ingest: `retentionPeriod` must be a whole number from 24 to 8760 (hours), got 23');
    fails({ retentionPeriod: Duration.days(366) }, 'Test/Ingest: `retentionPeriod` must be a whole number from 24 to 8760 (hours), got 8784');
    fails({ retentionPeriod: Duration.minutes(24 * 60 + 30) }, 'Test/Ingest: `retentionPeriod` must be a whole number from 24 to 8760 (hours), got 24.5');
  });

  test('an existing stream keeps its own capacity and encryption', () => {
    const env = setup();
    const stream = new kinesis.Stream(env.stack, 'Existing');
    fails({ stream, shardCount: 2 }, "Test/Ingest: `shardCount` must not be given with an existing `stream` (its capacity and encryption are its own), got '2'", env);
  });

  test('a destination bucket without a key needs destinationKey', () => {
    const stack = newStack();
    expect(() => new StreamingIngestion(stack, 'Ingest', { destination: new s3.Bucket(stack, 'Plain') }))
      .toThrow('Test/Ingest: `destinationKey` must be given when the destination bucket has no KMS key of its own (the library writes the lake encrypted with a customer-managed key), got nothing');
  });

  test('zones are accepted as DataLakeZone', () => {
    expect(setup().zone).toBeInstanceOf(DataLakeZone);
  });
});

describe('StreamingIngestion metrics', () => {
  test('each metric names its stream or delivery stream, with the statistic its alarm uses', () => {
    const { ingestion, stack } = ingest();
    const stream = { Ref: stack.getLogicalId(ingestion.stream.node.defaultChild as kinesis.CfnStream) };
    const delivery = { Ref: stack.getLogicalId(ingestion.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream) };
    const facts = (namespace: string, metricName: string, dimensions: Record<string, unknown>, statistic: string) => ({ namespace, metricName, dimensions, statistic, period: 300 });
    expect(metricFacts(stack, ingestion.metricGetRecordsIteratorAgeMilliseconds())).toEqual(facts('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', { StreamName: stream }, 'Maximum'));
    expect(metricFacts(stack, ingestion.metricWriteProvisionedThroughputExceeded())).toEqual(facts('AWS/Kinesis', 'WriteProvisionedThroughputExceeded', { StreamName: stream }, 'Sum'));
    expect(metricFacts(stack, ingestion.metricReadProvisionedThroughputExceeded())).toEqual(facts('AWS/Kinesis', 'ReadProvisionedThroughputExceeded', { StreamName: stream }, 'Sum'));
    expect(metricFacts(stack, ingestion.metricDeliveryToS3DataFreshness())).toEqual(facts('AWS/Firehose', 'DeliveryToS3.DataFreshness', { DeliveryStreamName: delivery }, 'Maximum'));
    expect(metricFacts(stack, ingestion.metricDeliveryToS3Success())).toEqual(facts('AWS/Firehose', 'DeliveryToS3.Success', { DeliveryStreamName: delivery }, 'Minimum'));
    expect(metricFacts(stack, ingestion.metricExecuteProcessingSuccess())).toEqual(facts('AWS/Firehose', 'ExecuteProcessing.Success', { DeliveryStreamName: delivery }, 'Minimum'));
    expect(metricFacts(stack, ingestion.metricFailedConversionRecords())).toEqual(facts('AWS/Firehose', 'FailedConversion.Records', { DeliveryStreamName: delivery }, 'Sum'));
    expect(metricFacts(stack, ingestion.metricDeliveryToS3Success({ period: Duration.minutes(1), statistic: 'Average' })))
      .toEqual({ ...facts('AWS/Firehose', 'DeliveryToS3.Success', { DeliveryStreamName: delivery }, 'Average'), period: 60 });
  });

  test('the alarms are built on the metrics: same name, dimensions, statistic and period', () => {
    const { ingestion, stack, template } = ingest();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(alarm => alarm.Properties);
    const asAlarm = (metric: Record<string, any>) => ({
      Namespace: metric.namespace, MetricName: metric.metricName, Statistic: metric.statistic, Period: metric.period,
      Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    });
    for (const metric of [ingestion.metricGetRecordsIteratorAgeMilliseconds(), ingestion.metricWriteProvisionedThroughputExceeded(),
      ingestion.metricReadProvisionedThroughputExceeded(), ingestion.metricDeliveryToS3DataFreshness(), ingestion.metricDeliveryToS3Success()]) {
      expect(alarms).toContainEqual(expect.objectContaining(asAlarm(metricFacts(stack, metric))));
    }
    expect(ingestion.alarms).toHaveLength(5);
  });

  test('alarms: false creates neither alarms nor their topic; the metrics remain', () => {
    const { ingestion, template, stack } = ingest({ alarms: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(ingestion.alarms).toEqual([]);
    expect(ingestion.alarmTopic).toBeUndefined();
    expect(metricFacts(stack, ingestion.metricDeliveryToS3DataFreshness()).metricName).toBe('DeliveryToS3.DataFreshness');
  });
});

describe('the Firehose CIDR mapping of the aws-kinesisfirehose L2', () => {
  const MAPPING = 'awscdkawskinesisfirehoseCidrBlocks';

  test('is dropped when nothing admits the delivery stream\'s connections, so no finding about it needs acknowledging', () => {
    const { template } = ingest();
    expect(template.toJSON().Mappings?.[MAPPING]).toBeUndefined();
  });

  test('is kept when a security group admits the delivery stream, which then needs it', () => {
    const env = setup();
    const ingestion = new StreamingIngestion(env.stack, 'Ingest', { destination: env.zone });
    const vpc = new ec2.Vpc(env.stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const group = new ec2.SecurityGroup(env.stack, 'Endpoint', { vpc });
    group.connections.allowFrom(ingestion.deliveryStream, ec2.Port.tcp(443));
    const template = Template.fromStack(env.stack).toJSON();
    expect(Object.keys(template.Mappings)).toEqual([MAPPING]);
    expect(JSON.stringify(template.Resources)).toContain(`{"Fn::FindInMap":["${MAPPING}",{"Ref":"AWS::Region"},"FirehoseCidrBlock"]}`);
  });

  test('is never acknowledged: the user\'s own unused mapping is still reported (CloudFormation Validate W7001)', () => {
    const env = setup();
    new StreamingIngestion(env.stack, 'Ingest', { destination: env.zone });
    new CfnMapping(env.stack, 'UserMapping', { mapping: { a: { b: 'c' } } });
    expect(() => App.of(env.stack)!.synth()).toThrow(/Mapping 'UserMapping' is not referenced[\s\S]*Acknowledge with 'CloudFormation-Validate::W7001'/);
  });
});
