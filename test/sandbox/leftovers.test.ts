/**
 * The leftovers report on realistic API responses, with the SDK's clients faked
 * (aws-sdk-client-mock): what each service answers after a destroy, and what the report says.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetDataLakeSettingsCommand, LakeFormationClient, ListLFTagsCommand, ListResourcesCommand } from '@aws-sdk/client-lakeformation';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { DEMO_TAG } from '../../examples/demo-stacks';
import { Leftover, LeftoverClients, findLeftovers, formatLeftovers, stackNamesOf } from '../../scripts/sandbox/leftovers';

const ACCOUNT = '123456789012';
const cfn = mockClient(CloudFormationClient);
const logs = mockClient(CloudWatchLogsClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const kms = mockClient(KMSClient);
const ec2 = mockClient(EC2Client);
const lakeFormation = mockClient(LakeFormationClient);
const iam = mockClient(IAMClient);
const clients: LeftoverClients = {
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
  tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1' }),
  kms: new KMSClient({ region: 'us-east-1' }),
  ec2: new EC2Client({ region: 'us-east-1' }),
  lakeFormation: new LakeFormationClient({ region: 'us-east-1' }),
  iam: new IAMClient({ region: 'us-east-1' }),
};

/** What DescribeStacks answers for a stack that does not exist. */
const noStack = (name: string) => new CloudFormationServiceException({
  name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: `Stack with id ${name} does not exist`,
});
const noRole = (name: string) => new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: `The role with name ${name} cannot be found.` });

