// @ts-check
'use strict';
/**
 * The sandbox test's video clients: run in AWS Lambda, as two functions with their own roles.
 *
 * - `put` (the camera) sends two seconds of H.264 video in Matroska to a Kinesis video stream with
 *   `PutMedia` and waits until the stream has PERSISTED every fragment;
 * - `list` (the viewer) finds the fragments that arrived in the last minutes with `ListFragments`,
 *   as a consumer would.
 *
 * `PutMedia` (a long-running HTTP POST of an MKV stream, answered by a stream of JSON
 * acknowledgements) is in no AWS SDK but the one for Java, so this file is the whole client, with
 * no dependency: a Signature Version 4 signer on node:crypto, a minimal Matroska writer and the
 * calls.
 *
 * 1. `GetDataEndpoint` on the control plane, `https://kinesisvideo.<region>.<suffix>`
 *    (`KINESIS_VIDEO_ENDPOINT`, set by the construct for the stack's partition);
 * 2. put: `PutMedia` on the PUT_MEDIA endpoint: the EBML header and tracks, then one cluster per
 *    fragment (a key frame first), absolute timecodes in milliseconds; the answer is read line by
 *    line until every fragment is PERSISTED, or an ERROR acknowledgement, which is thrown with its
 *    ErrorId and code. It answers `{ persisted: [fragment numbers] }`;
 * 3. list: `ListFragments` on the LIST_FRAGMENTS endpoint over the last `minutes` of server
 *    timestamps, retried for a few seconds (listing is eventually consistent) until at least
 *    `atLeast` fragments are there. It answers `{ fragments: [fragment numbers] }`.
 *
 * Each signs with its function's own credentials (the variables Lambda sets), so a call succeeds
 * only if that role's grant carries every action a real producer or consumer needs, including the
 * stream key's use by the service on its behalf.
 *
 * The frames are synthetic: a real sequence and picture parameter set for 320x240 Baseline video,
 * but slices whose payload is filler. Kinesis Video Streams stores fragments without decoding them
 * (an assumption: its docs say it does not validate the codec private data on ingestion), so this
 * proves ingestion and storage, not playback (HLS, GetClip and GetImages decode the frames).
 *
 * Plain JavaScript (type-checked from these JSDoc types), deployed inline: nothing to bundle.
 *
 * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_dataplane_PutMedia.html
 * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_GetDataEndpoint.html
 * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_reader_ListFragments.html
 * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-data.html
 */
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

/** How long one HTTP call may take before it is abandoned. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long to wait for every fragment to be PERSISTED (the function's timeout is 90 seconds). */
const ACK_TIMEOUT_MS = 40_000;
/** How often, and how far apart, ListFragments is tried (results typically lag under a second). */
const LIST_ATTEMPTS = 10;
const LIST_INTERVAL_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// Signature Version 4
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} Credentials
 * @property {string} accessKeyId
 * @property {string} secretAccessKey
 * @property {string} [sessionToken]
 */

/**
 * @typedef {object} SigningInput
 * @property {string} method
 * @property {string} url the full URL; its path needs no encoding (`/putMedia`)
 * @property {Record<string, string>} headers headers to sign besides host, x-amz-date and the token
 * @property {string} payloadHash hex SHA-256 of the body
 * @property {Credentials} credentials
 * @property {string} region
 * @property {string} service the signing name (`kinesisvideo` for every Kinesis Video Streams API)
 * @property {Date} date
 */

/**
 * @typedef {object} Signed
 * @property {Record<string, string>} headers every header to send, Authorization included
 * @property {string} canonicalRequest
 * @property {string} stringToSign
 */

/** @param {string | Buffer} data */
function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** @param {crypto.BinaryLike} key @param {string} data */
function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding, as SigV4 wants it for query names and values. @param {string} text */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Signs a request with AWS Signature Version 4 (Authorization header): canonical request, string
 * to sign, signing key derived from the secret, date, Region and service.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @param {SigningInput} input
 * @returns {Signed}
 */
