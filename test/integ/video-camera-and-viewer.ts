import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { VideoIngestion } from '../../lib';
import { harnessFunction } from './harness-function';

/** The clients' code: plain JavaScript with no dependency, deployed inline in both functions. */
export const VIDEO_CLIENT_HANDLER = path.join(__dirname, 'video-client-handler', 'index.js');

/** Properties of a {@link VideoCameraAndViewer}. */
export interface VideoCameraAndViewerProps {
  /** The stream the camera sends to and the viewer reads. */
  readonly video: VideoIngestion;
  /** The key of the functions' logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Test harness of the video-ingestion sandbox test: two functions that act as a camera and as a
 * consumer of a `VideoIngestion` stream (video-client-handler/index.js, the same inline code).
 *
 * - `camera`, invoked with `{}`, sends two one-second H.264 fragments with `PutMedia` and waits
 *   until the stream has PERSISTED both: `{ "persisted": ["<fragment number>", "<…>"] }`;
 * - `viewer`, invoked with `{ "atLeast": 2 }`, finds the fragments of the last 15 minutes with
 *   `ListFragments`: `{ "fragments": ["<fragment number>", "<…>"] }`.
 *
 * Each has a role of its own with exactly what the library grants: the camera `grantWrite` (a
 * producer), the viewer `grantRead` (a consumer). A call succeeds only if that one grant carries
 * every action a real producer or consumer makes, and the key use Kinesis Video Streams makes on
 * its behalf.
 *
 * Both run outside any VPC, as the demo has none: they call the public endpoints of Kinesis Video
 * Streams, as a camera on the internet does.
 */
export class VideoCameraAndViewer extends Construct {
  /** Puts two fragments; invoke with `{}`. */
  public readonly camera: lambda.Function;
  /** Lists the recent fragments; invoke with `{ "atLeast": 2 }`. */
  public readonly viewer: lambda.Function;

  constructor(scope: Construct, id: string, props: VideoCameraAndViewerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const code = fs.readFileSync(VIDEO_CLIENT_HANDLER, 'utf-8');
    const environment = {
      STREAM_ARN: props.video.streamArn,
      // The control plane of this partition (GetDataEndpoint names the data plane).
      KINESIS_VIDEO_ENDPOINT: `https://kinesisvideo.${stack.region}.${stack.urlSuffix}`,
    };
    const client = (clientId: string, handler: string, description: string, roleDescription: string) => {
      const fn = harnessFunction(new Construct(this, clientId), 'Function', {
        description, roleDescription, code, handler, environment, logEncryptionKey: props.logEncryptionKey,
        // PutMedia acknowledgements are awaited at most 40 s, listing at most ~10 s; the assertion
        // provider that invokes the function gives up after 2 minutes.
        timeout: Duration.seconds(90),
        outsideVpcReason: 'the demo stack has no VPC, and the function calls the public Kinesis Video Streams endpoints as a camera or a viewer on the internet does',
      });
      return fn;
    };
    this.camera = client('Camera', 'index.put', 'Sandbox test harness: sends two H.264 fragments to the video stream with PutMedia',
      'Sends the sandbox test\'s video to the stream, with the stream\'s producer grant only; writes its own logs');
    this.viewer = client('Viewer', 'index.list', 'Sandbox test harness: lists the video stream\'s recent fragments with ListFragments',
      'Lists the sandbox test\'s video fragments, with the stream\'s consumer grant only; writes its own logs');
    props.video.grantWrite(this.camera);
    props.video.grantRead(this.viewer);
  }
}
