import { Duration, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { baseBucketProps, sendEventsToEventBridge } from './bucket-defaults';
import { acknowledgeProviderOutsideVpc } from './cdk-providers';
import { DataRetentionProps } from './data-retention';

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
    Validations.of(this.node.defaultChild!).acknowledge(
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
