import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeProviderOutsideVpc } from './cdk-providers';
import { baseBucketProps, sendEventsToEventBridge } from './bucket-defaults';
import { DataRetentionProps, dataRemovalPolicy } from './data-retention';

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
