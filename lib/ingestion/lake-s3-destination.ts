import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct, IDependable } from 'constructs';
import { dataRemovalPolicy } from '../core/data-retention';
import { allowLogsToUse } from '../core/private-network';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { bucketRefusals } from '../rehearsal/common-calls';
import { viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { check } from '../core/validation';
import { isDataLakeZone, objectLocation } from '../storage/data-lake-zone';
import { ERROR_OUTPUT_TYPE, HIVE_TIME_PARTITIONS, LakeDataFormat, LakeDeliveryOptions, ResolvedLakeDelivery, metadataExtractionQuery } from './lake-delivery';

/** The bucket and key a delivery writes to. */
export interface LakeTarget {
  /** The destination bucket. */
  readonly bucket: s3.IBucket;
  /** The key the delivered objects are encrypted with. */
  readonly key: kms.IKey;
}

/** Resolves the destination of `options` to a bucket and the key that encrypts its objects. */
export function lakeTarget(scope: IConstruct, options: LakeDeliveryOptions): LakeTarget {
  const { bucket, encryptionKey } = objectLocation(options.destination);
  const key = options.destinationKey ?? encryptionKey;
  check(key !== undefined, scope, 'destinationKey', undefined,
    'must be given when the destination bucket has no KMS key of its own (the library writes the lake encrypted with a customer-managed key)');
  return { bucket, key: key! };
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
    if (!isDataLakeZone(this.options.destination)) {
      // A lake zone declares its own refusals.
      rehearsal.denies(...bucketRefusals(scope, bucket, role, `the objects of ${bucket.node.path}`));
    }
  }
}
