import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, DataLakeProps, DataLakeZone, PrivateNetwork, RedshiftSpectrum, RedshiftSpectrumProps, StorageTiering } from '../../lib';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { CDK_CONTEXT, metricFacts } from '../helpers';

/** An environment-agnostic stack with three AZs, as the demo declares them. */
class ThreeAzStack extends Stack {
  public get availabilityZones(): string[] {
    return [0, 1, 2].map(index => Fn.select(index, Fn.getAzs()));
  }
}

function newStack(threeAzs = true): Stack {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')) });
  return threeAzs ? new ThreeAzStack(app, 'Query') : new Stack(app, 'Query');
}

interface Options {
  readonly props?: Partial<RedshiftSpectrumProps>;
  readonly lake?: DataLakeProps;
  readonly threeAzs?: boolean;
  readonly maxAzs?: number;
}

function spectrum(options: Options = {}) {
  const stack = newStack(options.threeAzs ?? true);
  const lake = new DataLake(stack, 'Lake', options.lake ?? { zones: [{ name: 'curated' }, { name: 'feature-store' }] });
  const network = new PrivateNetwork(stack, 'Network', { maxAzs: options.maxAzs ?? 3 });
  const construct = new RedshiftSpectrum(stack, 'Spectrum', { vpc: network.vpc, zones: [lake.zone('curated')], ...options.props });
  return { stack, lake, network, construct, template: () => Template.fromStack(stack) };
}

const arnOf = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'] });

describe('the namespace', () => {
  test('is encrypted with a customer-managed key, lets Redshift manage the admin password, exports its logs and is retained', () => {
    const { template } = spectrum();
    template().hasResource('AWS::RedshiftServerless::Namespace', {
      DeletionPolicy: 'Retain',
      Properties: {
        DbName: 'dev',
        AdminUsername: 'admin',
        ManageAdminPassword: true,
        KmsKeyId: arnOf('SpectrumKey'),
        AdminPasswordSecretKmsKeyId: arnOf('SpectrumKey'),
        IamRoles: [arnOf('SpectrumSpectrumRole')],
        DefaultIamRoleArn: arnOf('SpectrumSpectrumRole'),
        LogExports: ['userlog', 'connectionlog', 'useractivitylog'],
      },
    });
    template().hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('Redshift Serverless namespace') });
  });

  test('no password is in the template', () => {
    const { template } = spectrum();
    const text = JSON.stringify(template().toJSON());
    expect(text).not.toContain('AdminUserPassword');
    expect(text.match(/[A-Za-z]*Password"/g)).toEqual(['ManageAdminPassword"']);
  });

  test('DESTROY deletes the namespace', () => {
    const { template } = spectrum({ props: { removalPolicy: RemovalPolicy.DESTROY } });
    template().hasResource('AWS::RedshiftServerless::Namespace', { DeletionPolicy: 'Delete' });
  });

  test('uses the key it is given', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Given');
    const lake = new DataLake(stack, 'Lake');
    new RedshiftSpectrum(stack, 'Spectrum', { vpc: new PrivateNetwork(stack, 'Network', { maxAzs: 3 }).vpc, zones: [lake.zone('raw')], encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::RedshiftServerless::Namespace', { KmsKeyId: arnOf('Given') });
  });
});

describe('the workgroup', () => {
  test('has the smallest base capacity, enhanced VPC routing, no public access, TLS only, and three private subnets', () => {
    const { template } = spectrum();
    template().hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      NamespaceName: { Ref: Match.stringLikeRegexp('^SpectrumNamespace') },
      BaseCapacity: 4,
      EnhancedVpcRouting: true,
      PubliclyAccessible: false,
      ConfigParameters: [{ ParameterKey: 'require_ssl', ParameterValue: 'true' }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumSecurityGroup'), 'GroupId'] }],
      SubnetIds: [1, 2, 3].map(n => ({ Ref: Match.stringLikeRegexp(`^NetworkVpcprivateSubnet${n}Subnet`) })),
    });
  });

  test('accepts the base capacities Redshift Serverless documents', () => {
    for (const baseCapacity of [8, 16, 512, 544, 1024]) {
      const { template } = spectrum({ props: { baseCapacity } });
      template().hasResourceProperties('AWS::RedshiftServerless::Workgroup', { BaseCapacity: baseCapacity });
    }
  });

  test('admits no one and sends only HTTPS, to the VPC endpoints', () => {
    const { template } = spectrum();
    template().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Redshift Serverless workgroup'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('reaches Glue through an interface endpoint that admits the workgroup (Spectrum needs it with enhanced VPC routing)', () => {
    const { template } = spectrum();
    template().hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.glue']] },
    });
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumSecurityGroup'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumGlueEndpointSecurityGroup'), 'GroupId'] },
    });
  });

  test('uses the Glue endpoint it is given (a VPC has one with private DNS) and the subnets the caller chooses', () => {
    const stack = newStack(false);
    const lake = new DataLake(stack, 'Lake');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1d'],
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { name: 'redshift', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const glueEndpoint = vpc.addInterfaceEndpoint('Glue', { service: ec2.InterfaceVpcEndpointAwsService.GLUE, open: false });
    const construct = new RedshiftSpectrum(stack, 'Spectrum', {
      vpc, glueEndpoint, zones: [lake.zone('raw')],
      vpcSubnets: { subnetGroupName: 'redshift', availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1d'] },
    });
    const template = Template.fromStack(stack);
    const [workgroup] = Object.values(template.findResources('AWS::RedshiftServerless::Workgroup'));
    expect(workgroup.Properties.SubnetIds.map((ref: any) => template.toJSON().Resources[ref.Ref].Properties.AvailabilityZone))
      .toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1d']);
    expect(workgroup.Properties.SubnetIds.every((ref: any) => ref.Ref.startsWith('VpcredshiftSubnet'))).toBe(true);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    expect(construct.glueEndpoint).toBe(glueEndpoint);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumSecurityGroup'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcGlueSecurityGroup'), 'GroupId'] },
    });
  });

  test('in us-west-1, accepts three subnets in two AZs, as Redshift Serverless documents', () => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')) });
    const stack = new Stack(app, 'West', { env: { account: '123456789012', region: 'us-west-1' } });
    const lake = new DataLake(stack, 'Lake');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1', availabilityZones: ['us-west-1a', 'us-west-1c'],
      isolatedSubnetIds: ['subnet-1', 'subnet-3'], isolatedSubnetRouteTableIds: ['rtb-1', 'rtb-3'],
    });
    const subnets = ['subnet-1', 'subnet-2', 'subnet-3'].map((id, i) => ec2.Subnet.fromSubnetAttributes(stack, `S${i}`, { subnetId: id, availabilityZone: i < 2 ? 'us-west-1a' : 'us-west-1c' }));
    expect(() => new RedshiftSpectrum(stack, 'Spectrum', { vpc, vpcSubnets: { subnets }, zones: [lake.zone('raw')] })).not.toThrow();
    expect(() => new RedshiftSpectrum(stack, 'Two', { vpc, vpcSubnets: { subnets: subnets.slice(1) }, zones: [lake.zone('curated')] })).toThrow(
      'West/Two: `vpcSubnets` must select at least 3 subnets in at least 2 Availability Zones');
  });
});

