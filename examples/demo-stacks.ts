import { App, Stack, Tags } from 'aws-cdk-lib';
import { DataLakeDemoStack } from './data-lake/data-lake-stack';
import { StreamingIngestionDemoStack } from './streaming-ingestion/streaming-ingestion-stack';
import { VideoIngestionDemoStack } from './video-ingestion/video-ingestion-stack';
import { TrainingStorageDemoStack } from './training-storage/training-storage-stack';
import { SparkAtScaleDemoStack } from './spark-at-scale/spark-at-scale-stack';
import { DatabaseIngestionDemoStack } from './database-ingestion/database-ingestion-stack';
import { DmsAccountRolesDemoStack } from './database-ingestion/dms-account-roles-stack';
import { GlueEtlDemoStack } from './glue-etl/glue-etl-stack';
import { KafkaIngestionDemoStack } from './kafka-ingestion/kafka-ingestion-stack';
import { KafkaDeploymentStage } from '../lib/ingestion/kafka-ingestion';
import { StreamAnalyticsDemoStack } from './stream-analytics/stream-analytics-stack';
import { REDSHIFT_AZS_CONTEXT, RedshiftSpectrumDemoStack } from './redshift-spectrum/redshift-spectrum-stack';

/** The tag every resource of a demo stack carries, with the demo's name as value. */
export const DEMO_TAG = 'ml-data-engineering:demo';

/**
 * Tags every resource of `stack` with {@link DEMO_TAG} = `demo`, so that what a demo leaves behind
 * after a destroy (retained buckets, keys pending deletion) can be found by tag:
 * `npm run leftovers -- <demo>`.
 */
export function tagDemoStack(stack: Stack, demo: string = stack.stackName): void {
  Tags.of(stack).add(DEMO_TAG, demo);
}

/**
 * Adds one stack per example to `app`. The stacks are environment-agnostic: they synthesize
 * without an AWS account and deploy to whatever account and region the CLI is configured for.
 */
export function addDemoStacks(app: App): void {
  const dataLake = new DataLakeDemoStack(app, 'DataLakeDemo');
  new StreamingIngestionDemoStack(app, 'StreamingIngestionDemo');
  new VideoIngestionDemoStack(app, 'VideoIngestionDemo');
  new TrainingStorageDemoStack(app, 'TrainingStorageDemo');
  new TrainingStorageDemoStack(app, 'TrainingStorageLustreDemo', { withLustre: true });
  new SparkAtScaleDemoStack(app, 'SparkAtScaleDemo');
  // Lake Formation settings exist once per account and Region: the ETL demo's lake takes them from
  // DataLakeDemo, which `cdk deploy GlueEtlDemo` therefore deploys first.
  new GlueEtlDemoStack(app, 'GlueEtlDemo', { lakeFormationSettings: dataLake.lake.governance });
  // DMS's account-wide roles, in a stack that `cdk deploy DatabaseIngestionDemo` deploys first;
  // `-c dms-account-roles=existing` leaves it out when the account already has the roles.
  const dmsRoles = app.node.tryGetContext('dms-account-roles') === 'existing' ? undefined : new DmsAccountRolesDemoStack(app, 'DmsAccountRolesDemo');
  new DatabaseIngestionDemoStack(app, 'DatabaseIngestionDemo', { accountRoles: dmsRoles?.roles });
  // Bills about 0.41 USD per hour while deployed; the first deployment needs `-c kafka-stage=CLUSTER`.
  new StreamAnalyticsDemoStack(app, 'StreamAnalyticsDemo');
  new KafkaIngestionDemoStack(app, 'KafkaIngestionDemo', {
    stage: app.node.tryGetContext('kafka-stage') === KafkaDeploymentStage.CLUSTER ? KafkaDeploymentStage.CLUSTER : KafkaDeploymentStage.DELIVERY,
  });
  // `-c redshift-azs=us-east-1a,us-east-1b,us-east-1d` names three AZs whose IDs Redshift Serverless supports.
  const redshiftAzs = app.node.tryGetContext(REDSHIFT_AZS_CONTEXT);
  new RedshiftSpectrumDemoStack(app, 'RedshiftSpectrumDemo', {
    availabilityZoneNames: typeof redshiftAzs === 'string' ? redshiftAzs.split(',').map(name => name.trim()) : redshiftAzs,
  });
  for (const child of app.node.children) {
    if (child instanceof Stack) {
      tagDemoStack(child);
    }
  }
}
