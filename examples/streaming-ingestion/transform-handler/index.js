// @ts-check
'use strict';
/**
 * The Firehose transform of the streaming demo: runs in AWS Lambda, on each batch Firehose reads
 * from the Kinesis stream.
 *
 * Firehose sends `{ records: [{ recordId, data (base64), approximateArrivalTimestamp }] }` and
 * expects every record back, with the same `recordId`, a `result` and base64 `data`:
 *
 * - `Ok`: the record, validated and normalized to the columns of the lake's `events` table
 *   (one JSON object per line), with its `event_type` as partition key (`metadata.partitionKeys`,
 *   used in the S3 prefix as `!{partitionKeyFromLambda:event_type}`);
 * - `Dropped`: a heartbeat, which the lake does not need (counted, not an error);
 * - `ProcessingFailed`: anything that is not a valid event. Firehose writes these, unchanged, under
 *   the error prefix (`processing-failed/`): a malformed record is never thrown away silently, and
 *   one bad record never fails the whole batch.
 *
 * Plain JavaScript with no dependency (type-checked from these JSDoc types), loaded as it is with
 * `lambda.Code.fromAsset`: nothing to bundle, so the demo synthesizes without esbuild or Docker.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */

/**
 * One record of a Firehose transformation event.
 *
 * @typedef {object} FirehoseInputRecord
 * @property {string} recordId
 * @property {string} data
 * @property {number} [approximateArrivalTimestamp]
 */

/**
 * The event Firehose invokes the transform with.
 *
 * @typedef {object} FirehoseTransformationEvent
 * @property {string} [invocationId]
 * @property {string} [deliveryStreamArn]
 * @property {string} [region]
 * @property {FirehoseInputRecord[]} records
 */

/**
 * What Firehose accepts for each record.
 *
 * @typedef {'Ok' | 'Dropped' | 'ProcessingFailed'} TransformationResult
 */

/**
 * One record of the transform's answer.
 *
 * @typedef {object} FirehoseOutputRecord
 * @property {string} recordId
 * @property {TransformationResult} result
 * @property {string} data
 * @property {{ partitionKeys: Record<string, string> }} [metadata]
 */

/**
 * The transform's answer.
 *
 * @typedef {object} FirehoseTransformationResponse
 * @property {FirehoseOutputRecord[]} records
 */

/**
 * An event as the lake stores it: the columns of the `events` Glue table.
 *
 * @typedef {object} LakeEvent
 * @property {string} event_id
 * @property {string} event_type
 * @property {string} user_id
 * @property {number | null} value
 * @property {string} event_time UTC, `yyyy-MM-dd HH:mm:ss.SSS`, a timestamp format Firehose's Parquet conversion parses.
 */

const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Why a record is not a valid event, or the normalized event.
 *
 * @param {string} text
 * @returns {LakeEvent | 'heartbeat' | { error: string }}
 */
function parseEvent(text) {
  /** @type {unknown} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'not a JSON object' };
  }
  const event = /** @type {Record<string, unknown>} */ (body);
  if (event.event_type === 'heartbeat') {
    return 'heartbeat';
  }
  if (typeof event.event_id !== 'string' || event.event_id.length === 0) {
    return { error: 'event_id missing' };
  }
  if (typeof event.event_type !== 'string' || !EVENT_TYPE.test(event.event_type)) {
    return { error: 'event_type missing or not lower_snake_case' };
  }
  if (typeof event.user_id !== 'string' || event.user_id.length === 0) {
    return { error: 'user_id missing' };
  }
  if (event.value !== undefined && event.value !== null && (typeof event.value !== 'number' || !Number.isFinite(event.value))) {
    return { error: 'value is not a number' };
  }
  const time = typeof event.event_time === 'string' || typeof event.event_time === 'number' ? new Date(event.event_time) : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    return { error: 'event_time missing or not a date' };
  }
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    user_id: event.user_id,
    value: typeof event.value === 'number' ? event.value : null,
    event_time: time.toISOString().replace('T', ' ').replace('Z', ''),
  };
}

/**
 * Transforms one record; never throws.
 *
 * @param {FirehoseInputRecord} record
 * @returns {FirehoseOutputRecord}
 */
function transformRecord(record) {
  const parsed = parseEvent(Buffer.from(record.data ?? '', 'base64').toString('utf-8'));
  if (parsed === 'heartbeat') {
    return { recordId: record.recordId, result: 'Dropped', data: record.data };
  }
  if ('error' in parsed) {
    // The original data goes back: Firehose writes it as it came under the error prefix.
    console.warn(JSON.stringify({ recordId: record.recordId, error: parsed.error }));
    return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data ?? '' };
  }
  return {
    recordId: record.recordId,
    result: 'Ok',
    data: Buffer.from(`${JSON.stringify(parsed)}\n`, 'utf-8').toString('base64'),
    metadata: { partitionKeys: { event_type: parsed.event_type } },
  };
}

/**
 * The Lambda handler (`index.handler`).
 *
 * @param {FirehoseTransformationEvent} event
 * @returns {Promise<FirehoseTransformationResponse>}
 */
async function handler(event) {
  return { records: (event.records ?? []).map(transformRecord) };
}

module.exports = { parseEvent, transformRecord, handler };