describe('the Spectrum role', () => {
  test('is assumed by Redshift Serverless and Redshift (both, as the Serverless guide asks)', () => {
    const { template } = spectrum();
    const [role] = Object.values(template().findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Redshift Spectrum') } }));
    const services = role.Properties.AssumeRolePolicyDocument.Statement.flatMap((statement: any) => [statement.Principal.Service].flat());
    expect(services.sort()).toEqual(['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com']);
  });

  test('reads the zone\'s catalog, objects and key when the lake is IAM-governed', () => {
    const { template } = spectrum();
    const policies = template().findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SpectrumSpectrumRole') }] },
    });
    const statements = Object.values(policies).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((statement: any) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['glue:GetDatabase', 'glue:GetTables', 'glue:GetPartitions', 's3:GetObject', 'kms:Decrypt']));
    expect(actions.filter((action: string) => /Put|Delete|Create|Update/.test(action))).toEqual([]);
    expect(JSON.stringify(statements)).toContain('LakeCuratedBucket');
    expect(JSON.stringify(statements)).not.toContain('LakeRawBucket');
  });

  test('gets Lake Formation SELECT and DESCRIBE on the zone\'s tables when the lake is governed', () => {
    const { template } = spectrum({ lake: { lakeFormation: {} } });
    const grants = JSON.stringify(template().findResources('AWS::LakeFormation::PrincipalPermissions'));
    expect(grants).toContain('SpectrumSpectrumRole');
    expect(grants).toContain('SELECT');
    const policies = JSON.stringify(template().findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SpectrumSpectrumRole') }] },
    }));
    expect(policies).toContain('lakeformation:GetDataAccess');
    expect(policies).not.toContain('s3:GetObject');
  });
});

