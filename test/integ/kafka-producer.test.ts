/**
 * The sandbox test's Kafka producer (kafka-producer-handler/): the AWS_MSK_IAM payload against a
 * published example, CRC-32C against its check value, and the whole handler against a local fake
 * broker that decodes what it receives (SaslHandshake, SaslAuthenticate, Metadata, Produce with its
 * RecordBatch) independently, including Kafka error codes.
 */
import * as net from 'net';
import { AddressInfo } from 'net';
import { authPayload, crc32c, handler } from './kafka-producer-handler';

describe('encoding', () => {
  test('CRC-32C of "123456789" is the Castagnoli check value 0xE3069283', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xE3069283);
  });

  // The expected signature is the one of the unit test of kafkajs-msk-iam-authentication-mechanism
  // (src/create-payload.spec.ts), computed there with the AWS SDK's SignatureV4.
  test('the AWS_MSK_IAM payload matches a published example, signature included', () => {
    const payload = authPayload({
      host: 'examples.com', region: 'us-east-1', date: new Date('2021-01-01T00:00:00Z'),
      credentials: { accessKeyId: 'accessKeyId', secretAccessKey: 'secretAccessKey', sessionToken: 'sessionToken' },
    });
    expect(payload).toEqual({
      'version': '2020_10_22',
      'host': 'examples.com',
      'user-agent': 'sandbox-test-producer',
      'action': 'kafka-cluster:Connect',
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': 'accessKeyId/20210101/us-east-1/kafka-cluster/aws4_request',
      'x-amz-date': '20210101T000000Z',
      'x-amz-security-token': 'sessionToken',
      'x-amz-signedheaders': 'host',
      'x-amz-expires': '900',
      'x-amz-signature': '3515d158e62c159a3d8d4344942cff44c865cdeac6748a4b5dc42686641bb272',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// A fake broker: decodes requests with its own reader, answers as Kafka would.
// ---------------------------------------------------------------------------------------------

/** Bitwise CRC-32C, independent of the handler's table. */
function slowCrc32c(data: Buffer): number {
  let crc = 0xFFFFFFFF;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
  }
  return (crc ^ 0xFFFFFFFF) >>> 0;
}

class In {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  i8() { this.pos += 1; return this.b.readInt8(this.pos - 1); }
  i16() { this.pos += 2; return this.b.readInt16BE(this.pos - 2); }
  i32() { this.pos += 4; return this.b.readInt32BE(this.pos - 4); }
  u32() { this.pos += 4; return this.b.readUInt32BE(this.pos - 4); }
  i64() { this.pos += 8; return this.b.readBigInt64BE(this.pos - 8); }
  str() { const n = this.i16(); if (n < 0) return null; this.pos += n; return this.b.toString('utf8', this.pos - n, this.pos); }
  bytes() { const n = this.i32(); this.pos += n; return this.b.subarray(this.pos - n, this.pos); }
  varint() {
    let value = 0n; let shift = 0n; let byte: number;
    do { byte = this.b[this.pos++]; value |= BigInt(byte & 0x7F) << shift; shift += 7n; } while (byte & 0x80);
    return Number((value >> 1n) ^ -(value & 1n));
  }
  rest() { return this.b.subarray(this.pos); }
}

const out = {
  i8: (v: number) => { const b = Buffer.alloc(1); b.writeInt8(v); return b; },
  i16: (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; },
  i32: (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; },
  i64: (v: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(v); return b; },
  str: (v: string | null) => v === null ? out.i16(-1) : Buffer.concat([out.i16(Buffer.byteLength(v)), Buffer.from(v)]),
};

/** Decodes one RecordBatch (magic 2): checks its length and CRC-32C, returns the record values. */
function decodeBatch(batch: Buffer) {
  const r = new In(batch);
  expect(r.i64()).toBe(0n); // baseOffset
  expect(r.i32()).toBe(batch.length - 12); // batchLength
  r.i32(); // partitionLeaderEpoch
  expect(r.i8()).toBe(2); // magic
  const crc = r.u32();
  expect(crc).toBe(slowCrc32c(r.rest()));
  expect(r.i16()).toBe(0); // attributes
  const lastOffsetDelta = r.i32();
  const baseTimestamp = r.i64();
  expect(r.i64()).toBe(baseTimestamp); // maxTimestamp
  expect([r.i64(), r.i16(), r.i32()]).toEqual([-1n, -1, -1]); // producerId, producerEpoch, baseSequence
  const count = r.i32();
  expect(lastOffsetDelta).toBe(count - 1);
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    expect(r.i8()).toBe(0); // attributes
    expect(r.varint()).toBe(0); // timestampDelta
    expect(r.varint()).toBe(i); // offsetDelta
    expect(r.varint()).toBe(-1); // keyLength: null
    const valueLength = r.varint();
    r.pos += valueLength;
    values.push(JSON.parse(batch.toString('utf8', r.pos - valueLength, r.pos)));
    expect(r.varint()).toBe(0); // headers
    expect(r.pos - start).toBe(length);
  }
  expect(r.pos).toBe(batch.length);
  return values;
}

interface FakeOptions { readonly authError?: number; readonly produceError?: number; readonly topicError?: number }

async function fakeBroker(options: FakeOptions = {}) {
  const seen: { api: string; payload?: any; topic?: string; partition?: number; values?: unknown[]; acks?: number }[] = [];
  let offset = 0n;
  const server = net.createServer(socket => {
    let buffer = Buffer.alloc(0);
    socket.on('data', chunk => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
        const r = new In(buffer.subarray(4, 4 + buffer.readInt32BE(0)));
        buffer = buffer.subarray(4 + buffer.readInt32BE(0));
        const [apiKey, apiVersion, correlationId] = [r.i16(), r.i16(), r.i32()];
        expect(r.str()).toBe('sandbox-test-producer'); // client_id
        let body: Buffer[];
        if (apiKey === 17 && apiVersion === 1) {
          expect(r.str()).toBe('AWS_MSK_IAM');
          seen.push({ api: 'SaslHandshake' });
          body = [out.i16(0), out.i32(1), out.str('AWS_MSK_IAM')];
        } else if (apiKey === 36 && apiVersion === 1) {
          seen.push({ api: 'SaslAuthenticate', payload: JSON.parse(r.bytes().toString('utf8')) });
          const error = options.authError ?? 0;
          body = [out.i16(error), out.str(error ? 'Access denied' : null), out.i32(2), Buffer.from('{}'), out.i64(0n)];
        } else if (apiKey === 3 && apiVersion === 4) {
          expect(r.i32()).toBe(1);
          const topic = r.str()!;
          expect(r.i8()).toBe(0); // allow_auto_topic_creation
          seen.push({ api: 'Metadata', topic });
          const port = (server.address() as AddressInfo).port;
          const partition = (index: number) => [out.i16(0), out.i32(index), out.i32(1), out.i32(1), out.i32(1), out.i32(1), out.i32(1)];
          body = [out.i32(0), out.i32(1), out.i32(1), out.str('127.0.0.1'), out.i32(port), out.str(null), out.str('cluster'), out.i32(1),
            out.i32(1), out.i16(options.topicError ?? 0), out.str(topic), out.i8(0), out.i32(2), ...partition(1), ...partition(0)];
        } else if (apiKey === 0 && apiVersion === 3) {
          expect(r.str()).toBeNull(); // transactional_id
          const acks = r.i16();
          r.i32(); // timeout_ms
          expect(r.i32()).toBe(1);
          const topic = r.str()!;
          expect(r.i32()).toBe(1);
          const partition = r.i32();
          const values = decodeBatch(r.bytes());
          seen.push({ api: 'Produce', topic, partition, values, acks });
          body = [out.i32(1), out.str(topic), out.i32(1), out.i32(partition), out.i16(options.produceError ?? 0), out.i64(offset), out.i64(-1n), out.i32(0)];
          offset += BigInt(values.length);
        } else {
          throw new Error(`unexpected request ${apiKey} v${apiVersion}`);
        }
        const response = Buffer.concat([out.i32(correlationId), ...body]);
        socket.write(Buffer.concat([out.i32(response.length), response]));
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { seen, server, brokers: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the producer against a fake broker', () => {
  const env = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  });
  afterEach(() => {
    process.env = { ...env };
  });

  test('authenticates each connection, finds the leaders and writes every record with acks -1', async () => {
    const broker = await fakeBroker();
    try {
      const answer = await handler({ bootstrapBrokers: `${broker.brokers},b-2.example:9098`, topic: 'events', records: 3 });
      expect(answer).toEqual({
        produced: 3,
        partitions: [{ partition: 0, leader: 1, baseOffset: '0', records: 2 }, { partition: 1, leader: 1, baseOffset: '2', records: 1 }],
      });
      expect(broker.seen.map(s => s.api)).toEqual([
        'SaslHandshake', 'SaslAuthenticate', 'Metadata',
        'SaslHandshake', 'SaslAuthenticate', 'Produce',
        'SaslHandshake', 'SaslAuthenticate', 'Produce',
      ]);
      const produced = broker.seen.filter(s => s.api === 'Produce');
      expect(produced.map(p => [p.topic, p.partition, p.acks, (p.values as any[]).map(v => v.sequence)])).toEqual([['events', 0, -1, [0, 2]], ['events', 1, -1, [1]]]);
      expect(produced[0].values![0]).toEqual({ source: 'sandbox-test-producer', sequence: 0, sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
      // Each payload is signed for the broker's host, with the function's credentials and Region.
      for (const { payload } of broker.seen.filter(s => s.api === 'SaslAuthenticate')) {
        expect(payload).toMatchObject({ 'host': '127.0.0.1', 'action': 'kafka-cluster:Connect', 'x-amz-security-token': 'token',
          'x-amz-credential': expect.stringMatching(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/) });
        const date = payload['x-amz-date'].replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
        expect(payload).toEqual(authPayload({ host: '127.0.0.1', region: 'eu-west-1', date: new Date(date),
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' } }));
      }
    } finally {
      broker.server.close();
    }
  });

  test.each([
    [{ produceError: 29 }, 'Produce to events-0: Kafka error TOPIC_AUTHORIZATION_FAILED (29)'],
    [{ authError: 58 }, 'SaslAuthenticate with 127.0.0.1: Kafka error SASL_AUTHENTICATION_FAILED (58): Access denied'],
    [{ topicError: 3 }, 'Metadata for topic events: Kafka error UNKNOWN_TOPIC_OR_PARTITION (3)'],
    [{ produceError: 200 }, 'Kafka error code (200)'],
  ])('a Kafka error code fails the invocation with its name: %j', async (options, message) => {
    const broker = await fakeBroker(options);
    try {
      await expect(handler({ bootstrapBrokers: broker.brokers, topic: 'events', records: 3 })).rejects.toThrow(message);
    } finally {
      broker.server.close();
    }
  });

  test('refuses a missing broker list, topic or record count', async () => {
    await expect(handler({ topic: 'events' })).rejects.toThrow('bootstrapBrokers is missing');
    await expect(handler({ bootstrapBrokers: 'x:9098' })).rejects.toThrow('topic is missing');
    await expect(handler({ bootstrapBrokers: 'x:9098', topic: 'events', records: 0 })).rejects.toThrow('records must be an integer from 1 to 100');
    await expect(handler({ bootstrapBrokers: 'not-an-address', topic: 'events' })).rejects.toThrow('not a broker address host:port');
  });
});
