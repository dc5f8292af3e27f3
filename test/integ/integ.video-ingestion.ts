/**
 * Sandbox test of VideoIngestionDemo: a camera's video reaches the stream, is stored, and a
 * consumer finds it.
 *
 * 1. DescribeStream: ACTIVE, `video/h264`, 24 hours of retention, encrypted with the stream's
 *    customer-managed key;
 * 2. GetDataEndpoint for PUT_MEDIA (the producer's first call), GET_MEDIA and LIST_FRAGMENTS (the
 *    consumer's) each return an HTTPS endpoint of Kinesis Video Streams;
 * 3. a test-only function ({@link VideoFragmentProducer}) acts as the camera and the consumer, with
 *    the library's own grants on the stream (`grantWrite`, `grantRead`): it sends two one-second
 *    H.264 fragments in Matroska with PutMedia, waits until the stream acknowledges both as
 *    PERSISTED (an ERROR acknowledgement fails the test with its code), and finds both with
 *    ListFragments. No AWS SDK has PutMedia, and an assertion is one SDK call, so the function is
 *    the client: it signs its own requests with its role's credentials.
 *
 * Run: `npm run integ -- VideoIngestionDemo` (about 5 minutes, under 0.01 USD).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { allowLogsToUse } from '../../lib';
import { createDataKey } from '../../lib/core/secure-bucket';
import { VideoIngestionDemoStack } from '../../examples/video-ingestion/video-ingestion-stack';
import { SandboxTest } from './sandbox-test';
import { VideoFragmentProducer } from './video-fragment-producer';

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

// The camera and the consumer: its logs are encrypted with a key of the test's own.
const logKey = createDataKey(demo, 'IntegProducerLogKey', 'Encrypts the logs of the sandbox test\'s video producer', { removalPolicy: RemovalPolicy.DESTROY });
allowLogsToUse(logKey);
const producer = new VideoFragmentProducer(demo, 'IntegVideoProducer', { video: demo.video, logEncryptionKey: logKey });
const fragmentNumber = Match.stringLikeRegexp('^[0-9]+$');
test.call('Lambda', 'Invoke', { FunctionName: producer.function.functionName, Payload: JSON.stringify({}) },
  [producer.function.functionArn], { actions: ['lambda:InvokeFunction'] })
  .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.serializedJson({ persisted: [fragmentNumber, fragmentNumber], listed: true }) }));
test.synth();
