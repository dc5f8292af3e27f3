#!/usr/bin/env bash
# Sends 10 seconds of a generated H.264 test pattern to the demo's video stream, as the camera:
#
#   examples/video-ingestion/send-test-video.sh <StreamName output> <CameraRoleArn output>
#
# It assumes the camera role (which may only send media) and runs GStreamer with `kvssink`, the
# sink of the Kinesis Video Streams C++ producer SDK, which must be installed and on
# GST_PLUGIN_PATH: https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/producer-sdk-cpp.html
set -euo pipefail
stream=${1:?usage: send-test-video.sh <stream-name> <camera-role-arn>}
role=${2:?usage: send-test-video.sh <stream-name> <camera-role-arn>}
if ! gst-inspect-1.0 kvssink >/dev/null 2>&1; then
  echo "GStreamer's kvssink is missing: build the Kinesis Video Streams producer SDK (see the link in this script)" >&2
  exit 2
fi
read -r key secret token < <(aws sts assume-role --role-arn "$role" --role-session-name camera \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
gst-launch-1.0 -e videotestsrc is-live=true num-buffers=300 ! video/x-raw,width=640,height=480,framerate=30/1 \
  ! videoconvert ! x264enc bframes=0 key-int-max=30 tune=zerolatency \
  ! video/x-h264,stream-format=avc,alignment=au,profile=baseline \
  ! kvssink stream-name="$stream" aws-region="${AWS_REGION:-$(aws configure get region)}"
