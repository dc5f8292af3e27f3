import { Match, Template } from 'aws-cdk-lib/assertions';
import { EfsTrainingStorage, EfsTrainingStorageProps, PrivateNetwork } from '../../lib';
import { REHEARSAL_METADATA_KEY } from '../../lib/rehearsal/expectations';
import { newStack } from '../helpers';

function efsStorage(props: Omit<EfsTrainingStorageProps, 'vpc'> = {}) {
  const stack = newStack('Efs');
  const network = new PrivateNetwork(stack, 'Network');
  const storage = new EfsTrainingStorage(stack, 'Storage', { vpc: network.vpc, ...props });
  return { stack, storage, template: Template.fromStack(stack) };
}

describe('EfsTrainingStorage', () => {
  test('encrypted with its key, elastic throughput, lifecycle to Infrequent Access and back, backed up, retained', () => {
    const { template } = efsStorage();
    template.hasResource('AWS::EFS::FileSystem', {
      Properties: {
        Encrypted: true,
        KmsKeyId: Match.anyValue(),
        ThroughputMode: 'elastic',
        PerformanceMode: 'generalPurpose',
        LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
        BackupPolicy: { Status: 'ENABLED' },
      },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::EFS::MountTarget', 2);
  });

  test('admits NFS (TCP 2049) only from the training and notebook security groups', () => {
    const { template, storage, stack } = efsStorage();
    const sources = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(rule => rule.Properties)
      .filter(rule => rule.FromPort === 2049);
    expect(sources.map(rule => [rule.IpProtocol, rule.ToPort, rule.SourceSecurityGroupId])).toEqual([
      ['tcp', 2049, stack.resolve(storage.trainingSecurityGroup.securityGroupId)],
      ['tcp', 2049, stack.resolve(storage.notebookSecurityGroup.securityGroupId)],
    ]);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { CidrIp: Match.anyValue() }, 0);
  });

  test('has no file system policy that refuses anonymous clients: SageMaker mounts FileSystemDataSource over NFS without IAM', () => {
    const { template } = efsStorage();
    const [fileSystem] = Object.values(template.findResources('AWS::EFS::FileSystem'));
    expect(fileSystem.Properties.FileSystemPolicy).toBeUndefined();
  });

  test('declares the NFS flows from training jobs and notebooks for the rehearsal', () => {
    const { template } = efsStorage();
    const recorded = template.toJSON().Metadata[REHEARSAL_METADATA_KEY];
    expect(recorded.connects.map((flow: any) => [flow.description, flow.protocol, flow.fromPort, flow.toPort])).toEqual([
      ['training jobs mount the file system (NFS)', 'tcp', 2049, 2049], ['notebooks mount the file system (NFS)', 'tcp', 2049, 2049],
    ]);
  });

  test('one access point per workspace, forcing its POSIX identity in its own directory', () => {
    const { template, storage } = efsStorage({ workspaces: [{ name: 'alice', uid: 2001, gid: 2000 }, { name: 'team', uid: 3000, gid: 3000, path: '/teams/x' }] });
    template.resourceCountIs('AWS::EFS::AccessPoint', 2);
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '2001', Gid: '2000' },
      RootDirectory: { Path: '/home/alice', CreationInfo: { OwnerUid: '2001', OwnerGid: '2000', Permissions: '750' } },
    });
    template.hasResourceProperties('AWS::EFS::AccessPoint', { RootDirectory: Match.objectLike({ Path: '/teams/x' }) });
    expect(Object.keys(storage.accessPoints)).toEqual(['alice', 'team']);
  });

  test('the training input mounts /training read-only from the mount-target subnets with the training security group', () => {
    const { storage, stack } = efsStorage();
    const input = storage.trainingInput();
    expect(input.inputMode).toBe('File');
    expect(input.subnets).toHaveLength(2);
    expect(input.securityGroups).toEqual([storage.trainingSecurityGroup]);
    expect(stack.resolve(input.dataSource)).toEqual({
      FileSystemDataSource: { FileSystemId: { Ref: expect.stringMatching(/^StorageFileSystem/) }, FileSystemType: 'EFS', DirectoryPath: '/training', FileSystemAccessMode: 'ro' },
    });
  });

  test.each<[string, Omit<EfsTrainingStorageProps, 'vpc'>, string]>([
    ['a root workspace', { workspaces: [{ name: 'root', uid: 0, gid: 0 }] },
      'Efs/Storage: `workspaces[0].uid` must be a whole number from 1 to 4294967295 (a POSIX user id other than 0: an access point that forces root would bypass every file permission), got 0'],
    ['a negative gid', { workspaces: [{ name: 'a', uid: 1, gid: -1 }] },
      'Efs/Storage: `workspaces[0].gid` must be a whole number from 0 to 4294967295 (a POSIX group id), got -1'],
    ['a bad name', { workspaces: [{ name: 'Alice Smith', uid: 1, gid: 1 }] },
      'Efs/Storage: `workspaces[0].name` must be 1 to 32 lower-case letters, digits, _ or -, starting with a letter, got \'Alice Smith\''],
    ['a relative workspace path', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: 'home/a' }] },
      'Efs/Storage: `workspaces[0].path` must be an absolute path such as \'/data\' (starting with \'/\', no trailing \'/\', no empty, \'.\' or \'..\' segments), got \'home/a\''],
    ['the root as a workspace', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: '/' }] },
      'Efs/Storage: `workspaces[0].path` must not be the root: a workspace is one directory, got \'/\''],
    ['a workspace path over 100 characters', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: `/${'d'.repeat(100)}` }] },
      'Efs/Storage: `workspaces[0].path` must be at most 100 characters long (EFS access point root directories)'],
    ['a workspace path of 5 directories', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: '/a/b/c/d/e' }] },
      "Efs/Storage: `workspaces[0].path` must have at most 4 directories (EFS access point root directories), got '/a/b/c/d/e'"],
    ['a hidden workspace directory', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: '/home/.a' }] },
      "must not have a directory that starts with '.' or contains $ # < > ; ` | & ? { } ^ * (EFS access points reject '.a'), got '/home/.a'"],
    ['a workspace directory with $', { workspaces: [{ name: 'a', uid: 1, gid: 1, path: '/home/$USER' }] },
      "(EFS access points reject '$USER'), got '/home/$USER'"],
    ['a training path with a line break', { trainingDataPath: '/training\ndata' },
      'Efs/Storage: `trainingDataPath` must not contain line breaks or NUL characters'],
    ['duplicate workspaces', { workspaces: [{ name: 'a', uid: 1, gid: 1 }, { name: 'a', uid: 2, gid: 2 }] },
      'Efs/Storage: `workspaces[].name` must be unique in the file system, got \'a\''],
    ['a training path with ..', { trainingDataPath: '/training/../etc' },
      'Efs/Storage: `trainingDataPath` must be an absolute path such as \'/data\' (starting with \'/\', no trailing \'/\', no empty, \'.\' or \'..\' segments), got \'/training/../etc\''],
  ])('rejects %s', (_, props, message) => {
    expect(() => efsStorage(props)).toThrow(message);
  });

  test('accepts a workspace path of exactly 4 directories and 100 characters', () => {
    const path = `/${'a'.repeat(24)}/${'b'.repeat(24)}/${'c'.repeat(24)}/${'d'.repeat(24)}`;
    expect(path).toHaveLength(100);
    const { template } = efsStorage({ workspaces: [{ name: 'a', uid: 1, gid: 1, path }] });
    template.hasResourceProperties('AWS::EFS::AccessPoint', { RootDirectory: { Path: path } });
  });

  test('rejects a workspace added twice', () => {
    const { storage } = efsStorage({ workspaces: [{ name: 'a', uid: 1, gid: 1 }] });
    expect(() => storage.addWorkspace({ name: 'a', uid: 5, gid: 5 })).toThrow('Efs/Storage: `workspace.name` must be unique in the file system, got \'a\'');
  });
});
