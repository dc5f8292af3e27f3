/**
 * # Serverless ETL with AWS Glue, queried with Athena (notes part two b, part three)
 *
 * Read this stack top to bottom. Order events land as JSON files in the raw zone of a data lake;
 * a Glue workflow crawls them, runs a Spark job that cleans them into partitioned Parquet in the
 * curated zone, and crawls the result; analysts query it with Athena in a workgroup that limits
 * what one query may scan.
 *
 * Try it after `npx cdk deploy GlueEtlDemo`:
 *
 *     aws s3 cp examples/glue-etl/scripts/sample-orders.json s3://<RawBucket>/orders/2024-05-01.json
 *
 * Ten files (or 15 minutes after the first) start the workflow; `aws glue start-workflow-run
 * --name <Workflow>` starts it at once. Then run the named query "orders by status" in the
 * Athena console, in the workgroup of the stack's outputs.
 *
 * In the demo app, the lake takes the account's Lake Formation settings from `DataLakeDemo`
 * (Lake Formation keeps one set per account and Region), so `cdk deploy GlueEtlDemo` deploys
 * `DataLakeDemo` first. On its own (`lakeFormationSettings` unset) the stack creates them itself.
 *
 * Remove it: `npx cdk destroy GlueEtlDemo`. Glue creates its log groups (under /aws-glue/) at the
 * first run; they are not part of the stack and stay until you delete them.
 *
 * Cost at idle: about 2 USD a month: two KMS keys (the lake's, which also encrypts Athena
 * results, and the pipeline's for Glue logs and bookmarks). A workflow run costs about 0.15 USD
 * for a small input: two crawler runs (0.44 USD per DPU-hour, 10-minute minimum, billed per
 * second) and a few minutes of 2 G.1X workers (0.44 USD per DPU-hour, 1-minute minimum). Athena bills 5 USD per TB scanned, 10 MB minimum.
 */
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AthenaWorkgroup, DataFlow, DataFlowKind, DataFlowStage, DataLake, GlueEtlPipeline, LakeFormationGovernance, WorkflowStart } from '../../lib';

const SCRIPTS = path.join(__dirname, 'scripts');

/** Properties of a {@link GlueEtlDemoStack}. */
export interface GlueEtlDemoStackProps extends StackProps {
  /**
   * The governance, in another stack of the app, that manages the account's Lake Formation
   * settings and LF-tags (`DataLakeDemo`'s in the demo app).
   *
   * @default - this stack creates the account's Lake Formation settings
   */
  readonly lakeFormationSettings?: LakeFormationGovernance;
}

export class GlueEtlDemoStack extends Stack {
  /** The ETL pipeline. */
  public readonly pipeline: GlueEtlPipeline;
  /** The Athena workgroup. */
  public readonly workgroup: AthenaWorkgroup;

