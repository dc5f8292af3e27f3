import { App, CliCredentialsStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, DataLakeProps, LakeFormationGovernance, StorageTiering } from '../../lib';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { CDK_CONTEXT, newStack } from '../helpers';

function lake(props: DataLakeProps = {}, stack = newStack('Lake')) {
  return new DataLake(stack, 'Lake', props);
}

function templateOf(dataLake: DataLake) {
  return Template.fromStack(Stack.of(dataLake));
}

const governed: DataLakeProps = { lakeFormation: { tags: { classification: ['public', 'confidential'] } } };

describe('zones', () => {
  test('three zones by default, each with its own bucket and Glue database', () => {
    const dataLake = lake();
    expect(dataLake.zones.map(zone => zone.zoneName)).toEqual(['raw', 'curated', 'analytics']);
    const template = templateOf(dataLake);
    template.resourceCountIs('AWS::S3::Bucket', 4); // three zones and the access-log bucket
    template.resourceCountIs('AWS::Glue::Database', 3);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('each zone is tiered by how it is read', () => {
    const template = templateOf(lake());
    const buckets = template.findResources('AWS::S3::Bucket');
    const lifecycleOf = (zone: string) => {
      const logicalId = Object.keys(buckets).find(id => id.startsWith(`Lake${zone}Bucket`))!;
      return buckets[logicalId].Properties.LifecycleConfiguration.Rules[0];
    };
    expect(lifecycleOf('Raw').Id).toBe('raw-landing-then-archive');
    expect(lifecycleOf('Curated').Transitions).toEqual([{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 }]);
    expect(lifecycleOf('Analytics').Id).toBe('frequently-read');
  });

  test('zone buckets are KMS-encrypted with the lake key and a Bucket Key, versioned with Object Lock, private, TLS-only, logged and evented', () => {
    const template = templateOf(lake());
    const zoneBuckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
    });
    expect(Object.keys(zoneBuckets)).toHaveLength(3);
    for (const bucket of Object.values(zoneBuckets)) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'] } } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^LakeAccessLogs/) } },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the access-log bucket uses SSE-S3 without Object Lock, expires logs and admits only the S3 logging service for the zone buckets', () => {
    const template = templateOf(lake({ accessLogsRetention: undefined }));
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'expire-access-logs', ExpirationInDays: 365 })] },
      ObjectLockEnabled: false, // S3 cannot deliver access logs to an Object Lock bucket
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^LakeAccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeRawBucket'), 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        })]),
      },
    });
  });

  test('the key rotates, is retained by default and only AWS services may create grants on it', () => {
    const template = templateOf(lake());
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 'kms:CreateGrant', Principal: { AWS: '*' },
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        })]) },
      },
    });
  });

  test('DESTROY deletes and empties buckets, and deletes the key after 7 days', () => {
    const template = templateOf(lake({ removalPolicy: RemovalPolicy.DESTROY }));
    expect(Object.values(template.findResources('AWS::S3::Bucket')).every(bucket => bucket.DeletionPolicy === 'Delete')).toBe(true);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 4);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { PendingWindowInDays: 7 } });
  });

  test('Glue databases point at their zone and, without Lake Formation, keep the account default permissions', () => {
    const dataLake = lake();
    expect(dataLake.zone('raw').databaseName).toMatch(/^[a-z0-9_]*raw_[0-9a-f]{8}$/);
    const template = templateOf(dataLake);
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: {
        Name: dataLake.zone('raw').databaseName,
        LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeRawBucket') }]] },
        CreateTableDefaultPermissions: Match.absent(),
      },
    });
  });

  test('two lakes in one stack get different database names', () => {
    const stack = newStack('Two');
    const first = new DataLake(stack, 'First');
    const second = new DataLake(stack, 'Second');
    expect(first.zone('raw').databaseName).not.toBe(second.zone('raw').databaseName);
  });

  test('custom zones with their own tiering and database name', () => {
    const dataLake = lake({ zones: [{ name: 'feature-store', tiering: StorageTiering.frequentlyRead(), databaseName: 'features' }] });
    expect(dataLake.zone('feature-store').node.id).toBe('FeatureStore');
    templateOf(dataLake).hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'features' } });
  });
});