describe('the external schemas', () => {
  test('one per zone, named after it (hyphens become underscores), over its Glue database, with the Spectrum role', () => {
    const { template, lake, construct } = spectrum({ props: {} });
    const stack = Stack.of(construct);
    const both = new RedshiftSpectrum(stack, 'Both', {
      vpc: new PrivateNetwork(stack, 'Other', { maxAzs: 3 }).vpc,
      zones: [lake.zone('curated'), lake.zone('feature-store')],
    });
    expect(both.externalSchemaNames).toEqual(['curated', 'feature_store']);
    template().hasResourceProperties('Custom::RedshiftExternalSchema', {
      WorkgroupName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BothWorkgroup'), 'Workgroup.WorkgroupName'] },
      NamespaceName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BothNamespace'), 'Namespace.NamespaceName'] },
      Database: 'dev',
      SchemaName: 'feature_store',
      GlueDatabase: lake.zone('feature-store').databaseName,
      IamRoleArn: arnOf('BothSpectrumRole'),
    });
    expect(Object.keys(template().findResources('Custom::RedshiftExternalSchema'))).toHaveLength(3);
  });

  test('are created after the workgroup and the role\'s read grant', () => {
    const { template } = spectrum();
    const [schema] = Object.values(template().findResources('Custom::RedshiftExternalSchema')) as any[];
    expect(schema.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^SpectrumWorkgroup/), expect.stringMatching(/^LakeCuratedReadQuerySpectrumSpectrumRole/),
    ]));
  });

  test('on a Lake-Formation-governed lake, wait for the Spectrum role\'s Lake Formation grants', () => {
    const { template } = spectrum({ lake: { lakeFormation: {} } });
    const grants = Object.entries(template().findResources('AWS::LakeFormation::PrincipalPermissions'))
      .filter(([, grant]) => JSON.stringify(grant.Properties.Principal).includes('SpectrumSpectrumRole')).map(([id]) => id);
    expect(grants).toHaveLength(2);
    const [schema] = Object.values(template().findResources('Custom::RedshiftExternalSchema')) as any[];
    expect(schema.DependsOn).toEqual(expect.arrayContaining(grants));
    const recorded = template().toJSON().Metadata[REHEARSAL_METADATA_KEY];
    const schemaId = Object.keys(template().findResources('Custom::RedshiftExternalSchema'))[0];
    expect(recorded.createsBefore.filter((order: any) => order.then === schemaId).map((order: any) => order.first)).toEqual(expect.arrayContaining(grants));
  });

  test('declare the role assumptions, the catalog and object reads, the Data API calls and the flow to the Glue endpoint', () => {
    const { template } = spectrum();
    const recorded = template().toJSON().Metadata[REHEARSAL_METADATA_KEY];
    const calls = recorded.allows.map((call: any) => `${call.principal.replace(/\$\{(\w+?)[0-9A-F]{8}\.Arn\}/, '$1')} ${call.action}`);
    expect(calls).toEqual(expect.arrayContaining([
      'service:redshift-serverless.amazonaws.com sts:AssumeRole', 'service:redshift.amazonaws.com sts:AssumeRole',
      'SpectrumSpectrumRole glue:GetTable', 'SpectrumSpectrumRole s3:GetObject', 'SpectrumSpectrumRole kms:Decrypt',
      'SpectrumSchemaFunctionRole redshift-data:ExecuteStatement', 'SpectrumSchemaFunctionRole secretsmanager:GetSecretValue',
    ]));
    expect(recorded.connects).toEqual([expect.objectContaining({
      protocol: 'tcp', fromPort: 443, toPort: 443,
      from: [expect.stringMatching(/^\$\{SpectrumSecurityGroup/)], to: [expect.stringMatching(/^\$\{SpectrumGlueEndpointSecurityGroup/)],
    })]);
  });

  test('by a function outside the VPC that may only run statements on this workgroup with its admin secret', () => {
    const { template } = spectrum();
    template().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x', Timeout: 600, VpcConfig: Match.absent(), Description: Match.stringLikeRegexp('external schemas'),
    });
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^SpectrumSchemaFunctionPolicy'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'redshift-serverless:GetNamespace', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumNamespace'), 'Namespace.NamespaceArn'] } }),
          Match.objectLike({ Action: 'redshift-data:ExecuteStatement', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SpectrumWorkgroup'), 'Workgroup.WorkgroupArn'] } }),
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:redshift!*']] },
          }),
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: arnOf('SpectrumKey'),
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
          }),
        ]),
      },
    });
  });

  test('log to a KMS-encrypted log group kept a year', () => {
    const { template } = spectrum();
    template().hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: arnOf('SpectrumKey'), RetentionInDays: 365 });
  });
});