  constructor(scope: Construct, id: string, props: GlueEtlDemoStackProps = {}) {
    const { lakeFormationSettings, ...stackProps } = props;
    super(scope, id, {
      description: 'ML data engineering demo: Glue crawler, Spark job and workflow from raw to curated, queried with Athena',
      ...stackProps,
    });

    // 1. The lake: a raw zone where order events land and a curated zone for clean Parquet,
    //    governed by Lake Formation, so that the Glue roles and the analyst receive Lake
    //    Formation grants rather than broad bucket access. The account's Lake Formation settings
    //    (administrators) exist once per account and Region: in the demo app they come from
    //    DataLakeDemo (`settingsFrom`), and this stack deploys after it.
    const lake = new DataLake(this, 'Lake', {
      removalPolicy: RemovalPolicy.DESTROY,
      zones: [{ name: 'raw' }, { name: 'curated' }],
      lakeFormation: { settingsFrom: lakeFormationSettings },
    });
    const raw = lake.zone('raw');
    const curated = lake.zone('curated');

    // 2. The pipeline. The job's script is a real PySpark file (scripts/curate_orders.py); its
    //    rules live in scripts/modules/order_transforms.py, plain Python that `npm test` runs without
    //    Spark. The job gets G.1X workers with auto scaling up to 2 (the sample is tiny), job
    //    bookmarks (each run reads only new files), continuous logging, and a security
    //    configuration that encrypts its output, logs and bookmarks with KMS.
    //
    //    The workflow starts when 10 new files have landed under orders/, or 15 minutes after
    //    the first: S3 → EventBridge → Glue EVENT trigger. For a nightly batch instead:
    //    `start: WorkflowStart.schedule('cron(15 2 * * ? *)')`.
    this.pipeline = new GlueEtlPipeline(this, 'Orders', {
      source: raw,
      sourcePrefix: 'orders/',
      sourceFormat: 'json',
      target: curated,
      targetTableName: 'orders',
      script: path.join(SCRIPTS, 'curate_orders.py'),
      pythonModules: path.join(SCRIPTS, 'modules'),
      maxWorkers: 2,
      start: WorkflowStart.onNewObjects({ batchSize: 10 }),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // 3. Athena: a workgroup whose settings clients cannot override, results encrypted and
    //    expiring after 7 days, and no query scanning more than 100 MB (the sample is a few KB;
    //    a query without a partition filter on a real table would be cancelled, not billed).
    this.workgroup = new AthenaWorkgroup(this, 'Analytics', {
      bytesScannedCutoffPerQuery: Size.bytes(100_000_000),
      resultsExpiration: Duration.days(7),
      encryptionKey: lake.encryptionKey,
      serverAccessLogsBucket: lake.accessLogsBucket,
      zones: [curated],
      removalPolicy: RemovalPolicy.DESTROY,
      namedQueries: [
        {
          name: 'orders by status',
          description: 'How many orders are in each status, and their value, for one day (a partition filter keeps the scan small)',
          database: curated.databaseName,
          query: 'SELECT status, count(*) AS orders, round(sum(amount), 2) AS value\nFROM orders\n'
            + 'WHERE year = \'2024\' AND month = \'05\' AND day = \'01\'\nGROUP BY status\nORDER BY orders DESC',
        },
        {
          name: 'orders per country and day',
          description: 'Daily order counts per country, the shape of a training feature',
          database: curated.databaseName,
          query: 'SELECT year, month, day, country, count(*) AS orders\nFROM orders\nGROUP BY year, month, day, country\nORDER BY year, month, day, country',
        },
      ],
    });

    // 4. An analyst who may query the curated zone through the workgroup (Lake Formation SELECT
    //    on its tables, the workgroup, its results). Anyone in the account allowed to assume it.
    const analyst = new iam.Role(this, 'AnalystRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo analyst: queries the curated zone with Athena',
    });
    this.workgroup.grantQuery(analyst);
    // On the data-flow diagram, the analyst and the workgroup they query through are one node.
    const analystNode = DataFlow.node(this, 'Analyst', {
      label: 'Analyst', detail: 'Athena SQL', stage: DataFlowStage.CONSUMER, resources: [this.workgroup.workgroup], roles: [analyst], actor: true,
    });
    // Under Lake Formation, Athena reads the files with credentials that Lake Formation vends for
    // the analyst's grants, not through IAM on the bucket: the diagram is told that data flows.
    DataFlow.edge(this, {
      from: DataFlow.nodeOf(curated.bucket), to: analystNode, kind: DataFlowKind.DATA,
      description: 'Athena reads the curated zone for the analyst, through Lake Formation grants on its database',
    });

    new CfnOutput(this, 'RawBucket', { value: raw.bucket.bucketName });
    new CfnOutput(this, 'Workflow', { value: this.pipeline.workflow.ref });
    new CfnOutput(this, 'Workgroup', { value: this.workgroup.workgroupName });
    new CfnOutput(this, 'CuratedDatabase', { value: curated.databaseName });
  }
}
