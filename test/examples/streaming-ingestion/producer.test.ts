import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  MAX_BYTES_PER_CALL, ProducerRecord, PutRecordsClient, backoffMs, batchRecords, demoEvent, putAllRecords, recordSize,
} from '../../../examples/streaming-ingestion/producer';

const record = (bytes: number, partitionKey = 'k'): ProducerRecord => ({ data: new Uint8Array(bytes), partitionKey });

/** A fake Kinesis client: records each call, fails the entries `failures(call)` names. */
class FakeKinesis implements PutRecordsClient {
  public readonly calls: PutRecordsCommand[] = [];
  constructor(private readonly failures: (call: number, index: number) => string | undefined = () => undefined) {}

  public async send(command: PutRecordsCommand) {
    const call = this.calls.push(command) - 1;
    const results = command.input.Records!.map((_, i) => {
      const errorCode = this.failures(call, i);
      return errorCode ? { ErrorCode: errorCode, ErrorMessage: 'Rate exceeded' } : { SequenceNumber: `${call}-${i}`, ShardId: 'shardId-000000000000' };
    });
    return { FailedRecordCount: results.filter(r => 'ErrorCode' in r).length, Records: results };
  }
}

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe('batching to the PutRecords limits', () => {
  test('counts the partition key in a record\'s size', () => {
    expect(recordSize({ data: new Uint8Array(10), partitionKey: 'äb' })).toBe(13);
  });

  test('puts at most 500 records in a call', () => {
    expect(batchRecords(Array.from({ length: 1201 }, () => record(10))).map(b => b.length)).toEqual([500, 500, 201]);
  });

  test('puts at most 5 MiB in a call, partition keys included', () => {
    // 6 records of 1 MiB minus 1 byte of data, plus a 1-byte key: 5 fit exactly in 5 MiB.
    const batches = batchRecords(Array.from({ length: 6 }, () => record(1024 * 1024 - 1)));
    expect(batches.map(b => b.length)).toEqual([5, 1]);
    expect(batches[0].reduce((sum, r) => sum + recordSize(r), 0)).toBe(MAX_BYTES_PER_CALL);
  });

  test('keeps the order of the records', () => {
    const records = Array.from({ length: 700 }, (_, i) => record(1, `k${i}`));
    expect(batchRecords(records).flat().map(r => r.partitionKey)).toEqual(records.map(r => r.partitionKey));
  });

  test('rejects a record over 1 MiB, which Kinesis rejects in any batch', () => {
    expect(() => batchRecords([record(1024 * 1024, 'big')])).toThrow("record with partition key 'big' is 1048579 bytes, over the 1 MiB limit of a Kinesis record");
  });

  test('returns no batch for no record', () => {
    expect(batchRecords([])).toEqual([]);
  });
});

describe('retrying only the records that failed', () => {
  test('sends every batch once when nothing fails', async () => {
    const client = new FakeKinesis();
    const result = await putAllRecords(client, 'events', Array.from({ length: 750 }, () => record(10)), noSleep);
    expect(result).toEqual({ succeeded: 750, failed: [], calls: 2 });
    expect(client.calls.map(c => [c.input.StreamName, c.input.Records!.length])).toEqual([['events', 500], ['events', 250]]);
  });

  test('re-sends exactly the failed entries, with backoff', async () => {
    const sleeps: number[] = [];
    // First call: entries 1 and 3 throttled; second call: everything succeeds.
    const client = new FakeKinesis((call, i) => (call === 0 && (i === 1 || i === 3) ? 'ProvisionedThroughputExceededException' : undefined));
    const records = Array.from({ length: 5 }, (_, i) => record(1, `k${i}`));
    const result = await putAllRecords(client, 'events', records, { sleep: async ms => { sleeps.push(ms); }, random: () => 0.5, baseDelayMs: 100 });
    expect(result).toEqual({ succeeded: 5, failed: [], calls: 2 });
    expect(client.calls[1].input.Records!.map(r => r.PartitionKey)).toEqual(['k1', 'k3']);
    expect(sleeps).toEqual([50]);
  });

  test('gives up after maxAttempts and reports the records still failing with their error code', async () => {
    const client = new FakeKinesis((_call, i) => (i === 0 ? 'InternalFailure' : undefined));
    const records = [record(1, 'always-fails'), record(1, 'ok')];
    const result = await putAllRecords(client, 'events', records, { ...noSleep, maxAttempts: 3 });
    expect(result.succeeded).toBe(1);
    expect(result.failed).toEqual([{ record: records[0], errorCode: 'InternalFailure' }]);
    expect(client.calls.map(c => c.input.Records!.map(r => r.PartitionKey))).toEqual([['always-fails', 'ok'], ['always-fails'], ['always-fails']]);
  });

  test('backs off exponentially, with full jitter, up to the bound', () => {
    expect([1, 2, 3, 4].map(a => backoffMs(a, { random: () => 0.999, baseDelayMs: 100 }))).toEqual([99, 199, 399, 799]);
    expect(backoffMs(20, { random: () => 0.999, maxDelayMs: 5000 })).toBe(4995);
    expect(backoffMs(3, { random: () => 0 })).toBe(0);
  });

  test('the demo events are one malformed record in ten', () => {
    const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(demoEvent(i).data).toString('utf-8'));
    expect(bodies.filter(body => { try { JSON.parse(body); return false; } catch { return true; } })).toHaveLength(2);
  });
});