describe('grants without Lake Formation', () => {
  test('grantRead gives object reads, key decrypt and catalog reads on the zone only, in a policy of its own', () => {
    const stack = newStack('Grants');
    const dataLake = lake({}, stack);
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('curated').grantRead(reader);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: Match.arrayWith(['glue:GetPartitions', 'glue:GetTable']), Resource: Match.arrayWith([
            { 'Fn::Join': ['', Match.arrayWith([`:table/${dataLake.zone('curated').databaseName}/*`])] },
          ]) }),
          Match.objectLike({ Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeCuratedBucket'), 'Arn'] } }),
          Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] } }),
        ],
      },
    });
    template.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
  });

  test('grantReadWrite adds writes and delete markers but never permanent version deletes', () => {
    const stack = newStack('Grants');
    const dataLake = lake({}, stack);
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('raw').grantReadWrite(writer);
    dataLake.zone('raw').grantReadWrite(writer); // a second grant reuses the policy
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(Object.keys(policies)).toHaveLength(1);
    const actions = JSON.stringify(Object.values(policies)[0].Properties.PolicyDocument);
    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('s3:DeleteObject"');
    expect(actions).toContain('glue:CreateTable');
    expect(actions).toContain('kms:GenerateDataKey');
    expect(actions).not.toContain('s3:DeleteObjectVersion');
    expect(actions).not.toContain('lakeformation:GetDataAccess');
  });
});

