// @ts-check
'use strict';
/**
 * The sandbox test's Kafka producer: runs in AWS Lambda inside the demo's VPC and writes a few JSON
 * records to a topic of an MSK cluster with IAM access control, as any producer of the demo would.
 *
 * No Kafka client is bundled (the function is one inline file), so this is the minimal subset of
 * the Kafka protocol a producer needs, named as in the protocol guide
 * (https://kafka.apache.org/protocol):
 *
 * 1. open TLS to a bootstrap broker (IAM listener, port 9098);
 * 2. `SaslHandshake` v1 with mechanism `AWS_MSK_IAM`, then `SaslAuthenticate` v1 whose auth_bytes
 *    are MSK's signed JSON payload ({@link authPayload});
 * 3. `Metadata` v4 for the topic: the brokers and each partition's leader;
 * 4. for each partition leader: a connection of its own (authenticated the same way) and one
 *    `Produce` v3 request, acks = -1 (all in-sync replicas), carrying one RecordBatch (magic 2,
 *    CRC-32C) with that partition's records; every error code is checked, and the first non-zero
 *    one is thrown with its name.
 *
 * It answers `{ produced: <records>, partitions: [{ partition, leader, baseOffset, records }] }`.
 *
 * Versions: the lowest non-flexible versions that carry what is needed (Produce v3 is the first
 * with RecordBatch v2; Metadata v4 the first that can refuse to create the topic). Kafka 4.0
 * removed Produce v0-v2 and Metadata v0-v3, not these (KIP-896).
 *
 * Plain TCP is used only when the broker is 127.0.0.1 or localhost (the unit test's fake broker);
 * everything else is TLS with the default CAs (MSK brokers present Amazon Trust Services
 * certificates).
 *
 * @see https://kafka.apache.org/protocol
 * @see https://kafka.apache.org/documentation/#recordbatch
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://cwiki.apache.org/confluence/display/KAFKA/KIP-896%3A+Remove+old+client+protocol+API+versions+in+Kafka+4.0
 */
const crypto = require('node:crypto');
const net = require('node:net');
const tls = require('node:tls');

/** How long one connection or request may take. */
const REQUEST_TIMEOUT_MS = 15_000;
/** How long the leader waits for the in-sync replicas (Produce timeout_ms). */
const PRODUCE_TIMEOUT_MS = 10_000;
const CLIENT_ID = 'sandbox-test-producer';

/** The API keys and versions used. */
const API = {
  Produce: { key: 0, version: 3 },
  Metadata: { key: 3, version: 4 },
  SaslHandshake: { key: 17, version: 1 },
  SaslAuthenticate: { key: 36, version: 1 },
};

/** The protocol guide's error codes a producer can meet (others are reported by number). */
const ERRORS = /** @type {Record<number, string>} */ ({
  [-1]: 'UNKNOWN_SERVER_ERROR', 1: 'OFFSET_OUT_OF_RANGE', 2: 'CORRUPT_MESSAGE', 3: 'UNKNOWN_TOPIC_OR_PARTITION', 4: 'INVALID_FETCH_SIZE',
  5: 'LEADER_NOT_AVAILABLE', 6: 'NOT_LEADER_OR_FOLLOWER', 7: 'REQUEST_TIMED_OUT', 8: 'BROKER_NOT_AVAILABLE', 9: 'REPLICA_NOT_AVAILABLE',
  10: 'MESSAGE_TOO_LARGE', 13: 'NETWORK_EXCEPTION', 17: 'INVALID_TOPIC_EXCEPTION', 18: 'RECORD_LIST_TOO_LARGE', 19: 'NOT_ENOUGH_REPLICAS',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 21: 'INVALID_REQUIRED_ACKS', 29: 'TOPIC_AUTHORIZATION_FAILED', 31: 'CLUSTER_AUTHORIZATION_FAILED',
  32: 'INVALID_TIMESTAMP', 33: 'UNSUPPORTED_SASL_MECHANISM', 34: 'ILLEGAL_SASL_STATE', 35: 'UNSUPPORTED_VERSION', 42: 'INVALID_REQUEST',
  43: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', 56: 'KAFKA_STORAGE_ERROR', 58: 'SASL_AUTHENTICATION_FAILED', 87: 'INVALID_RECORD',
});

