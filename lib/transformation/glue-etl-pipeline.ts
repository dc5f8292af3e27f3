import * as fs from 'fs';
import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { DataFlow, DataFlowKind, DataFlowStage } from '../core/data-flow';
import { objectReadStatements, objectReadWriteStatements } from '../core/bucket-statements';
import { DataRetentionProps } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger, checkLength } from '../core/validation';
import { CATALOG_READ_ACTIONS, CATALOG_WRITE_ACTIONS, DataLakeZone } from '../storage/data-lake-zone';
import { assumedBy, viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';
import { validateGlueCron } from './glue-cron';

/** Glue versions a new Spark job may use. */
export type GlueVersion = '4.0' | '5.0' | '5.1';
/** Worker types of Glue Spark batch jobs. */
export type GlueWorkerType = 'G.1X' | 'G.2X' | 'G.4X' | 'G.8X';
/** Formats the raw files may have. */
export type RawFormat = 'json' | 'csv';

/**
 * @see https://docs.aws.amazon.com/glue/latest/dg/release-notes.html
 */
const GLUE_VERSIONS: GlueVersion[] = ['4.0', '5.0', '5.1'];
/** G.025X is for streaming jobs only. @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html */
const WORKER_TYPES: GlueWorkerType[] = ['G.1X', 'G.2X', 'G.4X', 'G.8X'];
const TABLE_NAME = /^[a-z][a-z0-9_]{0,254}$/;
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

/** How a {@link GlueEtlPipeline}'s workflow starts. */
export class WorkflowStart {
  /**
   * On a schedule: a Glue cron expression with six fields, in UTC, no more often than every
   * 5 minutes, such as `cron(15 2 * * ? *)` (every day at 02:15 UTC). Glue has no `rate()`.
   *
   * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
   */
  public static schedule(expression: string): WorkflowStart {
    return new WorkflowStart('SCHEDULED', expression);
  }

  /**
   * When new objects land under the source prefix: S3 sends `Object Created` events to
   * EventBridge, a rule forwards them to the workflow, and the workflow's EVENT trigger starts a
   * run once `batchSize` events have arrived or `batchWindow` has passed since the first one.
   *
   * @see https://docs.aws.amazon.com/glue/latest/webapi/API_EventBatchingCondition.html
   */
  public static onNewObjects(options: NewObjectsOptions = {}): WorkflowStart {
    return new WorkflowStart('EVENT', undefined, options);
  }

  /** Only when started by hand (`aws glue start-workflow-run`) or by another service. */
  public static onDemand(): WorkflowStart {
    return new WorkflowStart('ON_DEMAND');
  }

  private constructor(
    /** The type of the workflow's first trigger. */
    public readonly triggerType: 'SCHEDULED' | 'EVENT' | 'ON_DEMAND',
    /** The cron expression of a scheduled start. */
    public readonly schedule?: string,
    /** The batching of an event start. */
    public readonly batching?: NewObjectsOptions,
  ) {}
}

/** Batching of the events that start a workflow. */
export interface NewObjectsOptions {
  /**
   * How many `Object Created` events start a run (1 to 100).
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long after the first event a run starts even if fewer than `batchSize` arrived
   * (1 second to 15 minutes).
   *
   * @default Duration.minutes(15)
   */
  readonly batchWindow?: Duration;
}

/** Properties of a {@link GlueEtlPipeline}. */
export interface GlueEtlPipelineProps extends DataRetentionProps {
  /** The zone whose files the pipeline reads (usually `raw`). */
  readonly source: DataLakeZone;
  /**
   * The folder of the source zone to crawl and read, ending with `/`.
   *
   * @default '' - the whole zone
   */
  readonly sourcePrefix?: string;
  /**
   * The format of the source files.
   *
   * @default 'json'
   */
  readonly sourceFormat?: RawFormat;
  /** The zone the job writes Parquet into (usually `curated`). */
  readonly target: DataLakeZone;
  /** The curated table's name: the job writes to `s3://<target bucket>/<targetTableName>/`. */
  readonly targetTableName: string;
  /**
   * The local path of the PySpark script. It receives `--source_path`, `--source_format`,
   * `--target_path`, `--target_database` and `--target_table`.
   */
  readonly script: string;
  /**
   * A local directory of Python modules the script imports. It is uploaded as a zip file and
   * passed with `--extra-py-files`: Glue puts the zip on the Python path, so the modules keep
   * their names (a single `.py` asset would be renamed after its hash and could not be imported).
   *
   * @default - none
   */
  readonly pythonModules?: string;
  /**
   * The Glue version (the Spark and Python runtime).
   *
   * @default '5.0' (Spark 3.5, Python 3.11)
   */
  readonly glueVersion?: GlueVersion;
  /**
   * The worker type. G.1X (4 vCPU, 16 GB, 1 DPU) suits most ETL; larger types for memory-heavy
   * joins and aggregations.
   *
   * @default 'G.1X'
   */
  readonly workerType?: GlueWorkerType;
  /**
   * The most workers a run may use. With auto scaling, Glue starts small and adds workers up to
   * this number only while there are Spark tasks waiting, and bills per worker-second used.
   *
   * @default 10
   */
  readonly maxWorkers?: number;
  /**
   * How long a run may take before Glue stops it (1 minute to 7 days).
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * How often Glue retries a failed run.
   *
   * @default 0
   */
  readonly maxRetries?: number;
  /**
   * How the workflow starts.
   *
   * @default WorkflowStart.onNewObjects()
   */
  readonly start?: WorkflowStart;
}

/**
 * Serverless, event-driven ETL with AWS Glue: a crawler catalogs the raw zone, a Spark job
 * cleans it into partitioned Parquet in the curated zone, and a second crawler catalogs the
 * result, chained by a Glue workflow that starts on a schedule or when new files land.
 *
 * Glue is the managed Spark (and Python) service of AWS: jobs run on workers that exist only for
 * the run, crawlers infer schemas and partitions into the Glue Data Catalog, and the catalog is
 * what Athena, EMR, Redshift Spectrum and SageMaker read.
 *
 * The choices made here:
 * - The raw crawler crawls only new folders (`CRAWL_NEW_FOLDERS_ONLY`): a landing zone is
 *   append-only, so re-listing old folders on every run would cost time and requests for
 *   nothing. (Glue then requires the schema change policy to be `LOG`.)
 * - The job uses job bookmarks, so that each run reads only files that arrived since the last
 *   successful run; one run at a time, because concurrent runs would share the bookmark.
 * - G.1X workers with auto scaling up to `maxWorkers`: you pay for the workers the Spark stages
 *   really use, not for a fixed cluster size.
 * - Continuous logging and job metrics, and one Glue security configuration for the crawlers and
 *   the job: S3 output encrypted with SSE-KMS under the lake key, CloudWatch logs and job
 *   bookmarks encrypted with a key of the pipeline (whose key policy lets CloudWatch Logs use it).
 * - Least-privilege roles: the crawlers read their zone and write its catalog; the job reads the
 *   source zone, writes the target zone and its catalog, and reads its own script files only.
 *   Under Lake Formation the roles also receive the zone's Lake Formation grants.
 * - The workflow starts on new objects by default: S3 sends events to EventBridge natively (the
 *   lake's buckets have EventBridge notifications on), and the EVENT trigger batches them so
 *   that a burst of uploads starts one run, not hundreds.
 *
 * The notes call Spark "designed to handle real-time data": Spark is a batch engine first;
 * Structured Streaming processes streams as micro-batches. This pipeline is batch ETL.
 *
 * Cost at idle: about 1 USD a month (the pipeline's KMS key). Crawlers bill per DPU-hour while
 * they run (0.44 USD, 10-minute minimum), the job per DPU-hour of its workers (0.44 USD, 1-minute
 * minimum), workflows and triggers are free.
 */
export class GlueEtlPipeline extends Construct {
  /** The crawler of the source zone. */
  public readonly sourceCrawler: glue.CfnCrawler;
  /** The crawler of the curated table. */
  public readonly targetCrawler: glue.CfnCrawler;
  /** The Spark job. */
  public readonly job: glue.CfnJob;
  /** The workflow that chains crawler → job → crawler. */
  public readonly workflow: glue.CfnWorkflow;
  /** The workflow's triggers, in order: start, after the source crawl, after the job. */
  public readonly triggers: glue.CfnTrigger[];
  /** The security configuration of the crawlers and the job. */
  public readonly securityConfiguration: glue.CfnSecurityConfiguration;
  /** The role of the crawlers. */
  public readonly crawlerRole: iam.Role;
  /** The role of the job. */
  public readonly jobRole: iam.Role;
  /** The key that encrypts the pipeline's CloudWatch logs and job bookmarks. */
  public readonly logsKey: kms.Key;
  /** The EventBridge rule that starts the workflow, when it starts on new objects. */
  public readonly startRule?: events.Rule;

  constructor(scope: Construct, id: string, props: GlueEtlPipelineProps) {
    super(scope, id);
    const sourcePrefix = props.sourcePrefix ?? '';
    const glueVersion = props.glueVersion ?? '5.0';
    const workerType = props.workerType ?? 'G.1X';
    const maxWorkers = props.maxWorkers ?? 10;
    const timeoutMinutes = (props.timeout ?? Duration.hours(1)).toMinutes({ integral: false });
    const start = props.start ?? WorkflowStart.onNewObjects();
    this.validate(props, { sourcePrefix, glueVersion, workerType, maxWorkers, timeoutMinutes, start });

    const sourceKey = zoneKey(props.source);
    const targetKey = zoneKey(props.target);

    // Encryption: S3 output under the lake key, logs and bookmarks under a key of the pipeline.
    this.logsKey = createDataKey(this, 'LogsKey', `Encrypts the CloudWatch logs and job bookmarks of ${this.node.path}`, props);
    allowLogsToUse(this.logsKey);
    this.securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: Names.uniqueResourceName(this, { maxLength: 128 }),
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: targetKey.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: this.logsKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: this.logsKey.keyArn },
      },
    });
    const securityConfigurationName = this.securityConfiguration.ref;

    // Roles.
    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Glue crawlers of ${this.node.path}: read their zone, write its catalog`,
    });
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Glue job of ${this.node.path}: reads ${props.source.zoneName}, writes ${props.target.zoneName}`,
    });
    for (const role of [this.crawlerRole, this.jobRole]) {
      attachGrantPolicy(this, `${role.node.id}Runtime`, {
        grantee: role,
        statements: this.runtimeStatements(),
        wildcardReason: 'Glue names its log groups and streams under /aws-glue/ when a run starts, and '
          + 'cloudwatch:PutMetricData has no resource type (the statement is limited to the Glue namespace)',
      });
    }
    grantCrawl(this, 'SourceCatalog', this.crawlerRole, props.source, sourceKey);
    grantCrawl(this, 'TargetCatalog', this.crawlerRole, props.target, targetKey);
    props.source.grantRead(this.jobRole);
    props.target.grantWrite(this.jobRole);
    if (props.source.lakeFormationGoverned || props.target.lakeFormationGoverned) {
      // Under Lake Formation the zone grants are catalog permissions only; the job reads and
      // writes the files directly with its role.
      attachGrantPolicy(this, 'JobObjects', {
        grantee: this.jobRole,
        statements: [...objectReadStatements(props.source.bucket, sourceKey), ...objectReadWriteStatements(props.target.bucket, targetKey)],
        wildcardReason: 'the job reads any raw file and writes any curated file (`<bucket>/*`): their names are made by the sources and by Spark',
      });
    }

    // The script and its modules, uploaded as assets the job role alone may read.
    const script = new s3assets.Asset(this, 'Script', { path: props.script });
    const extraFiles = props.pythonModules === undefined ? [] : [new s3assets.Asset(this, 'PythonModules', { path: props.pythonModules })];
    this.jobRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [script, ...extraFiles].map(asset => asset.bucket.arnForObjects(asset.s3ObjectKey)),
    }));

    // The crawlers.
    const sourcePath = `s3://${props.source.bucket.bucketName}/${sourcePrefix}`;
    const targetPath = `s3://${props.target.bucket.bucketName}/${props.targetTableName}/`;
    this.sourceCrawler = new glue.CfnCrawler(this, 'SourceCrawler', {
      role: this.crawlerRole.roleArn,
      description: `Catalogs new folders of ${sourcePath}`,
      databaseName: props.source.databaseName,
      targets: { s3Targets: [{ path: sourcePath }] },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      // CRAWL_NEW_FOLDERS_ONLY requires LOG for both behaviours.
      schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
      crawlerSecurityConfiguration: securityConfigurationName,
      configuration: JSON.stringify({ Version: 1.0, Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' } }),
    });
    this.targetCrawler = new glue.CfnCrawler(this, 'TargetCrawler', {
      role: this.crawlerRole.roleArn,
      description: `Keeps the catalog of ${targetPath} complete: schema changes and partitions written by other tools`,
      databaseName: props.target.databaseName,
      targets: { s3Targets: [{ path: targetPath }] },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_EVERYTHING' },
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
      crawlerSecurityConfiguration: securityConfigurationName,
      configuration: JSON.stringify({
        Version: 1.0,
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' }, Tables: { AddOrUpdateBehavior: 'MergeNewColumns' } },
      }),
    });

    // The job.
    this.job = new glue.CfnJob(this, 'Job', {
      role: this.jobRole.roleArn,
      description: `Curates ${sourcePath} into partitioned Parquet at ${targetPath}`,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      glueVersion,
      workerType,
      numberOfWorkers: maxWorkers,
      timeout: Math.round(timeoutMinutes),
      maxRetries: props.maxRetries ?? 0,
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: securityConfigurationName,
      defaultArguments: {
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-auto-scaling': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-metrics': 'true',
        '--enable-observability-metrics': 'true',
        ...(extraFiles.length > 0 ? { '--extra-py-files': extraFiles.map(asset => asset.s3ObjectUrl).join(',') } : {}),
        '--source_path': sourcePath,
        '--source_format': props.sourceFormat ?? 'json',
        '--target_path': targetPath,
        '--target_database': props.target.databaseName,
        '--target_table': props.targetTableName,
      },
    });

    // The workflow: start → source crawler → job → target crawler.
    this.workflow = new glue.CfnWorkflow(this, 'Workflow', {
      description: `${props.source.zoneName} → ${props.target.zoneName}: crawl, curate, crawl`,
      maxConcurrentRuns: 1,
    });
    const workflowName = this.workflow.ref;
    const startTrigger = new glue.CfnTrigger(this, 'StartTrigger', {
      workflowName,
      type: start.triggerType,
      description: `Starts the workflow (${start.triggerType.toLowerCase().replace('_', ' ')})`,
      schedule: start.schedule,
      startOnCreation: start.triggerType === 'SCHEDULED' ? true : undefined,
      eventBatchingCondition: start.triggerType === 'EVENT' ? {
        batchSize: start.batching?.batchSize ?? 10,
        batchWindow: (start.batching?.batchWindow ?? Duration.minutes(15)).toSeconds(),
      } : undefined,
      actions: [{ crawlerName: this.sourceCrawler.ref }],
    });
    const afterCrawl = new glue.CfnTrigger(this, 'AfterSourceCrawlTrigger', {
      workflowName,
      type: 'CONDITIONAL',
      description: 'Runs the job when the source crawler succeeded',
      startOnCreation: true,
      predicate: { conditions: [{ logicalOperator: 'EQUALS', crawlerName: this.sourceCrawler.ref, crawlState: 'SUCCEEDED' }] },
      actions: [{ jobName: this.job.ref }],
    });
    const afterJob = new glue.CfnTrigger(this, 'AfterJobTrigger', {
      workflowName,
      type: 'CONDITIONAL',
      description: 'Crawls the curated table when the job succeeded',
      startOnCreation: true,
      predicate: { conditions: [{ logicalOperator: 'EQUALS', jobName: this.job.ref, state: 'SUCCEEDED' }] },
      actions: [{ crawlerName: this.targetCrawler.ref }],
    });
    this.triggers = [startTrigger, afterCrawl, afterJob];

    if (start.triggerType === 'EVENT') {
      this.startRule = this.startOnNewObjects(props.source, sourcePrefix, workflowName);
    }
    this.declareRuntimeCalls(props, script, sourcePrefix, sourceKey, targetKey);
    this.declareDataFlow(props.source);
  }

  /** What Glue does with the crawler and job roles when the workflow runs, and what they may not do. */
  private declareRuntimeCalls(props: GlueEtlPipelineProps, script: s3assets.Asset, sourcePrefix: string, sourceKey: kms.IKey, targetKey: kms.IKey): void {
    const roleSource = 'https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html';
    const crawlerSource = 'https://docs.aws.amazon.com/glue/latest/dg/crawler-prereqs.html';
    const rawObject = props.source.bucket.arnForObjects(`${sourcePrefix}2026/01/01/orders.json`);
    const curatedObject = `${props.targetTableName}/order_date=2026-01-01/part-00000.snappy.parquet`;
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(
      assumedBy(this.crawlerRole, 'glue.amazonaws.com', roleSource),
      assumedBy(this.jobRole, 'glue.amazonaws.com', roleSource),
      { description: 'Glue loads the job script', principal: this.jobRole, action: 's3:GetObject', resource: script.bucket.arnForObjects(script.s3ObjectKey), source: roleSource },
      {
        description: 'the job writes its bookmark, encrypted client-side with the logs key', principal: this.jobRole, action: 'kms:GenerateDataKey', resource: this.logsKey.keyArn,
        source: 'https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html',
      },
      { description: 'the crawler creates the tables of the source zone', principal: this.crawlerRole, action: 'glue:CreateTable', resource: props.source.databaseArns[1], source: crawlerSource },
    );
    if (!props.source.lakeFormationGoverned && !props.target.lakeFormationGoverned) {
      const via = viaService(this, 's3');
      rehearsal.allows(
        { description: 'the crawler reads a raw file', principal: this.crawlerRole, action: 's3:GetObject', resource: rawObject, source: crawlerSource },
        { description: 'the job reads a raw file', principal: this.jobRole, action: 's3:GetObject', resource: rawObject, source: roleSource },
        { description: 'S3 decrypts the raw file for the job', principal: this.jobRole, action: 'kms:Decrypt', resource: sourceKey.keyArn, context: via, source: roleSource },
        { description: 'the job writes a curated file', principal: this.jobRole, action: 's3:PutObject', resource: props.target.bucket.arnForObjects(curatedObject), source: roleSource },
        { description: 'S3 encrypts the curated file for the job', principal: this.jobRole, action: 'kms:GenerateDataKey', resource: targetKey.keyArn, context: via, source: roleSource },
      );
    }
    rehearsal.denies(
      { description: 'a crawler writes the data it catalogs', principal: this.crawlerRole, action: 's3:PutObject', resource: rawObject, source: crawlerSource },
    );
  }

  /**
   * The data-flow diagram: the crawler runs and the job run (run-time actors acting as their
   * roles), the workflow with its triggers and start rule, and the S3 events that start it.
   */
  private declareDataFlow(source: DataLakeZone): void {
    DataFlow.node(this, 'CrawlerRuns', {
      label: 'Glue crawler runs', detail: 'source and target', stage: DataFlowStage.PROCESSING,
      resources: [this.sourceCrawler, this.targetCrawler], actor: true,
    });
    DataFlow.node(this, 'JobRun', { label: 'Glue Spark job run', detail: this.node.id, stage: DataFlowStage.PROCESSING, resources: [this.job], actor: true });
    const workflow = DataFlow.node(this, 'WorkflowNode', {
      label: 'Glue workflow', detail: this.startRule ? 'triggers, S3 event rule' : 'triggers', stage: DataFlowStage.ORCHESTRATION,
      resources: [this.workflow, ...this.triggers, ...(this.startRule ? [this.startRule] : [])], roles: [],
    });
    if (this.startRule) {
      DataFlow.edge(this, {
        from: DataFlow.nodeOf(source.bucket), to: workflow, kind: DataFlowKind.CONTROL,
        description: 'new objects in the source zone start the workflow (S3 → EventBridge → Glue EVENT trigger)',
      });
    }
  }

  /** What every Glue run needs: its log groups under /aws-glue/, the logs key and Glue metrics. */
  private runtimeStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    return [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws-glue/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.logsKey.keyArn],
      }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
      }),
    ];
  }

  /**
   * Forwards the source bucket's `Object Created` events under the prefix to the workflow, whose
   * EVENT trigger batches them. EventBridge needs a role allowed to call `glue:notifyEvent`.
   */
  private startOnNewObjects(source: DataLakeZone, prefix: string, workflowName: string): events.Rule {
    const workflowArn = Stack.of(this).formatArn({ service: 'glue', resource: 'workflow', resourceName: workflowName });
    const role = new iam.Role(this, 'StartRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `EventBridge starts the workflow of ${this.node.path}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['glue:notifyEvent'], resources: [workflowArn] }));
    const page = 'https://docs.aws.amazon.com/glue/latest/dg/starting-workflow-eventbridge.html';
    Rehearsal.of(this).allows(
      assumedBy(role, 'events.amazonaws.com', page),
      { description: 'EventBridge hands the event to the workflow', principal: role, action: 'glue:NotifyEvent', resource: workflowArn, source: page },
    );
    return new events.Rule(this, 'StartRule', {
      description: `New objects in the ${source.zoneName} zone start the Glue workflow`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [source.bucket.bucketName] },
          ...(prefix ? { object: { key: [{ prefix }] } } : {}),
        },
      },
      targets: [{ bind: () => ({ arn: workflowArn, role }) }],
    });
  }

  private validate(props: GlueEtlPipelineProps, resolved: {
    sourcePrefix: string; glueVersion: string; workerType: string; maxWorkers: number; timeoutMinutes: number; start: WorkflowStart;
  }): void {
    if (props.pythonModules !== undefined) {
      check(fs.existsSync(props.pythonModules) && fs.statSync(props.pythonModules).isDirectory(), this, 'pythonModules', props.pythonModules,
        'must be a local directory of Python modules (Glue imports them from the zip made of it)');
    }
    check(PREFIX.test(resolved.sourcePrefix), this, 'sourcePrefix', resolved.sourcePrefix,
      'must be empty or folders of letters, digits and !_.*\'()- each ending with `/`, with no leading `/`');
    // @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (keys of at most 1,024 bytes)
    checkLength(this, 'sourcePrefix', resolved.sourcePrefix, { max: 1024, why: 'an S3 key prefix' });
    check(TABLE_NAME.test(props.targetTableName), this, 'targetTableName', props.targetTableName,
      'must be a lower-case letter followed by up to 254 lower-case letters, digits or underscores (Athena cannot query other table names)');
    check(props.sourceFormat === undefined || ['json', 'csv'].includes(props.sourceFormat), this, 'sourceFormat', props.sourceFormat, 'must be json or csv');
    check(GLUE_VERSIONS.includes(resolved.glueVersion as GlueVersion), this, 'glueVersion', resolved.glueVersion,
      `must be one of ${GLUE_VERSIONS.join(', ')} (earlier versions are past end of support for new jobs)`);
    check(WORKER_TYPES.includes(resolved.workerType as GlueWorkerType), this, 'workerType', resolved.workerType,
      `must be one of ${WORKER_TYPES.join(', ')} (G.025X is for streaming jobs only)`);
    // @see https://aws.amazon.com/glue/pricing/ (a Glue Spark ETL job needs at least 2 DPUs)
    checkInteger(this, 'maxWorkers', resolved.maxWorkers, { min: 2, why: 'a Spark job needs a driver and at least one executor' });
    // @see https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html (Timeout)
    checkInteger(this, 'timeout', resolved.timeoutMinutes, { min: 1, max: 10080, why: 'in minutes: Glue batch jobs run for 1 minute to 7 days' });
    if (props.maxRetries !== undefined) {
      checkInteger(this, 'maxRetries', props.maxRetries, { min: 0 });
    }
    const start = resolved.start;
    if (start.schedule !== undefined) {
      validateGlueCron(this, 'start.schedule', start.schedule);
    }
    if (start.batching?.batchSize !== undefined) {
      checkInteger(this, 'start.batchSize', start.batching.batchSize, { min: 1, max: 100, why: 'events per Glue EVENT trigger batch' });
    }
    if (start.batching?.batchWindow !== undefined) {
      checkInteger(this, 'start.batchWindow', start.batching.batchWindow.toSeconds({ integral: false }), { min: 1, max: 900, why: 'in seconds' });
    }
  }
}

