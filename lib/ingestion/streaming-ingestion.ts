import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger } from '../core/validation';
import { OTHER_ACCOUNT, principalWithoutGrant } from '../rehearsal/common-calls';
import { assumedBy, viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { removeUnusedFirehoseCidrMapping } from './firehose-cidr-mapping';
import { FirehoseIngestion, notify } from './firehose-ingestion';
import { LakeDeliveryOptions, ResolvedLakeDelivery, resolveLakeDelivery } from './lake-delivery';
import { LakeS3Destination, lakeTarget } from './lake-s3-destination';

/** Properties of a {@link StreamingIngestion}. */
export interface StreamingIngestionProps extends LakeDeliveryOptions {
  /**
   * An existing Kinesis data stream to read. Its encryption, capacity and retention are then its
   * own: `streamMode`, `shardCount` and `streamEncryptionKey` must not be given.
   *
   * @default - a new stream
   */
  readonly stream?: kinesis.IStream;
  /**
   * The capacity mode of a new stream. `PROVISIONED` bills per shard-hour (one shard: 1 MiB/s or
   * 1,000 records/s in, 2 MiB/s out); `ON_DEMAND` bills per stream-hour plus per GB and scales by
   * itself. At idle, one provisioned shard is the cheaper of the two.
   *
   * @default kinesis.StreamMode.PROVISIONED
   */
  readonly streamMode?: kinesis.StreamMode;
  /**
   * The number of shards of a new `PROVISIONED` stream.
   *
   * @default 1
   */
  readonly shardCount?: number;
  /**
   * How long the stream keeps records: from 24 hours to 365 days (8,760 hours), in whole hours.
   * For an existing `stream`, give its retention so that the iterator-age alarm fits it.
   *
   * @default Duration.days(7) for a new stream (long enough to replay a week); Duration.hours(24) for an existing one
   */
  readonly retentionPeriod?: Duration;
  /**
   * The key that encrypts a new stream (server-side encryption lives on the stream: Firehose
   * rejects its own encryption when it reads a Kinesis stream) and the delivery error logs.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly streamEncryptionKey?: kms.IKey;
}

/**
 * Kinesis Data Streams → Amazon Data Firehose → the data lake (notes part two, sections c–e).
 *
 * Producers write records to a **Kinesis data stream**, which keeps them, ordered per shard, for
 * its retention period, so that any number of consumers (this Firehose stream, a Flink
 * application, a KCL or Lambda consumer) can read and replay them. **Amazon Data Firehose**
 * (formerly Kinesis Data Firehose) reads the stream and delivers to S3 in near real time: it
 * buffers records (by size and time), optionally transforms them with a Lambda function, converts
 * JSON to Parquet against a Glue table, partitions the keys dynamically or by arrival time, then
 * writes compressed, KMS-encrypted objects into a lake zone.
 *
 * Choices and why:
 * - the stream is encrypted with a customer-managed key, on the stream itself: Firehose rejects
 *   server-side encryption of its own when its source is a Kinesis stream (its S3 objects are
 *   encrypted with the lake's key);
 * - retention 7 days by default, to replay a week after a bad transform;
 * - nothing is lost: records Firehose cannot transform, convert, partition or deliver go under an
 *   error prefix with `!{firehose:error-output-type}`; with a transform, the source records are
 *   backed up unchanged; errors are logged to an encrypted log group with a bounded retention;
 * - the delivery role has least privilege (see {@link LakeS3Destination});
 * - alarms that fire, each on a metric with the stream's or delivery stream's dimension: iterator
 *   age at half the retention (records expire unread at the full retention), read and write
 *   throughput exceeded, Firehose data freshness, delivery, transform and conversion failures.
 *
 * Producers: the AWS SDK's `PutRecords` (see `examples/streaming-ingestion/producer.ts`) batches up
 * to 500 records / 5 MiB per call and must retry the records that failed. The Kinesis Producer
 * Library (KPL, Java, a native daemon) does the same plus record aggregation (many user records in
 * one Kinesis record), at the price of a native process; the Kinesis Client Library (KCL) is the
 * consumer-side counterpart that balances shards between workers and checkpoints in DynamoDB.
 * Firehose replaces a KCL consumer for delivery into S3 (and de-aggregates KPL records).
 *
 * What the notes get wrong: their paragraphs 2e and 2g are swapped. Firehose is the service that
 * captures, transforms (with Lambda), batches, compresses and loads streams into S3 and other
 * stores in near real time; Kinesis Video Streams (see {@link VideoIngestion}) ingests video and
 * audio from devices. Firehose is near real time (buffering of 0 to 900 seconds), not real time.
 *
 * Cost at idle: a provisioned stream bills per shard-hour (0.015 USD in us-east-1, about 11 USD a
 * month for one shard), an on-demand stream per stream-hour (0.04 USD, about 29 USD a month) plus
 * per GB; retention beyond 24 hours bills per shard-hour (or per GB on demand); the customer-managed
 * key 1 USD a month; each alarm 0.10 USD a month. Firehose and Lambda bill per GB / per request only.
 *
 * @see https://aws.amazon.com/kinesis/data-streams/pricing/
 */
export class StreamingIngestion extends FirehoseIngestion {
  /** The Kinesis data stream. */
  public readonly stream: kinesis.IStream;
  /** The Firehose stream that delivers the records into the lake. */
  public readonly deliveryStream: firehose.DeliveryStream;
  /** The role Firehose assumes to read the stream and write the lake. */
  public readonly deliveryRole: iam.Role;
  /** The bucket the records are delivered to. */
  public readonly destinationBucket: s3.IBucket;
  /** The alarms on the stream and the delivery (none with `alarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The topic the alarms notify (none with `alarms: false`). */
  public readonly alarmTopic?: sns.ITopic;
  /** The settings of the delivery, with the defaults filled in. */
  public readonly delivery: ResolvedLakeDelivery;
  private readonly streamKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: StreamingIngestionProps) {
    super(scope, id);
    const target = lakeTarget(this, props);
    this.destinationBucket = target.bucket;
    this.delivery = resolveLakeDelivery(this, props);
    const retention = this.validateStream(props);

    const key = props.streamEncryptionKey ?? createDataKey(this, 'Key', `Encrypts the stream and delivery logs of ${this.node.path}`, props);
    if (props.stream) {
      this.stream = props.stream;
      this.streamKey = props.stream.encryptionKey;
    } else {
      const mode = props.streamMode ?? kinesis.StreamMode.PROVISIONED;
      this.stream = new kinesis.Stream(this, 'Stream', {
        streamMode: mode,
        shardCount: mode === kinesis.StreamMode.PROVISIONED ? props.shardCount ?? 1 : undefined,
        retentionPeriod: retention,
        encryption: kinesis.StreamEncryption.KMS,
        encryptionKey: key,
        removalPolicy: dataRemovalPolicy(props),
      });
      this.streamKey = key;
      Validations.of(this.stream).acknowledge({
        id: 'AwsSolutions-KDS3',
        reason: 'A customer-managed key, not aws/kinesis: its key policy can be shared with consumers in other accounts and its use is audited under our own key',
      });
    }

    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
      description: `Reads ${this.stream.node.path} and writes the lake for ${this.node.path}`,
    });
    const destination = new LakeS3Destination(target, this.delivery, props, this.deliveryRole, key);
    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      source: new firehose.KinesisStreamSource(this.stream),
      destination,
      role: this.deliveryRole,
    });

    removeUnusedFirehoseCidrMapping(this);
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason: 'Server-side encryption is on the source Kinesis stream (KMS); Firehose rejects its own when it reads a Kinesis stream, and its S3 objects are encrypted with the lake key',
    });
    this.declareRuntimeCalls(destination);

    if (!props.stream) {
      DataFlow.node(this, 'StreamNode', { label: 'Kinesis data stream', detail: this.node.id, stage: DataFlowStage.INGESTION, resources: [this.stream] });
    }
    DataFlow.node(this, 'DeliveryNode', { label: 'Firehose stream', detail: this.node.id, stage: DataFlowStage.INGESTION, resources: [this.deliveryStream] });
    if (props.transform) {
      DataFlow.node(this, 'TransformNode', { label: 'Lambda transform', detail: props.transform.node.id, stage: DataFlowStage.PROCESSING, resources: [props.transform] });
    }

    if (props.alarms ?? true) {
      const topic = this.alarmTopic = this.createAlarmTopic(key, props.alarmTopic);
      const streamAlarms = this.streamAlarms(retention);
      streamAlarms.forEach(alarm => notify(alarm, topic));
      this.alarms.push(...streamAlarms, ...this.createDeliveryAlarms(this.delivery, props.transform !== undefined, topic));
    }
  }

  /**
   * How far behind the latest record the stream's slowest consumer reads, in milliseconds
   * (`AWS/Kinesis` `GetRecords.IteratorAgeMilliseconds`, by `StreamName`): records expire unread
   * when it reaches the retention period.
   *
   * @default - maximum over 5 minutes
   */
  public metricGetRecordsIteratorAgeMilliseconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: Duration.minutes(5), ...props });
  }

  /**
   * Writes the stream throttled (`AWS/Kinesis` `WriteProvisionedThroughputExceeded`, by
   * `StreamName`): producers exceed the shards' capacity.
   *
   * @default - sum over 5 minutes
   */
  public metricWriteProvisionedThroughputExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  /**
   * Reads of the stream throttled (`AWS/Kinesis` `ReadProvisionedThroughputExceeded`, by
   * `StreamName`): the consumers together exceed the shards' read capacity.
   *
   * @default - sum over 5 minutes
   */
  public metricReadProvisionedThroughputExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricReadProvisionedThroughputExceeded({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  /**
   * Lets `producer` put records into the stream (`PutRecord`, `PutRecords`) and encrypt them with
   * the stream's key (`kms:GenerateDataKey`), in a policy of its own.
   *
   * @see https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
   */
  public grantWrite(producer: iam.IGrantable): iam.Grant {
    const statements = [new iam.PolicyStatement({
      actions: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary'],
      resources: [this.stream.streamArn],
    })];
    if (this.streamKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.streamKey.keyArn] }));
    }
    return attachGrantPolicy(this, `Write${granteeId(this, producer)}`, { grantee: producer, statements });
  }

  /**
   * Lets `consumer` read the stream with shard iterators (`GetRecords`) and decrypt its records,
   * in a policy of its own.
   */
  public grantRead(consumer: iam.IGrantable): iam.Grant {
    const statements = [new iam.PolicyStatement({
      actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
      resources: [this.stream.streamArn],
    })];
    if (this.streamKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.streamKey.keyArn] }));
    }
    return attachGrantPolicy(this, `Read${granteeId(this, consumer)}`, { grantee: consumer, statements });
  }

  /**
   * What Firehose does with the delivery role when it reads the stream (the S3 side is declared by
   * `LakeS3Destination`), and the refusals the stream owes.
   */
  private declareRuntimeCalls(destination: LakeS3Destination): void {
    const source = 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-kinesis-streams';
    const role = this.deliveryRole;
    const stream = this.stream.streamArn;
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(
      assumedBy(role, 'firehose.amazonaws.com', 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html'),
      ...['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards']
        .map(action => ({ description: `Firehose reads the stream (${action})`, principal: role, action, resource: stream, source })),
    );
    if (this.streamKey) {
      rehearsal.allows({
        description: 'Kinesis decrypts the records Firehose reads', principal: role, action: 'kms:Decrypt', resource: this.streamKey.keyArn,
        context: viaService(this, 'kinesis'), source: 'https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html',
      });
    }
    rehearsal.denies(
      { description: 'another account reads the stream', principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 'kinesis:GetRecords', resource: stream, source },
      { description: 'a principal with no grant writes the stream', principal: principalWithoutGrant(this), action: 'kinesis:PutRecord', resource: stream, source },
    );
    rehearsal.createsBefore({
      description: 'Firehose reads the source and delivers as soon as the delivery stream exists, with the permissions of its role',
      first: destination.policy!, then: this.deliveryStream, source: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html',
    });
  }

  /**
   * @see https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html (24 to 8,760 hours)
   * @see https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html (capacity modes)
   */
  private validateStream(props: StreamingIngestionProps): Duration {
    if (props.stream) {
      for (const prop of ['streamMode', 'shardCount', 'streamEncryptionKey'] as const) {
        check(props[prop] === undefined, this, prop, props[prop] === undefined ? undefined : String(props[prop]),
          'must not be given with an existing `stream` (its capacity and encryption are its own)');
      }
    }
    if (props.shardCount !== undefined) {
      check(props.streamMode !== kinesis.StreamMode.ON_DEMAND, this, 'shardCount', props.shardCount,
        'must not be given for an ON_DEMAND stream (Kinesis manages its shards)');
      checkInteger(this, 'shardCount', props.shardCount, { min: 1 });
    }
    const retention = props.retentionPeriod ?? (props.stream ? Duration.hours(24) : Duration.days(7));
    checkInteger(this, 'retentionPeriod', retention.toHours({ integral: false }), { min: 24, max: 8760, why: 'hours' });
    return retention;
  }

  /** The alarms of the stream, each on one of the stream metrics above. */
  private streamAlarms(retention: Duration): cloudwatch.Alarm[] {
    return [
      this.metricGetRecordsIteratorAgeMilliseconds().createAlarm(this, 'IteratorAgeAlarm', {
        alarmDescription: `A consumer of ${this.stream.node.path} is behind by half the retention: its records expire unread at ${retention.toHours()} hours`,
        threshold: retention.toMilliseconds() / 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricWriteProvisionedThroughputExceeded().createAlarm(this, 'WriteThrottledAlarm', {
        alarmDescription: `Producers of ${this.stream.node.path} were throttled for 15 minutes: add shards or use ON_DEMAND`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricReadProvisionedThroughputExceeded().createAlarm(this, 'ReadThrottledAlarm', {
        alarmDescription: `Consumers of ${this.stream.node.path} were throttled for 15 minutes: too many consumers share the shards`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
