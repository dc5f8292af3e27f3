import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { objectReadStatements, objectReadWriteStatements } from '../core/bucket-statements';
import { DataRetentionProps } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { DataLakeZone } from '../storage/data-lake-zone';
import { bucketRefusals } from '../rehearsal/common-calls';
import { viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';

/** A bucket that is not a lake zone, with the customer-managed key that encrypts it. */
export interface EncryptedBucket {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /** The KMS key of the bucket's objects. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Where a Spark job reads or writes: a zone of a `DataLake` (its bucket, key and Glue database)
 * or any KMS-encrypted bucket.
 */
export type SparkData = DataLakeZone | EncryptedBucket;

/** What every Spark construct of this library runs, reads and writes. */
export interface SparkJobProps extends DataRetentionProps {
  /** The local PySpark script that the job runs (uploaded as a CDK asset). */
  readonly scriptPath: string;
  /**
   * Arguments of the script.
   *
   * @default - none
   */
  readonly scriptArguments?: string[];
  /**
   * What the job reads: lake zones (objects, key, Glue catalog) or encrypted buckets.
   *
   * @default - nothing
   */
  readonly inputs?: SparkData[];
  /**
   * What the job writes.
   *
   * @default - nothing
   */
  readonly outputs?: SparkData[];
  /**
   * The bucket (and key) of the job's by-products: its logs go under a prefix of the construct,
   * and its key also encrypts the engine's volumes and execution logs.
   */
  readonly workspace: EncryptedBucket;
  /**
   * How long the state machine's execution logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

function isZone(data: SparkData): data is DataLakeZone {
  return data instanceof DataLakeZone;
}

/** The bucket of `data`. */
export function sparkDataBucket(data: SparkData): s3.IBucket {
  return data.bucket;
}

/** `s3://<bucket>/<prefix>` of `data`. */
export function sparkDataUri(data: SparkData, prefix = ''): string {
  return data.bucket.s3UrlForObject(prefix);
}

/**
 * Lets `grantee` read `data`: a zone's own `grantRead` (objects, key and Glue catalog entries),
 * or the least-privilege object and key statements of a bucket, in a policy of their own.
 */
export function grantSparkRead(scope: Construct, grantee: iam.IGrantable, data: SparkData): void {
  if (isZone(data)) {
    data.grantRead(grantee);
    return;
  }
  attachGrantPolicy(scope, `Read${granteeId(scope, grantee)}${bucketId(data)}`, {
    grantee,
    statements: objectReadStatements(data.bucket, data.encryptionKey),
    wildcardReason: 'all objects of one input bucket (`<bucket>/*`): the job reads whatever the sources wrote there',
  });
}

/** Lets `grantee` read and write `data` (see {@link grantSparkRead}). */
export function grantSparkWrite(scope: Construct, grantee: iam.IGrantable, data: SparkData): void {
  if (isZone(data)) {
    data.grantWrite(grantee);
    return;
  }
  attachGrantPolicy(scope, `Write${granteeId(scope, grantee)}${bucketId(data)}`, {
    grantee,
    statements: objectReadWriteStatements(data.bucket, data.encryptionKey),
    wildcardReason: 'all objects of one output bucket (`<bucket>/*`): Spark writes part files whose names it chooses at run time',
  });
}

/**
 * Lets `grantee` write objects under one prefix of `workspace` (logs, outputs) and read them back,
 * with the workspace key.
 */
export function grantPrefixWrite(scope: Construct, id: string, grantee: iam.IGrantable, workspace: EncryptedBucket, prefix: string): void {
  attachGrantPolicy(scope, id, {
    grantee,
    statements: [
      new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [workspace.bucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [workspace.bucket.arnForObjects(`${prefix}*`)],
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [workspace.encryptionKey.keyArn] }),
    ],
    wildcardReason: `the objects under one prefix of the workspace bucket (\`${prefix}*\`), whose names the job chooses at run time`,
  });
}

function bucketId(data: EncryptedBucket): string {
  return Construct.isConstruct(data.bucket) ? data.bucket.node.addr.slice(0, 8) : 'Bucket';
}

/**
 * Declares, for the deploy rehearsal, what a Spark job does with `role`: read an object of each
 * input and write one of each output, with the bucket keys through S3, and the refusals each
 * output bucket that is not a lake zone owes. Zones under Lake Formation are left out: their grants are Lake Formation
 * permissions, not bucket permissions.
 */
export function declareSparkDataCalls(scope: Construct, role: iam.IRole, props: SparkJobProps, source: string): void {
  const rehearsal = Rehearsal.of(scope);
  const via = viaService(scope, 's3');
  const direct = (data: SparkData) => !isZone(data) || !data.lakeFormationGoverned;
  const keyOf = (data: SparkData) => (isZone(data) ? data.bucket.encryptionKey : data.encryptionKey);
  for (const input of (props.inputs ?? []).filter(direct)) {
    const key = keyOf(input);
    rehearsal.allows({ description: `the job reads ${input.bucket.node.path}`, principal: role, action: 's3:GetObject', resource: input.bucket.arnForObjects('transactions/part-00000.json'), source });
    if (key) {
      rehearsal.allows({ description: `S3 decrypts ${input.bucket.node.path} for the job`, principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: via, source });
    }
  }
  for (const output of (props.outputs ?? []).filter(direct)) {
    const key = keyOf(output);
    const object = 'features/part-00000.snappy.parquet';
    rehearsal.allows({ description: `the job writes ${output.bucket.node.path}`, principal: role, action: 's3:PutObject', resource: output.bucket.arnForObjects(object), source });
    if (key) {
      rehearsal.allows({ description: `S3 encrypts for the job in ${output.bucket.node.path}`, principal: role, action: 'kms:GenerateDataKey', resource: key.keyArn, context: via, source });
    }
    if (!isZone(output)) {
      // A lake zone declares its own refusals.
      rehearsal.denies(...bucketRefusals(scope, output.bucket, role, `the objects of ${output.bucket.node.path}`));
    }
  }
}