describe('Lake Formation governance', () => {
  test('settings APPEND the deployment role as administrator and never REPLACE', () => {
    const template = templateOf(lake(governed));
    template.resourceCountIs('AWS::LakeFormation::DataLakeSettings', 1);
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      MutationType: 'APPEND',
      Admins: [{ DataLakePrincipalIdentifier: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}' } }],
    });
  });

  test('named admins are added, and the deployment role can be left out', () => {
    const stack = newStack('Admins');
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    lake({ lakeFormation: { admins: [admin], includeDeploymentRole: false } }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: [{ DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Admin'), 'Arn'] } }],
    });
  });

  test('each zone location is registered with the dedicated data-access role, which can use the key', () => {
    const template = templateOf(lake(governed));
    template.resourceCountIs('AWS::LakeFormation::Resource', 3);
    template.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeRawBucket'), 'Arn'] },
      UseServiceLinkedRole: false,
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeGovernanceDataAccessRole'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRole', Principal: { Service: ['glue.amazonaws.com', 'lakeformation.amazonaws.com'] } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^LakeGovernanceDataAccessRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] })]) },
    });
  });

  test('the data-access role trusts Lake Formation and Glue, as a registration role must', () => {
    const template = templateOf(lake(governed));
    const [role] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('registered locations') } }));
    const services = role.Properties.AssumeRolePolicyDocument.Statement.flatMap((statement: any) => [statement.Principal.Service].flat());
    expect(services.sort()).toEqual(['glue.amazonaws.com', 'lakeformation.amazonaws.com']);
  });

  test('declares the role assumptions, the location reads and writes, the refusals on zone objects and the chain for the rehearsal', () => {
    const template = templateOf(lake(governed));
    const recorded = template.toJSON().Metadata[REHEARSAL_METADATA_KEY];
    expect(recorded.allows).toEqual(expect.arrayContaining([
      expect.objectContaining({ principal: 'service:glue.amazonaws.com', action: 'sts:AssumeRole', resource: expect.stringMatching(/^\$\{LakeGovernanceDataAccessRole.*\.Arn\}$/) }),
      expect.objectContaining({ principal: 'service:lakeformation.amazonaws.com', action: 'sts:AssumeRole' }),
      expect.objectContaining({ action: 's3:PutObject', resource: expect.stringMatching(/^\$\{LakeRawBucket.*\.Arn\}\/rehearsal\/object$/) }),
      expect.objectContaining({ action: 'kms:Decrypt', context: expect.objectContaining({ 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}' }) }),
    ]));
    expect(recorded.denies.filter((call: any) => call.resource.includes('LakeRawBucket')).map((call: any) => call.context ?? {})).toEqual([
      {}, { 'aws:SecureTransport': 'false' }, {},
    ]);
    expect(recorded.createsBefore.length).toBeGreaterThanOrEqual(6);
  });

  test('databases grant nothing to IAM_ALLOWED_PRINCIPALS on new tables', () => {
    const template = templateOf(lake(governed));
    const databases = Object.values(template.findResources('AWS::Glue::Database'));
    expect(databases.map(db => db.Properties.DatabaseInput.CreateTableDefaultPermissions)).toEqual([[], [], []]);
  });

  test('grantRead is a Lake Formation grant plus GetDataAccess and catalog reads, with no bucket permission', () => {
    const stack = newStack('LfGrants');
    const dataLake = lake(governed, stack);
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('curated').grantRead(reader);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Reader'), 'Arn'] } },
      Resource: { Database: { CatalogId: { Ref: 'AWS::AccountId' }, Name: dataLake.zone('curated').databaseName } },
      Permissions: ['DESCRIBE'],
      PermissionsWithGrantOption: [],
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { Table: { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: dataLake.zone('curated').databaseName, TableWildcard: {} } },
      Permissions: ['SELECT', 'DESCRIBE'],
    });
    const readerPolicy = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }] } }))[0]);
    expect(readerPolicy).toContain('lakeformation:GetDataAccess');
    expect(readerPolicy).toContain('glue:GetTables');
    expect(readerPolicy).not.toContain('s3:');
  });

  test('grantReadWrite grants CREATE_TABLE, table writes and DATA_LOCATION_ACCESS on the zone location', () => {
    const stack = newStack('LfGrants');
    const dataLake = lake(governed, stack);
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('raw').grantReadWrite(writer);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', { Permissions: ['CREATE_TABLE', 'ALTER', 'DESCRIBE'] });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', { Permissions: ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE'] });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Permissions: ['DATA_LOCATION_ACCESS'],
      Resource: { DataLocation: { CatalogId: { Ref: 'AWS::AccountId' }, ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeRawBucket'), 'Arn'] } } },
    });
  });

  test('LF-tags are created, attached to zone databases and granted on by expression', () => {
    const stack = newStack('Tags');
    const dataLake = lake({ ...governed, zones: [{ name: 'raw', lfTags: { classification: 'confidential' } }, { name: 'curated', lfTags: { classification: 'public' } }] }, stack);
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.grantOnTags(analyst, { expression: { classification: ['public'] }, resourceType: 'TABLE', permissions: ['SELECT'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::LakeFormation::Tag', { TagKey: 'classification', TagValues: ['public', 'confidential'] });
    template.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Database: { CatalogId: { Ref: 'AWS::AccountId' }, Name: dataLake.zone('raw').databaseName } },
      LFTags: [{ CatalogId: { Ref: 'AWS::AccountId' }, TagKey: 'classification', TagValues: ['confidential'] }],
    });
    template.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { LFTagPolicy: { CatalogId: { Ref: 'AWS::AccountId' }, ResourceType: 'TABLE', Expression: [{ TagKey: 'classification', TagValues: ['public'] }] } },
      Permissions: ['SELECT'],
    });
  });

  test('grants on names that differ only in punctuation stay separate grants, and a plain name keeps its logical id', () => {
    const stack = newStack('Collide');
    const dataLake = lake({ ...governed, zones: [{ name: 'eu', databaseName: 'sales_eu' }, { name: 'eu2', databaseName: 'saleseu' }] }, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('eu').grantRead(role);
    dataLake.zone('eu2').grantReadWrite(role);
    const template = Template.fromStack(stack);
    const grants = template.findResources('AWS::LakeFormation::PrincipalPermissions');
    const onDatabase = (name: string) => Object.entries(grants).filter(([, grant]) => grant.Properties.Resource.Database?.Name === name);
    // Each database has its own grant, with its own permissions: nothing merged into the other's.
    expect(onDatabase('sales_eu').map(([, grant]) => grant.Properties.Permissions)).toEqual([['DESCRIBE']]);
    expect(onDatabase('saleseu').map(([, grant]) => grant.Properties.Permissions)).toEqual([['CREATE_TABLE', 'ALTER', 'DESCRIBE']]);
    // The first name keeps the id it always had (no needless replacement of a deployed grant).
    expect(onDatabase('sales_eu')[0][0]).toMatch(/^LakeGovernanceGrantDatabasesaleseuCollideRole[0-9A-F]{8}[0-9A-F]{8}$/);
    expect(onDatabase('saleseu')[0][0]).not.toBe(onDatabase('sales_eu')[0][0]);
  });

  test('tag grants whose expressions differ only in how values split are separate grants', () => {
    const stack = newStack('TagCollide');
    const dataLake = lake({ lakeFormation: { tags: { a: ['bc', 'b'], ab: ['c'] } } }, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.grantOnTags(role, { expression: { a: ['bc'] }, resourceType: 'TABLE', permissions: ['SELECT'] });
    dataLake.grantOnTags(role, { expression: { ab: ['c'] }, resourceType: 'TABLE', permissions: ['DESCRIBE'] });
    const expressions = Object.values(Template.fromStack(stack).findResources('AWS::LakeFormation::PrincipalPermissions'))
      .map(grant => [grant.Properties.Resource.LFTagPolicy.Expression, grant.Properties.Permissions]);
    expect(expressions).toEqual([
      [[{ TagKey: 'a', TagValues: ['bc'] }], ['SELECT']],
      [[{ TagKey: 'ab', TagValues: ['c'] }], ['DESCRIBE']],
    ]);
  });

  test('Lake Formation resources and databases form one chain, so CloudFormation never runs two concurrently', () => {
    const stack = newStack('Chain');
    const dataLake = lake({ ...governed, zones: [{ name: 'raw', lfTags: { classification: 'public' } }, { name: 'curated' }] }, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    dataLake.zone('raw').grantReadWrite(role);
    dataLake.zone('curated').grantRead(role);
    dataLake.grantOnTags(role, { expression: { classification: ['public'] }, resourceType: 'DATABASE', permissions: ['DESCRIBE'] });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DependsOn?: string[] }>;
    const chained = Object.keys(resources).filter(id => /^AWS::(LakeFormation::|Glue::Database)/.test(resources[id].Type));
    expect(chained.length).toBe(13); // settings, tag, 2 databases, 2 locations, 1 tag association, 6 grants
    const dependsOnChained = (id: string) => (resources[id].DependsOn ?? []).filter(dep => chained.includes(dep));
    const roots = chained.filter(id => dependsOnChained(id).length === 0);
    expect(roots.map(id => resources[id].Type)).toEqual(['AWS::LakeFormation::DataLakeSettings']);
    // Walk from the settings: each resource has exactly one successor, and the walk visits all.
    let current = roots[0];
    const visited = [current];
    for (;;) {
      const next = chained.filter(id => dependsOnChained(id).includes(current));
      if (next.length === 0) break;
      expect(next).toHaveLength(1);
      current = next[0];
      visited.push(current);
    }
    expect(visited.sort()).toEqual([...chained].sort());
  });
});

