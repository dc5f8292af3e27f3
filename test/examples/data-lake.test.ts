import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the data-lake demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('DataLakeDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('tiers objects over at least four storage classes', () => {
    const classes = new Set(ofType('AWS::S3::Bucket').flatMap(bucket => (bucket.Properties.LifecycleConfiguration?.Rules ?? [])
      .flatMap((rule: any) => [...rule.Transitions ?? [], ...rule.NoncurrentVersionTransitions ?? []].map((t: any) => t.StorageClass))));
    expect([...classes].sort()).toEqual(['DEEP_ARCHIVE', 'GLACIER', 'GLACIER_IR', 'INTELLIGENT_TIERING', 'STANDARD_IA']);
  });

  test('appends to the Lake Formation settings, registers every zone, grants and tags', () => {
    expect(ofType('AWS::LakeFormation::DataLakeSettings').map(s => s.Properties.MutationType)).toEqual(['APPEND']);
    expect(ofType('AWS::LakeFormation::Resource')).toHaveLength(3);
    expect(ofType('AWS::LakeFormation::PrincipalPermissions').length).toBeGreaterThanOrEqual(8);
    expect(ofType('AWS::LakeFormation::Tag').map(t => t.Properties.TagKey)).toEqual(['classification']);
    expect(ofType('AWS::LakeFormation::TagAssociation')).toHaveLength(3);
    expect(ofType('AWS::LakeFormation::PrincipalPermissions').filter(p => p.Properties.Resource.LFTagPolicy)).toHaveLength(2);
  });

  test('leaves nothing behind on destroy: every bucket is emptied and deleted, the key is deleted', () => {
    expect(ofType('AWS::S3::Bucket').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
    expect(ofType('Custom::S3AutoDeleteObjects')).toHaveLength(4);
    expect(ofType('AWS::KMS::Key').map(r => r.DeletionPolicy)).toEqual(['Delete']);
  });
});
