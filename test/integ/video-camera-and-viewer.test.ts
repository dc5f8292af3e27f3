/**
 * The sandbox test's video clients (video-camera-and-viewer.ts and video-client-handler/): the
 * SigV4 signer against AWS's published example, the Matroska the camera writes read back element
 * by element, both handlers against a local stand-in for Kinesis Video Streams, and the functions
 * they are deployed as.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { VideoIngestion } from '../../lib';
import { newStack } from '../helpers';
import { VIDEO_CLIENT_HANDLER, VideoCameraAndViewer } from './video-camera-and-viewer';
import { buildMkv, list, put, sha256, sign } from './video-client-handler';

// ---------------------------------------------------------------------------------------------
// A tiny EBML reader: enough Matroska to check what the producer writes.
// ---------------------------------------------------------------------------------------------

interface Element {
  readonly id: number;
  /** undefined: unknown size (runs to the end of its parent). */
  readonly size?: number;
  readonly data: Buffer;
  readonly children: Element[];
}

/** Master elements, whose data is more elements. */
const MASTERS = new Set([0x1A45DFA3, 0x18538067, 0x1549A966, 0x1654AE6B, 0xAE, 0xE0, 0x1F43B675]);

/** A variable-length integer at `pos`: its value (marker removed unless `id`) and length. */
function vint(buffer: Buffer, pos: number, id: boolean): { value: number; length: number; unknown: boolean } {
  const first = buffer[pos];
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) {
    length++;
  }
  if (length > 8) {
    throw new Error(`no EBML length marker at byte ${pos}`);
  }
  let value = id ? first : first & (0xFF >> length);
  let allOnes = value === (0xFF >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + buffer[pos + i];
    allOnes = allOnes && buffer[pos + i] === 0xFF;
  }
  return { value, length, unknown: !id && allOnes };
}

function parseEbml(buffer: Buffer, start = 0, end = buffer.length): Element[] {
  const elements: Element[] = [];
  let pos = start;
  while (pos < end) {
    const id = vint(buffer, pos, true);
    const size = vint(buffer, pos + id.length, false);
    const dataStart = pos + id.length + size.length;
    const dataEnd = size.unknown ? end : dataStart + size.value;
    if (dataEnd > end) {
      throw new Error(`element 0x${id.value.toString(16)} at byte ${pos} runs past its parent (${dataEnd} > ${end})`);
    }
    const data = buffer.subarray(dataStart, dataEnd);
    elements.push({
      id: id.value, size: size.unknown ? undefined : size.value, data,
      children: MASTERS.has(id.value) ? parseEbml(buffer, dataStart, dataEnd) : [],
    });
    pos = dataEnd;
  }
  return elements;
}

function child(parent: Element, id: number): Element {
  const found = parent.children.filter(e => e.id === id);
  expect([`0x${id.toString(16)}`, found.length]).toEqual([`0x${id.toString(16)}`, 1]);
  return found[0];
}
const uintOf = (e: Element) => e.data.reduce((value, byte) => value * 256 + byte, 0);
const textOf = (e: Element) => e.data.toString('ascii');

// ---------------------------------------------------------------------------------------------

