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
import { KafkaDeploymentStage, PropValidationError } from '../lib';
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

/** The context key that selects the Kafka demo's deployment (`-c kafka-stage=CLUSTER` for the first one). */
export const KAFKA_STAGE_CONTEXT = 'kafka-stage';

/** The Kafka demo's deployment stage in `app`'s context: `CLUSTER` if asked for, else `DELIVERY`. */
export function kafkaStage(app: App): KafkaDeploymentStage {
  return app.node.tryGetContext(KAFKA_STAGE_CONTEXT) === KafkaDeploymentStage.CLUSTER ? KafkaDeploymentStage.CLUSTER : KafkaDeploymentStage.DELIVERY;
}

/**
 * DMS's account-wide roles, in a stack that `cdk deploy DatabaseIngestionDemo` deploys first;
 * `-c dms-account-roles=existing` leaves it out when the account already has the roles. Built once,
 * by whichever of the two stacks comes first.
 */
function dmsAccountRoles(app: App): DmsAccountRolesDemoStack | undefined {
  if (app.node.tryGetContext('dms-account-roles') === 'existing') return undefined;
  return app.node.tryFindChild('DmsAccountRolesDemo') as DmsAccountRolesDemoStack | undefined ?? new DmsAccountRolesDemoStack(app, 'DmsAccountRolesDemo');
}

/**
 * The data lake demo, whose governance creates the account's Lake Formation settings, which the
 * ETL demo takes (`settingsFrom`): `cdk deploy GlueEtlDemo` deploys it first. Built once, by
 * whichever of the two stacks comes first.
 */
function dataLakeDemo(app: App): DataLakeDemoStack {
  return app.node.tryFindChild('DataLakeDemo') as DataLakeDemoStack | undefined ?? new DataLakeDemoStack(app, 'DataLakeDemo');
}

/** One stack per example, by stack name (a stack builds the stacks it depends on). */
const DEMO_STACKS: Record<string, (app: App, id: string) => Stack | undefined> = {
  DataLakeDemo: app => dataLakeDemo(app),
  StreamingIngestionDemo: (app, id) => new StreamingIngestionDemoStack(app, id),
  VideoIngestionDemo: (app, id) => new VideoIngestionDemoStack(app, id),
  TrainingStorageDemo: (app, id) => new TrainingStorageDemoStack(app, id),
  TrainingStorageLustreDemo: (app, id) => new TrainingStorageDemoStack(app, id, { withLustre: true }),
  SparkAtScaleDemo: (app, id) => new SparkAtScaleDemoStack(app, id),
  // Lake Formation settings exist once per account and Region: the ETL demo's lake takes them from DataLakeDemo.
  GlueEtlDemo: (app, id) => new GlueEtlDemoStack(app, id, { lakeFormationSettings: dataLakeDemo(app).lake.governance }),
  DmsAccountRolesDemo: app => dmsAccountRoles(app),
  DatabaseIngestionDemo: (app, id) => new DatabaseIngestionDemoStack(app, id, { accountRoles: dmsAccountRoles(app)?.roles }),
  StreamAnalyticsDemo: (app, id) => new StreamAnalyticsDemoStack(app, id),
  // Bills about 0.41 USD per hour while deployed; the first deployment needs `-c kafka-stage=CLUSTER`.
  KafkaIngestionDemo: (app, id) => new KafkaIngestionDemoStack(app, id, { stage: kafkaStage(app) }),
  // `-c redshift-azs=us-east-1a,us-east-1b,us-east-1d` names three AZs whose IDs Redshift Serverless supports.
  RedshiftSpectrumDemo: (app, id) => {
    const redshiftAzs = app.node.tryGetContext(REDSHIFT_AZS_CONTEXT);
    return new RedshiftSpectrumDemoStack(app, id, {
      availabilityZoneNames: typeof redshiftAzs === 'string' ? redshiftAzs.split(',').map(name => name.trim()) : redshiftAzs,
    });
  },
};

/** The names of the demo stacks, in the order the app builds them. */
export const DEMO_STACK_NAMES = Object.keys(DEMO_STACKS);

/** The context key that names the demo stacks to build: `-c stacks=StreamingIngestionDemo,GlueEtlDemo`. */
export const STACKS_CONTEXT = 'stacks';

/**
 * Adds one stack per example to `app`, or only the stacks named by the context value `stacks`
 * (comma-separated, or a list in `cdk.json`) and the stacks they depend on: building,
 * synthesizing and checking one stack takes a few seconds instead of the whole app's. The stacks
 * are environment-agnostic: they synthesize without an AWS account and deploy to whatever account
 * and region the CLI is configured for.
 */
export function addDemoStacks(app: App): void {
  for (const name of selectedDemoStacks(app)) {
    if (!app.node.tryFindChild(name)) DEMO_STACKS[name](app, name);
  }
  for (const child of app.node.children) {
    if (child instanceof Stack) {
      tagDemoStack(child);
    }
  }
}

function selectedDemoStacks(app: App): string[] {
  const value: unknown = app.node.tryGetContext(STACKS_CONTEXT);
  if (value === undefined) return DEMO_STACK_NAMES;
  const names = (Array.isArray(value) ? value : String(value).split(',')).map(name => String(name).trim()).filter(name => name !== '');
  const unknown = names.filter(name => !DEMO_STACK_NAMES.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new PropValidationError(app, STACKS_CONTEXT, value,
      `(a context value) must name one or more demo stacks, separated by commas, among ${DEMO_STACK_NAMES.join(', ')}`);
  }
  return DEMO_STACK_NAMES.filter(name => names.includes(name));
}
