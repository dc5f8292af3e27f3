import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addDemoStacks } from '../../examples/demo-stacks';
import { REDSHIFT_AZS_CONTEXT, RedshiftSpectrumDemoStack } from '../../examples/redshift-spectrum/redshift-spectrum-stack';
import { CDK_CONTEXT, maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the Redshift Spectrum demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    // The shared synth of the demo app runs the quality gates and fails on any unacknowledged finding.
    template = demoTemplate('RedshiftSpectrumDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('has a private, encrypted Redshift Serverless workgroup with the smallest base capacity and enhanced VPC routing', () => {
    const [workgroup] = ofType('AWS::RedshiftServerless::Workgroup');
    expect(workgroup.Properties).toMatchObject({ BaseCapacity: 4, EnhancedVpcRouting: true, PubliclyAccessible: false });
    const [namespace] = ofType('AWS::RedshiftServerless::Namespace');
    expect(namespace.Properties).toMatchObject({ ManageAdminPassword: true, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^SpectrumKey/), 'Arn'] } });
    expect(namespace.Properties.AdminUserPassword).toBeUndefined();
  });

  test('spreads the workgroup over three subnets in the first three AZs of the Region, resolved at deployment', () => {
    const [workgroup] = ofType('AWS::RedshiftServerless::Workgroup');
    const subnets = workgroup.Properties.SubnetIds.map((ref: { Ref: string }) => template.Resources[ref.Ref].Properties.AvailabilityZone);
    expect(subnets).toEqual([0, 1, 2].map(index => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] })));
  });

  test('takes three AZ names by context, for Regions whose first three AZs include one Redshift Serverless does not support', () => {
    const app = new App({ context: { ...CDK_CONTEXT, [REDSHIFT_AZS_CONTEXT]: 'us-east-1a,us-east-1b,us-east-1d' }, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'demo-')) });
    addDemoStacks(app);
    const stack = app.node.findChild('RedshiftSpectrumDemo') as Stack;
    const chosen = Template.fromStack(stack).toJSON();
    const [workgroup] = resourcesOfType(chosen, 'AWS::RedshiftServerless::Workgroup');
    expect(workgroup.Properties.SubnetIds.map((ref: { Ref: string }) => chosen.Resources[ref.Ref].Properties.AvailabilityZone))
      .toEqual(['us-east-1a', 'us-east-1b', 'us-east-1d']);
    expect(() => new RedshiftSpectrumDemoStack(new App(), 'Bad', { availabilityZoneNames: ['us-east-1a', 'us-east-1a', 'use1-az3'] })).toThrow(
      'Bad: `availabilityZoneNames` must be three distinct Availability Zone names such as us-east-1a (context `redshift-azs`), got ["us-east-1a","us-east-1a","use1-az3"]');
  });

  test('its Spectrum role is the namespace\'s default role and reads the analytics zone', () => {
    const [namespace] = ofType('AWS::RedshiftServerless::Namespace');
    const roleId = namespace.Properties.DefaultIamRoleArn['Fn::GetAtt'][0];
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com'] });
    const readPolicies = ofType('AWS::IAM::Policy').filter(policy => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(JSON.stringify(readPolicies)).toContain('glue:GetTables');
    expect(JSON.stringify(readPolicies)).toContain('LakeAnalyticsBucket');
  });

  test('creates the external schema `analytics` at deployment, after the table it will show', () => {
    const schemas = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === 'Custom::RedshiftExternalSchema');
    expect(schemas).toHaveLength(1);
    const [, schema] = schemas[0];
    expect(schema.Properties.SchemaName).toBe('analytics');
    expect(schema.DependsOn).toContain('CustomerFeatures');
    expect(template.Outputs.ExternalTablesFound.Value).toEqual({ 'Fn::GetAtt': [schemas[0][0], 'TableCount'] });
  });

  test('has no NAT gateway, one interface endpoint (Glue), and leaves nothing behind on destroy', () => {
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(0);
    const interfaces = ofType('AWS::EC2::VPCEndpoint').filter(endpoint => endpoint.Properties.VpcEndpointType === 'Interface');
    expect(interfaces.map(endpoint => JSON.stringify(endpoint.Properties.ServiceName))).toEqual([expect.stringContaining('.glue')]);
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::RedshiftServerless::Namespace', 'AWS::Glue::Database']) {
      expect({ type, policies: ofType(type).map(resource => resource.DeletionPolicy ?? 'Delete') })
        .toEqual({ type, policies: ofType(type).map(() => 'Delete') });
    }
  });
});
