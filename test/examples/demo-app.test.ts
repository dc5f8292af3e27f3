import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addDemoStacks } from '../../examples/demo-stacks';
import { QUALITY_GATES, addQualityGates, readGateResults } from '../../examples/quality-gates';
import { CDK_CONTEXT, maskAssetHashes } from '../helpers';

/** The demo app exactly as `bin/app.ts` builds it, with the context of `cdk.json`. */
function synthDemoApp(): CloudAssembly {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'demo-app-')) });
  addDemoStacks(app);
  addQualityGates(app);
  return app.synth();
}

describe('the demo app', () => {
  let assembly: CloudAssembly;
  beforeAll(() => {
    // Synthesis throws, with the full report, if any gate has an unacknowledged finding.
    assembly = synthDemoApp();
  });

  test('has one stack per example', () => {
    expect(assembly.stacks.map(stack => stack.stackName)).toEqual(['DataLakeDemo']);
  });

  test('every stack is environment-agnostic', () => {
    for (const stack of assembly.stacks) {
      expect(stack.environment.account).toBe('unknown-account');
      expect(stack.environment.region).toBe('unknown-region');
    }
  });

  test('all three quality gates report success with no unacknowledged finding', () => {
    const results = readGateResults(assembly.directory);
    expect(results.map(result => result.gate)).toEqual(QUALITY_GATES);
    for (const result of results) {
      expect(result).toMatchObject({ success: true, violations: 0 });
    }
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    for (const pluginReport of report.pluginReports) {
      expect({ plugin: pluginReport.pluginName, violations: pluginReport.violations }).toEqual({ plugin: pluginReport.pluginName, violations: [] });
      for (const acknowledged of pluginReport.suppressedViolations ?? []) {
        expect(acknowledged.reason.length).toBeGreaterThan(40);
      }
    }
  });

  test.each(['DataLakeDemo'])('%s matches its snapshot (asset hashes masked)', stackName => {
    expect(maskAssetHashes(assembly.getStackByName(stackName).template)).toMatchSnapshot();
  });
});

describe('the data-lake demo template', () => {
  let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  const ofType = (type: string) => Object.values(resources).filter(resource => resource.Type === type);
  beforeAll(() => {
    resources = synthDemoApp().getStackByName('DataLakeDemo').template.Resources;
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
    const all = Object.values(resources) as Array<{ Type: string; DeletionPolicy?: string }>;
    expect(all.filter(r => r.Type === 'AWS::S3::Bucket').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
    expect(all.filter(r => r.Type === 'Custom::S3AutoDeleteObjects')).toHaveLength(4);
    expect(all.filter(r => r.Type === 'AWS::KMS::Key').map(r => r.DeletionPolicy)).toEqual(['Delete']);
  });
});

describe('the quality gates fail a synth on findings', () => {
  test('each of the three gates reports a bucket without the secure defaults and an invalid resource', () => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gates-')) });
    const stack = new Stack(app, 'Insecure');
    new s3.Bucket(stack, 'Plain');
    new CfnResource(stack, 'Invalid', { type: 'AWS::S3::Bucket', properties: { NotABucketProperty: true } });
    addQualityGates(app);
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('AwsSolutions-S1');
    expect(message).toContain('[CT.S3.PR.1]');
    expect(message).toContain('(CloudFormation Validate)');
  });
});