describe('rejects bad input with the construct path, the prop, the value and what is allowed', () => {
  test.each([
    [{ zones: [] }, 'Lake/Lake: `zones` must have at least 1 zones, got 0'],
    [{ zones: [{ name: 'Raw' }] }, "Lake/Lake: `zones[0].name` must be a lower-case letter followed by up to 31 lower-case letters, digits or hyphens, got 'Raw'"],
    [{ zones: [{ name: 'raw' }, { name: 'raw' }] }, "Lake/Lake: `zones[1].name` must be unique within the lake, got 'raw'"],
    [{ zones: [{ name: 'raw', databaseName: 'Raw-Data' }] }, "Lake/Lake/Raw: `databaseName` must be 1 to 255 lower-case letters, digits or underscores (Athena cannot query databases with other names), got 'Raw-Data'"],
    [{ zones: [{ name: 'raw', lfTags: { classification: 'public' } }] }, 'Lake/Lake/Raw: `lfTags` need Lake Formation governance (LF-tags are Lake Formation resources), got {"classification":"public"}'],
    [{ ...governed, zones: [{ name: 'raw', lfTags: { owner: 'ml' } }] }, "Lake/Lake/Raw: `lfTags.owner` must be an LF-tag of the lake (classification), got 'owner'"],
    [{ ...governed, zones: [{ name: 'raw', lfTags: { classification: 'secret' } }] }, "Lake/Lake/Raw: `lfTags.classification` must be a value of LF-tag classification (public, confidential), got 'secret'"],
    [{ lakeFormation: { tags: { 'bad#key': ['a'] } } }, "Lake/Lake/Governance: `tags[0] key` must be 1 to 128 letters, digits, spaces or _ . : / = + - @ %, got 'bad#key'"],
    [{ lakeFormation: { tags: { key: [] } } }, 'Lake/Lake/Governance: `tags.key` must have 1 to 50 values (AWS::LakeFormation::Tag takes 1 to 50 values), got 0'],
    [{ lakeFormation: { tags: { key: ['bad#value'] } } }, "Lake/Lake/Governance: `tags.key` values must be 0 to 256 letters, digits, spaces or _ . : / = + - @ % *, got 'bad#value'"],
    [{ lakeFormation: { tags: { key: Array.from({ length: 51 }, (_, i) => `v${i}`) } } },
      'Lake/Lake/Governance: `tags.key` must have 1 to 50 values (AWS::LakeFormation::Tag takes 1 to 50 values), got 51'],
    [{ lakeFormation: { tags: { key: ['a', 'a'] } } }, 'Lake/Lake/Governance: `tags.key` must not repeat a value, got ["a","a"]'],
    [{ lakeFormation: { tags: { key: ['v'.repeat(257)] } } }, 'Lake/Lake/Governance: `tags.key` values must be 0 to 256 letters'],
    [{ lakeFormation: { includeDeploymentRole: false } }, 'Lake/Lake/Governance: `admins` must name at least one role when `includeDeploymentRole` is false (someone must be able to grant), got nothing'],
    [{ accessLogsRetention: Duration.hours(12) }, 'Lake/Lake: `accessLogsRetention` must be a whole number of at least 1 (in days: S3 expires objects by whole days), got 0.5'],
  ] as Array<[DataLakeProps, string]>)('%j', (props, message) => {
    expect(() => lake(props)).toThrow(message);
  });

  test('an unknown zone name', () => {
    expect(() => lake().zone('gold')).toThrow("Lake/Lake: `zone name` must be one of the lake's zones (raw, curated, analytics), got 'gold'");
  });

  test('tag grants without Lake Formation', () => {
    const stack = newStack('NoLf');
    const dataLake = lake({}, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => dataLake.grantOnTags(role, { expression: { a: ['b'] }, resourceType: 'TABLE', permissions: ['SELECT'] }))
      .toThrow('NoLf/Lake: `lakeFormation` must be set to grant on LF-tags, got nothing');
  });

  test.each([
    ['DATABASE', 'SELECT', 'ALL, ALTER, CREATE_TABLE, DESCRIBE, DROP'],
    ['TABLE', 'CREATE_TABLE', 'ALL, ALTER, DELETE, DESCRIBE, DROP, INSERT, SELECT'],
  ] as const)('a tag grant on %s with %s, which Lake Formation rejects', (resourceType, permission, allowed) => {
    const stack = newStack('TagPerm');
    const dataLake = lake(governed, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => dataLake.grantOnTags(role, { expression: { classification: ['public'] }, resourceType, permissions: ['DESCRIBE', permission] }))
      .toThrow(`TagPerm/Lake: \`permissions\` must be one of ${allowed} for resourceType ${resourceType} (the permissions Lake Formation accepts on an LF-tag policy of that type), got '${permission}'`);
  });

  test('tag expressions need a key, 1 to 50 values per key, and permissions; any number of keys is accepted', () => {
    const stack = newStack('Expr');
    const tags = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map(key => [key, ['x']]));
    const dataLake = lake({ lakeFormation: { tags } }, stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => dataLake.grantOnTags(role, { expression: tags, resourceType: 'TABLE', permissions: ['SELECT'] })).not.toThrow();
    expect(() => dataLake.grantOnTags(role, { expression: {}, resourceType: 'TABLE', permissions: ['SELECT'] }))
      .toThrow('Expr/Lake: `expression` must have at least 1 LF-tags (an LF-tag expression matches on at least one LF-tag), got 0');
    expect(() => dataLake.grantOnTags(role, { expression: { a: [] }, resourceType: 'TABLE', permissions: ['SELECT'] }))
      .toThrow('Expr/Lake: `expression.a` must have 1 to 50 values (values of one LF-tag in an expression), got 0');
    expect(() => dataLake.grantOnTags(role, { expression: { a: ['x'] }, resourceType: 'TABLE', permissions: [] }))
      .toThrow('Expr/Lake: `permissions` must have at least 1 permissions, got 0');
  });

  test('at most 30 administrators and 50 LF-tags on a database; edge values are accepted', () => {
    const withAdmins = (n: number) => {
      const stack = newStack(`Admins${n}`);
      const admins = Array.from({ length: n }, (_, i) => iam.Role.fromRoleArn(stack, `Admin${i}`, `arn:aws:iam::123456789012:role/admin${i}`));
      return lake({ lakeFormation: { admins } }, stack);
    };
    expect(() => withAdmins(29)).not.toThrow();
    expect(() => withAdmins(30))
      .toThrow('Admins30/Lake/Governance: `admins` must have at most 30 roles (Lake Formation data lake administrators, the deployment role included), got 31');
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, ['', 'v'.repeat(256)]]));
    const fifty = Object.fromEntries(Object.keys(tags).slice(0, 50).map(key => [key, 'v'.repeat(256)]));
    expect(() => lake({ lakeFormation: { tags }, zones: [{ name: 'raw', lfTags: fifty }] }, newStack('Fifty'))).not.toThrow();
    expect(() => lake({ lakeFormation: { tags }, zones: [{ name: 'raw', lfTags: { ...fifty, t50: '' } }] }, newStack('FiftyOne')))
      .toThrow('FiftyOne/Lake/Raw: `lfTags` must have at most 50 entries (LF-tags on one resource), got 51');
  });

  test('a Lake Formation grant to a principal without an ARN', () => {
    const dataLake = lake(governed);
    expect(() => dataLake.zone('raw').grantRead(new iam.ServicePrincipal('glue.amazonaws.com')))
      .toThrow("Lake/Lake/Raw: `grantee` must be an IAM role or user under Lake Formation, whose grants name a principal ARN, got 'ServicePrincipal(glue.amazonaws.com)'");
  });

  test('the deployment role cannot be named without the DefaultStackSynthesizer', () => {
    const app = new App({ context: CDK_CONTEXT });
    const stack = new Stack(app, 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => lake(governed, stack)).toThrow(
      'Cli/Lake/Governance: `includeDeploymentRole` needs the DefaultStackSynthesizer, which names the CloudFormation execution role (this stack uses CliCredentialsStackSynthesizer); set it to false and name an administrator in `admins`, got true');
  });
});

