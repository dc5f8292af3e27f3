import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, LustreRepositoryEvent, LustreTrainingStorage, LustreTrainingStorageProps, PrivateNetwork, SecureBucket, createDataKey } from '../../lib';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { newStack } from '../helpers';

function setup() {
  const stack = newStack('Fsx');
  const network = new PrivateNetwork(stack, 'Network');
  const key = createDataKey(stack, 'Key', 'test', {});
  const bucket = new SecureBucket(stack, 'Bucket', { encryptionKey: key, serverAccessLogsBucket: new AccessLogBucket(stack, 'Logs') });
  return { stack, network, bucket };
}

function lustre(props: (bucket: s3.IBucket) => Omit<LustreTrainingStorageProps, 'vpc'>) {
  const { stack, network, bucket } = setup();
  const storage = new LustreTrainingStorage(stack, 'Lustre', { vpc: network.vpc, ...props(bucket) });
  return { storage, stack, template: Template.fromStack(stack) };
}

describe('LustreTrainingStorage', () => {
  test('SCRATCH_2 by default: 1.2 TiB, Lustre 2.15, linked by import path with auto-import, in one isolated subnet, retained', () => {
    const { template } = lustre(bucket => ({ dataRepositories: [{ bucket, prefix: 'train/' }] }));
    template.hasResource('AWS::FSx::FileSystem', {
      Properties: {
        FileSystemType: 'LUSTRE',
        FileSystemTypeVersion: '2.15',
        StorageCapacity: 1200,
        SubnetIds: [{ Ref: Match.stringLikeRegexp('NetworkVpcprivateSubnet1') }],
        LustreConfiguration: {
          DeploymentType: 'SCRATCH_2',
          AutoImportPolicy: 'NEW_CHANGED_DELETED',
          ImportPath: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('Bucket') }, '/train/']] },
        },
      },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 0);
    expect(template.findResources('AWS::FSx::FileSystem')[Object.keys(template.findResources('AWS::FSx::FileSystem'))[0]].Properties.KmsKeyId).toBeUndefined();
  });

  test('admits Lustre (TCP 988 and 1018–1023) only from itself and the training security group', () => {
    const { template, storage, stack } = lustre(bucket => ({ dataRepositories: [{ bucket }] }));
    const fsSg = stack.resolve(storage.securityGroup.securityGroupId);
    const trainingSg = stack.resolve(storage.trainingSecurityGroup.securityGroupId);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(rule => rule.Properties)
      .filter(rule => JSON.stringify(rule.GroupId) === JSON.stringify(fsSg));
    expect(ingress.map(rule => [rule.IpProtocol, rule.FromPort, rule.ToPort, JSON.stringify(rule.SourceSecurityGroupId) === JSON.stringify(fsSg) ? 'self' : 'training']).sort())
      .toEqual([['tcp', 1018, 1023, 'self'], ['tcp', 1018, 1023, 'training'], ['tcp', 988, 988, 'self'], ['tcp', 988, 988, 'training']]);
    expect(ingress.every(rule => [fsSg, trainingSg].some(sg => JSON.stringify(sg) === JSON.stringify(rule.SourceSecurityGroupId)))).toBe(true);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: Match.anyValue() })]) }, 0);
  });

  test('the file system depends on every rule of its security group (FSx checks port 988 when it creates the file system)', () => {
    const { template, storage, stack } = lustre(bucket => ({ dataRepositories: [{ bucket }] }));
    const fsSg = JSON.stringify(stack.resolve(storage.securityGroup.securityGroupId));
    const rules = Object.entries(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(([, rule]) => JSON.stringify(rule.Properties.GroupId) === fsSg).map(([id]) => id);
    expect(rules).toHaveLength(4);
    const [fileSystem] = Object.values(template.findResources('AWS::FSx::FileSystem'));
    expect(fileSystem.DependsOn).toEqual(expect.arrayContaining(rules));
  });

  test('the training security group admits Lustre from the file servers and from other clients; a restricted one gets the egress it needs', () => {
    const { stack, network, bucket } = setup();
    const clients = new ec2.SecurityGroup(stack, 'Clients', { vpc: network.vpc, allowAllOutbound: false });
    const storage = new LustreTrainingStorage(stack, 'Lustre', { vpc: network.vpc, dataRepositories: [{ bucket }], trainingSecurityGroup: clients });
    const template = Template.fromStack(stack);
    const [fsSg, clientSg] = [storage.securityGroup, clients].map(sg => JSON.stringify(stack.resolve(sg.securityGroupId)));
    const peer = (id: string) => (id === fsSg ? 'servers' : id === clientSg ? 'clients' : id);
    const rules = (type: string, peerKey: string) => Object.values(template.findResources(type))
      .map(rule => rule.Properties)
      .filter(rule => JSON.stringify(rule.GroupId) === clientSg)
      .map(rule => [rule.IpProtocol, rule.FromPort, rule.ToPort, peer(JSON.stringify(rule[peerKey]))]).sort();
    const expected = [['tcp', 1018, 1023, 'clients'], ['tcp', 1018, 1023, 'servers'], ['tcp', 988, 988, 'clients'], ['tcp', 988, 988, 'servers']];
    expect(rules('AWS::EC2::SecurityGroupIngress', 'SourceSecurityGroupId')).toEqual(expected);
    expect(rules('AWS::EC2::SecurityGroupEgress', 'DestinationSecurityGroupId')).toEqual(expected);
  });

  test('opens the bucket key to FSx\'s S3 service-linked roles by ARN condition (principal *), through S3, from this account', () => {
    const { template } = lustre(bucket => ({ dataRepositories: [{ bucket }] }));
    const [key] = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: 'test' } }));
    const statement = key.Properties.KeyPolicy.Statement.find((s: any) => String(s.Sid).startsWith('AllowFsxForLustreS3Access'));
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
          'kms:CallerAccount': { Ref: 'AWS::AccountId' },
        },
        ArnLike: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' },
          ':role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*']] } },
      },
    });
  });

  test('declares the Lustre port flows, the rules-before-file-system order and FSx\'s use of the bucket key for the rehearsal', () => {
    const { template } = lustre(bucket => ({ dataRepositories: [{ bucket }] }));
    const recorded = template.toJSON().Metadata[REHEARSAL_METADATA_KEY];
    const fileSystemId = Object.keys(template.findResources('AWS::FSx::FileSystem'))[0];
    expect(recorded.connects).toEqual(expect.arrayContaining([
      expect.objectContaining({ description: 'Lustre from training jobs to the file servers', protocol: 'tcp', fromPort: 988, toPort: 988 }),
      expect.objectContaining({ description: 'Lustre between the file servers', protocol: 'tcp', fromPort: 1018, toPort: 1023 }),
      expect.objectContaining({ description: 'Lustre from the file servers to training jobs', protocol: 'tcp', fromPort: 988 }),
    ]));
    expect(recorded.createsBefore.filter((order: any) => order.then === fileSystemId)).toHaveLength(4);
    expect(recorded.allows).toEqual(expect.arrayContaining([expect.objectContaining({
      principal: `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_\${${fileSystemId}}`,
      action: 'kms:Decrypt',
      context: expect.objectContaining({ 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}' }),
    })]));
    expect(recorded.denies).toEqual([expect.objectContaining({ action: 'kms:Decrypt', principal: expect.stringContaining('111122223333') })]);
  });

  test('PERSISTENT_2: KMS-encrypted, 125 MB/s/TiB by default, linked by data repository associations with import and export policies', () => {
    const { template } = lustre(bucket => ({
      deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
      storageCapacityGiB: 2400,
      dataRepositories: [
        { bucket, prefix: 'train/', fileSystemPath: '/train' },
        { bucket, prefix: 'checkpoints/', fileSystemPath: '/checkpoints', autoExport: [LustreRepositoryEvent.NEW, LustreRepositoryEvent.CHANGED] },
      ],
    }));
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      StorageCapacity: 2400,
      KmsKeyId: { Ref: Match.stringLikeRegexp('LustreKey') },
      LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125, ImportPath: Match.absent(), AutoImportPolicy: Match.absent() },
    });
    template.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 2);
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/train',
      BatchImportMetaDataOnCreate: true,
      S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] }, AutoExportPolicy: { Events: [] } },
    });
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/checkpoints',
      S3: { AutoExportPolicy: { Events: ['NEW', 'CHANGED'] } },
    });
  });

  test('PERSISTENT_1: KMS-encrypted, 50 MB/s/TiB by default, linked by import path', () => {
    const { template } = lustre(bucket => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, dataRepositories: [{ bucket, autoImport: [LustreRepositoryEvent.NEW] }] }));
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      KmsKeyId: Match.anyValue(),
      LustreConfiguration: { DeploymentType: 'PERSISTENT_1', PerUnitStorageThroughput: 50, AutoImportPolicy: 'NEW', ImportPath: Match.anyValue() },
    });
  });

  test('the training input mounts the file system read-only by mount name, from its subnet and with the training security group', () => {
    const { storage, stack } = lustre(bucket => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, dataRepositories: [{ bucket, fileSystemPath: '/train' }] }));
    const input = storage.trainingInput();
    expect(input.inputMode).toBe('File');
    expect(input.subnets).toEqual([storage.subnet]);
    expect(input.securityGroups).toEqual([storage.trainingSecurityGroup]);
    expect(stack.resolve(input.dataSource)).toEqual({
      FileSystemDataSource: {
        FileSystemId: { Ref: expect.stringMatching(/^LustreFileSystem/) },
        FileSystemType: 'FSxLustre',
        DirectoryPath: { 'Fn::Join': ['', ['/', { 'Fn::GetAtt': [expect.stringMatching(/^LustreFileSystem/), 'LustreMountName'] }, '/train']] },
        FileSystemAccessMode: 'ro',
      },
    });
  });

  test.each<[string, (bucket: s3.IBucket) => Omit<LustreTrainingStorageProps, 'vpc'>, string]>([
    ['a SCRATCH_2 capacity that is not 1,200, 2,400 or a multiple of 2,400', b => ({ storageCapacityGiB: 3600, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `storageCapacityGiB` must be 1,200, 2,400 or a multiple of 2,400 for SCRATCH_2, got 3600'],
    ['a SCRATCH_1 capacity that is not 1,200, 2,400, 3,600 or a multiple of 3,600', b => ({ deploymentType: fsx.LustreDeploymentType.SCRATCH_1, storageCapacityGiB: 4800, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `storageCapacityGiB` must be 1,200, 2,400, 3,600 or a multiple of 3,600 for SCRATCH_1, got 4800'],
    ['a PERSISTENT_2 capacity of 1,000', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacityGiB: 1000, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `storageCapacityGiB` must be 1,200, 2,400 or a multiple of 2,400 for PERSISTENT_2, got 1000'],
    ['PERSISTENT_1 throughput of 125', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, perUnitStorageThroughput: 125, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `perUnitStorageThroughput` must be 50, 100 or 200 MB/s per TiB for PERSISTENT_1, got 125'],
    ['PERSISTENT_2 throughput of 200', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, perUnitStorageThroughput: 200, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `perUnitStorageThroughput` must be 125, 250, 500 or 1000 MB/s per TiB for PERSISTENT_2, got 200'],
    ['throughput on a scratch file system', b => ({ perUnitStorageThroughput: 200, dataRepositories: [{ bucket: b }] }),
      'Fsx/Lustre: `perUnitStorageThroughput` cannot be set for SCRATCH_2 (scratch throughput is fixed at 200 MB/s per TiB), got 200'],
    ['no repository', () => ({ dataRepositories: [] }),
      'Fsx/Lustre: `dataRepositories` must link at least one S3 location, got []'],
    ['two repositories on SCRATCH_2', b => ({ dataRepositories: [{ bucket: b, prefix: 'a/' }, { bucket: b, prefix: 'b/' }] }),
      'Fsx/Lustre: `dataRepositories` must link exactly one S3 location for SCRATCH_2 (only PERSISTENT_2 links several, through data repository associations), got 2'],
    ['a file-system path on SCRATCH_2', b => ({ dataRepositories: [{ bucket: b, fileSystemPath: '/data' }] }),
      'Fsx/Lustre: `dataRepositories[0].fileSystemPath` cannot be set for SCRATCH_2 (the linked prefix appears at the file system\'s root; only PERSISTENT_2 associations choose a path), got \'/data\''],
    ['automatic export on PERSISTENT_1', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, dataRepositories: [{ bucket: b, autoExport: [LustreRepositoryEvent.NEW] }] }),
      'Fsx/Lustre: `dataRepositories[0].autoExport` cannot be set for PERSISTENT_1 (automatic export needs a data repository association: use PERSISTENT_2), got ["NEW"]'],
    ['an import set with no auto-import policy', b => ({ dataRepositories: [{ bucket: b, autoImport: [LustreRepositoryEvent.DELETED] }] }),
      'Fsx/Lustre: `dataRepositories[0].autoImport` must be [], [NEW], [NEW, CHANGED] or [NEW, CHANGED, DELETED] for SCRATCH_2 (its auto-import policies), got ["DELETED"]'],
    ['a repeated event', b => ({ dataRepositories: [{ bucket: b, autoImport: [LustreRepositoryEvent.NEW, LustreRepositoryEvent.NEW] }] }),
      'Fsx/Lustre: `dataRepositories[0].autoImport` must name each of NEW, CHANGED and DELETED at most once, got ["NEW","NEW"]'],
    ['an absolute prefix', b => ({ dataRepositories: [{ bucket: b, prefix: '/train/' }] }),
      'Fsx/Lustre: `dataRepositories[0].prefix` must be a relative S3 key prefix ending with \'/\' (no leading \'/\', no \'s3://\', no empty, \'.\' or \'..\' segments), or \'\' for the whole bucket, got \'/train/\''],
    ['a prefix with ..', b => ({ dataRepositories: [{ bucket: b, prefix: 'train/../secret/' }] }),
      'Fsx/Lustre: `dataRepositories[0].prefix` must be a relative S3 key prefix ending with \'/\' (no leading \'/\', no \'s3://\', no empty, \'.\' or \'..\' segments), or \'\' for the whole bucket, got \'train/../secret/\''],
    ['nine repositories on PERSISTENT_2', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
      dataRepositories: Array.from({ length: 9 }, (_, i) => ({ bucket: b, prefix: `p${i}/`, fileSystemPath: `/d${i}` })) }),
    'Fsx/Lustre: `dataRepositories` must have at most 8 S3 locations (data repository associations per file system), got 9'],
    ['a prefix over 1,024 bytes', b => ({ dataRepositories: [{ bucket: b, prefix: `${'p'.repeat(1024)}/` }] }),
      'Fsx/Lustre: `dataRepositories[0].prefix` must be at most 1024 bytes of UTF-8 (S3 keys are at most 1,024 bytes)'],
    ['a root association beside another', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
      dataRepositories: [{ bucket: b, prefix: 'a/', fileSystemPath: '/' }, { bucket: b, prefix: 'b/', fileSystemPath: '/b' }] }),
    "Fsx/Lustre: `dataRepositories[1].fileSystemPath` must not overlap dataRepositories[0].fileSystemPath '/', got '/b'"],
    ['a relative file-system path', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, dataRepositories: [{ bucket: b, fileSystemPath: 'data' }] }),
      'Fsx/Lustre: `dataRepositories[0].fileSystemPath` must be an absolute path such as \'/data\' (starting with \'/\', no trailing \'/\', no empty, \'.\' or \'..\' segments), got \'data\''],
    ['overlapping S3 prefixes', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, dataRepositories: [{ bucket: b, prefix: 'train/', fileSystemPath: '/a' }, { bucket: b, prefix: 'train/2024/', fileSystemPath: '/b' }] }),
      'Fsx/Lustre: `dataRepositories[1].prefix` must not overlap dataRepositories[0].prefix \'train/\' in the same bucket, got \'train/2024/\''],
    ['overlapping file-system paths', b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, dataRepositories: [{ bucket: b, prefix: 'a/', fileSystemPath: '/data' }, { bucket: b, prefix: 'b/', fileSystemPath: '/data/b' }] }),
      'Fsx/Lustre: `dataRepositories[1].fileSystemPath` must not overlap dataRepositories[0].fileSystemPath \'/data\', got \'/data/b\''],
  ])('rejects %s', (_, props, message) => {
    expect(() => lustre(props)).toThrow(message);
  });

  test('accepts eight data repository associations on PERSISTENT_2', () => {
    const { template } = lustre(b => ({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
      dataRepositories: Array.from({ length: 8 }, (_, i) => ({ bucket: b, prefix: `p${i}/`, fileSystemPath: `/d${i}` })) }));
    template.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 8);
  });

  test('rejects a key on a scratch file system and a bad training directory', () => {
    const { stack, network, bucket } = setup();
    expect(() => new LustreTrainingStorage(stack, 'Keyed', { vpc: network.vpc, encryptionKey: bucket.encryptionKey, dataRepositories: [{ bucket }] }))
      .toThrow(/^Fsx\/Keyed: `encryptionKey` cannot be used with SCRATCH_2 \(scratch file systems are always encrypted with keys FSx manages\), got 'Fsx\/Key'$/);
    const storage = new LustreTrainingStorage(stack, 'Ok', { vpc: network.vpc, dataRepositories: [{ bucket }] });
    expect(() => storage.trainingInput({ directoryPath: 'train' })).toThrow('Fsx/Ok: `directoryPath` must be an absolute path such as \'/data\' (starting with \'/\', no trailing \'/\', no empty, \'.\' or \'..\' segments), got \'train\'');
    expect(Stack.of(storage)).toBe(stack);
  });
});
