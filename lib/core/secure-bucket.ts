import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeProviderOutsideVpc } from './cdk-providers';
import { DataRetentionProps, dataRemovalPolicy, destroysData } from './data-retention';

/**
 * What every bucket of the library has, whatever it stores:
 *
 * - versioning with S3 Object Lock turned on but no default retention: an overwritten or deleted
 *   object stays recoverable as a noncurrent version, and a compliance archive can add retention
 *   later (Object Lock can only be enabled when a bucket is created);
 * - TLS enforced by the bucket policy (TLS 1.2 or later), all public access blocked, ACLs disabled
 *   (bucket owner enforced), so access is decided by IAM and bucket policies only;
 * - object-level events sent to Amazon EventBridge, natively through the bucket's
 *   `NotificationConfiguration` (no custom resource), so pipelines can start on new objects;
 * - the library's removal rule: RETAIN unless the stack opts in to DESTROY, which also empties the
 *   bucket.
 */
function baseBucketProps(props: DataRetentionProps): s3.BucketProps {
  return {
    versioned: true,
    objectLockEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: dataRemovalPolicy(props),
    autoDeleteObjects: destroysData(props),
  };
}

function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}

/** Properties of an {@link AccessLogBucket}. */
export interface AccessLogBucketProps extends DataRetentionProps {
  /**
   * How long access log records are kept.
   *
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
}

/**
 * The destination of S3 server access logs for the buckets of a construct.
 *
 * It differs from the other buckets where S3 requires it: it is encrypted with SSE-S3, not KMS,
 * and has no Object Lock, because S3 documents both SSE-KMS default encryption and Object Lock as
 * unsupported on the target bucket of server access logs. It does not log its own access (that
 * would log the log deliveries themselves, a loop with no reader). Log records expire after
 * `retention`.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export class AccessLogBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    const retention = props.retention ?? Duration.days(365);
    super(scope, id, {
      ...baseBucketProps(props),
      objectLockEnabled: false,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{
        id: 'expire-access-logs',
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
    });
    sendEventsToEventBridge(this);
    acknowledgeProviderOutsideVpc(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider', 'empties buckets of a sandbox stack when they are deleted');
    Validations.of(this).acknowledge(
      {
        id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
        reason: 'S3 server access logging delivers only to target buckets encrypted with SSE-S3, not SSE-KMS',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason: 'S3 server access logging cannot deliver to a target bucket with Object Lock enabled',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        reason: 'This is the access-log bucket: logging it would log its own log deliveries, a loop with no reader',
      },
    );
  }
}

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps extends DataRetentionProps {
  /** The customer-managed KMS key that encrypts every object (SSE-KMS with an S3 Bucket Key). */
  readonly encryptionKey: kms.IKey;
  /**
   * Where S3 writes the server access logs of this bucket. A bucket created in the same app gets
   * the bucket-policy statement that lets S3 deliver the logs; an imported one must have it.
   */
  readonly serverAccessLogsBucket: s3.IBucket;
  /**
   * The prefix of this bucket's access logs in `serverAccessLogsBucket`.
   *
   * @default - the construct path, so that buckets sharing a log bucket do not mix their logs
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * Lifecycle rules (build them with `StorageTiering`, which validates them).
   *
   * @default - no lifecycle rules
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Which objects lifecycle transitions skip by size.
   *
   * @default - S3's default, `ALL_STORAGE_CLASSES_128_K`: objects under 128 KiB are not transitioned
   */
  readonly transitionDefaultMinimumObjectSize?: s3.TransitionDefaultMinimumObjectSize;
}

/**
 * An S3 bucket with the library's secure defaults, encrypted with a customer-managed KMS key.
 *
 * On top of the defaults every bucket has (versioning with Object Lock, TLS only, no public access,
 * no ACLs, EventBridge events, data retained), it encrypts with SSE-KMS and an S3 Bucket Key
 * (the Bucket Key cuts KMS request costs by up to 99 %, because S3 asks KMS for a bucket-level
 * key instead of one data key per object) and sends server access logs to a log bucket.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
 */
export class SecureBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id, {
      ...baseBucketProps(props),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      lifecycleRules: props.lifecycleRules,
      transitionDefaultMinimumObjectSize: props.transitionDefaultMinimumObjectSize,
    });
    sendEventsToEventBridge(this);
    acknowledgeProviderOutsideVpc(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider', 'empties buckets of a sandbox stack when they are deleted');
    this.sendAccessLogsTo(props.serverAccessLogsBucket, props.serverAccessLogsPrefix ?? `${this.node.path}/`);
  }

  /**
   * Turns on server access logging through the bucket's `LoggingConfiguration` and lets the S3
   * logging service write this bucket's logs, and only these, into the log bucket's policy.
   * (The L2 `serverAccessLogsBucket` prop depends on a feature flag to do the same; without it,
   * it falls back to an ACL that buckets with ACLs disabled reject.)
   */
  private sendAccessLogsTo(logBucket: s3.IBucket, prefix: string): void {
    (this.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: logBucket.bucketName,
      logFilePrefix: prefix,
    };
    logBucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logBucket.arnForObjects(`${prefix}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': this.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));
  }
}

/**
 * A customer-managed KMS key with yearly automatic rotation, for the data of one construct.
 *
 * A customer-managed key (about 1 USD a month) rather than the AWS-managed `aws/s3` key, because
 * only a customer-managed key can be shared with other accounts and services through its key
 * policy, and its use shows in CloudTrail under your own key.
 */
export function createDataKey(scope: Construct, id: string, description: string, props: DataRetentionProps): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: dataRemovalPolicy(props),
    pendingWindow: Duration.days(7),
  });
  // Only AWS services may create grants on the key (Control Tower CT.KMS.PR.3): a grant is a
  // second, easily overlooked way to give the key away.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowGrantsOnlyForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}