/** Throws a Kafka error code by name (0 is NONE). @param {number} code @param {string} where @param {string | null} [message] */
function check(code, where, message) {
  if (code !== 0) {
    throw new Error(`${where}: Kafka error ${ERRORS[code] ?? 'code'} (${code})${message ? ': ' + message : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Primitive types (protocol guide, "Protocol Primitive Types")
// ---------------------------------------------------------------------------------------------

/** Builds a message from primitive fields, big-endian. */
class Writer {
  constructor() {
    /** @type {Buffer[]} */
    this.parts = [];
  }

  /** @param {number} value */
  int8(value) { const b = Buffer.alloc(1); b.writeInt8(value); this.parts.push(b); return this; }
  /** @param {number} value */
  int16(value) { const b = Buffer.alloc(2); b.writeInt16BE(value); this.parts.push(b); return this; }
  /** @param {number} value */
  int32(value) { const b = Buffer.alloc(4); b.writeInt32BE(value); this.parts.push(b); return this; }
  /** @param {number} value */
  uint32(value) { const b = Buffer.alloc(4); b.writeUInt32BE(value); this.parts.push(b); return this; }
  /** @param {bigint} value */
  int64(value) { const b = Buffer.alloc(8); b.writeBigInt64BE(value); this.parts.push(b); return this; }
  /** @param {boolean} value */
  boolean(value) { return this.int8(value ? 1 : 0); }
  /** STRING / NULLABLE_STRING: INT16 length (-1 for null), UTF-8. @param {string | null} value */
  string(value) {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }
  /** BYTES / RECORDS: INT32 length, then the bytes. @param {Buffer} value */
  bytes(value) { return this.int32(value.length).raw(value); }
  /** VARINT / VARLONG: zig-zag, then 7 bits per byte, low first. @param {number} value */
  varint(value) {
    let zigzag = value >= 0 ? BigInt(value) * 2n : -BigInt(value) * 2n - 1n;
    const out = [];
    do {
      const low = Number(zigzag & 0x7Fn);
      zigzag >>= 7n;
      out.push(zigzag > 0n ? low | 0x80 : low);
    } while (zigzag > 0n);
    return this.raw(Buffer.from(out));
  }
  /** @param {Buffer} value */
  raw(value) { this.parts.push(value); return this; }
  toBuffer() { return Buffer.concat(this.parts); }
}

/** Reads primitive fields from a response, big-endian. */
class Reader {
  /** @param {Buffer} buffer */
  constructor(buffer) { this.buffer = buffer; this.pos = 0; }
  /** @param {number} n */
  take(n) {
    if (this.pos + n > this.buffer.length) throw new Error(`truncated Kafka response: ${n} bytes wanted at ${this.pos} of ${this.buffer.length}`);
    const start = this.pos;
    this.pos += n;
    return start;
  }
  int8() { return this.buffer.readInt8(this.take(1)); }
  int16() { return this.buffer.readInt16BE(this.take(2)); }
  int32() { return this.buffer.readInt32BE(this.take(4)); }
  int64() { return this.buffer.readBigInt64BE(this.take(8)); }
  boolean() { return this.int8() !== 0; }
  /** @returns {string | null} */
  string() {
    const length = this.int16();
    if (length < 0) return null;
    const start = this.take(length);
    return this.buffer.toString('utf8', start, start + length);
  }
  /** @returns {Buffer | null} */
  bytes() {
    const length = this.int32();
    if (length < 0) return null;
    const start = this.take(length);
    return this.buffer.subarray(start, start + length);
  }
  /** @template T @param {() => T} read @returns {T[]} */
  array(read) {
    const count = this.int32();
    return Array.from({ length: Math.max(count, 0) }, read);
  }
}

// ---------------------------------------------------------------------------------------------
// RecordBatch (message format v2, magic 2)
// ---------------------------------------------------------------------------------------------

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2. */
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
  return c >>> 0;
});

/** @param {Buffer} data @returns {number} */
function crc32c(data) {
  let crc = 0xFFFFFFFF;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >>> 8);
  return (crc ^ 0xFFFFFFFF) >>> 0;
}

/**
 * One RecordBatch of `values` (no keys, no headers), all stamped `timestamp` (ms), as a producer
 * without idempotence writes it: producerId, producerEpoch and baseSequence -1, baseOffset 0 (the
 * leader assigns the offsets).
 *
 * baseOffset INT64, batchLength INT32 (bytes after it), partitionLeaderEpoch INT32, magic INT8,
 * crc UINT32 (CRC-32C of everything after it), attributes INT16 (0: no compression,
 * CreateTime), lastOffsetDelta INT32, baseTimestamp INT64, maxTimestamp INT64, producerId INT64,
 * producerEpoch INT16, baseSequence INT32, then the records (INT32 count); each Record is
 * length VARINT, attributes INT8, timestampDelta VARLONG, offsetDelta VARINT, keyLength VARINT
 * (-1: null), valueLength VARINT, value, headers count VARINT.
 *
 * @see https://kafka.apache.org/documentation/#recordbatch
 * @param {Buffer[]} values
 * @param {bigint} timestamp
 */
function recordBatch(values, timestamp) {
  const records = values.map((value, offsetDelta) => {
    const body = new Writer().int8(0).varint(0).varint(offsetDelta).varint(-1).varint(value.length).raw(value).varint(0).toBuffer();
    return new Writer().varint(body.length).raw(body).toBuffer();
  });
  const afterCrc = new Writer()
    .int16(0) // attributes
    .int32(values.length - 1) // lastOffsetDelta
    .int64(timestamp) // baseTimestamp
    .int64(timestamp) // maxTimestamp
    .int64(-1n) // producerId
    .int16(-1) // producerEpoch
    .int32(-1) // baseSequence
    .int32(records.length)
    .raw(Buffer.concat(records))
    .toBuffer();
  const afterLength = new Writer().int32(-1).int8(2).uint32(crc32c(afterCrc)).raw(afterCrc).toBuffer(); // partitionLeaderEpoch, magic, crc
  return new Writer().int64(0n).int32(afterLength.length).raw(afterLength).toBuffer();
}

// ---------------------------------------------------------------------------------------------
// AWS_MSK_IAM: the SASL payload
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} Credentials
 * @property {string} accessKeyId
 * @property {string} secretAccessKey
 * @property {string} [sessionToken]
 */

/** @param {crypto.BinaryLike} key @param {string} data */
function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * The auth_bytes of `AWS_MSK_IAM`: the query parameters and host header of a SigV4 *presigned*
 * `GET https://<broker host>/?Action=kafka-cluster:Connect` for service `kafka-cluster`, 900
 * seconds, host the only signed header, the empty body's SHA-256 as payload hash, serialized as one
 * JSON object with lower-case keys, plus `version` 2020_10_22 and a `user-agent`. This is what
 * aws-msk-iam-auth sends (AWS4SignedPayloadGenerator: Aws4Signer.presign of that request, then
 * every query parameter and header in a map).
 *
 * @see https://github.com/aws/aws-msk-iam-auth/blob/main/src/main/java/software/amazon/msk/auth/iam/internals/AWS4SignedPayloadGenerator.java
 * @see https://github.com/aws/aws-msk-iam-auth/blob/main/src/main/java/software/amazon/msk/auth/iam/internals/AuthenticationRequestParams.java
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @param {{ host: string, region: string, credentials: Credentials, date: Date }} input
 */
function authPayload(input) {
  const amzDate = input.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/kafka-cluster/aws4_request`;
  /** @type {Record<string, string>} */
  const query = {
    Action: 'kafka-cluster:Connect',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${input.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '900',
    ...(input.credentials.sessionToken ? { 'X-Amz-Security-Token': input.credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const encode = (/** @type {string} */ text) => encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const canonicalQuery = Object.keys(query).sort().map(name => `${encode(name)}=${encode(query[name])}`).join('&');
  const emptyBodyHash = crypto.createHash('sha256').update('').digest('hex');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${input.host}\n`, 'host', emptyBodyHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, crypto.createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = [day, input.region, 'kafka-cluster', 'aws4_request']
    .reduce((/** @type {crypto.BinaryLike} */ k, part) => hmac(k, part), 'AWS4' + input.credentials.secretAccessKey);
  /** @type {Record<string, string>} */
  const payload = { version: '2020_10_22', host: input.host, 'user-agent': CLIENT_ID };
  for (const [name, value] of Object.entries(query)) payload[name.toLowerCase()] = value;
  payload['x-amz-signature'] = hmac(key, stringToSign).toString('hex');
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Connections and requests
// ---------------------------------------------------------------------------------------------

/**
 * One connection to a broker: requests are sent one at a time; each is framed as INT32 size,
 * request header v1 (request_api_key INT16, request_api_version INT16, correlation_id INT32,
 * client_id NULLABLE_STRING) and the body; each response as INT32 size, response header v0
 * (correlation_id INT32) and the body.
 */
class Connection {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.received = Buffer.alloc(0);
    this.correlationId = 0;
    /** @type {((frame: Buffer) => void) | undefined} */
    this.waiting = undefined;
    /** @type {Error | undefined} */
    this.failure = undefined;
    /** @type {((error: Error) => void) | undefined} */
    this.fail = undefined;
    socket.on('data', chunk => {
      this.received = Buffer.concat([this.received, chunk]);
      this.deliver();
    });
    const stop = (/** @type {Error} */ error) => {
      this.failure = error;
      this.fail?.(error);
    };
    socket.on('error', stop);
    socket.on('close', () => stop(new Error('the broker closed the connection')));
  }

  /** Opens a connection: TLS, or plain TCP to 127.0.0.1/localhost only. @param {string} host @param {number} port */
  static open(host, port) {
    const local = host === '127.0.0.1' || host === 'localhost';
    return new Promise((resolve, reject) => {
      const socket = local ? net.connect({ host, port }) : tls.connect({ host, port, servername: host });
      socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy(new Error(`no answer from ${host}:${port} within ${REQUEST_TIMEOUT_MS} ms`)));
      socket.once('error', reject);
      socket.once(local ? 'connect' : 'secureConnect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
    }).then(connection => /** @type {Connection} */ (connection));
  }

  deliver() {
    if (!this.waiting || this.received.length < 4) return;
    const size = this.received.readInt32BE(0);
    if (this.received.length < 4 + size) return;
    const frame = this.received.subarray(4, 4 + size);
    this.received = this.received.subarray(4 + size);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting(frame);
  }

  /**
   * Sends one request and returns a reader positioned after the response header.
   * @param {{ key: number, version: number }} api @param {Buffer} body
   */
  request(api, body) {
    const correlationId = ++this.correlationId;
    const message = new Writer().int16(api.key).int16(api.version).int32(correlationId).string(CLIENT_ID).raw(body).toBuffer();
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.fail = reject;
      this.waiting = frame => {
        const reader = new Reader(frame);
        const answered = reader.int32();
        if (answered !== correlationId) reject(new Error(`response to correlation id ${answered}, expected ${correlationId}`));
        else resolve(reader);
      };
      this.socket.write(new Writer().bytes(message).toBuffer());
      this.deliver();
    }).then(reader => /** @type {Reader} */ (reader));
  }

  close() {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/**
 * Opens an authenticated connection: `SaslHandshake` (mechanism AWS_MSK_IAM), then
 * `SaslAuthenticate` with the signed payload for this broker's host.
 *
 * @param {string} host @param {number} port @param {string} region @param {Credentials} credentials
 */
async function connect(host, port, region, credentials) {
  const connection = await Connection.open(host, port);
  try {
    const handshake = await connection.request(API.SaslHandshake, new Writer().string('AWS_MSK_IAM').toBuffer());
    const handshakeError = handshake.int16();
    const mechanisms = handshake.array(() => handshake.string());
    check(handshakeError, `SaslHandshake with ${host}`, `the broker offers ${mechanisms.join(', ')}`);
    const payload = Buffer.from(JSON.stringify(authPayload({ host, region, credentials, date: new Date() })), 'utf8');
    const authenticate = await connection.request(API.SaslAuthenticate, new Writer().bytes(payload).toBuffer());
    check(authenticate.int16(), `SaslAuthenticate with ${host}`, authenticate.string());
    return connection;
  } catch (error) {
    connection.close();
    throw error;
  }
}

/**
 * @typedef {object} PartitionLeader
 * @property {number} partition
 * @property {number} leader the node id
 * @property {string} host
 * @property {number} port
 */

/**
 * `Metadata` v4 for one topic, allow_auto_topic_creation false: the leader of each partition.
 * @param {Connection} connection @param {string} topic @returns {Promise<PartitionLeader[]>}
 */
async function partitionLeaders(connection, topic) {
  // topics [name], allow_auto_topic_creation
  const response = await connection.request(API.Metadata, new Writer().int32(1).string(topic).boolean(false).toBuffer());
  response.int32(); // throttle_time_ms
  const brokers = new Map(response.array(() => {
    const nodeId = response.int32();
    const broker = { host: /** @type {string} */ (response.string()), port: response.int32() };
    response.string(); // rack
    return /** @type {[number, { host: string, port: number }]} */ ([nodeId, broker]);
  }));
  response.string(); // cluster_id
  response.int32(); // controller_id
  const topics = response.array(() => {
    const errorCode = response.int16();
    const name = response.string();
    response.boolean(); // is_internal
    const partitions = response.array(() => {
      const partitionError = response.int16();
      const partition = response.int32();
      const leader = response.int32();
      response.array(() => response.int32()); // replica_nodes
      response.array(() => response.int32()); // isr_nodes
      return { partitionError, partition, leader };
    });
    return { errorCode, name, partitions };
  });
  const found = topics.find(t => t.name === topic);
  if (!found) throw new Error(`Metadata did not describe the topic ${topic}`);
  check(found.errorCode, `Metadata for topic ${topic}`);
  if (found.partitions.length === 0) throw new Error(`the topic ${topic} has no partitions`);
  return found.partitions.sort((a, b) => a.partition - b.partition).map(p => {
    check(p.partitionError, `Metadata for ${topic}-${p.partition}`);
    const broker = brokers.get(p.leader);
    if (!broker) throw new Error(`the leader ${p.leader} of ${topic}-${p.partition} is not among the brokers Metadata listed`);
    return { partition: p.partition, leader: p.leader, ...broker };
  });
}

/**
 * `Produce` v3, acks -1: one RecordBatch to one partition; returns the base offset the leader gave.
 * @param {Connection} connection @param {string} topic @param {number} partition @param {Buffer} batch
 */
async function produce(connection, topic, partition, batch) {
  const request = new Writer()
    .string(null) // transactional_id
    .int16(-1) // acks: all in-sync replicas
    .int32(PRODUCE_TIMEOUT_MS) // timeout_ms
    .int32(1).string(topic) // topic_data [name
    .int32(1).int32(partition).bytes(batch); //   partition_data [index, records]]
  const response = await connection.request(API.Produce, request.toBuffer());
  /** @type {bigint | undefined} */
  let baseOffset;
  response.array(() => {
    const name = response.string();
    response.array(() => {
      const index = response.int32();
      const errorCode = response.int16();
      const offset = response.int64();
      response.int64(); // log_append_time_ms
      check(errorCode, `Produce to ${name}-${index}`);
      if (name === topic && index === partition) baseOffset = offset;
    });
  });
  response.int32(); // throttle_time_ms
  if (baseOffset === undefined) throw new Error(`Produce answered nothing for ${topic}-${partition}`);
  return baseOffset;
}

/** @param {string} broker `host:port` */
function hostPort(broker) {
  const match = /^([^:,\s]+):(\d+)$/.exec(broker.trim());
  if (!match) throw new Error('not a broker address host:port: ' + JSON.stringify(broker));
  return { host: match[1], port: Number(match[2]) };
}

/**
 * @param {{ bootstrapBrokers?: string, topic?: string, records?: number } | undefined} event
 */
exports.handler = async (event) => {
  const { bootstrapBrokers, topic, records = 3 } = event ?? {};
  if (!bootstrapBrokers) throw new Error('bootstrapBrokers is missing: the BootstrapBrokerStringSaslIam of GetBootstrapBrokers');
  if (!topic) throw new Error('topic is missing');
  if (!Number.isInteger(records) || records < 1 || records > 100) throw new Error('records must be an integer from 1 to 100');
  const region = process.env.AWS_REGION;
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!region || !accessKeyId || !secretAccessKey) throw new Error('AWS_REGION and the function\'s credentials must be set (Lambda sets them)');
  const credentials = { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN };

  const bootstrap = hostPort(bootstrapBrokers.split(',')[0]);
  const metadataConnection = await connect(bootstrap.host, bootstrap.port, region, credentials);
  let leaders;
  try {
    leaders = await partitionLeaders(metadataConnection, topic);
  } finally {
    metadataConnection.close();
  }

  // Record i goes to the i-th partition, round robin.
  const sentAt = new Date();
  const values = Array.from({ length: records }, (_, sequence) => ({ source: CLIENT_ID, sequence, sentAt: sentAt.toISOString() }));
  const partitions = [];
  for (const [i, leader] of leaders.entries()) {
    const mine = values.filter(value => value.sequence % leaders.length === i);
    if (mine.length === 0) continue;
    const connection = await connect(leader.host, leader.port, region, credentials);
    try {
      const batch = recordBatch(mine.map(value => Buffer.from(JSON.stringify(value), 'utf8')), BigInt(sentAt.getTime()));
      const baseOffset = await produce(connection, topic, leader.partition, batch);
      partitions.push({ partition: leader.partition, leader: leader.leader, baseOffset: baseOffset.toString(), records: mine.length });
    } finally {
      connection.close();
    }
  }
  return { produced: partitions.reduce((sum, p) => sum + p.records, 0), partitions };
};

exports.authPayload = authPayload;
exports.crc32c = crc32c;
exports.recordBatch = recordBatch;
