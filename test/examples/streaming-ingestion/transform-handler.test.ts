import { FirehoseTransformationEvent, handler } from '../../../examples/streaming-ingestion/transform-handler';

const b64 = (text: string) => Buffer.from(text, 'utf-8').toString('base64');
const decode = (data: string) => Buffer.from(data, 'base64').toString('utf-8');

/** A Firehose transformation event as Firehose sends it for a Kinesis source. */
function firehoseEvent(...bodies: string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
    region: 'us-east-1',
    records: bodies.map((body, i) => ({ recordId: `record-${i}`, approximateArrivalTimestamp: 1735689600000, data: b64(body) })),
  };
}

describe('the Firehose transform handler', () => {
  const valid = { event_id: 'e-1', event_type: 'purchase', user_id: 'u-1', value: 12.5, event_time: '2025-01-31T09:15:00.123Z' };

  test('normalizes a valid event to one JSON line with its partition key', async () => {
    const { records } = await handler(firehoseEvent(JSON.stringify({ ...valid, extra: 'ignored' })));
    expect(records).toEqual([{
      recordId: 'record-0',
      result: 'Ok',
      data: expect.any(String),
      metadata: { partitionKeys: { event_type: 'purchase' } },
    }]);
    expect(decode(records[0].data)).toBe('{"event_id":"e-1","event_type":"purchase","user_id":"u-1","value":12.5,"event_time":"2025-01-31 09:15:00.123"}\n');
  });

  test('accepts epoch milliseconds and a missing value', async () => {
    const { records } = await handler(firehoseEvent(JSON.stringify({ ...valid, value: undefined, event_time: 1735689600000 })));
    expect(records[0].result).toBe('Ok');
    expect(JSON.parse(decode(records[0].data))).toMatchObject({ value: null, event_time: '2025-01-01 00:00:00.000' });
  });

  test('drops heartbeats', async () => {
    const { records } = await handler(firehoseEvent('{"event_type":"heartbeat"}'));
    expect(records).toEqual([{ recordId: 'record-0', result: 'Dropped', data: b64('{"event_type":"heartbeat"}') }]);
  });

  test.each([
    ['truncated JSON', '{"event_id": "broken'],
    ['not JSON at all', 'hello'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"text"'],
    ['null', 'null'],
    ['no event_id', JSON.stringify({ ...valid, event_id: undefined })],
    ['an upper-case event_type', JSON.stringify({ ...valid, event_type: 'Purchase' })],
    ['a path-like event_type', JSON.stringify({ ...valid, event_type: '../x' })],
    ['no user_id', JSON.stringify({ ...valid, user_id: '' })],
    ['a non-numeric value', JSON.stringify({ ...valid, value: '12' })],
    ['an invalid date', JSON.stringify({ ...valid, event_time: 'yesterday' })],
    ['no date', JSON.stringify({ ...valid, event_time: undefined })],
  ])('returns %s as ProcessingFailed with the original data, never dropped or thrown', async (_name, body) => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { records } = await handler(firehoseEvent(body));
    expect(records).toEqual([{ recordId: 'record-0', result: 'ProcessingFailed', data: b64(body) }]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  test('returns every record of a mixed batch, in order, with its own recordId', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { records } = await handler(firehoseEvent(JSON.stringify(valid), 'garbage', '{"event_type":"heartbeat"}', JSON.stringify({ ...valid, event_id: 'e-2' })));
    warn.mockRestore();
    expect(records.map(r => [r.recordId, r.result])).toEqual([
      ['record-0', 'Ok'], ['record-1', 'ProcessingFailed'], ['record-2', 'Dropped'], ['record-3', 'Ok'],
    ]);
  });

  test('handles a record with invalid base64 as ProcessingFailed', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { records } = await handler({ records: [{ recordId: 'r', data: '%%%' }] });
    warn.mockRestore();
    expect(records).toEqual([{ recordId: 'r', result: 'ProcessingFailed', data: '%%%' }]);
  });
});
