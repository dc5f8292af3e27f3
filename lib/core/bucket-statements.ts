import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Least-privilege S3 and KMS statements for the objects of one bucket, with every action named
 * (no `s3:Get*`-style wildcards, so a reviewer sees exactly what a grant allows).
 *
 * Writers may delete objects (in a versioned bucket that only adds a delete marker, so nothing is
 * lost) but never `s3:DeleteObjectVersion`: permanently removing a version is left to lifecycle
 * rules and administrators.
 */
export function objectReadStatements(bucket: s3.IBucket, key: kms.IKey): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bucket.arnForObjects('*')] }),
    new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }),
  ];
}

/** {@link objectReadStatements} plus writing, overwriting, deleting (delete markers) and multipart uploads. */
export function objectReadWriteStatements(bucket: s3.IBucket, key: kms.IKey): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [bucket.bucketArn],
    }),
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [bucket.arnForObjects('*')],
    }),
    new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
  ];
}
