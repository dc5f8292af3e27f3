/**
 * # Streaming ingestion: Kinesis Data Streams → Amazon Data Firehose → data lake (notes part two, c–e)
 *
 * Read this stack top to bottom. Producers put click events into one Kinesis data stream; two
 * Firehose streams read it, each with the same Lambda transform (validate, normalize, drop
 * heartbeats, fail malformed records into the error prefix):
 *
 * - into the **raw** zone as gzipped JSON Lines, **dynamically partitioned** by event type (a key
 *   the transform returns) and by hour: `events/event_type=purchase/year=2025/month=01/day=31/hour=09/`;
 * - into the **curated** zone as **Parquet** against the Glue table `events`, under Hive-style time
 *   prefixes `events/year=/month=/day=/hour=/`, ready for Athena.
 *
 * Then send data: `npx tsx examples/streaming-ingestion/producer.ts <StreamName output> 1000` (one
 * record in ten is deliberately malformed: find it under `errors/processing-failed/`).
 *
 * Deploy: `npx cdk deploy StreamingIngestionDemo`; remove: `npx cdk destroy StreamingIngestionDemo`.
 *
 * Cost at idle (us-east-1 prices): about 17 USD a month, nearly all of it the stream and the keys.
 * The stream is PROVISIONED with one shard and 24 hours of retention: 0.015 USD per shard-hour,
 * about 11 USD a month. ON_DEMAND would bill 0.04 USD per stream-hour, about 29 USD a month before
 * any data, so one provisioned shard is the cheaper idle stream (on-demand pays off for spiky or
 * unknown traffic). Five customer-managed KMS keys (lake, stream, curated-delivery logs, transform
 * logs, flow logs) at 1 USD a month each; 13 alarms at 0.10 USD a month. Firehose, Lambda, S3 and
 * the VPC (no NAT gateway, no interface endpoint) bill per use only.
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  AthenaWorkgroup, DataFlow, DataFlowStage, DataLake, HIVE_TIME_PARTITIONS, LakeDataFormat, PrivateNetwork, StreamingIngestion,
  acknowledgeWildcards, allowLogsToUse, createDataKey,
} from '../../lib';

export class StreamingIngestionDemoStack extends Stack {
  /** The raw-zone ingestion (it owns the stream). */
  public readonly events: StreamingIngestion;
  /** The curated-zone ingestion (Parquet), reading the same stream. */
  public readonly curated: StreamingIngestion;
  /** Where the analyst queries the curated table. */
  public readonly workgroup: AthenaWorkgroup;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: Kinesis Data Streams to Firehose to an S3 data lake, with a Lambda transform, Parquet and partitioning',
      ...props,
    });

    // 1. The lake: a raw zone for what arrived, a curated zone for typed Parquet tables.
    const lake = new DataLake(this, 'Lake', {
      removalPolicy: RemovalPolicy.DESTROY,
      zones: [{ name: 'raw' }, { name: 'curated' }],
    });

    // 2. The transform, a Lambda function in plain JavaScript (transform-handler/index.js), loaded
    //    as it is: nothing to bundle, so synthesizing needs neither esbuild nor Docker.
    //    It runs in a private network with no route anywhere (no NAT, no endpoint): it calls no
    //    AWS API, it only rewrites the batch Firehose hands it.
    const network = new PrivateNetwork(this, 'Network', { removalPolicy: RemovalPolicy.DESTROY });
    const logKey = createDataKey(this, 'TransformLogKey', 'Encrypts the logs of the streaming demo transform', { removalPolicy: RemovalPolicy.DESTROY });
    allowLogsToUse(logKey);
    const transformLogs = new logs.LogGroup(this, 'TransformLogs', {
      retention: logs.RetentionDays.ONE_YEAR, encryptionKey: logKey, removalPolicy: RemovalPolicy.DESTROY,
    });
    const transformRole = new iam.Role(this, 'TransformRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the Firehose transform of the streaming demo: writes its own logs, attaches to the private subnets',
    });
    const transform = new lambda.Function(this, 'Transform', {
      code: lambda.Code.fromAsset(path.join(__dirname, 'transform-handler')),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: transformRole,
      logGroup: transformLogs,
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      // No reserved concurrency. Reserving it takes capacity away from every other function of the
      // account, and Lambda keeps a minimum unreserved: a new account whose concurrency quota is
      // 10 rejects any reservation ("decreases account's UnreservedConcurrentExecution below its
      // minimum value of [10]"). A one-shard stream (1 MiB/s at most) keeps the transform's
      // concurrency small anyway, and neither cdk-nag's AwsSolutions pack nor the Control Tower
      // controls ask for a reservation.
      // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
      // https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    });
    const transformPolicy = new iam.Policy(this, 'TransformPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${transformLogs.logGroupArn}:log-stream:*`] }),
        // Lambda creates and deletes the network interfaces of a VPC function with these actions,
        // which do not support resource-level permissions.
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      ],
      roles: [transformRole],
    });
    acknowledgeWildcards(transformPolicy, 'Lambda names the log streams of the transform at run time, inside its one log group; '
      + 'the EC2 network-interface actions a VPC function needs do not support resource-level permissions');

    // 3. The stream and the raw delivery. One provisioned shard (1 MiB/s in) is plenty for a demo
    //    and the cheapest idle stream. Firehose reads it, calls the transform, and partitions by
    //    the `event_type` key the transform returns and by the hour of arrival.
    this.events = new StreamingIngestion(this, 'Events', {
      removalPolicy: RemovalPolicy.DESTROY,
      destination: lake.zone('raw'),
      shardCount: 1,
      // 24 hours is included in the shard-hour price; the library's default, 7 days, bills
      // extended retention per shard-hour on top. A sandbox does not need a week of replay.
      retentionPeriod: Duration.hours(24),
      transform,
      partitionKeys: {},
      prefix: `events/event_type=!{partitionKeyFromLambda:event_type}/${HIVE_TIME_PARTITIONS}`,
      bufferingInterval: Duration.seconds(60),
    });

    // 4. The curated table: Firehose converts JSON to Parquet with the schema of this Glue table.
    //    Its partitions follow the Hive-style prefix below. Partition projection tells Athena how
    //    to compute them from the query's filters, so new hours are queryable the moment Firehose
    //    writes them: no crawler, no `MSCK REPAIR TABLE`, no partitions to add. Without it (or a
    //    crawler), Athena would see a partitioned table with no partitions and return no rows.
    //    @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
    const curatedZone = lake.zone('curated');
    const table = new glue.CfnTable(this, 'EventsTable', {
      catalogId: this.account,
      databaseName: curatedZone.databaseName,
      tableInput: {
        name: 'events',
        description: 'Click events delivered by Firehose as Parquet',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          'classification': 'parquet',
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': '2025,2035',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': curatedZone.bucket.s3UrlForObject('events/year=${year}/month=${month}/day=${day}/hour=${hour}/'),
        },
        partitionKeys: ['year', 'month', 'day', 'hour'].map(name => ({ name, type: 'string' })),
        storageDescriptor: {
          location: curatedZone.bucket.s3UrlForObject('events/'),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'event_type', type: 'string' },
            { name: 'user_id', type: 'string' },
            { name: 'value', type: 'double' },
            { name: 'event_time', type: 'timestamp' },
          ],
        },
      },
    });
    table.node.addDependency(curatedZone.database);

    // 5. The curated delivery reads the same stream (a second consumer, within the shard's 2 MiB/s
    //    and 5 reads per second) and writes Parquet.
    this.curated = new StreamingIngestion(this, 'Curated', {
      removalPolicy: RemovalPolicy.DESTROY,
      stream: this.events.stream,
      retentionPeriod: Duration.hours(24),
      destination: curatedZone,
      transform,
      dataFormat: LakeDataFormat.PARQUET,
      schemaTable: table,
      prefix: `events/${HIVE_TIME_PARTITIONS}`,
      bufferingInterval: Duration.seconds(300),
    });

    // 6. A producer role: anyone in the account allowed to assume it can run producer.ts.
    const producer = new iam.Role(this, 'ProducerRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo producer: puts records into the events stream',
    });
    this.events.grantWrite(producer);

    // 7. Athena over the curated table: a workgroup (results encrypted with the lake key, expiring
    //    after 7 days, 100 MB scan limit per query) and an analyst role that may query the curated
    //    zone through it. See "see it work" in docs/streaming-ingestion.md.
    this.workgroup = new AthenaWorkgroup(this, 'Analytics', {
      bytesScannedCutoffPerQuery: Size.bytes(100_000_000),
      resultsExpiration: Duration.days(7),
      encryptionKey: lake.encryptionKey,
      serverAccessLogsBucket: lake.accessLogsBucket,
      zones: [curatedZone],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const analyst = new iam.Role(this, 'AnalystRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo analyst: queries the curated events table with Athena',
    });
    this.workgroup.grantQuery(analyst);

    // 8. On the data-flow diagram: the producer and the analyst, who are not resources, and the
    //    table, with the lake's databases in the Glue Data Catalog node.
    DataFlow.node(this, 'Producer', { label: 'Producer', detail: 'producer.ts', stage: DataFlowStage.SOURCE, roles: [producer] });
    DataFlow.node(this, 'GlueDataCatalog', { label: 'Glue Data Catalog', detail: 'table events', stage: DataFlowStage.CATALOG, resources: [table], roles: [] });
    DataFlow.node(this, 'Analyst', {
      label: 'Analyst', detail: 'Athena SQL', stage: DataFlowStage.CONSUMER, resources: [this.workgroup.workgroup], roles: [analyst], actor: true,
    });

    new CfnOutput(this, 'StreamName', { value: this.events.stream.streamName });
    new CfnOutput(this, 'ProducerRoleArn', { value: producer.roleArn });
    new CfnOutput(this, 'Workgroup', { value: this.workgroup.workgroupName });
    new CfnOutput(this, 'CuratedDatabase', { value: curatedZone.databaseName });
    new CfnOutput(this, 'RawBucket', { value: lake.zone('raw').bucket.bucketName });
    // Where the curated Parquet lands (each zone also has an errors/ prefix, which `npm run integ` checks).
    new CfnOutput(this, 'CuratedBucket', { value: curatedZone.bucket.bucketName });
  }
}
