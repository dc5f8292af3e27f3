import { ArnFormat, Duration, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct, IConstruct, IDependable } from 'constructs';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { allowLogsToUse } from '../core/private-network';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { bucketRefusals } from '../rehearsal/common-calls';
import { viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { check, checkInteger, checkLength } from '../core/validation';
import { DataLakeZone } from '../storage/data-lake-zone';
import { validateFirehosePrefix } from './firehose-prefix';

/** Hive-style time partitions (`year=/month=/day=/hour=`), evaluated by Firehose at delivery (UTC). */
export const HIVE_TIME_PARTITIONS = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
/** The expression that Firehose replaces with the kind of failure in an error output prefix. */
export const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';

/** The file format Firehose writes into the lake. */
export enum LakeDataFormat {
  /** The records as they arrive (or as the transform returns them), compressed with `compression`. */
  RAW = 'RAW',
  /** Apache Parquet (Snappy), converted from JSON records against the schema of a Glue table. */
  PARQUET = 'PARQUET',
}

/** How Firehose delivers records into the data lake: shared by every Firehose-based ingestion construct. */
export interface LakeDeliveryOptions extends DataRetentionProps {
  /** The lake zone (or any bucket) the records are delivered to. */
  readonly destination: DataLakeZone | s3.IBucket;
  /**
   * The KMS key that encrypts the delivered objects.
   *
   * @default - the destination bucket's own key (`bucket.encryptionKey`); required for a bucket without one
   */
  readonly destinationKey?: kms.IKey;
  /**
   * The S3 prefix of delivered objects. It may use `!{timestamp:...}` expressions, and
   * `!{partitionKeyFromQuery:key}` / `!{partitionKeyFromLambda:key}` with dynamic partitioning.
   *
   * @default - `data/` then, with dynamic partitioning, one `key=value/` level per query key, then
   * Hive-style time partitions `year=YYYY/month=MM/day=DD/hour=HH/`
   */
  readonly prefix?: string;
  /**
   * The S3 prefix of records Firehose could not transform, convert, partition or deliver. It must
   * contain `!{firehose:error-output-type}` when it uses expressions, so that each kind of failure
   * lands in its own folder.
   *
   * @default `errors/!{firehose:error-output-type}/year=YYYY/month=MM/day=DD/hour=HH/`
   */
  readonly errorOutputPrefix?: string;
  /**
   * How long Firehose buffers records before it writes an object: 0 to 900 seconds (at least 60
   * with dynamic partitioning).
   *
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;
  /**
   * How much Firehose buffers before it writes an object: 1 to 128 MiB (at least 64 MiB with
   * dynamic partitioning or Parquet conversion).
   *
   * @default - 5 MiB; 64 MiB with dynamic partitioning or Parquet conversion
   */
  readonly bufferingSize?: Size;
  /**
   * The compression of delivered objects in `RAW` format. Parquet compresses its own pages
   * (Snappy), so Firehose must not compress the file again.
   *
   * @default - GZIP for `RAW`, UNCOMPRESSED for `PARQUET`
   */
  readonly compression?: firehose.Compression;
  /**
   * A Lambda function that transforms each batch of records. It returns every record with its
   * `recordId`, a `result` (`Ok`, `Dropped` or `ProcessingFailed`) and base64 `data`; failed
   * records go to the error prefix. The source records are then backed up, unchanged, under
   * `source-backup/`.
   *
   * @default - no transform
   */
  readonly transform?: lambda.IFunction;
  /**
   * The file format of delivered objects.
   *
   * @default LakeDataFormat.RAW
   */
  readonly dataFormat?: LakeDataFormat;
  /**
   * The Glue table whose columns define the Parquet schema. Required with `LakeDataFormat.PARQUET`.
   *
   * @default - none
   */
  readonly schemaTable?: glue.CfnTable;
  /**
   * Dynamic partitioning: partition keys read from each JSON record with jq 1.6 expressions
   * (key → expression, such as `{ eventType: '.event_type' }`), used in the prefix as
   * `!{partitionKeyFromQuery:eventType}`. Keys returned by the transform (`metadata.partitionKeys`)
   * are used as `!{partitionKeyFromLambda:key}`; pass `{}` to enable dynamic partitioning with
   * Lambda keys only.
   *
   * @default - no dynamic partitioning: time-based Hive-style prefixes only
   */
  readonly partitionKeys?: Record<string, string>;
  /**
   * How long the delivery error logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Where the alarms send their notifications (state changes to ALARM and back to OK).
   *
   * @default - a new SNS topic, encrypted with the construct's key, TLS only; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
}

/** The bucket and key a delivery writes to. */
export interface LakeTarget {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
}

/** Resolves the destination of `options` to a bucket and the key that encrypts its objects. */
export function lakeTarget(scope: IConstruct, options: LakeDeliveryOptions): LakeTarget {
  const bucket = options.destination instanceof DataLakeZone ? options.destination.bucket : options.destination;
  const key = options.destinationKey ?? bucket.encryptionKey;
  check(key !== undefined, scope, 'destinationKey', undefined,
    'must be given when the destination bucket has no KMS key of its own (the library writes the lake encrypted with a customer-managed key)');
  return { bucket, key: key! };
}

/** The resolved settings of a delivery, after defaults and validation. */
export interface ResolvedLakeDelivery {
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly bufferingInterval: Duration;
  readonly bufferingSize: Size;
  readonly compression: firehose.Compression;
  readonly dataFormat: LakeDataFormat;
  readonly dynamicPartitioning: boolean;
}

/**
 * Fills in the defaults of `options` and checks them against the limits of Amazon Data Firehose.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/create-configure.html (buffering hints: 1–128 MiB, 0–900 s)
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html (error prefix required)
 * @see https://docs.aws.amazon.com/firehose/latest/dev/buffering.html (dynamic partitioning: at least 64 MiB, no zero buffering)
 * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html (Parquet: at least 64 MiB, schema from a Glue table)
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html (expressions and `!{firehose:error-output-type}`)
 */
export function resolveLakeDelivery(scope: IConstruct, options: LakeDeliveryOptions): ResolvedLakeDelivery {
  const dataFormat = options.dataFormat ?? LakeDataFormat.RAW;
  const queryKeys = options.partitionKeys ?? {};
  const dynamicPartitioning = options.partitionKeys !== undefined;
  const large = dynamicPartitioning || dataFormat === LakeDataFormat.PARQUET;
  const why = dynamicPartitioning ? 'with dynamic partitioning' : 'with Parquet conversion';

  const intervalSeconds = (options.bufferingInterval ?? Duration.seconds(300)).toSeconds({ integral: false });
  checkInteger(scope, 'bufferingInterval', intervalSeconds, {
    min: dynamicPartitioning ? 60 : 0, max: 900,
    why: dynamicPartitioning ? 'seconds; Firehose has no zero buffering with dynamic partitioning' : 'seconds',
  });
  const sizeMiB = (options.bufferingSize ?? Size.mebibytes(large ? 64 : 5)).toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  checkInteger(scope, 'bufferingSize', sizeMiB, { min: large ? 64 : 1, max: 128, why: large ? `MiB ${why}` : 'MiB' });

  if (dataFormat === LakeDataFormat.PARQUET) {
    check(options.schemaTable !== undefined, scope, 'schemaTable', options.schemaTable,
      'must be given for Parquet conversion (Firehose reads the Parquet schema from a Glue table)');
    check(options.compression === undefined || options.compression.value === 'UNCOMPRESSED', scope, 'compression', options.compression?.value,
      'must be UNCOMPRESSED with Parquet conversion (Parquet compresses its pages with Snappy itself)');
  }

  const prefix = options.prefix ?? `data/${Object.keys(queryKeys).map(key => `${key}=!{partitionKeyFromQuery:${key}}/`).join('')}${HIVE_TIME_PARTITIONS}`;
  const errorOutputPrefix = options.errorOutputPrefix ?? `errors/${ERROR_OUTPUT_TYPE}/${HIVE_TIME_PARTITIONS}`;
  check(!prefix.startsWith('/'), scope, 'prefix', prefix, 'must not start with "/" (S3 keys would begin with an empty folder)');
  const context = { dynamicPartitioning, queryKeys: Object.keys(queryKeys), transform: options.transform !== undefined };
  const data = validateFirehosePrefix(scope, 'prefix', prefix, { ...context, errorPrefix: false });
  const errors = validateFirehosePrefix(scope, 'errorOutputPrefix', errorOutputPrefix, { ...context, errorPrefix: true });
  check(data.expressions.length === 0 || errorOutputPrefix.length > 0, scope, 'errorOutputPrefix', errorOutputPrefix,
    'must not be empty when `prefix` uses expressions (Firehose needs an error prefix to evaluate them)');
  check(!dynamicPartitioning || errorOutputPrefix.length > 0, scope, 'errorOutputPrefix', errorOutputPrefix,
    'must not be empty with dynamic partitioning (Firehose requires an error prefix for records it cannot partition)');
  check(errors.expressions.length === 0 || errors.expressions.some(e => `!{${e.namespace}:${e.value}}` === ERROR_OUTPUT_TYPE),
    scope, 'errorOutputPrefix', errorOutputPrefix, `must contain ${ERROR_OUTPUT_TYPE} when it uses expressions`);
  check(!dynamicPartitioning || data.expressions.some(e => e.namespace.startsWith('partitionKeyFrom')), scope, 'prefix', prefix,
    'must use at least one partition key (!{partitionKeyFromQuery:...} or !{partitionKeyFromLambda:...}) with dynamic partitioning');
  validatePartitionKeys(scope, queryKeys);

  return {
    prefix,
    errorOutputPrefix,
    bufferingInterval: Duration.seconds(intervalSeconds),
    bufferingSize: Size.mebibytes(sizeMiB),
    compression: options.compression ?? (dataFormat === LakeDataFormat.PARQUET ? firehose.Compression.UNCOMPRESSED : firehose.Compression.GZIP),
    dataFormat,
    dynamicPartitioning,
  };
}

/**
 * Inline-parsing keys become one jq object, `{key: expression, ...}`, the `MetadataExtractionQuery`
 * of the delivery: each key must be a bare jq object key and each expression non-blank, and the
 * whole query at most 5,120 characters (the limit of a processor parameter).
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-partitioning-keys.html (jq 1.6 inline parsing)
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ProcessorParameter.html (ParameterValue: 1 to 5,120 characters)
 * @see https://jqlang.org/manual/v1.6/#object-construction (keys written without quotes are identifiers)
 */
function validatePartitionKeys(scope: IConstruct, queryKeys: Record<string, string>): void {
  Object.entries(queryKeys).forEach(([key, query]) => {
    check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(key), scope, 'partitionKeys key', key,
      'must be a jq identifier: a letter or underscore, then letters, digits or underscores');
    check(Token.isUnresolved(query) || query.trim().length > 0, scope, `partitionKeys.${key}`, query, 'must be a jq expression, such as .event_type');
  });
  checkLength(scope, 'partitionKeys', metadataExtractionQuery(queryKeys), { max: 5120, why: 'as the jq query {key:expression,...} Firehose evaluates' });
}

/** The jq query that extracts the inline-parsing keys. */
function metadataExtractionQuery(queryKeys: Record<string, string>): string {
  return `{${Object.entries(queryKeys).map(([key, query]) => `${key}:${query}`).join(',')}}`;
}

/**
 * The S3 destination of a Firehose stream into the lake, with least-privilege permissions.
 *
 * It implements the stable `aws-kinesisfirehose` `IDestination` rather than using its `S3Bucket`
 * destination, because `S3Bucket` grants the delivery role `bucket.grantReadWrite()`, which
 * includes `s3:DeleteObject*` (permanent deletion of object versions in the lake) and KMS action
 * wildcards. This destination grants only what Firehose documents that it needs: write objects,
 * abort and list multipart uploads, read the bucket location, use the key through S3, invoke the
 * transform, read the schema table and write its error logs.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
 */
export class LakeS3Destination implements firehose.IDestination {
  /** The log group of delivery errors, once bound. */
  public logGroup?: logs.LogGroup;
  /** The policy of the delivery role for this destination, once bound. */
  public policy?: iam.Policy;

  constructor(
    private readonly target: LakeTarget,
    private readonly delivery: ResolvedLakeDelivery,
    private readonly options: LakeDeliveryOptions,
    private readonly role: iam.Role,
    private readonly logKey: kms.IKey,
  ) {}

  public bind(scope: Construct, _options: firehose.DestinationBindOptions): firehose.DestinationConfig {
    const { bucket, key } = this.target;
    const stack = Stack.of(scope);
    const policy = new iam.Policy(scope, 'DeliveryPolicy', { roles: [this.role] });
    acknowledgeWildcards(policy, 'all objects of the destination bucket (`<bucket>/*`): Firehose names each object when it delivers it');
    policy.addStatements(
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [bucket.bucketArn] }),
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'], resources: [bucket.arnForObjects('*')] }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: viaService(scope, 's3') },
      }),
    );
    this.policy = policy;

    this.logGroup = new logs.LogGroup(scope, 'ErrorLogs', {
      retention: this.options.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.logKey,
      removalPolicy: dataRemovalPolicy(this.options),
    });
    allowLogsToUse(this.logKey);
    const deliveryLogs = new logs.LogStream(scope, 'DeliveryLogStream', { logGroup: this.logGroup, removalPolicy: dataRemovalPolicy(this.options) });
    const backupLogs = new logs.LogStream(scope, 'BackupLogStream', { logGroup: this.logGroup, removalPolicy: dataRemovalPolicy(this.options) });
    policy.addStatements(new iam.PolicyStatement({
      actions: ['logs:PutLogEvents'],
      resources: [deliveryLogs, backupLogs].map(s => stack.formatArn({
        service: 'logs', resource: 'log-group', resourceName: `${this.logGroup!.logGroupName}:log-stream:${s.logStreamName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })),
    }));

    const encryptionConfiguration = { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } };
    const processors: firehose.CfnDeliveryStream.ProcessorProperty[] = [];
    if (this.options.transform) {
      policy.addStatements(new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], resources: [this.options.transform.functionArn],
      }));
      processors.push({
        type: 'Lambda',
        parameters: [
          { parameterName: 'LambdaArn', parameterValue: this.options.transform.functionArn },
          { parameterName: 'NumberOfRetries', parameterValue: '3' },
        ],
      });
    }
    const queryKeys = this.options.partitionKeys ?? {};
    if (Object.keys(queryKeys).length > 0) {
      processors.push({
        type: 'MetadataExtraction',
        parameters: [
          { parameterName: 'MetadataExtractionQuery', parameterValue: metadataExtractionQuery(queryKeys) },
          { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
        ],
      });
    }
    if (this.delivery.dynamicPartitioning && !this.options.transform && this.delivery.dataFormat === LakeDataFormat.RAW) {
      // Records are concatenated in an object: a newline after each keeps them readable as JSON Lines.
      processors.push({ type: 'AppendDelimiterToRecord', parameters: [{ parameterName: 'Delimiter', parameterValue: '\\n' }] });
    }

    let dataFormatConversionConfiguration: firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty | undefined;
    const table = this.options.schemaTable;
    if (this.delivery.dataFormat === LakeDataFormat.PARQUET && table) {
      const databaseName = table.databaseName;
      const tableName = (table.tableInput as glue.CfnTable.TableInputProperty).name!;
      policy.addStatements(new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${tableName}` }),
        ],
      }));
      dataFormatConversionConfiguration = {
        enabled: true,
        inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
        outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
        schemaConfiguration: { catalogId: table.catalogId, databaseName, tableName, region: stack.region, roleArn: this.role.roleArn, versionId: 'LATEST' },
      };
    }

    const bufferingHints = { intervalInSeconds: this.delivery.bufferingInterval.toSeconds(), sizeInMBs: this.delivery.bufferingSize.toMebibytes() };
    const config: firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty = {
      bucketArn: bucket.bucketArn,
      roleArn: this.role.roleArn,
      prefix: this.delivery.prefix,
      errorOutputPrefix: this.delivery.errorOutputPrefix,
      bufferingHints,
      compressionFormat: this.delivery.compression.value,
      encryptionConfiguration,
      cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: deliveryLogs.logStreamName },
      processingConfiguration: processors.length > 0 ? { enabled: true, processors } : undefined,
      dataFormatConversionConfiguration,
      dynamicPartitioningConfiguration: this.delivery.dynamicPartitioning
        ? { enabled: true, retryOptions: { durationInSeconds: 300 } } : undefined,
      // With a transform, the records as they arrived are kept too: a bug in the transform can
      // then be fixed and the source records replayed.
      s3BackupMode: this.options.transform ? 'Enabled' : 'Disabled',
      s3BackupConfiguration: this.options.transform ? {
        bucketArn: bucket.bucketArn,
        roleArn: this.role.roleArn,
        prefix: `source-backup/${HIVE_TIME_PARTITIONS}`,
        errorOutputPrefix: `source-backup-errors/${ERROR_OUTPUT_TYPE}/${HIVE_TIME_PARTITIONS}`,
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 5 },
        compressionFormat: 'GZIP',
        encryptionConfiguration,
        cloudWatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.logGroupName, logStreamName: backupLogs.logStreamName },
      } : undefined,
    };
    this.declareRuntimeCalls(scope, deliveryLogs);
    const dependables: IDependable[] = [policy];
    return { extendedS3DestinationConfiguration: config, dependables };
  }

  /** The calls Firehose makes with the delivery role, and those the lake must refuse. */
  private declareRuntimeCalls(scope: Construct, deliveryLogs: logs.LogStream): void {
    const { bucket, key } = this.target;
    const role = this.role;
    const stack = Stack.of(scope);
    const object = 'data/year=2026/month=01/day=01/hour=00/delivery.gz';
    const source = 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3';
    const rehearsal = Rehearsal.of(scope);
    rehearsal.allows(
      { description: 'Firehose writes a delivered object', principal: role, action: 's3:PutObject', resource: bucket.arnForObjects(object), source },
      { description: 'Firehose checks the bucket', principal: role, action: 's3:GetBucketLocation', resource: bucket.bucketArn, source },
      { description: 'Firehose encrypts the object through S3', principal: role, action: 'kms:GenerateDataKey', resource: key.keyArn, context: viaService(scope, 's3'), source },
      { description: 'Firehose completes multipart uploads through S3', principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: viaService(scope, 's3'), source },
      {
        description: 'Firehose logs delivery errors', principal: role, action: 'logs:PutLogEvents',
        resource: stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: `${this.logGroup!.logGroupName}:log-stream:${deliveryLogs.logStreamName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
        source: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3',
      },
    );
    if (this.options.transform) {
      rehearsal.allows({
        description: 'Firehose invokes the transform', principal: role, action: 'lambda:InvokeFunction', resource: this.options.transform.functionArn,
        source: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3',
      });
    }
    const table = this.options.schemaTable;
    if (this.delivery.dataFormat === LakeDataFormat.PARQUET && table) {
      rehearsal.allows({
        description: 'Firehose reads the Parquet schema', principal: role, action: 'glue:GetTableVersions',
        resource: stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${table.databaseName}/${(table.tableInput as glue.CfnTable.TableInputProperty).name}` }),
        source: 'https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-glue',
      });
    }
    if (!(this.options.destination instanceof DataLakeZone)) {
      // A lake zone declares its own refusals.
      rehearsal.denies(...bucketRefusals(scope, bucket, role, `the objects of ${bucket.node.path}`));
    }
  }
}

