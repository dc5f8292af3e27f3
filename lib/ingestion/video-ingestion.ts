import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesisvideo from 'aws-cdk-lib/aws-kinesisvideo';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger } from '../core/validation';
import { OTHER_ACCOUNT, principalWithoutGrant } from '../rehearsal/common-calls';
import { viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';

/** Properties of a {@link VideoIngestion}. */
export interface VideoIngestionProps extends DataRetentionProps {
  /**
   * How long the stream keeps fragments: from 1 hour to 87,600 hours (10 years), in whole hours.
   * Consumers can replay stored video (HLS, DASH, clips, `GetMediaForFragmentList`) for that long.
   *
   * @default Duration.hours(24)
   */
  readonly retention?: Duration;
  /**
   * The media type of the stream, such as `video/h264`.
   *
   * @default 'video/h264'
   */
  readonly mediaType?: string;
  /**
   * The key that encrypts fragments at rest.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/** The media type pattern Kinesis Video Streams accepts: `type/subtype`, several separated by commas. */
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(,[\w.+-]+\/[\w.+-]+)*$/;

/**
 * Amazon Kinesis Video Streams: ingest video and audio from devices (notes part two, section 2g).
 *
 * Cameras and other devices send media fragments over `PutMedia` (through the Producer SDK, in C,
 * C++, Java or Android, or a GStreamer plugin). The stream stores them, encrypted, for its
 * retention, indexed by time; consumers read them live or replayed: `GetMedia` for a continuous
 * feed, HLS or DASH sessions for playback, `GetClip` for MP4 clips, and Amazon Rekognition Video
 * or a SageMaker model for analysis (for example a home-security provider that detects objects in
 * its cameras' feeds with its own model).
 *
 * Choices and why:
 * - retention 24 hours by default: enough to reprocess a day, without paying to store video
 *   forever (use a larger value, or copy clips to S3, for training sets);
 * - a customer-managed KMS key, so that the key policy decides who can ever decrypt the video;
 * - `grantWrite` (producers: `PutMedia` and the data endpoint) and `grantRead` (consumers such as
 *   a SageMaker or Rekognition role: `GetMedia`, playback sessions, clips, fragment lists),
 *   each in a policy of its own, with the KMS permission it needs.
 *
 * What the notes get wrong: their paragraph 2e, titled "Kinesis Data Firehose", describes Kinesis
 * Video Streams, and 2g, titled "Kinesis Video Streams", describes Firehose. Kinesis Video Streams
 * is this service: it streams **media** from connected devices for playback, analytics and ML.
 * Firehose (see {@link StreamingIngestion}) captures, transforms and loads **data records** into
 * S3 and other stores in near real time. A video stream is not read by Firehose.
 *
 * Cost at idle: nothing for the stream itself; Kinesis Video Streams bills per GB ingested, per
 * GB-month stored and per GB consumed. The customer-managed key costs 1 USD a month.
 *
 * @see https://aws.amazon.com/kinesis/video-streams/pricing/
 */
export class VideoIngestion extends Construct {
  /** The video stream. */
  public readonly stream: kinesisvideo.CfnStream;
  /** The key that encrypts the stream. */
  public readonly encryptionKey: kms.IKey;
  /** The ARN of the stream. */
  public readonly streamArn: string;

  constructor(scope: Construct, id: string, props: VideoIngestionProps = {}) {
    super(scope, id);
    const hours = (props.retention ?? Duration.hours(24)).toHours({ integral: false });
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kinesisvideo-stream.html
    checkInteger(this, 'retention', hours, { min: 1, max: 87600, why: 'hours; a stream with no retention stores nothing to replay' });
    const mediaType = props.mediaType ?? 'video/h264';
    check(MEDIA_TYPE.test(mediaType) && mediaType.length <= 128, this, 'mediaType', mediaType,
      'must be a media type such as video/h264 (type/subtype, several separated by commas, at most 128 characters)');

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the video of ${this.node.path}`, props);
    this.stream = new kinesisvideo.CfnStream(this, 'Stream', {
      dataRetentionInHours: hours,
      mediaType,
      kmsKeyId: this.encryptionKey.keyArn,
    });
    this.stream.applyRemovalPolicy(dataRemovalPolicy(props));
    this.streamArn = this.stream.attrArn;
    const source = 'https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-iam.html';
    Rehearsal.of(this).denies(
      { description: 'another account reads the video', principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 'kinesisvideo:GetMedia', resource: this.streamArn, source },
      { description: 'a principal with no grant reads the video', principal: principalWithoutGrant(this), action: 'kinesisvideo:GetMedia', resource: this.streamArn, source },
      {
        description: 'another account decrypts the video', principal: new iam.AccountPrincipal(OTHER_ACCOUNT), action: 'kms:Decrypt', resource: this.encryptionKey.keyArn,
        context: viaService(this, 'kinesisvideo'), source: 'https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-kms.html',
      },
    );
    DataFlow.node(this, 'StreamNode', { label: 'Kinesis video stream', detail: this.node.id, stage: DataFlowStage.INGESTION, resources: [this.stream] });
  }

  /**
   * Lets `producer` (a device or an edge gateway) send media: `PutMedia` after `GetDataEndpoint`,
   * and encrypt with the stream's key.
   *
   * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-iam.html
   * @see https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-kms.html
   */
  public grantWrite(producer: iam.IGrantable): iam.Policy | undefined {
    this.declareCalls(producer.grantPrincipal, ['kinesisvideo:GetDataEndpoint', 'kinesisvideo:PutMedia'], 'kms:GenerateDataKey');
    return attachGrantPolicy(this, `Write${granteeId(this, producer)}`, {
      grantee: producer,
      statements: [
        new iam.PolicyStatement({ actions: ['kinesisvideo:DescribeStream', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:PutMedia'], resources: [this.streamArn] }),
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.encryptionKey.keyArn], conditions: this.viaService() }),
      ],
    });
  }

  /**
   * Lets `consumer` (a SageMaker, Rekognition or application role) read media live or stored:
   * `GetMedia`, HLS and DASH sessions, clips, fragment lists, and decrypt with the stream's key.
   */
  public grantRead(consumer: iam.IGrantable): iam.Policy | undefined {
    this.declareCalls(consumer.grantPrincipal, ['kinesisvideo:GetDataEndpoint', 'kinesisvideo:GetMedia', 'kinesisvideo:GetHLSStreamingSessionURL'], 'kms:Decrypt');
    return attachGrantPolicy(this, `Read${granteeId(this, consumer)}`, {
      grantee: consumer,
      statements: [
        new iam.PolicyStatement({
          actions: [
            'kinesisvideo:DescribeStream', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:GetMedia', 'kinesisvideo:GetMediaForFragmentList',
            'kinesisvideo:ListFragments', 'kinesisvideo:GetHLSStreamingSessionURL', 'kinesisvideo:GetDASHStreamingSessionURL', 'kinesisvideo:GetClip',
          ],
          resources: [this.streamArn],
        }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.encryptionKey.keyArn], conditions: this.viaService() }),
      ],
    });
  }

  private viaService() {
    return { StringEquals: viaService(this, 'kinesisvideo') };
  }

  /** The calls a grantee makes, and the key use Kinesis Video Streams makes on its behalf. */
  private declareCalls(principal: iam.IPrincipal, actions: string[], keyAction: string): void {
    if (!('roleArn' in principal) && !('userArn' in principal) && !(principal instanceof iam.ArnPrincipal)) {
      return;
    }
    Rehearsal.of(this).allows(
      ...actions.map(action => ({ description: `a grantee of ${this.node.path} calls ${action}`, principal, action, resource: this.streamArn, source: 'https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-iam.html' })),
      {
        description: `Kinesis Video Streams uses the key for a grantee of ${this.node.path}`, principal, action: keyAction, resource: this.encryptionKey.keyArn,
        context: viaService(this, 'kinesisvideo'), source: 'https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/how-kms.html',
      },
    );
  }
}
