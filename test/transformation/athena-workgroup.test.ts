import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AthenaWorkgroup, AthenaWorkgroupProps, DataLake, DataLakeProps } from '../../lib';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { newStack } from '../helpers';

function workgroup(props: Partial<AthenaWorkgroupProps> = {}, lakeProps?: DataLakeProps) {
  const stack = newStack('Query');
  const lake = lakeProps ? new DataLake(stack, 'Lake', lakeProps) : undefined;
  const athena = new AthenaWorkgroup(stack, 'Athena', { zones: lake ? [lake.zone('curated')] : undefined, ...props });
  return { athena, stack, template: () => Template.fromStack(Stack.of(athena)) };
}

describe('the workgroup', () => {
  test('enforces its settings, limits each scan to 1 GiB, pins engine 3, publishes metrics and encrypts results with KMS', () => {
    const { template } = workgroup();
    template().hasResourceProperties('AWS::Athena::WorkGroup', {
      State: 'ENABLED',
      RecursiveDeleteOption: false,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 1073741824,
        RequesterPaysEnabled: false,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^AthenaResults') }, '/results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AthenaKey'), 'Arn'] } },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
        },
      },
    });
    template().hasResource('AWS::Athena::WorkGroup', { DeletionPolicy: 'Retain' });
  });

  test('results expire, with their old versions and abandoned uploads', () => {
    const { template } = workgroup({ resultsExpiration: Duration.days(7) });
    template().hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
    });
  });

  test('DESTROY deletes the workgroup with its queries and history', () => {
    const { template } = workgroup({ removalPolicy: RemovalPolicy.DESTROY });
    template().hasResource('AWS::Athena::WorkGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RecursiveDeleteOption: true }) });
  });

  test('named queries are saved in the workgroup', () => {
    const { template } = workgroup({ namedQueries: [{ name: 'count', database: 'curated', query: 'SELECT count(*) FROM orders' }] });
    template().hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: 'count', Database: 'curated', QueryString: 'SELECT count(*) FROM orders', WorkGroup: { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') },
    });
  });
});

describe('grantQuery', () => {
  test('gives the workgroup, its results and, under Lake Formation, SELECT on the zone tables', () => {
    const { athena, stack, template } = workgroup({}, { lakeFormation: {} });
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    athena.grantQuery(analyst);
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: Match.arrayWith(['athena:GetQueryResults', 'athena:StartQueryExecution']),
        Resource: { 'Fn::Join': ['', Match.arrayWith([':workgroup/', { Ref: Match.stringLikeRegexp('^AthenaWorkGroup') }])] },
      })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^Analyst') }],
    });
    template().hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Analyst'), 'Arn'] } },
      Resource: { Table: Match.objectLike({ TableWildcard: {} }) },
      Permissions: ['SELECT', 'DESCRIBE'],
    });
  });

  test('gives what the Athena console and drivers list first: workgroups, data catalogs, engine versions, the catalog\'s databases and tables', () => {
    const { athena, stack, template } = workgroup();
    athena.grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }));
    const statements = Object.values(template().findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Analyst') }] } }))
      .flatMap(policy => policy.Properties.PolicyDocument.Statement as any[]);
    const resourceOf = (action: string) => statements.filter(statement => [statement.Action].flat().includes(action)).map(statement => statement.Resource);
    for (const action of ['athena:ListWorkGroups', 'athena:ListDataCatalogs', 'athena:ListEngineVersions']) {
      expect(resourceOf(action)).toEqual(['*']);
    }
    for (const action of ['athena:GetDataCatalog', 'athena:ListDatabases', 'athena:GetDatabase', 'athena:ListTableMetadata', 'athena:GetTableMetadata']) {
      expect(resourceOf(action)).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':athena:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':datacatalog/AwsDataCatalog']] }]);
    }
    const recorded = template().toJSON().Metadata[REHEARSAL_METADATA_KEY];
    expect(recorded.allows.map((call: any) => call.action)).toEqual(['athena:ListWorkGroups', 'athena:ListTableMetadata', 'athena:StartQueryExecution']);
    expect(recorded.denies.filter((call: any) => call.resource.includes('AthenaResults'))).toHaveLength(3);
  });
});

describe('bad input', () => {
  test.each<[Partial<AthenaWorkgroupProps>, string]>([
    [{ workgroupName: 'my workgroup' }, "`workgroupName` must be 1 to 128 letters, digits, periods, underscores or hyphens, got 'my workgroup'"],
    [{ bytesScannedCutoffPerQuery: 1_000_000 }, "`bytesScannedCutoffPerQuery` must be a whole number of at least 10000000 (bytes: Athena's smallest per-query limit is 10 MB), got 1000000"],
    [{ resultsExpiration: Duration.hours(12) }, '`resultsExpiration` must be a whole number of at least 1 (in days: S3 expires objects by whole days), got 0.5'],
    [{ engineVersion: 'Athena engine version 2' as any }, "`engineVersion` must be one of 'Athena engine version 3', 'AUTO' (engine version 2 is retired), got 'Athena engine version 2'"],
    [{ namedQueries: [{ name: '', database: 'd', query: 'SELECT 1' }] }, "`namedQueries[0].name` must be 1 to 128 characters, got ''"],
    [{ namedQueries: [{ name: 'n', database: 'd', query: '  ' }] }, "`namedQueries[0].query` must be 1 to 262,144 characters of SQL, got '  '"],
    [{ namedQueries: [{ name: 'n', database: '', query: 'SELECT 1' }] }, "`namedQueries[0].database` must be 1 to 255 characters, got ''"],
    [{ namedQueries: [{ name: 'n', database: 'd', query: 'SELECT 1', description: '' }] },
      "`namedQueries[0].description` must be 1 to 1024 characters long (Athena named query descriptions), got ''"],
    [{ namedQueries: [{ name: 'n', database: 'd', query: 'SELECT 1', description: 'd'.repeat(1025) }] },
      '`namedQueries[0].description` must be 1 to 1024 characters long (Athena named query descriptions)'],
  ])('%p is rejected', (props, message) => {
    expect(() => workgroup(props)).toThrow(`Query/Athena: ${message}`);
  });

  test('named queries at their limits are accepted', () => {
    expect(() => workgroup({ namedQueries: [{ name: 'n'.repeat(128), database: 'd'.repeat(255), query: 'S'.repeat(262_144), description: 'd'.repeat(1024) }] }))
      .not.toThrow();
  });
});
