import * as fs from 'fs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { attachGrantPolicy } from '../core/grant-policy';
import { check } from '../core/validation';
import { Rehearsal } from '../rehearsal/expectations';

/**
 * Uploads one local PySpark script as a CDK file asset (to the bootstrap assets bucket, when the
 * stack deploys) and lets each engine's role read exactly that object: no extra bucket, no
 * deployment Lambda.
 */
export class SparkScriptAsset extends Construct {
  /** The uploaded script. */
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, scriptPath: string) {
    super(scope, id);
    check(fs.existsSync(scriptPath) && fs.statSync(scriptPath).isFile() && scriptPath.endsWith('.py'), scope, 'scriptPath', scriptPath,
      'must be an existing local Python file (*.py), the PySpark script to run');
    this.asset = new s3assets.Asset(this, 'Asset', { path: scriptPath });
  }

  /** `s3://<assets bucket>/<hash>.py`. */
  public get s3Uri(): string {
    return this.asset.s3ObjectUrl;
  }

  /**
   * Lets `grantee` read the script object, and nothing else of the assets bucket. With
   * `listPrefix`, it may also list the bucket with the script's key as prefix (`s3:ListBucket`
   * with an `s3:prefix` condition), which is how a SageMaker `S3Prefix` input finds its objects.
   *
   * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#condition-key-bucket-ops-2
   */
  public grantRead(grantee: iam.IGrantable, id: string, options: { readonly listPrefix?: boolean } = {}): iam.Grant {
    const statements = [new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
    })];
    if (options.listPrefix) {
      statements.push(new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.asset.bucket.bucketArn],
        conditions: { StringEquals: { 's3:prefix': this.asset.s3ObjectKey } },
      }));
    }
    const grant = attachGrantPolicy(this, id, { grantee, statements });
    const rehearsal = Rehearsal.of(this);
    const principal = grantee.grantPrincipal;
    const source = 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html';
    rehearsal.allows({ description: 'the engine loads the script', principal, action: 's3:GetObject', resource: this.asset.bucket.arnForObjects(this.asset.s3ObjectKey), source });
    if (options.listPrefix) {
      const list = 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html';
      rehearsal.allows({
        description: 'SageMaker lists the S3Prefix of the code input (ListObjectsV2)', principal, action: 's3:ListBucket', resource: this.asset.bucket.bucketArn,
        context: { 's3:prefix': this.asset.s3ObjectKey }, source: list,
      });
      rehearsal.denies({
        description: 'the role lists the rest of the assets bucket', principal, action: 's3:ListBucket', resource: this.asset.bucket.bucketArn,
        context: { 's3:prefix': '' }, source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#condition-key-bucket-ops-2',
      });
    }
    return grant;
  }
}
