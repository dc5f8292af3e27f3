import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the video-ingestion demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('VideoIngestionDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('one encrypted video stream, a camera producer and a SageMaker consumer', () => {
    expect(ofType('AWS::KinesisVideo::Stream').map(s => s.Properties.DataRetentionInHours)).toEqual([24]);
    const policies = ofType('AWS::IAM::Policy').flatMap(p => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(policies).toEqual(expect.arrayContaining(['kinesisvideo:PutMedia', 'kinesisvideo:GetMedia']));
    expect(ofType('AWS::IAM::Role').map(r => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service).filter(Boolean)).toEqual(['sagemaker.amazonaws.com']);
  });

  test('leaves nothing behind on destroy', () => {
    expect(ofType('AWS::KinesisVideo::Stream').map(r => r.DeletionPolicy)).toEqual(['Delete']);
    expect(ofType('AWS::KMS::Key').map(r => r.DeletionPolicy)).toEqual(['Delete']);
  });
});