describe('the SigV4 signer', () => {
  // AWS's worked example of Signature Version 4 (IAM ListUsers, 2015-08-30T12:36:00Z, the example
  // credentials): canonical request hash, signing key and signature as the AWS General Reference
  // publishes them.
  // https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html
  // https://docs.aws.amazon.com/general/latest/gr/sigv4-calculate-signature.html
  const example = {
    method: 'GET',
    url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    payloadHash: sha256(''),
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1',
    service: 'iam',
    date: new Date('2015-08-30T12:36:00Z'),
  };

  test('signs the published example exactly as AWS does', () => {
    const signed = sign(example);
    expect(signed.canonicalRequest).toBe([
      'GET', '/', 'Action=ListUsers&Version=2010-05-08',
      'content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n',
      'content-type;host;x-amz-date',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ].join('\n'));
    expect(sha256(signed.canonicalRequest)).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(signed.stringToSign).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n'
      + 'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(signed.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, '
      + 'SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  test('signs the session token of temporary credentials, and a different query order gives the same signature', () => {
    const withToken = sign({ ...example, credentials: { ...example.credentials, sessionToken: 'TOKEN' } });
    expect(withToken.headers['x-amz-security-token']).toBe('TOKEN');
    expect(withToken.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,');
    expect(withToken.headers.authorization).not.toContain('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
    const reordered = sign({ ...example, url: 'https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers' });
    expect(reordered.headers.authorization).toBe(sign(example).headers.authorization);
  });
});

describe('the Matroska stream', () => {
  const startMs = 1_700_000_000_000;
  const mkv = buildMkv({ startMs, fragments: 2, framesPerFragment: 5, frameIntervalMs: 200, width: 320, height: 240 });
  const bytes = Buffer.concat([mkv.header, ...mkv.clusters]);
  const [ebml, segment, ...rest] = parseEbml(bytes);

  test('is one EBML header (DocType matroska) and one Segment of unknown size, with nothing after', () => {
    expect(rest).toEqual([]);
    expect(ebml.id).toBe(0x1A45DFA3);
    expect(textOf(child(ebml, 0x4282))).toBe('matroska');
    expect(uintOf(child(ebml, 0x4286))).toBe(1);
    expect(segment.id).toBe(0x18538067);
    expect(segment.size).toBeUndefined();
    expect(segment.children.map(e => e.id)).toEqual([0x1549A966, 0x1654AE6B, 0x1F43B675, 0x1F43B675]);
    expect(uintOf(child(child(segment, 0x1549A966), 0x2AD7B1))).toBe(1_000_000);
  });

  test('has one H.264 video track 1 with AVCC codec private data (one SPS, one PPS) and its size', () => {
    const track = child(child(segment, 0x1654AE6B), 0xAE);
    expect(uintOf(child(track, 0xD7))).toBe(1);
    expect(uintOf(child(track, 0x73C5))).toBeGreaterThan(0);
    expect(uintOf(child(track, 0x83))).toBe(1);
    expect(textOf(child(track, 0x86))).toBe('V_MPEG4/ISO/AVC');
    const avcc = child(track, 0x63A2).data;
    // configurationVersion 1, Baseline (66), level 3.0, 4-byte NAL lengths, one SPS (NAL type 7)
    expect([...avcc.subarray(0, 6)]).toEqual([1, 66, 0xC0, 30, 0xFF, 0xE1]);
    const spsLength = avcc.readUInt16BE(6);
    expect(avcc[8] & 0x1F).toBe(7);
    const pps = 8 + spsLength;
    expect(avcc[pps]).toBe(1);
    expect(avcc[pps + 3] & 0x1F).toBe(8);
    expect(avcc.length).toBe(pps + 3 + avcc.readUInt16BE(pps + 1));
    const video = child(track, 0xE0);
    expect([uintOf(child(video, 0xB0)), uintOf(child(video, 0xBA))]).toEqual([320, 240]);
  });

  test('has one cluster per fragment, each opening with a key frame, with increasing timecodes', () => {
    const clusters = segment.children.filter(e => e.id === 0x1F43B675);
    expect(clusters.map(c => uintOf(child(c, 0xE7)))).toEqual([startMs, startMs + 1000]);
    expect(mkv.timecodes).toEqual([startMs, startMs + 1000]);
    const frames = clusters.flatMap(cluster => cluster.children.filter(e => e.id === 0xA3).map((block, index) => {
      expect(block.data[0]).toBe(0x81); // track 1
      const nal = block.data.subarray(8);
      expect(block.data.readUInt32BE(4)).toBe(nal.length);
      return { at: uintOf(child(cluster, 0xE7)) + block.data.readInt16BE(1), key: (block.data[3] & 0x80) !== 0, nalType: nal[0] & 0x1F, index };
    }));
    expect(frames).toHaveLength(10);
    expect(frames.filter(f => f.key).map(f => f.index)).toEqual([0, 0]);
    expect(frames.map(f => f.nalType)).toEqual(frames.map(f => (f.key ? 5 : 1)));
    frames.slice(1).forEach((f, i) => expect(f.at).toBeGreaterThan(frames[i].at));
    expect(frames[frames.length - 1].at - frames[0].at).toBe(1800);
  });
});

// ---------------------------------------------------------------------------------------------
// The handler, against a local stand-in for both endpoints of Kinesis Video Streams.
// ---------------------------------------------------------------------------------------------

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

interface StandIn {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

const STREAM_ARN = 'arn:aws:kinesisvideo:eu-west-1:123456789012:stream/camera/1700000000000';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'SESSION' };

/**
 * A local server that answers GetDataEndpoint with its own URL, PutMedia with the lines of
 * `acks(timecodes)` (after reading the whole MKV), and ListFragments with the persisted fragments
 * from the second try on (listing is eventually consistent).
 */
async function standIn(acks: (timecodes: number[]) => object[], dataEndpointStatus = 200): Promise<StandIn> {
  const requests: Recorded[] = [];
  let listings = 0;
  let persisted: string[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', part => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/getDataEndpoint') {
        if (dataEndpointStatus !== 200) {
          res.writeHead(dataEndpointStatus, { 'x-amzn-ErrorType': 'ResourceNotFoundException' }).end('{"message":"Stream not found"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ DataEndpoint: url }));
      } else if (req.url === '/putMedia') {
        const clusters = parseEbml(body)[1].children.filter(e => e.id === 0x1F43B675);
        const lines = acks(clusters.map(c => uintOf(child(c, 0xE7))));
        persisted = lines.filter((a: any) => a.EventType === 'PERSISTED').map((a: any) => a.FragmentNumber);
        res.writeHead(200);
        // Acknowledgements arrive as separate writes, one split across two.
        const text = lines.map(line => JSON.stringify(line) + '\n').join('');
        res.write(text.slice(0, 30));
        setTimeout(() => res.end(text.slice(30)), 20);
      } else if (req.url === '/listFragments') {
        listings++;
        const fragments = listings === 1 ? [] : persisted.map(n => ({ FragmentNumber: n, FragmentSizeInBytes: 500 }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Fragments: fragments }));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise(resolve => server.close(() => resolve())) };
}

/** Recomputes the signature of a recorded request from the headers it names, as AWS would. */
function expectValidSignature(request: Recorded, baseUrl: string): void {
  const authorization = String(request.headers.authorization);
  const signedNames = /SignedHeaders=([^,]+),/.exec(authorization)![1].split(';');
  expect(signedNames).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']));
  const headers = Object.fromEntries(signedNames.filter(n => !['host', 'x-amz-date', 'x-amz-security-token'].includes(n))
    .map(n => [n, String(request.headers[n])]));
  const amzDate = String(request.headers['x-amz-date']);
  const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  // PutMedia signs the hash of an empty payload (the body streams); JSON calls sign the body's.
  const payloadHash = request.path === '/putMedia' ? sha256('') : sha256(request.body);
  const expected = sign({ method: request.method, url: baseUrl + request.path, headers, payloadHash, credentials: CREDENTIALS, region: 'eu-west-1', service: 'kinesisvideo', date });
  expect(authorization).toBe(expected.headers.authorization);
  expect(authorization).toContain('Credential=AKIDEXAMPLE/');
  expect(authorization).toContain('/eu-west-1/kinesisvideo/aws4_request');
}

describe('the camera and viewer handlers', () => {
  const saved = { ...process.env };
  let kvs: StandIn | undefined;

  async function standInFor(acks: (timecodes: number[]) => object[], dataEndpointStatus = 200) {
    kvs = await standIn(acks, dataEndpointStatus);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      AWS_REGION: 'eu-west-1', KINESIS_VIDEO_ENDPOINT: kvs.url, STREAM_ARN,
    });
    return kvs;
  }

  afterEach(async () => {
    process.env = { ...saved };
    await kvs?.close();
    kvs = undefined;
  });

  const number = (i: number) => `9134385233318143251152430641978829636672422958${i}`;
  const accepted = (timecodes: number[]) => timecodes.flatMap((t, i) => [
    { EventType: 'BUFFERING', FragmentTimecode: t, FragmentNumber: number(i) },
    { EventType: 'RECEIVED', FragmentTimecode: t, FragmentNumber: number(i) },
  ]).concat(timecodes.map((t, i) => ({ EventType: 'PERSISTED', FragmentTimecode: t, FragmentNumber: number(i) })));

  test('the camera puts two fragments and waits until both are PERSISTED; the viewer then lists both', async () => {
    const before = Date.now();
    const kinesis = await standInFor(accepted);
    await expect(put({})).resolves.toEqual({ persisted: [number(0), number(1)] });
    await expect(list({ atLeast: 2 })).resolves.toEqual({ fragments: [number(0), number(1)] });
    const requests = kinesis.requests;
    expect(requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /getDataEndpoint', 'POST /putMedia', 'POST /getDataEndpoint', 'POST /listFragments', 'POST /listFragments',
    ]);
    requests.forEach(r => expectValidSignature(r, kinesis.url));
    expect(JSON.parse(requests[0].body.toString())).toEqual({ StreamARN: STREAM_ARN, APIName: 'PUT_MEDIA' });
    expect(JSON.parse(requests[2].body.toString())).toEqual({ StreamARN: STREAM_ARN, APIName: 'LIST_FRAGMENTS' });

    const putMedia = requests[1];
    const clusters = parseEbml(putMedia.body)[1].children.filter(e => e.id === 0x1F43B675);
    const timecodes = clusters.map(c => uintOf(child(c, 0xE7)));
    expect(timecodes).toHaveLength(2);
    expect(timecodes[0]).toBeGreaterThanOrEqual(before - 3000);
    expect(timecodes[1]).toBeLessThan(Date.now()); // recorded in the past, as a camera's video arrives
    expect(putMedia.headers).toMatchObject({
      'x-amzn-stream-arn': STREAM_ARN,
      'x-amzn-fragment-timecode-type': 'ABSOLUTE',
      'x-amzn-producer-start-timestamp': (timecodes[0] / 1000).toFixed(3),
      'x-amzn-fragment-acknowledgment-required': '1',
      'transfer-encoding': 'chunked',
      'x-amz-security-token': 'SESSION',
    });
    // The first listing is empty (eventual consistency); the viewer tries again.
    const listing = JSON.parse(requests[4].body.toString());
    expect(listing).toMatchObject({ StreamARN: STREAM_ARN, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP' } });
    const range = listing.FragmentSelector.TimestampRange;
    expect(range.EndTimestamp - range.StartTimestamp).toBe(15 * 60);
    expect(range.EndTimestamp * 1000).toBeGreaterThanOrEqual(timecodes[1]);
  });

  test('the camera throws an ERROR acknowledgement with its ErrorId and code', async () => {
    const kinesis = await standInFor(timecodes => [
      { EventType: 'BUFFERING', FragmentTimecode: timecodes[0], FragmentNumber: '1' },
      { EventType: 'ERROR', FragmentTimecode: timecodes[0], FragmentNumber: '1', ErrorId: 4006, ErrorCode: 'INVALID_MKV_DATA' },
    ]);
    await expect(put({})).rejects.toThrow(/putMedia: ERROR acknowledgement for fragment \d+: ErrorId 4006 INVALID_MKV_DATA/);
    expect(kinesis.requests.map(r => r.path)).toEqual(['/getDataEndpoint', '/putMedia']);
  });

  test('the camera fails when the answer ends before every fragment is PERSISTED, naming what it saw', async () => {
    await standInFor(timecodes => [{ EventType: 'PERSISTED', FragmentTimecode: timecodes[0], FragmentNumber: '7' }]);
    await expect(put({})).rejects.toThrow(/the answer ended before every fragment was PERSISTED; acknowledgements: .*"FragmentNumber":"7"/);
  });

  test('the viewer fails when fewer fragments than expected are listed', async () => {
    await standInFor(accepted);
    await expect(list({ atLeast: 1 })).rejects.toThrow('listFragments: 0 fragment(s) in the last 15 minutes after 10 tries, expected at least 1');
  }, 20_000);

  test('a refused call fails with the service\'s error type', async () => {
    await standInFor(accepted, 404);
    await expect(list({})).rejects.toThrow('getDataEndpoint failed: HTTP 404 ResourceNotFoundException {"message":"Stream not found"}');
  });

  test('nothing but HTTPS is called, except a stand-in on this machine', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'SECRET', AWS_REGION: 'eu-west-1', STREAM_ARN, KINESIS_VIDEO_ENDPOINT: 'http://kinesisvideo.eu-west-1.amazonaws.com',
    });
    await expect(put({})).rejects.toThrow('refusing to call http://kinesisvideo.eu-west-1.amazonaws.com: Kinesis Video Streams endpoints are HTTPS');
  });
});

