/**
 * # Stream analytics: Managed Service for Apache Flink on a Kinesis stream (notes part two, section f)
 *
 * Read this stack top to bottom. Producers put click events into the `Events` stream, which a
 * `StreamingIngestion` also delivers, as they arrived, into the raw zone. A PyFlink application
 * (`app/main.py`) reads the same stream, counts events and averages their value per event type in
 * one-minute windows of event time, and writes one record per window and type to the `Stats`
 * stream, which a second `StreamingIngestion` delivers into the curated zone.
 *
 * Before you start the application, put the Kinesis table connector into the application folder
 * (the Flink runtime does not include it, and it is not committed here):
 *
 *     curl -fLo examples/stream-analytics/app/lib/flink-sql-connector-kinesis-5.0.0-1.20.jar \
 *       https://repo1.maven.org/maven2/org/apache/flink/flink-sql-connector-kinesis/5.0.0-1.20/flink-sql-connector-kinesis-5.0.0-1.20.jar
 *
 * (Maven coordinates `org.apache.flink:flink-sql-connector-kinesis:5.0.0-1.20`: connector 5.0.0
 * built for Flink 1.20, the runtime `FLINK-1_20` of this application.) Then:
 *
 *     npx cdk deploy StreamAnalyticsDemo
 *     aws kinesisanalyticsv2 start-application --application-name <ApplicationName output>
 *     npx tsx examples/streaming-ingestion/producer.ts <EventsStreamName output> 1000
 *     aws kinesisanalyticsv2 stop-application --application-name <ApplicationName output>
 *
 * Without the JAR the stack still deploys (CloudFormation creates the application stopped); the
 * application only fails when you start it. Remove: `npx cdk destroy StreamAnalyticsDemo`.
 *
 * Cost at idle (us-east-1 prices): about 27 USD a month while the application is stopped: two
 * one-shard provisioned streams (0.015 USD per shard-hour each, about 22 USD), four
 * customer-managed keys (lake, two streams, Flink logs: 1 USD a month each) and ten alarms (0.10
 * USD a month each). The stopped Flink application costs nothing. While it runs: 2 KPUs (parallelism 1 plus one orchestration KPU) at
 * 0.11 USD per KPU-hour, 0.22 USD per hour. Firehose and S3 bill per use.
 */
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage, DataLake, HIVE_TIME_PARTITIONS, StreamAnalytics, StreamAnalyticsCode, StreamingIngestion } from '../../lib';

/** The folder of the PyFlink application (zipped as the application code). */
export const FLINK_APP_DIR = path.join(__dirname, 'app');

export class StreamAnalyticsDemoStack extends Stack {
  /** The Flink application. */
  public readonly analytics: StreamAnalytics;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: Managed Service for Apache Flink (PyFlink) computing per-minute statistics of a Kinesis stream into the lake',
      ...props,
    });

    // 1. The lake: raw events and curated statistics.
    const lake = new DataLake(this, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, zones: [{ name: 'raw' }, { name: 'curated' }] });

    // 2. The input: one provisioned shard, delivered as it arrived into the raw zone.
    const events = new StreamingIngestion(this, 'Events', {
      removalPolicy: RemovalPolicy.DESTROY,
      destination: lake.zone('raw'),
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      prefix: `events/${HIVE_TIME_PARTITIONS}`,
    });

    // 3. The output: the statistics stream, delivered into the curated zone.
    const stats = new StreamingIngestion(this, 'Stats', {
      removalPolicy: RemovalPolicy.DESTROY,
      destination: lake.zone('curated'),
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      prefix: `event_stats/${HIVE_TIME_PARTITIONS}`,
    });

    // 4. The Flink application: one KPU, a checkpoint a minute, snapshots on stop, logs kept a year.
    //    Its role reads only `events` and writes only `stats`.
    this.analytics = new StreamAnalytics(this, 'Analytics', {
      removalPolicy: RemovalPolicy.DESTROY,
      input: events.stream,
      output: stats.stream,
      code: StreamAnalyticsCode.fromAsset(FLINK_APP_DIR),
      mainFile: 'main.py',
      connectorJar: 'lib/flink-sql-connector-kinesis-5.0.0-1.20.jar',
      runtime: 'FLINK-1_20',
      parallelism: 1,
      checkpointInterval: Duration.minutes(1),
      properties: { 'window.seconds': '60', 'source.init.position': 'LATEST' },
    });

    // 5. A producer role for examples/streaming-ingestion/producer.ts.
    const producer = new iam.Role(this, 'ProducerRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo producer: puts click events into the events stream',
    });
    events.grantWrite(producer);

    // 6. On the data-flow diagram: the producer, a run-time actor acting as the producer role.
    DataFlow.node(this, 'Producer', { label: 'Producer', detail: 'producer.ts', stage: DataFlowStage.SOURCE, roles: [producer] });

    new CfnOutput(this, 'ApplicationName', { value: this.analytics.applicationName });
    new CfnOutput(this, 'CuratedBucket', { value: lake.zone('curated').bucket.bucketName });
    new CfnOutput(this, 'EventsStreamName', { value: events.stream.streamName });
    new CfnOutput(this, 'ProducerRoleArn', { value: producer.roleArn });
    // Where the events land (the statistics land in CuratedBucket).
    new CfnOutput(this, 'RawBucket', { value: lake.zone('raw').bucket.bucketName });
  }
}