/** Options of the alarms on a Firehose stream into the lake. */
export interface DeliveryAlarmOptions {
  readonly deliveryStream: firehose.DeliveryStream;
  readonly topic: sns.ITopic;
  readonly delivery: ResolvedLakeDelivery;
  readonly transform?: lambda.IFunction;
}

/**
 * The alarms every Firehose stream into the lake gets. Each metric names the delivery stream
 * (`DeliveryStreamName` dimension): without it, CloudWatch has no data for the alarm and it never
 * fires.
 *
 * - data freshness: the oldest undelivered record is older than twice the buffering interval plus
 *   15 minutes (Firehose recommends alarming when freshness exceeds the buffering limit);
 * - delivery failures: `DeliveryToS3.Success` below 1 (some deliveries to S3 failed and are being retried);
 * - with a transform: `ExecuteProcessing.Success` below 1 (Lambda invocations failed);
 * - with Parquet: `FailedConversion.Records` above 0 (records that do not match the schema).
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html
 * @see https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
 */
export function createDeliveryAlarms(scope: Construct, options: DeliveryAlarmOptions): cloudwatch.Alarm[] {
  const stream = options.deliveryStream;
  const period = Duration.minutes(5);
  const alarms = [
    new cloudwatch.Alarm(scope, 'DataFreshnessAlarm', {
      alarmDescription: `Records wait in ${stream.node.path} longer than twice the buffering interval plus 15 minutes`,
      metric: stream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', period }),
      threshold: options.delivery.bufferingInterval.toSeconds() * 2 + 900,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    new cloudwatch.Alarm(scope, 'DeliveryFailureAlarm', {
      alarmDescription: `Deliveries of ${stream.node.path} to S3 failed (they are retried, then written under the error prefix)`,
      metric: stream.metric('DeliveryToS3.Success', { statistic: 'Minimum', period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
  ];
  if (options.transform) {
    alarms.push(new cloudwatch.Alarm(scope, 'TransformFailureAlarm', {
      alarmDescription: `Invocations of the transform of ${stream.node.path} failed`,
      metric: stream.metric('ExecuteProcessing.Success', { statistic: 'Minimum', period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }
  if (options.delivery.dataFormat === LakeDataFormat.PARQUET) {
    alarms.push(new cloudwatch.Alarm(scope, 'ConversionFailureAlarm', {
      alarmDescription: `Records of ${stream.node.path} do not match the Parquet schema (written under the error prefix)`,
      metric: stream.metric('FailedConversion.Records', { statistic: 'Sum', period }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }
  alarms.forEach(alarm => notify(alarm, options.topic));
  return alarms;
}

/** Sends the state changes of `alarm` (to ALARM and back to OK) to `topic`. */
export function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
  alarm.addAlarmAction(new cwActions.SnsAction(topic));
  alarm.addOkAction(new cwActions.SnsAction(topic));
}

/**
 * The topic the alarms of a construct notify, unless one is given: encrypted with `key`, TLS only.
 * CloudWatch may use the key to publish to the encrypted topic, for alarms of this account only.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encryption
 */
export function alarmTopic(scope: Construct, key: kms.IKey, given?: sns.ITopic): sns.ITopic {
  if (given) {
    return given;
  }
  const stack = Stack.of(scope);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  return new sns.Topic(scope, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: `Alarms of ${scope.node.path}`.slice(0, 100) });
}