/** The KMS key of a lake zone's bucket. */
function zoneKey(zone: DataLakeZone): kms.IKey {
  const key = zone.bucket.encryptionKey;
  if (!key) {
    throw new Error(`${zone.node.path}: a lake zone is always KMS-encrypted`);
  }
  return key;
}

/**
 * Lets a crawler read a zone's files and create and update its tables: the zone's write grant
 * under Lake Formation (catalog permissions only) plus reading the files, or, without Lake
 * Formation, catalog writes and file reads in a policy of its own (no write to the bucket).
 */
function grantCrawl(scope: Construct, id: string, role: iam.IRole, zone: DataLakeZone, key: kms.IKey): void {
  if (zone.lakeFormationGoverned) {
    zone.grantWrite(role);
  }
  attachGrantPolicy(scope, id, {
    grantee: role,
    statements: [
      ...(zone.lakeFormationGoverned ? [] : [new iam.PolicyStatement({ actions: [...CATALOG_READ_ACTIONS, ...CATALOG_WRITE_ACTIONS], resources: zone.catalogArns })]),
      ...objectReadStatements(zone.bucket, key),
    ],
    wildcardReason: `crawlers list and read any file of the ${zone.zoneName} zone (\`<bucket>/*\`) and create its tables (\`table/<database>/*\`), `
      + 'named by the sources after deployment',
  });
}
