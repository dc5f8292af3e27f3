import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { DataRetentionProps } from '../core/data-retention';
import { check, checkInteger, checkLength } from '../core/validation';
import { IDataLakeZone } from '../storage/data-lake-zone';
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
  readonly destination: IDataLakeZone | s3.IBucket;
  /**
   * The KMS key that encrypts the delivered objects.
   *
   * @default - the zone's key, or the destination bucket's own key (`bucket.encryptionKey`); required for a bucket without one
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
   * Whether to create the alarms of the delivery (and of the stream it reads), each built on one
   * of the construct's `metric*()` methods. Without them, build your own on those methods.
   *
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * Where the alarms send their notifications (state changes to ALARM and back to OK).
   *
   * @default - a new SNS topic, encrypted with the construct's key, TLS only; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
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
export function metadataExtractionQuery(queryKeys: Record<string, string>): string {
  return `{${Object.entries(queryKeys).map(([key, query]) => `${key}:${query}`).join(',')}}`;
}
