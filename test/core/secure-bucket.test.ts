import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, SecureBucket, createDataKey } from '../../lib';
import { newStack } from '../helpers';

test('a SecureBucket on its own: KMS with Bucket Key, logs under its path by default, retained', () => {
  const stack = newStack('Secure');
  const logs = new AccessLogBucket(stack, 'Logs');
  new SecureBucket(stack, 'Data', { encryptionKey: createDataKey(stack, 'Key', 'test key', {}), serverAccessLogsBucket: logs });
  const template = Template.fromStack(stack);
  template.hasResource('AWS::S3::Bucket', {
    DeletionPolicy: 'Retain',
    Properties: {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') }, LogFilePrefix: 'Secure/Data/' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
    },
  });
  template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
});

test('the log prefix can be chosen, and the log bucket admits exactly that prefix', () => {
  const stack = newStack('Prefix');
  const logs = new AccessLogBucket(stack, 'Logs', { retention: require('aws-cdk-lib').Duration.days(30) });
  new SecureBucket(stack, 'Data', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'data/' });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Logs'), 'Arn'] }, '/data/*']] },
    })]) },
  });
  template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })] } });
});

test('an imported log bucket is used as it is', () => {
  const stack = newStack('Imported');
  const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'central-access-logs');
  new SecureBucket(stack, 'Data', {
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    serverAccessLogsBucket: logs,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: 'central-access-logs' } });
  template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
});