test('the camera has only the producer grant and the viewer only the consumer grant, both inline and outside any VPC', () => {
  const stack = newStack('VideoClients');
  const video = new VideoIngestion(stack, 'Camera');
  const clients = new VideoCameraAndViewer(stack, 'Clients', { video, logEncryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) });
  const template = Template.fromStack(stack);
  const functions = template.findResources('AWS::Lambda::Function');
  const propsOf = (fn: lambda.Function) => functions[stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)].Properties;
  for (const [fn, handlerName] of [[clients.camera, 'index.put'], [clients.viewer, 'index.list']] as const) {
    const props = propsOf(fn);
    expect(props.Code.ZipFile).toBe(fs.readFileSync(VIDEO_CLIENT_HANDLER, 'utf-8'));
    expect(props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: handlerName, Timeout: 90 });
    expect(props.VpcConfig).toBeUndefined();
    expect(props.Environment.Variables).toEqual({
      STREAM_ARN: stack.resolve(video.streamArn),
      KINESIS_VIDEO_ENDPOINT: { 'Fn::Join': ['', ['https://kinesisvideo.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
    });
  }
  // Each role may do what its one grant allows, on this stream and key only.
  const allowedTo = (fn: lambda.Function) => {
    const role = stack.resolve((fn.role as iam.Role).roleName);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([role]))
      .flatMap(p => p.Properties.PolicyDocument.Statement);
    return (action: string, resource: unknown) => statements.some(s => [s.Action].flat().includes(action) && JSON.stringify(s.Resource) === JSON.stringify(resource));
  };
  const stream = stack.resolve(video.streamArn);
  const key = stack.resolve(video.encryptionKey.keyArn);
  const camera = allowedTo(clients.camera);
  const viewer = allowedTo(clients.viewer);
  expect([camera('kinesisvideo:GetDataEndpoint', stream), camera('kinesisvideo:PutMedia', stream), camera('kms:GenerateDataKey', key)]).toEqual([true, true, true]);
  expect([camera('kinesisvideo:ListFragments', stream), camera('kms:Decrypt', key)]).toEqual([false, false]);
  expect([viewer('kinesisvideo:GetDataEndpoint', stream), viewer('kinesisvideo:ListFragments', stream), viewer('kms:Decrypt', key)]).toEqual([true, true, true]);
  expect([viewer('kinesisvideo:PutMedia', stream), viewer('kms:GenerateDataKey', key)]).toEqual([false, false]);
});
