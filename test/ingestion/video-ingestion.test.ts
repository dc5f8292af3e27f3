import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { VideoIngestion } from '../../lib';
import { declared, newStack, recordedAttr, rehearsalOf } from '../helpers';

describe('VideoIngestion', () => {
  test('a stream kept 24 hours, encrypted with a customer-managed key, retained by default', () => {
    const stack = newStack();
    new VideoIngestion(stack, 'Video');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KinesisVideo::Stream', {
      DeletionPolicy: 'Retain',
      Properties: { DataRetentionInHours: 24, MediaType: 'video/h264', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('VideoKey'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('producers send media, consumers read it, each with the KMS action it needs, through the service only', () => {
    const stack = newStack();
    const video = new VideoIngestion(stack, 'Video');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const statements = (policy: iam.Policy) => Stack.of(policy).resolve(policy.document.toJSON()).Statement;
    const write = statements(video.grantWrite(producer)!);
    const read = statements(video.grantRead(consumer)!);
    expect(write.map((s: any) => s.Action)).toEqual([['kinesisvideo:DescribeStream', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:PutMedia'], 'kms:GenerateDataKey']);
    expect(read[0].Action).toEqual(expect.arrayContaining(['kinesisvideo:GetMedia', 'kinesisvideo:GetHLSStreamingSessionURL', 'kinesisvideo:GetClip']));
    expect(read[0].Action).not.toContain('kinesisvideo:PutMedia');
    expect(read[1]).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['kinesisvideo.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } } });
  });

  test('rehearsal declarations: grantees call the stream and the service uses the key for them; strangers are refused', () => {
    const stack = newStack();
    const video = new VideoIngestion(stack, 'Video');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    video.grantWrite(producer);
    video.grantRead(consumer);
    const recorded = rehearsalOf(Template.fromStack(stack));
    const via = { 'kms:ViaService': 'kinesisvideo.${AWS::Region}.${AWS::URLSuffix}' };
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: recordedAttr(producer), action: 'kinesisvideo:PutMedia', resource: recordedAttr(video.stream) }),
      declared({ principal: recordedAttr(producer), action: 'kms:GenerateDataKey', context: via }),
      declared({ principal: recordedAttr(consumer), action: 'kinesisvideo:GetMedia' }),
      declared({ principal: recordedAttr(consumer), action: 'kms:Decrypt', context: via }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: /:iam::111122223333:root$/, action: 'kinesisvideo:GetMedia' }),
      declared({ principal: /rehearsal-principal-without-grant$/, action: 'kinesisvideo:GetMedia' }),
      declared({ principal: /:iam::111122223333:root$/, action: 'kms:Decrypt' }),
    ]));
  });

  test('validates retention and media type', () => {
    const stack = newStack();
    expect(() => new VideoIngestion(stack, 'A', { retention: Duration.hours(0) }))
      .toThrow('Test/A: `retention` must be a whole number from 1 to 87600 (hours; a stream with no retention stores nothing to replay), got 0');
    expect(() => new VideoIngestion(stack, 'B', { retention: Duration.days(3651) }))
      .toThrow('Test/B: `retention` must be a whole number from 1 to 87600 (hours; a stream with no retention stores nothing to replay), got 87624');
    expect(() => new VideoIngestion(stack, 'C', { retention: Duration.minutes(90) }))
      .toThrow('Test/C: `retention` must be a whole number from 1 to 87600 (hours; a stream with no retention stores nothing to replay), got 1.5');
    expect(() => new VideoIngestion(stack, 'D', { mediaType: 'h264' }))
      .toThrow("Test/D: `mediaType` must be a media type such as video/h264 (type/subtype, several separated by commas, at most 128 characters), got 'h264'");
  });
});
