/**
 * Sandbox test of StreamAnalyticsDemo: the PyFlink application computes per-minute statistics of
 * the events stream, and both streams are delivered into the lake.
 *
 * 1. StartApplication, then within 15 minutes the application is RUNNING (the Kinesis connector JAR
 *    must be in examples/stream-analytics/app/lib/: `npm run integ` refuses to start without it);
 * 2. PutRecords: three click events in the minute 09:00 of 2025-01-31 and one at 09:02, whose event
 *    time moves the watermark (10 seconds behind) past the end of the first window, so Flink
 *    emits that window's statistics;
 * 3. the raw zone receives the events under `events/year=…/` (Firehose, 300-second buffer);
 * 4. the curated zone receives the statistics under `event_stats/year=…/` within 20 minutes.
 *
 * Run: `npm run integ -- StreamAnalyticsDemo` (about 35 minutes, about 0.20 USD: 2 KPUs for half
 * an hour, two shards).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { StreamingIngestion } from '../../lib/ingestion/streaming-ingestion';
import { StreamAnalyticsDemoStack } from '../../examples/stream-analytics/stream-analytics-stack';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('StreamAnalyticsDemo', (app, id) => new StreamAnalyticsDemoStack(app, id));
const application = test.output('ApplicationName');
const streamName = test.output('EventsStreamName');
const events = test.stack.node.findChild('Events') as StreamingIngestion;
const applicationArn = test.arn('kinesisanalytics', `application/${application}`);

test.call('KinesisAnalyticsV2', 'StartApplication', { ApplicationName: application }, [applicationArn]);
test.call('KinesisAnalyticsV2', 'DescribeApplication', { ApplicationName: application }, [applicationArn], { wait: within(15) })
  .expect(ExpectedResult.objectLike({ ApplicationDetail: { ApplicationStatus: 'RUNNING' } }));

const event = (id: string, type: string, value: number, time: string) =>
  ({ PartitionKey: id, Data: JSON.stringify({ event_id: id, event_type: type, user_id: 'integ-user', value, event_time: `2025-01-31T${time}Z` }) });
test.call('Kinesis', 'PutRecords', {
  StreamName: streamName,
  Records: [
    event('integ-1', 'click', 1, '09:00:05.000'),
    event('integ-2', 'click', 3, '09:00:20.000'),
    event('integ-3', 'purchase', 42.5, '09:00:40.000'),
    event('integ-4', 'click', 1, '09:02:00.000'),
  ],
}, [test.arn('kinesis', `stream/${streamName}`)]).expect(ExpectedResult.objectLike({ FailedRecordCount: 0 }));
test.allow(['kms:GenerateDataKey'], [events.stream.encryptionKey!.keyArn]);

test.expectObjects(test.output('RawBucket'), 'events/', '^events/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', within(10));
test.expectObjects(test.output('CuratedBucket'), 'event_stats/', '^event_stats/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', within(20));
test.synth();