describe('an access-log bucket of your own', () => {
  test('the zones log into it and the lake creates none; a retention beside it is refused', () => {
    const stack = newStack('OwnLogs');
    const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'central-access-logs');
    const dataLake = lake({ serverAccessLogsBucket: logs, zones: [{ name: 'raw' }] }, stack);
    expect(dataLake.accessLogsBucket).toBe(logs);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: 'central-access-logs' } });
    expect(() => lake({ serverAccessLogsBucket: logs, accessLogsRetention: Duration.days(30) }, newStack('Both')))
      .toThrow('Both/Lake: `accessLogsRetention` must not be given with `serverAccessLogsBucket` (the retention of a given log bucket is its own), got 30');
  });
});

describe('Lake Formation settings and LF-tags exist once per account and Region', () => {
  const newApp = () => new App({ context: CDK_CONTEXT });

  test('two lakes of one stack share one governance: one settings resource, each tag once, every location registered', () => {
    const stack = newStack('Shared');
    const governance = new LakeFormationGovernance(stack, 'Governance', { tags: { classification: ['public', 'confidential'] } });
    const sales = new DataLake(stack, 'Sales', { governance, zones: [{ name: 'raw', lfTags: { classification: 'confidential' } }] });
    const marketing = new DataLake(stack, 'Marketing', { governance, zones: [{ name: 'raw', lfTags: { classification: 'public' } }] });
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    sales.zone('raw').grantRead(analyst);
    marketing.zone('raw').grantRead(analyst);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::LakeFormation::DataLakeSettings', 1);
    template.resourceCountIs('AWS::LakeFormation::Tag', 1);
    template.resourceCountIs('AWS::LakeFormation::Resource', 2);
    template.resourceCountIs('AWS::LakeFormation::TagAssociation', 2);
    expect(sales.governance).toBe(governance);
    expect(marketing.governance).toBe(governance);
    const databases = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions')).map(grant => grant.Properties.Resource.Database?.Name).filter(Boolean);
    expect(databases.sort()).toEqual([sales.zone('raw').databaseName, marketing.zone('raw').databaseName].sort());
  });

  test('a second governance creating them in the same stack is refused, with how to share', () => {
    const stack = newStack('Twice');
    new DataLake(stack, 'Sales', { lakeFormation: {} });
    expect(() => new DataLake(stack, 'Marketing', { lakeFormation: {} })).toThrow(
      'Twice/Marketing/Governance: `settingsFrom` must name the governance that already creates the Lake Formation settings and LF-tags of the account '
      + 'and Region that environment-agnostic stacks deploy to, Twice/Sales/Governance: Lake Formation keeps one set per account and Region '
      + '(a second LF-tag of the same key fails at deploy, and deleting either stack would remove the administrators the other relies on). '
      + 'In the same stack, create one LakeFormationGovernance and pass it to each DataLake as `governance`, got nothing');
  });

  test('a second one in another stack of the same environment is refused, with how to take the settings from the first', () => {
    const app = newApp();
    const env = { account: '123456789012', region: 'eu-west-1' };
    new DataLake(new Stack(app, 'One', { env }), 'Lake', { lakeFormation: {} });
    expect(() => new DataLake(new Stack(app, 'Two', { env }), 'Lake', { lakeFormation: {} })).toThrow(
      /^Two\/Lake\/Governance: `settingsFrom` must name the governance that already creates the Lake Formation settings and LF-tags of account 123456789012, Region eu-west-1, One\/Lake\/Governance: .* In another stack, set `lakeFormation: \{ settingsFrom: <that governance> \}`, got nothing$/);
    // Environment-agnostic stacks deploy to the same account: the same rule.
    new DataLake(new Stack(app, 'Agnostic1'), 'Lake', { lakeFormation: {} });
    expect(() => new DataLake(new Stack(app, 'Agnostic2'), 'Lake', { lakeFormation: {} })).toThrow(/^Agnostic2\/Lake\/Governance: `settingsFrom` must name/);
  });

  test('stacks of different accounts or Regions each create their own', () => {
    const app = newApp();
    new DataLake(new Stack(app, 'Ireland', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Lake', { lakeFormation: {} });
    expect(() => new DataLake(new Stack(app, 'Virginia', { env: { account: '123456789012', region: 'us-east-1' } }), 'Lake', { lakeFormation: {} })).not.toThrow();
    expect(() => new DataLake(new Stack(app, 'Other', { env: { account: '210987654321', region: 'eu-west-1' } }), 'Lake', { lakeFormation: {} })).not.toThrow();
  });

  test('a governance in another stack takes the settings and LF-tags from the first, and deploys after it', () => {
    const app = newApp();
    const first = new DataLake(new Stack(app, 'First'), 'Lake', { lakeFormation: { tags: { classification: ['public', 'confidential'] } } });
    const secondStack = new Stack(app, 'Second');
    const second = new DataLake(secondStack, 'Lake', {
      lakeFormation: { settingsFrom: first.governance },
      zones: [{ name: 'raw', lfTags: { classification: 'public' } }],
    });
    const reader = new iam.Role(secondStack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    second.zone('raw').grantRead(reader);
    const template = Template.fromStack(secondStack);
    template.resourceCountIs('AWS::LakeFormation::DataLakeSettings', 0);
    template.resourceCountIs('AWS::LakeFormation::Tag', 0);
    template.resourceCountIs('AWS::LakeFormation::Resource', 1);
    template.hasResourceProperties('AWS::LakeFormation::TagAssociation', { LFTags: [Match.objectLike({ TagKey: 'classification', TagValues: ['public'] })] });
    template.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 2);
    expect(secondStack.dependencies.map(stack => stack.stackName)).toEqual(['First']);
    expect(second.governance!.settingsOwner).toBe(first.governance);
    expect(() => new DataLake(new Stack(app, 'Third'), 'Lake', {
      lakeFormation: { settingsFrom: second.governance }, zones: [{ name: 'raw', lfTags: { classification: 'secret' } }],
    })).toThrow('Third/Lake/Raw: `lfTags.classification` must be a value of LF-tag classification (public, confidential), got \'secret\'');
  });

  test.each([
    ['tags', { tags: { owner: ['ml'] } }, 'Second/Lake/Governance: `tags` must not be set with `settingsFrom`: the administrators and LF-tags of the account are those of First/Lake/Governance, got {"owner":["ml"]}'],
    ['admins', { includeDeploymentRole: false }, 'Second/Lake/Governance: `includeDeploymentRole` must not be set with `settingsFrom`: the administrators and LF-tags of the account are those of First/Lake/Governance, got false'],
  ])('settingsFrom takes the settings as they are: %s is refused', (_name, extra, message) => {
    const app = newApp();
    const first = new DataLake(new Stack(app, 'First'), 'Lake', { lakeFormation: {} });
    expect(() => new DataLake(new Stack(app, 'Second'), 'Lake', { lakeFormation: { settingsFrom: first.governance, ...extra } })).toThrow(message);
  });

  test('sharing is refused across stacks, and settingsFrom within a stack', () => {
    const app = newApp();
    const first = new Stack(app, 'First');
    const governance = new LakeFormationGovernance(first, 'Governance');
    expect(() => new DataLake(new Stack(app, 'Second'), 'Lake', { governance })).toThrow(
      'Second/Lake: `governance` must be in the lake\'s stack (it registers the lake\'s locations and creates its grants); for a lake in another stack, set `lakeFormation: { settingsFrom: <governance> }`, got \'First/Governance\'');
    expect(() => new DataLake(first, 'Lake', { lakeFormation: { settingsFrom: governance } })).toThrow(
      'First/Lake/Governance: `settingsFrom` must be a governance of another stack; in the same stack, share that governance itself (`DataLake`\'s `governance`), got \'First/Governance\'');
    expect(() => new DataLake(first, 'Both', { governance, lakeFormation: {} })).toThrow(
      'First/Both: `lakeFormation` must not be set with `governance`, which already governs the lake, got {}');
  });
});
