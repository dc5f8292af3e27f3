import * as fs from 'fs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { attachGrantPolicy } from '../core/grant-policy';
import { check } from '../core/validation';

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

  /** Lets `grantee` read the script object, and nothing else of the assets bucket. */
  public grantRead(grantee: iam.IGrantable, id: string): void {
    attachGrantPolicy(this, id, {
      grantee,
      statements: [new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
      })],
    });
  }
}