function sign(input) {
  const url = new URL(input.url);
  const amzDate = input.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  /** @type {Record<string, string>} */
  const headers = { host: url.host, 'x-amz-date': amzDate };
  for (const [name, value] of Object.entries(input.headers)) {
    headers[name.toLowerCase()] = value;
  }
  if (input.credentials.sessionToken) {
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  }
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map(name => `${name}:${headers[name].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [...url.searchParams].map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).sort().join('&');
  const canonicalRequest = [input.method, url.pathname, query, canonicalHeaders, signedHeaders, input.payloadHash].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = [day, input.region, input.service, 'aws4_request']
    .reduce((/** @type {crypto.BinaryLike} */ k, part) => hmac(k, part), 'AWS4' + input.credentials.secretAccessKey);
  const signature = hmac(key, stringToSign).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign };
}

// ---------------------------------------------------------------------------------------------
// Matroska
// ---------------------------------------------------------------------------------------------

/** The Matroska element ids the writer uses. @see https://www.matroska.org/technical/elements.html */
const ID = {
  EBML: 0x1A45DFA3, EBMLVersion: 0x4286, EBMLReadVersion: 0x42F7, EBMLMaxIDLength: 0x42F2, EBMLMaxSizeLength: 0x42F3,
  DocType: 0x4282, DocTypeVersion: 0x4287, DocTypeReadVersion: 0x4285,
  Segment: 0x18538067, Info: 0x1549A966, TimecodeScale: 0x2AD7B1, MuxingApp: 0x4D80, WritingApp: 0x5741,
  Tracks: 0x1654AE6B, TrackEntry: 0xAE, TrackNumber: 0xD7, TrackUID: 0x73C5, TrackType: 0x83, CodecID: 0x86, CodecPrivate: 0x63A2,
  Video: 0xE0, PixelWidth: 0xB0, PixelHeight: 0xBA,
  Cluster: 0x1F43B675, Timecode: 0xE7, SimpleBlock: 0xA3,
};

/** An element id, written as its bytes (the id includes its own length marker). @param {number} id */
function idBytes(id) {
  const bytes = [];
  for (let rest = id; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return Buffer.from(bytes);
}

/** An element's data size as an EBML variable-length integer, in the fewest bytes. @param {number} size */
function sizeBytes(size) {
  for (let length = 1; length <= 8; length++) {
    // All ones is reserved (unknown size): the largest size of `length` bytes is 2^(7*length) - 2.
    if (size <= 2 ** (7 * length) - 2) {
      const bytes = Buffer.alloc(length);
      let rest = size;
      for (let i = length - 1; i >= 0; i--) {
        bytes[i] = rest % 256;
        rest = Math.floor(rest / 256);
      }
      bytes[0] |= 0x80 >> (length - 1);
      return bytes;
    }
  }
  throw new Error(`element too large: ${size} bytes`);
}

/** An unsigned integer in the fewest bytes (at least one). @param {number} value */
function uint(value) {
  const bytes = [];
  for (let rest = value; bytes.length === 0 || rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return Buffer.from(bytes);
}

/** One element: id, size, data. @param {number} id @param {Buffer | Buffer[] | string | number} data */
function element(id, data) {
  const body = Array.isArray(data) ? Buffer.concat(data)
    : typeof data === 'number' ? uint(data)
      : typeof data === 'string' ? Buffer.from(data, 'ascii') : data;
  return Buffer.concat([idBytes(id), sizeBytes(body.length), body]);
}

/** Writes bits MSB first, with H.264's exponential-Golomb codes. */
class BitWriter {
  constructor() {
    /** @type {number[]} */
    this.bits = [];
  }

  /** @param {number} count @param {number} value */
  u(count, value) {
    for (let i = count - 1; i >= 0; i--) {
      this.bits.push((value >> i) & 1);
    }
    return this;
  }

  /** @param {number} value */
  ue(value) {
    const length = Math.floor(Math.log2(value + 1));
    return this.u(length, 0).u(length + 1, value + 1);
  }

  /** @param {number} value */
  se(value) {
    return this.ue(value <= 0 ? -2 * value : 2 * value - 1);
  }

  /** The RBSP trailing bits, then the bytes with emulation prevention (00 00 0x becomes 00 00 03 0x). */
  nal() {
    this.bits.push(1);
    while (this.bits.length % 8 !== 0) {
      this.bits.push(0);
    }
    const out = [];
    let zeros = 0;
    for (let i = 0; i < this.bits.length; i += 8) {
      const byte = this.bits.slice(i, i + 8).reduce((acc, bit) => acc * 2 + bit, 0);
      if (zeros >= 2 && byte <= 3) {
        out.push(3);
        zeros = 0;
      }
      out.push(byte);
      zeros = byte === 0 ? zeros + 1 : 0;
    }
    return Buffer.from(out);
  }
}

/**
 * The AVCDecoderConfigurationRecord (ISO/IEC 14496-15) that Matroska carries as the CodecPrivate
 * of `V_MPEG4/ISO/AVC`: one sequence parameter set (Baseline profile, level 3.0, `width` x
 * `height`, both multiples of 16) and one picture parameter set; NAL lengths in 4 bytes.
 *
 * @param {number} width @param {number} height
 */
function avcConfiguration(width, height) {
  const sps = Buffer.concat([Buffer.from([0x67, 66, 0xC0, 30]), new BitWriter()
    .ue(0) // seq_parameter_set_id
    .ue(0) // log2_max_frame_num_minus4
    .ue(2) // pic_order_cnt_type
    .ue(1) // max_num_ref_frames
    .u(1, 0) // gaps_in_frame_num_value_allowed_flag
    .ue(width / 16 - 1) // pic_width_in_mbs_minus1
    .ue(height / 16 - 1) // pic_height_in_map_units_minus1
    .u(1, 1) // frame_mbs_only_flag
    .u(1, 1) // direct_8x8_inference_flag
    .u(1, 0) // frame_cropping_flag
    .u(1, 0) // vui_parameters_present_flag
    .nal()]);
  const pps = Buffer.concat([Buffer.from([0x68]), new BitWriter()
    .ue(0).ue(0) // pic_parameter_set_id, seq_parameter_set_id
    .u(1, 0).u(1, 0) // entropy_coding_mode_flag (CAVLC), bottom_field_pic_order_in_frame_present_flag
    .ue(0).ue(0).ue(0) // num_slice_groups_minus1, num_ref_idx_l0/l1_default_active_minus1
    .u(1, 0).u(2, 0) // weighted_pred_flag, weighted_bipred_idc
    .se(0).se(0).se(0) // pic_init_qp_minus26, pic_init_qs_minus26, chroma_qp_index_offset
    .u(1, 1).u(1, 0).u(1, 0) // deblocking_filter_control_present_flag, constrained_intra_pred_flag, redundant_pic_cnt_present_flag
    .nal()]);
  const length = (/** @type {Buffer} */ nal) => Buffer.from([nal.length >> 8, nal.length & 0xFF]);
  return Buffer.concat([
    Buffer.from([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]), length(sps), sps, // version, profile, compatibility, level, 4-byte lengths, 1 SPS
    Buffer.from([1]), length(pps), pps, // 1 PPS
  ]);
}

/**
 * One frame as Matroska stores `V_MPEG4/ISO/AVC`: a NAL unit behind its 4-byte length. A key frame
 * is an IDR slice (NAL type 5), any other a non-IDR slice (type 1); the payload is filler.
 *
 * @param {boolean} key @param {number} index
 */
function frame(key, index) {
  const nal = Buffer.concat([Buffer.from([key ? 0x65 : 0x41]), Buffer.alloc(63, index % 200 + 16)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(nal.length);
  return Buffer.concat([length, nal]);
}

/**
 * @typedef {object} MkvOptions
 * @property {number} startMs the first cluster's timecode: milliseconds since the epoch (ABSOLUTE)
 * @property {number} fragments how many clusters (each one fragment of the stream)
 * @property {number} framesPerFragment
 * @property {number} frameIntervalMs
 * @property {number} width multiple of 16
 * @property {number} height multiple of 16
 */

/**
 * @typedef {object} Mkv
 * @property {Buffer} header the EBML header, then the Segment (of unknown size: a live stream)
 *   opened with its Info and Tracks
 * @property {Buffer[]} clusters one per fragment
 * @property {number[]} timecodes each cluster's timecode
 */

/**
 * Builds a Matroska stream as PutMedia takes it: one Segment (unknown size) with Info (timecodes in
 * milliseconds), one H.264 video track (track 1, `V_MPEG4/ISO/AVC`, AVCC codec private data), then
 * one Cluster per fragment, each starting with a key frame, timecodes increasing.
 *
 * @param {MkvOptions} options
 * @returns {Mkv}
 */
function buildMkv(options) {
  const ebml = element(ID.EBML, [
    element(ID.EBMLVersion, 1), element(ID.EBMLReadVersion, 1), element(ID.EBMLMaxIDLength, 4), element(ID.EBMLMaxSizeLength, 8),
    element(ID.DocType, 'matroska'), element(ID.DocTypeVersion, 2), element(ID.DocTypeReadVersion, 2),
  ]);
  const info = element(ID.Info, [
    element(ID.TimecodeScale, 1_000_000), element(ID.MuxingApp, 'ml-data-engineering sandbox test'), element(ID.WritingApp, 'ml-data-engineering sandbox test'),
  ]);
  const tracks = element(ID.Tracks, element(ID.TrackEntry, [
    element(ID.TrackNumber, 1), element(ID.TrackUID, 1), element(ID.TrackType, 1), element(ID.CodecID, 'V_MPEG4/ISO/AVC'),
    element(ID.CodecPrivate, avcConfiguration(options.width, options.height)),
    element(ID.Video, [element(ID.PixelWidth, options.width), element(ID.PixelHeight, options.height)]),
  ]));
  // Segment of unknown size: the id, then an 8-byte size of all ones.
  const segment = Buffer.concat([idBytes(ID.Segment), Buffer.from([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])]);
  const timecodes = [];
  const clusters = [];
  for (let f = 0; f < options.fragments; f++) {
    const timecode = options.startMs + f * options.framesPerFragment * options.frameIntervalMs;
    const blocks = [];
    for (let i = 0; i < options.framesPerFragment; i++) {
      const key = i === 0;
      // SimpleBlock: track number (vint), timecode relative to the cluster (int16), flags (0x80 = key frame).
      const header = Buffer.from([0x81, 0, 0, key ? 0x80 : 0x00]);
      header.writeInt16BE(i * options.frameIntervalMs, 1);
      blocks.push(element(ID.SimpleBlock, [header, frame(key, f * options.framesPerFragment + i)]));
    }
    timecodes.push(timecode);
    clusters.push(element(ID.Cluster, [element(ID.Timecode, timecode), ...blocks]));
  }
  return { header: Buffer.concat([ebml, segment, info, tracks]), clusters, timecodes };
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/**
 * The endpoint as a URL, refused unless it is HTTPS: plain HTTP is allowed only to this machine,
 * where the tests run a stand-in for Kinesis Video Streams.
 *
 * @param {string} endpoint
 */
function endpointUrl(endpoint) {
  const url = new URL(endpoint);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`refusing to call ${endpoint}: Kinesis Video Streams endpoints are HTTPS`);
  }
  return url;
}

/**
 * @typedef {object} Response
 * @property {number} status
 * @property {http.IncomingHttpHeaders} headers
 * @property {http.IncomingMessage} stream
 */

/**
 * Starts a signed POST of `chunks` (sent in order, as one body) and resolves with the response
 * once its headers arrive. The connection is dropped after `idleMs` without traffic.
 *
 * @param {URL} url @param {Record<string, string>} headers @param {Buffer[]} chunks @param {number} [idleMs]
 * @returns {Promise<Response & { request: http.ClientRequest }>}
 */
function post(url, headers, chunks, idleMs = REQUEST_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, timeout: idleMs });
    request.on('timeout', () => request.destroy(new Error(`${url.pathname}: nothing received for ${idleMs / 1000} s`)));
    request.on('error', reject);
    request.on('response', stream => resolve({ status: stream.statusCode ?? 0, headers: stream.headers, stream, request }));
    for (const chunk of chunks) {
      request.write(chunk);
    }
    request.end();
  });
}

/** The whole body of a response. @param {http.IncomingMessage} stream @returns {Promise<string>} */
async function readAll(stream) {
  const parts = [];
  for await (const part of stream) {
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The error of a failed call: status, `x-amzn-ErrorType` and body. @param {string} api @param {Response} response */
async function failure(api, response) {
  const type = response.headers['x-amzn-errortype'] ?? response.headers['x-amz-errortype'] ?? '';
  return new Error(`${api} failed: HTTP ${response.status} ${type} ${await readAll(response.stream)}`.trim());
}

/**
 * @typedef {object} Context
 * @property {Credentials} credentials
 * @property {string} region
 * @property {string} controlEndpoint
 * @property {string} streamArn
 */

/**
 * A JSON API call of Kinesis Video Streams: POST `<endpoint>/<api>`, signed with the body's hash.
 *
 * @param {Context} context @param {string} endpoint @param {string} api @param {object} payload
 * @returns {Promise<any>}
 */
async function callJson(context, endpoint, api, payload) {
  const url = endpointUrl(`${endpoint.replace(/\/$/, '')}/${api}`);
  const body = JSON.stringify(payload);
  const { headers } = sign({
    method: 'POST', url: url.href, headers: { 'content-type': 'application/json' }, payloadHash: sha256(body),
    credentials: context.credentials, region: context.region, service: 'kinesisvideo', date: new Date(),
  });
  const response = await post(url, headers, [Buffer.from(body)]);
  if (response.status !== 200) {
    throw await failure(api, response);
  }
  return JSON.parse(await readAll(response.stream));
}

/** The data endpoint of the stream for one API. @param {Context} context @param {string} apiName @returns {Promise<string>} */
async function dataEndpoint(context, apiName) {
  const answer = await callJson(context, context.controlEndpoint, 'getDataEndpoint', { StreamARN: context.streamArn, APIName: apiName });
  if (typeof answer.DataEndpoint !== 'string') {
    throw new Error(`getDataEndpoint (${apiName}) answered no DataEndpoint: ${JSON.stringify(answer)}`);
  }
  return answer.DataEndpoint;
}

// ---------------------------------------------------------------------------------------------
// PutMedia and ListFragments
// ---------------------------------------------------------------------------------------------

/**
 * One acknowledgement of PutMedia.
 *
 * @typedef {object} Ack
 * @property {string} EventType BUFFERING, RECEIVED, PERSISTED, ERROR or IDLE
 * @property {number} [FragmentTimecode]
 * @property {string} [FragmentNumber]
 * @property {number} [ErrorId]
 * @property {string} [ErrorCode]
 */

/**
 * Sends `mkv` with PutMedia and resolves with the fragment numbers, in timecode order, once as
 * many fragments as clusters are PERSISTED. An ERROR acknowledgement rejects with its ErrorId and ErrorCode.
 *
 * The body is not part of the signature: the hash of an empty payload is signed, as the Kinesis
 * Video Streams producer SDK does for this streaming call (it cannot hash a body it has not sent).
 *
 * @see https://github.com/awslabs/amazon-kinesis-video-streams-producer-c/blob/master/src/source/Common/AwsV4Signer.c
 * @param {Context} context @param {string} endpoint @param {Mkv} mkv
 * @returns {Promise<string[]>}
 */
async function putMedia(context, endpoint, mkv) {
  const url = endpointUrl(`${endpoint.replace(/\/$/, '')}/putMedia`);
  const { headers } = sign({
    method: 'POST',
    url: url.href,
    headers: {
      'x-amzn-stream-arn': context.streamArn,
      'x-amzn-fragment-timecode-type': 'ABSOLUTE',
      'x-amzn-producer-start-timestamp': (mkv.timecodes[0] / 1000).toFixed(3),
      'x-amzn-fragment-acknowledgment-required': '1',
    },
    payloadHash: sha256(''),
    credentials: context.credentials, region: context.region, service: 'kinesisvideo', date: new Date(),
  });
  // The documented way to send a media stream: HTTP chunked transfer encoding.
  const response = await post(url, { ...headers, 'transfer-encoding': 'chunked' }, [mkv.header, ...mkv.clusters], ACK_TIMEOUT_MS);
  if (response.status !== 200) {
    throw await failure('putMedia', response);
  }
  /** @type {Map<string, number>} fragment number -> its timecode */
  const persisted = new Map();
  /** @type {Ack[]} */
  const seen = [];
  const timer = setTimeout(() => response.stream.destroy(new Error(
    `putMedia: not every fragment was PERSISTED within ${ACK_TIMEOUT_MS / 1000} s; acknowledgements: ${JSON.stringify(seen)}`)), ACK_TIMEOUT_MS);
  try {
    let pending = '';
    for await (const chunk of response.stream) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.map(l => l.trim()).filter(Boolean)) {
        /** @type {Ack} */
        const ack = JSON.parse(line);
        seen.push(ack);
        if (ack.EventType === 'ERROR') {
          throw new Error(`putMedia: ERROR acknowledgement for fragment ${ack.FragmentTimecode}: ErrorId ${ack.ErrorId} ${ack.ErrorCode ?? ''}`.trim());
        }
        if (ack.EventType === 'PERSISTED' && ack.FragmentNumber) {
          persisted.set(ack.FragmentNumber, ack.FragmentTimecode ?? 0);
        }
      }
      if (persisted.size >= mkv.clusters.length) {
        return [...persisted.entries()].sort((a, b) => a[1] - b[1]).map(([number]) => number);
      }
    }
    throw new Error(`putMedia: the answer ended before every fragment was PERSISTED; acknowledgements: ${JSON.stringify(seen)}`);
  } finally {
    clearTimeout(timer);
    response.request.destroy();
  }
}

/**
 * Lists the stream's fragments of the last `minutes` (server timestamps) until at least `atLeast`
 * are there, or the attempts run out; resolves with their numbers, sorted.
 *
 * @param {Context} context @param {number} minutes @param {number} atLeast
 * @returns {Promise<string[]>}
 */
async function listFragments(context, minutes, atLeast) {
  const endpoint = await dataEndpoint(context, 'LIST_FRAGMENTS');
  /** @type {string[]} */
  let found = [];
  for (let attempt = 1; attempt <= LIST_ATTEMPTS; attempt++) {
    const now = Date.now();
    const answer = await callJson(context, endpoint, 'listFragments', {
      StreamARN: context.streamArn,
      FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: (now - minutes * 60_000) / 1000, EndTimestamp: now / 1000 } },
    });
    found = (answer.Fragments ?? []).map((/** @type {{ FragmentNumber: string }} */ f) => f.FragmentNumber).sort();
    if (found.length >= atLeast) {
      return found;
    }
    await new Promise(resolve => setTimeout(resolve, LIST_INTERVAL_MS));
  }
  throw new Error(`listFragments: ${found.length} fragment(s) in the last ${minutes} minutes after ${LIST_ATTEMPTS} tries, expected at least ${atLeast}`);
}

/** A required environment variable. @param {string} name */
function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`missing environment variable ${name}`);
  }
  return value;
}

/**
 * What both functions read: the credentials Lambda gives the function, its Region, the control
 * plane, and the stream (`event.streamArn`, or the function's `STREAM_ARN`).
 *
 * @param {{ streamArn?: string } | undefined} event
 * @returns {Context}
 */
function contextOf(event) {
  /** @type {Context} */
  const context = {
    credentials: { accessKeyId: env('AWS_ACCESS_KEY_ID'), secretAccessKey: env('AWS_SECRET_ACCESS_KEY'), sessionToken: process.env.AWS_SESSION_TOKEN },
    region: env('AWS_REGION'),
    controlEndpoint: env('KINESIS_VIDEO_ENDPOINT'),
    streamArn: event?.streamArn ?? env('STREAM_ARN'),
  };
  endpointUrl(context.controlEndpoint);
  return context;
}

/**
 * The camera: sends two one-second fragments to the stream and waits until both are PERSISTED.
 *
 * @param {{ streamArn?: string } | undefined} event
 * @returns {Promise<{ persisted: string[] }>}
 */
async function put(event) {
  const context = contextOf(event);
  // Recorded three seconds ago: every timestamp is in the past when it arrives, as from a camera.
  const mkv = buildMkv({ startMs: Date.now() - 3000, fragments: 2, framesPerFragment: 5, frameIntervalMs: 200, width: 320, height: 240 });
  return { persisted: await putMedia(context, await dataEndpoint(context, 'PUT_MEDIA'), mkv) };
}

/**
 * The viewer: the fragments that arrived in the last `minutes` (default 15), once at least
 * `atLeast` (default 1) are listed.
 *
 * @param {{ streamArn?: string, minutes?: number, atLeast?: number } | undefined} event
 * @returns {Promise<{ fragments: string[] }>}
 */
async function list(event) {
  return { fragments: await listFragments(contextOf(event), event?.minutes ?? 15, event?.atLeast ?? 1) };
}

module.exports = { put, list, sign, buildMkv, sha256 };