beforeEach(() => {
  for (const mock of [cfn, logs, tagging, kms, ec2, lakeFormation, iam]) {
    mock.reset();
  }
  cfn.on(DescribeStacksCommand).callsFake(input => Promise.reject(noStack(input.StackName)));
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  logs.on(DescribeLogStreamsCommand).resolves({ logStreams: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  lakeFormation.on(GetDataLakeSettingsCommand).resolves({ DataLakeSettings: { DataLakeAdmins: [] } });
  lakeFormation.on(ListResourcesCommand).resolves({ ResourceInfoList: [] });
  lakeFormation.on(ListLFTagsCommand).resolves({ LFTags: [] });
  iam.on(GetRoleCommand).callsFake(input => Promise.reject(noRole(input.RoleName)));
});

const kinds = (leftovers: Leftover[]) => leftovers.map(leftover => [leftover.kind, leftover.resource]);

describe('npm run leftovers', () => {
  test('a clean destroy leaves nothing, and the report says so', async () => {
    const leftovers = await findLeftovers('VideoIngestionDemo', clients);
    expect(leftovers).toEqual([]);
    expect(formatLeftovers('VideoIngestionDemo', 'us-east-1', leftovers))
      .toBe('Nothing left behind by VideoIngestionDemo (stacks VideoIngestionDemo, VideoIngestionDemoInteg, VideoIngestionDemoIntegAssertions) in us-east-1.\n');
  });

  test('the demo and its sandbox test stacks are all looked for', async () => {
    await findLeftovers('VideoIngestionDemo', clients);
    expect(cfn.commandCalls(DescribeStacksCommand).map(call => call.args[0].input.StackName)).toEqual(stackNamesOf('VideoIngestionDemo'));
    expect(tagging.commandCalls(GetResourcesCommand)[0].args[0].input.TagFilters).toEqual([{ Key: DEMO_TAG, Values: ['VideoIngestionDemo'] }]);
  });

  test('streaming: run-time Lambda log groups, a retained bucket, a key pending deletion, a Lambda ENI still in use', async () => {
    logs.on(DescribeLogGroupsCommand, { logGroupNamePattern: 'StreamingIngestionDemo' }).resolves({
      logGroups: [
        { logGroupName: '/aws/lambda/StreamingIngestionDemo-CustomS3AutoDeleteObjectsCustomRes-4mSSaZgXWMzG', arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/StreamingIngestionDemo-CustomS3AutoDeleteObjectsCustomRes-4mSSaZgXWMzG:*`, creationTime: 1764400000000 },
        { logGroupName: '/aws/lambda/StreamingIngestionDemoIntegAs-SingletonFunction1488541a7b-Xb2L1d8WeYqA', arn: 'x', creationTime: 1764400000000 },
      ],
    });
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: 'arn:aws:s3:::streamingingestiondemo-lakerawbucket28f84711-0y3p9wqk1hvd',
          Tags: [{ Key: DEMO_TAG, Value: 'StreamingIngestionDemo' }, { Key: 'aws:cloudformation:stack-name', Value: 'StreamingIngestionDemo' }],
        },
        {
          ResourceARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          Tags: [{ Key: DEMO_TAG, Value: 'StreamingIngestionDemo' }, { Key: 'aws:cloudformation:stack-name', Value: 'StreamingIngestionDemo' }],
        },
      ],
    });
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', KeyState: 'PendingDeletion', DeletionDate: new Date('2026-12-06T10:00:00Z') },
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{
        NetworkInterfaceId: 'eni-0a1b2c3d4e5f67890', Status: 'in-use', InterfaceType: 'lambda',
        Description: 'AWS Lambda VPC ENI-StreamingIngestionDemo-Transform-abc123-5e6f7a8b-1c2d-3e4f-5a6b-7c8d9e0f1a2b',
      }],
    });

    const leftovers = await findLeftovers('StreamingIngestionDemo', clients);
    expect(kinds(leftovers)).toEqual([
      ['log group', '/aws/lambda/StreamingIngestionDemo-CustomS3AutoDeleteObjectsCustomRes-4mSSaZgXWMzG'],
      ['log group', '/aws/lambda/StreamingIngestionDemoIntegAs-SingletonFunction1488541a7b-Xb2L1d8WeYqA'],
      ['S3 bucket', 'streamingingestiondemo-lakerawbucket28f84711-0y3p9wqk1hvd'],
      ['KMS key', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
      ['network interface', 'eni-0a1b2c3d4e5f67890 (AWS Lambda VPC ENI-StreamingIngestionDemo-Transform-abc123-5e6f7a8b-1c2d-3e4f-5a6b-7c8d9e0f1a2b)'],
    ]);
    expect(leftovers[0].remove).toBe('aws logs delete-log-group --log-group-name \'/aws/lambda/StreamingIngestionDemo-CustomS3AutoDeleteObjectsCustomRes-4mSSaZgXWMzG\'');
    expect(leftovers[2].remove).toContain('object_versions.delete(); b.delete()');
    expect(leftovers[3].why).toContain('pending deletion until 2026-12-06T10:00:00.000Z');
    expect(leftovers[3].remove).toBe('nothing to do (aws kms cancel-key-deletion would keep it)');
    expect(leftovers[4].why).toContain('in-use');
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'description', Values: stackNamesOf('StreamingIngestionDemo').map(stack => `AWS Lambda VPC ENI-${stack}-*`) },
    ]);
    const report = formatLeftovers('StreamingIngestionDemo', 'us-east-1', leftovers);
    expect(report).toMatch(/^5 thing\(s\) left behind by StreamingIngestionDemo/);
    expect(report).toContain('- KMS key: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\n    why: pending deletion');
  });

  test('an enabled key still tagged after its stack bills: schedule its deletion', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`, Tags: [{ Key: DEMO_TAG, Value: 'DataLakeDemo' }] }] });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', KeyState: 'Enabled' } });
    const [key] = await findLeftovers('DataLakeDemo', clients);
    expect(key).toEqual({
      kind: 'KMS key', resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`,
      why: 'Enabled after its stack: a customer-managed key bills 1 USD a month',
      remove: `aws kms schedule-key-deletion --key-id arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1 --pending-window-in-days 7`,
    });
  });

  test('a stack whose delete failed is reported with the ENI that blocks it; its own tagged resources are not listed twice', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'RedshiftSpectrumDemoInteg' }).resolves({
      Stacks: [{ StackName: 'RedshiftSpectrumDemoInteg', StackStatus: 'DELETE_FAILED', CreationTime: new Date('2026-11-29T10:00:00Z') }],
    });
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [{
        ResourceARN: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-0123456789abcdef0`,
        Tags: [{ Key: DEMO_TAG, Value: 'RedshiftSpectrumDemo' }, { Key: 'aws:cloudformation:stack-name', Value: 'RedshiftSpectrumDemoInteg' }],
      }],
    });
    ec2.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-0123456789abcdef0'] }] }).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0fedcba9876543210', Status: 'available', InterfaceType: 'interface', Description: 'RedshiftNetworkInterface' }],
    });
    const leftovers = await findLeftovers('RedshiftSpectrumDemo', clients);
    expect(kinds(leftovers)).toEqual([
      ['CloudFormation stack', 'RedshiftSpectrumDemoInteg'],
      ['network interface', 'eni-0fedcba9876543210 (RedshiftNetworkInterface)'],
    ]);
    expect(leftovers[0].why).toMatch(/^DELETE_FAILED/);
    expect(leftovers[1].remove).toBe('aws ec2 delete-network-interface --network-interface-id eni-0fedcba9876543210');
  });

  test('training: the job log streams SageMaker keeps in its shared log group', async () => {
    logs.on(DescribeLogStreamsCommand, { logGroupName: '/aws/sagemaker/TrainingJobs', logStreamNamePrefix: 'xgb-' }).resolves({
      logStreams: [{ logStreamName: 'xgb-s3file-3f2a9c1e-0b7d-4e55-9a61-2c8f0e4d1b7a/algo-1-1764412345', storedBytes: 0 }],
    });
    const leftovers = await findLeftovers('TrainingStorageDemo', clients);
    expect(kinds(leftovers)).toEqual([['log stream', '/aws/sagemaker/TrainingJobs xgb-s3file-3f2a9c1e-0b7d-4e55-9a61-2c8f0e4d1b7a/algo-1-1764412345']]);
    expect(leftovers[0].remove).toBe('aws logs delete-log-stream --log-group-name \'/aws/sagemaker/TrainingJobs\' --log-stream-name \'xgb-s3file-3f2a9c1e-0b7d-4e55-9a61-2c8f0e4d1b7a/algo-1-1764412345\'');
  });

  test('data lake: a dangling Lake Formation administrator, a location still registered, the LF-tag that blocks a redeploy', async () => {
    lakeFormation.on(GetDataLakeSettingsCommand).resolves({
      DataLakeSettings: {
        DataLakeAdmins: [
          { DataLakePrincipalIdentifier: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1` },
          { DataLakePrincipalIdentifier: `arn:aws:iam::${ACCOUNT}:role/DataLakeDemo-LakeGovernanceAdminRole-1XYZ` },
          { DataLakePrincipalIdentifier: `arn:aws:iam::${ACCOUNT}:role/Admin` },
        ],
      },
    });
    iam.on(GetRoleCommand, { RoleName: `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1` }).resolves({ Role: { RoleName: 'x', Arn: 'x', Path: '/', RoleId: 'x', CreateDate: new Date() } });
    iam.on(GetRoleCommand, { RoleName: 'Admin' }).resolves({ Role: { RoleName: 'Admin', Arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, Path: '/', RoleId: 'x', CreateDate: new Date() } });
    lakeFormation.on(ListResourcesCommand).resolves({
      ResourceInfoList: [
        { ResourceArn: 'arn:aws:s3:::datalakedemo-lakerawbucket28f84711-1a2b3c4d5e6f', RoleArn: `arn:aws:iam::${ACCOUNT}:role/DataLakeDemo-LakeGovernanceDataAccessRole-1ABC` },
        { ResourceArn: 'arn:aws:s3:::someone-elses-bucket', RoleArn: `arn:aws:iam::${ACCOUNT}:role/Other` },
      ],
    });
    lakeFormation.on(ListLFTagsCommand).resolves({ LFTags: [{ CatalogId: ACCOUNT, TagKey: 'classification', TagValues: ['public', 'confidential'] }, { TagKey: 'team', TagValues: ['a'] }] });

    const leftovers = await findLeftovers('DataLakeDemo', clients);
    expect(kinds(leftovers)).toEqual([
      ['Lake Formation administrator', `arn:aws:iam::${ACCOUNT}:role/DataLakeDemo-LakeGovernanceAdminRole-1XYZ`],
      ['Lake Formation location', 'arn:aws:s3:::datalakedemo-lakerawbucket28f84711-1a2b3c4d5e6f'],
      ['LF-tag', 'classification = public, confidential'],
    ]);
    expect(leftovers[1].remove).toBe('aws lakeformation deregister-resource --resource-arn arn:aws:s3:::datalakedemo-lakerawbucket28f84711-1a2b3c4d5e6f');
    expect(leftovers[2].remove).toBe('aws lakeformation delete-lf-tag --tag-key classification');
  });

  test('database ingestion: the account-wide DMS roles, with the commands that remove them', async () => {
    iam.on(GetRoleCommand, { RoleName: 'dms-vpc-role' }).resolves({
      Role: { RoleName: 'dms-vpc-role', Arn: `arn:aws:iam::${ACCOUNT}:role/dms-vpc-role`, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date('2026-11-01T00:00:00Z') },
    });
    logs.on(DescribeLogGroupsCommand, { logGroupNamePattern: 'databaseingestiondemo' }).resolves({
      logGroups: [{ logGroupName: '/aws/rds/cluster/databaseingestiondemo-sourcecdb0c3c7-xyz123/postgresql' }],
    });
    const leftovers = await findLeftovers('DatabaseIngestionDemo', clients);
    expect(kinds(leftovers)).toEqual([
      ['log group', '/aws/rds/cluster/databaseingestiondemo-sourcecdb0c3c7-xyz123/postgresql'],
      ['IAM role (account-wide)', `arn:aws:iam::${ACCOUNT}:role/dms-vpc-role`],
    ]);
    expect(leftovers[1].remove).toBe('aws iam detach-role-policy --role-name dms-vpc-role --policy-arn arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole && aws iam delete-role --role-name dms-vpc-role');
  });

  test('an unexpected error (no permission) stops the search instead of reporting nothing', async () => {
    cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'not authorized' }));
    await expect(findLeftovers('VideoIngestionDemo', clients)).rejects.toThrow('not authorized');
  });
});
