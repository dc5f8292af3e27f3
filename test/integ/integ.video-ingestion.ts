/**
 * Sandbox test of VideoIngestionDemo: a camera's video reaches the stream, is stored, and a
 * consumer finds it.
 *
 * 1. DescribeStream: ACTIVE, `video/h264`, 24 hours of retention, encrypted with the stream's
 *    customer-managed key;
 * 2. GetDataEndpoint for PUT_MEDIA (the producer's first call), GET_MEDIA and LIST_FRAGMENTS (the
 *    consumer's) each return an HTTPS endpoint of Kinesis Video Streams;
 * 3. a camera sends video: a test-only function with the stream's `grantWrite` only
 *    ({@link VideoCameraAndViewer}) sends two one-second H.264 fragments in Matroska with
 *    PutMedia and waits until the stream acknowledges both as PERSISTED (an ERROR acknowledgement
 *    fails the test with its code);
 * 4. a consumer finds it: a second function with the stream's `grantRead` only lists the stream's
 *    fragments of the last 15 minutes with ListFragments: exactly the two (the stream is new).
 *
 * PutMedia is in no AWS SDK but the one for Java (not in the SDK for JavaScript that assertions
 * call), and an assertion is one SDK call, so the functions are the clients: they sign their own
 * requests with their roles' credentials, which proves each grant on its own.
 *
 * Run: `npm run integ -- VideoIngestionDemo` (about 6 minutes, under 0.01 USD).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { allowLogsToUse, createDataKey } from '../../lib';
import { VideoIngestionDemoStack } from '../../examples/video-ingestion/video-ingestion-stack';
import { SandboxTest } from './sandbox-test';
import { VideoCameraAndViewer } from './video-camera-and-viewer';

const test = new SandboxTest('VideoIngestionDemo', (app, id) => new VideoIngestionDemoStack(app, id));
const demo = test.stack as VideoIngestionDemoStack;
const streamArn = test.output('StreamArn');

test.call('KinesisVideo', 'DescribeStream', { StreamARN: streamArn }, [streamArn]).expect(ExpectedResult.objectLike({
  StreamInfo: Match.objectLike({ Status: 'ACTIVE', MediaType: 'video/h264', DataRetentionInHours: 24, KmsKeyId: demo.video.encryptionKey.keyArn }),
}));
for (const api of ['PUT_MEDIA', 'GET_MEDIA', 'LIST_FRAGMENTS']) {
  test.call('KinesisVideo', 'GetDataEndpoint', { StreamARN: streamArn, APIName: api }, [streamArn])
    .expect(ExpectedResult.objectLike({ DataEndpoint: Match.stringLikeRegexp('^https://') }));
}

// The camera and the viewer: their logs are encrypted with a key of the test's own.
const logKey = createDataKey(demo, 'IntegClientLogKey', 'Encrypts the logs of the sandbox test\'s video camera and viewer', { removalPolicy: RemovalPolicy.DESTROY });
allowLogsToUse(logKey);
const clients = new VideoCameraAndViewer(demo, 'IntegVideoClients', { video: demo.video, logEncryptionKey: logKey });
const fragmentNumber = Match.stringLikeRegexp('^[0-9]+$');
const invoke = (fn: lambda.IFunction, event: Record<string, unknown>, answer: Record<string, unknown>) =>
  test.call('Lambda', 'Invoke', { FunctionName: fn.functionName, Payload: JSON.stringify(event) }, [fn.functionArn], { actions: ['lambda:InvokeFunction'] })
    .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.serializedJson(answer) }));
invoke(clients.camera, {}, { persisted: [fragmentNumber, fragmentNumber] });
invoke(clients.viewer, { atLeast: 2 }, { fragments: [fragmentNumber, fragmentNumber] });
test.synth();
