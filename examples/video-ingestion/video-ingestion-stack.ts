/**
 * # Video ingestion with Kinesis Video Streams (notes part two, section 2g, corrected)
 *
 * Read this stack top to bottom. A camera (or a GStreamer pipeline on a laptop, with the Kinesis
 * Video Streams Producer SDK's `kvssink` plugin) assumes the producer role and streams H.264 video;
 * an analysis role, assumed by SageMaker (a processing job or notebook that samples frames for a
 * model), reads it live or replays the last day.
 *
 * The notes swap paragraphs 2e and 2g: this is Kinesis Video Streams (media from devices), not
 * Firehose (records into S3), which the streaming-ingestion demo shows.
 *
 * Deploy: `npx cdk deploy VideoIngestionDemo`; remove: `npx cdk destroy VideoIngestionDemo`.
 *
 * Cost at idle: about 1 USD a month (the customer-managed key). The stream bills per GB ingested,
 * stored (24 hours here) and consumed, nothing while no camera sends.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage, VideoIngestion } from '../../lib';

export class VideoIngestionDemoStack extends Stack {
  /** The video stream. */
  public readonly video: VideoIngestion;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: a Kinesis video stream with a camera producer role and a SageMaker consumer role',
      ...props,
    });

    // 1. The stream: H.264 video kept 24 hours, encrypted with its own key.
    this.video = new VideoIngestion(this, 'Camera', {
      removalPolicy: RemovalPolicy.DESTROY,
      retention: Duration.hours(24),
      mediaType: 'video/h264',
    });

    // 2. The producer: a device identity in this account may assume it and send media only.
    const camera = new iam.Role(this, 'CameraRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo camera: sends media to the video stream',
    });
    this.video.grantWrite(camera);

    // 3. The consumer: SageMaker reads the video (live or replayed) for an ML model.
    const analysis = new iam.Role(this, 'AnalysisRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Demo analysis: SageMaker reads the video stream',
    });
    this.video.grantRead(analysis);

    // 4. On the data-flow diagram: the camera and the analysis, run-time actors acting as the two roles.
    DataFlow.node(this, 'Camera', { label: 'Camera', detail: 'send-test-video.sh', stage: DataFlowStage.SOURCE, roles: [camera] });
    DataFlow.node(this, 'Analysis', { label: 'Analysis', detail: 'SageMaker, AnalysisRole', stage: DataFlowStage.CONSUMER, roles: [analysis] });

    new CfnOutput(this, 'StreamName', { value: this.video.stream.ref });
    new CfnOutput(this, 'StreamArn', { value: this.video.streamArn });
    new CfnOutput(this, 'CameraRoleArn', { value: camera.roleArn });
  }
}
