/**
 * Spark at scale: one PySpark feature-engineering script (`feature_engineering.py`, beside this
 * file) run on three engines side by side, over the same data lake. The features it writes are
 * queried in place with Redshift Spectrum in `RedshiftSpectrumDemo`
 * (examples/redshift-spectrum/), which needs a network in three AZs.
 *
 * | engine                         | you manage          | starts in      | bills                          |
 * |--------------------------------|---------------------|----------------|--------------------------------|
 * | EMR Serverless                 | an application      | ~1–2 min       | per vCPU/GB-second of workers  |
 * | EMR on EC2 (transient cluster) | instances, a cluster| ~7–10 min      | per instance-second + EMR fee  |
 * | SageMaker Spark Processing     | a processing job    | ~3–5 min       | per ML-instance-second         |
 *
 * Run an engine: start its state machine (`aws stepfunctions start-execution --state-machine-arn
 * <output>`) after putting JSON-lines transactions (`customer_id`, `amount`, `event_time`,
 * `transaction_id`) under `s3://<raw bucket>/transactions/`.
 *
 * Deploy to a sandbox: `npx cdk deploy SparkAtScaleDemo`. Remove it: `npx cdk destroy
 * SparkAtScaleDemo` (buckets are emptied and deleted, keys scheduled for deletion after 7 days).
 *
 * Cost at idle: about 17 USD a month: the KMS interface endpoint the EMR cluster needs in the
 * private subnets (0.01 USD per hour in each of two AZs, about 15 USD) and two KMS keys (the
 * lake's and the flow logs', 1 USD each); no NAT gateway, no cluster, no warm workers. Everything
 * else bills only while a job runs.
 */
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLake, EmrServerlessSpark, EmrSparkCluster, PrivateNetwork, SageMakerSparkProcessing, SecureBucket } from '../../lib';

/** The shared script, run unchanged by every engine. */
export const FEATURE_SCRIPT = path.join(__dirname, 'feature_engineering.py');

export class SparkAtScaleDemoStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: one PySpark feature-engineering script on EMR Serverless, EMR on EC2 and SageMaker Processing',
      ...props,
    });

    // 1. The lake: raw transactions in, features out to the analytics zone. IAM-governed here
    //    (no Lake Formation), so the Spark roles get plain S3, KMS and Glue permissions.
    const lake = new DataLake(this, 'Lake', { removalPolicy: RemovalPolicy.DESTROY });
    const raw = lake.zone('raw');
    const analytics = lake.zone('analytics');

    // 2. A workspace bucket for what the engines produce besides data: job logs, kept 90 days.
    const workspace = new SecureBucket(this, 'Workspace', {
      encryptionKey: lake.encryptionKey,
      serverAccessLogsBucket: lake.accessLogsBucket,
      lifecycleRules: [{
        id: 'expire-job-logs',
        expiration: Duration.days(90),
        noncurrentVersionExpiration: Duration.days(7),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const workspaceRef = { bucket: workspace, encryptionKey: lake.encryptionKey };

    // 3. A private network: isolated subnets, no NAT, S3 through the free gateway endpoint.
    //    The Spark workers reach S3 and nothing else.
    const network = new PrivateNetwork(this, 'Network', { removalPolicy: RemovalPolicy.DESTROY });

    const input = raw.bucket.s3UrlForObject('transactions/');
    const output = (engine: string) => analytics.bucket.s3UrlForObject(`features/${engine}/`);

    // 4. EMR Serverless: an application that starts on the first job and stops 15 minutes after
    //    the last, capped at 16 vCPU / 64 GB, on Graviton workers in the private subnets.
    const emrServerless = new EmrServerlessSpark(this, 'EmrServerless', {
      scriptPath: FEATURE_SCRIPT,
      scriptArguments: ['--input', input, '--output', output('emr-serverless')],
      inputs: [raw],
      outputs: [analytics],
      workspace: workspaceRef,
      vpc: network.vpc,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // 5. SageMaker Processing: the prebuilt Spark image on two ml.m5.xlarge instances, for the
    //    length of the job. The image reads S3 through S3A, hence `--s3-scheme s3a`.
    const sageMaker = new SageMakerSparkProcessing(this, 'SageMakerSpark', {
      scriptPath: FEATURE_SCRIPT,
      scriptArguments: ['--input', input, '--output', output('sagemaker'), '--s3-scheme', 's3a'],
      inputs: [raw],
      outputs: [analytics],
      workspace: workspaceRef,
      vpc: network.vpc,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // 6. EMR on EC2: a transient cluster (one primary, two core m5.xlarge) that the state machine
    //    creates, runs the script on as a spark-submit step, and terminates, also when the step
    //    fails; EMR terminates it anyway after 30 idle minutes. Disks and EMRFS writes encrypted
    //    with the lake key, IMDSv2 only. The nodes reach S3 (gateway) and KMS (interface
    //    endpoint, the one hourly cost of this stack) and nothing else.
    const emrCluster = new EmrSparkCluster(this, 'EmrCluster', {
      scriptPath: FEATURE_SCRIPT,
      scriptArguments: ['--input', input, '--output', output('emr-on-ec2')],
      inputs: [raw],
      outputs: [analytics],
      workspace: workspaceRef,
      network,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    new CfnOutput(this, 'EmrClusterStateMachine', { value: emrCluster.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EmrServerlessStateMachine', { value: emrServerless.stateMachine.stateMachineArn });
    new CfnOutput(this, 'SageMakerStateMachine', { value: sageMaker.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RawTransactions', { value: input });
    // Where each engine writes its features: s3://<AnalyticsBucket>/features/<engine>/.
    new CfnOutput(this, 'RawBucket', { value: raw.bucket.bucketName });
    new CfnOutput(this, 'AnalyticsBucket', { value: analytics.bucket.bucketName });
  }
}