describe('bad input fails at synth', () => {
  test.each([
    [6, '6'], [12, '12'], [0, '0'], [520, '520'], [1056, '1056'], [4.5, '4.5'],
  ])('baseCapacity %p', (baseCapacity, shown) => {
    expect(() => spectrum({ props: { baseCapacity } })).toThrow(
      `Query/Spectrum: \`baseCapacity\` must be 4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024 RPUs `
      + `(the base capacities Redshift Serverless accepts), got ${shown}`);
  });

  test('subnets in fewer than three AZs (an environment-agnostic stack has two unless it says otherwise)', () => {
    const message = 'Query/Spectrum: `vpcSubnets` must select at least 3 subnets in at least 3 Availability Zones (Redshift Serverless requires 3 subnets in 3 AZs, '
      + 'or in 2 AZs in us-west-1; an environment-agnostic stack has only 2 AZs unless it overrides `availabilityZones`), got \'2 subnets in 2 AZs\'';
    expect(() => spectrum({ threeAzs: false })).toThrow(message);
    expect(() => spectrum({ maxAzs: 2 })).toThrow(message);
  });

  test('no zone', () => {
    expect(() => spectrum({ props: { zones: [] } })).toThrow(
      'Query/Spectrum: `zones` must name at least one lake zone (each becomes an external schema), got []');
  });

  test('two zones of the same name', () => {
    const stack = newStack();
    const first = new DataLake(stack, 'First');
    const second = new DataLake(stack, 'Second');
    expect(() => new RedshiftSpectrum(stack, 'Spectrum', {
      vpc: new PrivateNetwork(stack, 'Network', { maxAzs: 3 }).vpc, zones: [first.zone('raw'), second.zone('raw')],
    })).toThrow('Query/Spectrum: `zones` must have distinct zone names (each zone becomes the external schema named after it, '
      + 'hyphens replaced by underscores), got ["raw","raw"]');
  });

  test('a zone whose name is no Redshift identifier', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const zone = new DataLakeZone(stack, 'Zone', {
      zoneName: 'Raw', encryptionKey: key, serverAccessLogsBucket: new s3.Bucket(stack, 'Logs'), tiering: StorageTiering.frequentlyRead(),
    });
    expect(() => new RedshiftSpectrum(stack, 'Spectrum', { vpc: new PrivateNetwork(stack, 'Network', { maxAzs: 3 }).vpc, zones: [zone] })).toThrow(
      'Query/Spectrum: `zones[0].zoneName` must be 1 to 127 lower-case letters, digits or underscores, starting with a letter or underscore, '
      + 'once hyphens become underscores (the zone name becomes the external schema\'s name), got \'Raw\'');
  });

  test.each([
    ['databaseName', 'Dev', 'must be 1 to 64 lower-case letters, digits or underscores, starting with a letter or underscore'],
    ['databaseName', '1db', 'must be 1 to 64 lower-case letters, digits or underscores, starting with a letter or underscore'],
    ['databaseName', 'd'.repeat(65), 'must be 1 to 64 lower-case letters, digits or underscores, starting with a letter or underscore'],
    ['databaseName', 'select', 'must not be a Redshift reserved word'],
    ['adminUsername', 'Admin', 'must be 1 to 128 characters: a lower-case letter, then lower-case letters, digits or _ + . @ -'],
    ['adminUsername', '_admin', 'must be 1 to 128 characters: a lower-case letter, then lower-case letters, digits or _ + . @ -'],
    ['adminUsername', 'a'.repeat(129), 'must be 1 to 128 characters: a lower-case letter, then lower-case letters, digits or _ + . @ -'],
    ['adminUsername', 'user', 'must be neither a Redshift reserved word nor public'],
    ['adminUsername', 'public', 'must be neither a Redshift reserved word nor public'],
  ])('%s %p', (prop, value, allowed) => {
    const shown = value.length > 120 ? `${value.slice(0, 60)}…' (${value.length} characters)` : `${value}'`;
    expect(() => spectrum({ props: { [prop]: value } })).toThrow(`Query/Spectrum: \`${prop}\` ${allowed}, got '${shown}`);
  });

  test.each([
    ['databaseName', 'd'.repeat(64)], ['databaseName', 'dev_2'], ['adminUsername', 'admin-user'], ['adminUsername', 'ml.admin@corp'],
    ['adminUsername', 'a'.repeat(128)],
  ])('accepts %s %p', (prop, value) => {
    expect(() => spectrum({ props: { [prop]: value } })).not.toThrow();
  });

  test('a zone named after a reserved word (raw) is accepted: the external schema is quoted in the SQL', () => {
    const stack = newStack(true);
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
    const raw = new RedshiftSpectrum(stack, 'Spectrum', { vpc: new PrivateNetwork(stack, 'Network', { maxAzs: 3 }).vpc, zones: [lake.zone('raw')] });
    expect(raw.externalSchemaNames).toEqual(['raw']);
  });
});

describe('RedshiftSpectrum metrics', () => {
  test('the RPUs of the workgroup: ComputeCapacity, by Workgroup', () => {
    const { stack, construct } = spectrum();
    expect(metricFacts(stack, construct.metricComputeCapacity())).toEqual({
      namespace: 'AWS/Redshift-Serverless', metricName: 'ComputeCapacity', dimensions: { Workgroup: construct.workgroupName }, statistic: 'Average', period: 300,
    });
  });
});
