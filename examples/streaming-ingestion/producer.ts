/**
 * A Kinesis producer with the AWS SDK for JavaScript v3: `PutRecords` in batches, retrying only
 * the records that failed.
 *
 * Run it against the demo stream (credentials from your environment):
 *
 *     npx tsx examples/streaming-ingestion/producer.ts <stream-name> [count]
 *
 * `PutRecords` accepts up to 500 records and 5 MiB per call (each record, data plus partition key,
 * at most 1 MiB). It is not atomic: the call succeeds while single records can fail (throttled
 * shard, internal failure), reported in `FailedRecordCount` and in the `ErrorCode` of each entry,
 * in the same order as the request. A producer that ignores them loses data. This one re-sends only
 * the failed records, with exponential backoff and full jitter, and reports what still failed.
 * (Whole-call errors, such as a network error, are retried by the SDK itself.)
 *
 * KPL/KCL: the Kinesis Producer Library (Java, with a native daemon) does this batching and retrying
 * too, and adds aggregation of small user records into one Kinesis record (cheaper per record); the
 * Kinesis Client Library is the consumer side (shard leases, checkpoints in DynamoDB). Firehose
 * de-aggregates KPL records. For a few hundred records per second, the plain SDK is enough.
 *
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */
import { KinesisClient, PutRecordsCommand, PutRecordsCommandOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

/** Limits of one `PutRecords` call. */
export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
export const MAX_BYTES_PER_RECORD = 1024 * 1024;

/** A record to put: its data and partition key (which decides the shard). */
export interface ProducerRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** What the producer needs from a Kinesis client: `send` of a `PutRecordsCommand`. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<Pick<PutRecordsCommandOutput, 'FailedRecordCount' | 'Records'>>;
}

/** The size Kinesis counts for a record: its data plus its partition key (UTF-8). */
export function recordSize(record: ProducerRecord): number {
  return record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf-8');
}

/**
 * Splits `records` into batches of at most 500 records and 5 MiB, in order. Throws on a record
 * over 1 MiB, which Kinesis would reject in any batch.
 */
export function batchRecords(records: readonly ProducerRecord[]): ProducerRecord[][] {
  const batches: ProducerRecord[][] = [];
  let batch: ProducerRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordSize(record);
    if (size > MAX_BYTES_PER_RECORD) {
      throw new Error(`record with partition key '${record.partitionKey}' is ${size} bytes, over the 1 MiB limit of a Kinesis record`);
    }
    if (batch.length === MAX_RECORDS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) {
    batches.push(batch);
  }
  return batches;
}

/** Options of {@link putAllRecords}. */
export interface PutOptions {
  /** Attempts per record, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Base of the exponential backoff in milliseconds. Default 100. */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff in milliseconds. Default 5,000. */
  readonly maxDelayMs?: number;
  /** Waits; replaced in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1); replaced in tests. */
  readonly random?: () => number;
}

/** The outcome of {@link putAllRecords}. */
export interface PutResult {
  /** Records Kinesis accepted. */
  readonly succeeded: number;
  /** Records still failing after the last attempt, with their last error code. */
  readonly failed: Array<{ readonly record: ProducerRecord; readonly errorCode: string }>;
  /** `PutRecords` calls made. */
  readonly calls: number;
}

/** The backoff before retry `attempt` (1 for the first retry): full jitter over an exponential bound. */
export function backoffMs(attempt: number, options: PutOptions = {}): number {
  const bound = Math.min(options.maxDelayMs ?? 5000, (options.baseDelayMs ?? 100) * 2 ** (attempt - 1));
  return Math.floor((options.random ?? Math.random)() * bound);
}

/** Puts all `records` into `streamName`, batch by batch, retrying only the records that failed. */
export async function putAllRecords(
  client: PutRecordsClient, streamName: string, records: readonly ProducerRecord[], options: PutOptions = {},
): Promise<PutResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? (ms => new Promise<void>(resolve => setTimeout(resolve, ms)));
  let succeeded = 0;
  let calls = 0;
  const failed: Array<{ record: ProducerRecord; errorCode: string }> = [];
  for (const batch of batchRecords(records)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        await sleep(backoffMs(attempt - 1, options));
      }
      const entries: PutRecordsRequestEntry[] = pending.map(r => ({ Data: r.data, PartitionKey: r.partitionKey }));
      const response = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
      calls++;
      const results = response.Records ?? [];
      const retry: ProducerRecord[] = [];
      pending.forEach((record, i) => {
        const errorCode = results[i]?.ErrorCode;
        if (results[i] && !errorCode) {
          succeeded++;
        } else if (attempt < maxAttempts) {
          retry.push(record);
        } else {
          failed.push({ record, errorCode: errorCode ?? 'NoResult' });
        }
      });
      pending = retry;
    }
  }
  return { succeeded, failed, calls };
}

/**
 * A demo event, as the transform and the Flink application expect it; one in ten is malformed to
 * show the error path. `event_time` is an ISO-8601 UTC instant ending in Z (`toISOString()`), which
 * Flink's JSON format reads into a TIMESTAMP_LTZ column, not a TIMESTAMP one (see
 * examples/stream-analytics/app/main.py).
 */
export function demoEvent(i: number, now = new Date()): ProducerRecord {
  const types = ['page_view', 'add_to_cart', 'purchase', 'heartbeat'];
  const body = i % 10 === 9
    ? '{"event_id": "broken'
    : JSON.stringify({ event_id: `e-${now.getTime()}-${i}`, event_type: types[i % types.length], user_id: `u-${i % 7}`, value: i % 3 === 0 ? i * 1.5 : undefined, event_time: now.toISOString() });
  return { data: Buffer.from(body, 'utf-8'), partitionKey: `u-${i % 7}` };
}

async function main(): Promise<void> {
  const [streamName, count = '1000'] = process.argv.slice(2);
  if (!streamName) {
    throw new Error('usage: producer.ts <stream-name> [count]');
  }
  const records = Array.from({ length: Number(count) }, (_, i) => demoEvent(i));
  const result = await putAllRecords(new KinesisClient({}), streamName, records);
  console.log(JSON.stringify({ succeeded: result.succeeded, failed: result.failed.length, calls: result.calls }));
  if (result.failed.length > 0) {
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exitCode = 1;
  });
}
