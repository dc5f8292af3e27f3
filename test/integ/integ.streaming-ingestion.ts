/**
 * Sandbox test of StreamingIngestionDemo: records put on the stream reach the lake.
 *
 * 1. PutRecords: two valid click events, a heartbeat (the transform drops it) and one malformed
 *    record (not JSON), all accepted by Kinesis (`FailedRecordCount` 0);
 * 2. within 10 minutes (60-second buffer), the raw zone holds gzipped JSON Lines under the
 *    dynamic partition of the purchase event, `events/event_type=purchase/year=…/`;
 * 3. the malformed record lands under `errors/processing-failed/` of the raw zone (the transform
 *    failed it; Firehose kept it, unchanged);
 * 4. within 15 minutes (300-second buffer), the curated zone holds Parquet under
 *    `events/year=…/`, converted against the Glue table `events`, and the malformed record under
 *    its own `errors/processing-failed/`;
 * 5. Athena, in the demo's workgroup, reads the two valid events back from the curated table
 *    (partition projection finds the hour's partition without a crawler); the heartbeat and the
 *    malformed record are not in it.
 *
 * Run: `npm run integ -- StreamingIngestionDemo` (about 20 minutes, a few cents).
 */
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { StreamingIngestionDemoStack } from '../../examples/streaming-ingestion/streaming-ingestion-stack';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('StreamingIngestionDemo', (app, id) => new StreamingIngestionDemoStack(app, id));
const demo = test.stack as StreamingIngestionDemoStack;
const streamName = test.output('StreamName');
const rawBucket = test.output('RawBucket');
const curatedBucket = test.output('CuratedBucket');

// A fixed event time keeps the snapshot stable; Firehose partitions by the time of arrival.
const event = (id: string, type: string, value: number) => JSON.stringify({ event_id: id, event_type: type, user_id: 'integ-user', value, event_time: '2025-01-31T09:00:00.000Z' });
test.call('Kinesis', 'PutRecords', {
  StreamName: streamName,
  Records: [
    { PartitionKey: 'integ-1', Data: event('integ-1', 'purchase', 42.5) },
    { PartitionKey: 'integ-2', Data: event('integ-2', 'click', 1) },
    { PartitionKey: 'integ-3', Data: JSON.stringify({ event_type: 'heartbeat' }) },
    { PartitionKey: 'integ-4', Data: 'this record is not JSON' },
  ],
}, [test.arn('kinesis', `stream/${streamName}`)]).expect(ExpectedResult.objectLike({ FailedRecordCount: 0 }));
// The stream is encrypted with its own key: a producer needs the data key.
test.allow(['kms:GenerateDataKey'], [demo.events.stream.encryptionKey!.keyArn]);

test.expectObjects(rawBucket, 'events/event_type=purchase/', '^events/event_type=purchase/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', within(10));
test.expectObjects(rawBucket, 'errors/processing-failed/', '^errors/processing-failed/year=\\d{4}/', within(5));
test.expectObjects(curatedBucket, 'events/', '^events/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', within(15));
test.expectObjects(curatedBucket, 'errors/processing-failed/', '^errors/processing-failed/year=\\d{4}/', within(5));

// The curated Parquet is a table: Athena (partition projection, no crawler) finds the events.
test.athenaQuery({
  workgroup: demo.workgroup,
  database: test.output('CuratedDatabase'),
  data: demo.curated.destinationBucket,
  sql: 'SELECT event_id, event_type, value FROM events WHERE user_id = \'integ-user\' ORDER BY event_id',
  rows: [['event_id', 'event_type', 'value'], ['integ-1', 'purchase', '42.5'], ['integ-2', 'click', '1.0']],
});

test.synth();
