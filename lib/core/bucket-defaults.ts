import * as s3 from 'aws-cdk-lib/aws-s3';
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
export function baseBucketProps(props: DataRetentionProps): s3.BucketProps {
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

/** Sends the bucket's object-level events to EventBridge, natively (no custom resource). */
export function sendEventsToEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}
