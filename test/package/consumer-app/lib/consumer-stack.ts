import * as path from 'path';
import * as cdk from 'aws-cdk-lib/core';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as lib from 'ml-data-engineering-constructs';

/** A PySpark script of the app: what Glue, EMR and SageMaker jobs run. */
const SCRIPT = path.join(__dirname, '..', 'scripts', 'job.py');

export interface ConsumerStackProps extends cdk.StackProps {
  /** Three Availability Zones of the stack's Region (Redshift Serverless needs subnets in three). */
  readonly availabilityZones: string[];
  /**
   * Constructs left out because the partition lacks their service.
   *
   * @default - none
   */
  readonly unavailable?: string[];
}

/**
 * A user's stack that builds every construct the package exports, as its README shows them, with
 * the least the props require.
 */
export class ConsumerStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: ConsumerStackProps) {
    super(scope, id, props);
    const removalPolicy = cdk.RemovalPolicy.DESTROY;

    const network = new lib.PrivateNetwork(this, 'Network', { availabilityZones: props.availabilityZones, removalPolicy });
    const governance = new lib.LakeFormationGovernance(this, 'Governance', { tags: { classification: ['public', 'confidential'] } });
    const lake = new lib.DataLake(this, 'Lake', {
      governance,
      removalPolicy,
      zones: [{ name: 'raw', lfTags: { classification: 'confidential' } }, { name: 'curated', lfTags: { classification: 'public' } }],
    });
    const raw = lake.zone('raw');
    const curated = lake.zone('curated');
    const workspaceBucket = new lib.SecureBucket(this, 'Workspace', {
      encryptionKey: lake.encryptionKey, serverAccessLogsBucket: lake.accessLogsBucket, removalPolicy,
    });
    const workspace = { bucket: workspaceBucket, encryptionKey: lake.encryptionKey };
    new lib.AccessLogBucket(this, 'MoreAccessLogs', { removalPolicy });

    // Ingestion.
    const clicks = new lib.StreamingIngestion(this, 'Clicks', { destination: raw, shardCount: 1, removalPolicy });
    const outputKey = lib.createDataKey(this, 'OutputKey', 'Encrypts the analytics output stream', { removalPolicy });
    const output = new kinesis.Stream(this, 'Output', { shardCount: 1, encryption: kinesis.StreamEncryption.KMS, encryptionKey: outputKey });
    new lib.StreamAnalytics(this, 'Analytics', {
      input: clicks.stream, output, code: lib.StreamAnalyticsCode.fromBucket(workspaceBucket, 'flink/app.zip'), removalPolicy,
    });
    if (!props.unavailable?.includes('VideoIngestion')) {
      new lib.VideoIngestion(this, 'Video', { removalPolicy });
    }
    new lib.KafkaIngestion(this, 'Kafka', { stage: lib.KafkaDeploymentStage.DELIVERY, vpc: network.vpc, destination: raw, removalPolicy });
    new lib.DmsAccountRoles(this, 'DmsRoles');
    new lib.DatabaseIngestion(this, 'Orders', {
      vpc: network.vpc,
      source: { engine: 'postgres', secret: new secretsmanager.Secret(this, 'SourceSecret'), databaseName: 'shop' },
      target: raw,
      removalPolicy,
    });

    // Transformation.
    new lib.GlueEtlPipeline(this, 'Etl', { source: raw, target: curated, targetTableName: 'orders', script: SCRIPT, removalPolicy });
    // A bucket, key and Glue database the user already has, taken as a zone.
    const reports = lib.DataLakeZone.fromZoneAttributes(this, 'Reports', {
      bucket: s3.Bucket.fromBucketAttributes(this, 'ReportsBucket', {
        bucketName: 'existing-reports', encryptionKey: kms.Key.fromKeyArn(this, 'ReportsKey', cdk.Arn.format({ service: 'kms', resource: 'key', resourceName: '1234abcd-12ab-34cd-56ef-1234567890ab' }, this)),
      }),
      databaseName: 'reports',
    });
    new lib.AthenaWorkgroup(this, 'Athena', { zones: [curated, reports], removalPolicy });
    new lib.SparkScriptAsset(this, 'Script', SCRIPT);
    new lib.EmrServerlessSpark(this, 'Serverless', { scriptPath: SCRIPT, workspace, inputs: [raw], outputs: [curated], removalPolicy });
    new lib.EmrSparkCluster(this, 'Cluster', { vpc: network.vpc, scriptPath: SCRIPT, workspace, inputs: [raw], outputs: [curated], removalPolicy });
    new lib.SageMakerSparkProcessing(this, 'Processing', { scriptPath: SCRIPT, workspace, inputs: [raw], outputs: [curated], removalPolicy });
    new lib.RedshiftSpectrum(this, 'Spectrum', { vpc: network.vpc, zones: [curated], removalPolicy });

    // Training storage and training.
    const lustre = new lib.LustreTrainingStorage(this, 'Lustre', { vpc: network.vpc, dataRepositories: [{ source: curated }], removalPolicy });
    const efs = new lib.EfsTrainingStorage(this, 'Efs', { vpc: network.vpc, removalPolicy });
    new lib.EbsVolumeSet(this, 'Volumes', { availabilityZone: props.availabilityZones[0], volumes: [{ name: 'scratch', size: cdk.Size.gibibytes(100) }], removalPolicy });
    new lib.TrainingJobLauncher(this, 'Training', {
      vpc: network.vpc,
      trainingImage: lib.xgboostImageUri(this),
      inputs: [
        lib.TrainingInput.fromS3(curated, { channelName: 'train' }),
        lib.TrainingInput.fromLustre(lustre, { channelName: 'validation' }),
        lib.TrainingInput.fromEfs(efs, { channelName: 'test' }),
      ],
      output: workspaceBucket,
      jobNamePrefix: 'consumer',
      removalPolicy,
    });
  }
}
