import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { VideoIngestion } from '../../lib';
import { harnessFunction } from './harness-function';

/** The producer's code: plain JavaScript with no dependency, deployed inline. */
export const VIDEO_PRODUCER_HANDLER = path.join(__dirname, 'video-producer-handler', 'index.js');

/** Properties of a {@link VideoFragmentProducer}. */
export interface VideoFragmentProducerProps {
  /** The stream the fragments go to. */
  readonly video: VideoIngestion;
  /** The key of the function's logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Test harness of the video-ingestion sandbox test: a function that acts as a camera and as a
 * consumer of a `VideoIngestion` stream. It sends two one-second H.264 fragments with `PutMedia`,
 * waits until the stream has PERSISTED both, and finds them with `ListFragments`
 * (video-producer-handler/index.js). Invoke it with `{}`: it answers
 * `{ "persisted": ["<fragment number>", "<fragment number>"], "listed": true }`.
 *
 * Its role gets exactly what the library grants: `grantWrite` (a producer) and `grantRead` (a
 * consumer) of the stream. The call succeeds only if those grants carry every action that a real
 * producer and consumer make, and the key use Kinesis Video Streams makes on their behalf.
 *
 * It runs outside any VPC, as the demo has none: it calls the public endpoints of Kinesis Video
 * Streams, as a camera on the internet does.
 */
export class VideoFragmentProducer extends Construct {
  /** The function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: VideoFragmentProducerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = harnessFunction(this, 'Producer', {
      description: 'Sandbox test harness: sends two H.264 fragments to the video stream with PutMedia, then lists them',
      roleDescription: 'Sends the sandbox test\'s video to the stream and lists it back, with the stream\'s producer and consumer grants; writes its own logs',
      code: fs.readFileSync(VIDEO_PRODUCER_HANDLER, 'utf-8'),
      logEncryptionKey: props.logEncryptionKey,
      // PutMedia acknowledgements are awaited at most 40 s, listing at most ~10 s more; the
      // assertion provider that invokes the function gives up after 2 minutes.
      timeout: Duration.seconds(90),
      environment: {
        STREAM_ARN: props.video.streamArn,
        // The control plane of this partition (GetDataEndpoint names the data plane).
        KINESIS_VIDEO_ENDPOINT: `https://kinesisvideo.${stack.region}.${stack.urlSuffix}`,
      },
    });
    props.video.grantWrite(this.function);
    props.video.grantRead(this.function);
    Validations.of(this.function).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'Sandbox test harness that exists only while a test runs, in a demo stack without a VPC: it calls the public Kinesis Video '
        + 'Streams endpoints (PutMedia, ListFragments) as a camera does; inside a VPC it would need a NAT gateway or interface endpoints',
    });
  }
}
