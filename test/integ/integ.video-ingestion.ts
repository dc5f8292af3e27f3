/**
 * Sandbox test of VideoIngestionDemo: the stream is ready for a camera and for SageMaker.
 *
 * 1. DescribeStream: ACTIVE, `video/h264`, 24 hours of retention, encrypted with the stream's
 *    customer-managed key;
 * 2. GetDataEndpoint for PUT_MEDIA (the producer's first call), GET_MEDIA and LIST_FRAGMENTS (the
 *    consumer's) each return an HTTPS endpoint of Kinesis Video Streams.
 *
 * Not asserted: a media fragment arriving. PutMedia is a long-running chunked HTTP POST of an MKV
 * stream to the data endpoint; no AWS SDK has it (the SDKs have GetMedia only), and an
 * integ-tests-alpha assertion is one SDK call with JSON parameters, which also cannot name the
 * stream's data endpoint that ListFragments needs. Sending video takes the Kinesis Video Streams
 * producer (GStreamer `kvssink`), as docs/video-ingestion.md shows.
 *
 * Run: `npm run integ -- VideoIngestionDemo` (about 5 minutes, under 0.01 USD).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { VideoIngestionDemoStack } from '../../examples/video-ingestion/video-ingestion-stack';
import { SandboxTest } from './sandbox-test';

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
test.synth();
