/**
 * The sandbox test's EFS writer (efs-training-data.ts): its handler, run here on the event the
 * training-storage integ test sends, and the mount it is deployed with.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EfsTrainingStorage, PrivateNetwork } from '../../lib';
import { newStack } from '../helpers';
import { EFS_MOUNT_PATH, EFS_WRITER_FILE, EfsTrainingData } from './efs-training-data';
import { trainingCsv } from './training-runs';

type Handler = (event: unknown) => Promise<{ written: string[] }>;

describe('the EFS writer handler', () => {
  let directory: string;
  let handler: Handler;

  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'efs-writer-'));
    handler = require(EFS_WRITER_FILE).handler;
    fs.mkdirSync(path.join(directory, 'mount'));
    process.env.MOUNT_PATH = path.join(directory, 'mount');
  });

  afterAll(() => {
    delete process.env.MOUNT_PATH;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  test('writes the training set the integ test sends into the mounted directory, and names it', async () => {
    const event = JSON.parse(JSON.stringify({ files: { 'train.csv': trainingCsv() } }));
    await expect(handler(event)).resolves.toEqual({ written: ['train.csv'] });
    expect(fs.readFileSync(path.join(directory, 'mount', 'train.csv'), 'utf-8')).toBe(trainingCsv());
  });

  test.each([
    ['a path', { files: { '../escape.csv': 'x' } }, 'not a file name: "../escape.csv"'],
    ['a sub-directory', { files: { 'train/train.csv': 'x' } }, 'not a file name: "train/train.csv"'],
    ['a hidden file', { files: { '.profile': 'x' } }, 'not a file name: ".profile"'],
    ['a text that is not a string', { files: { 'train.csv': 42 } }, 'the text of train.csv is not a string'],
    ['no files', {}, 'no files to write'],
  ])('refuses %s', async (_case, event, message) => {
    await expect(handler(event)).rejects.toThrow(message);
    expect(fs.existsSync(path.join(directory, 'escape.csv'))).toBe(false);
  });
});

test('the writer mounts the training-data directory through an access point, reaching the mount targets on NFS only', () => {
  const stack = newStack('EfsWriter');
  const network = new PrivateNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const storage = new EfsTrainingStorage(stack, 'Efs', { vpc: network.vpc });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const writer = new EfsTrainingData(stack, 'Writer', { storage, vpc: network.vpc, logEncryptionKey: key });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::EFS::AccessPoint', { RootDirectory: { Path: '/training' }, PosixUser: { Uid: '1001', Gid: '1001' } });
  template.hasResourceProperties('AWS::Lambda::Function', {
    FileSystemConfigs: [{ LocalMountPath: EFS_MOUNT_PATH }],
    Environment: { Variables: { MOUNT_PATH: EFS_MOUNT_PATH } },
  });
  const writerGroup = writer.function.connections.securityGroups[0];
  const efsGroup = storage.fileSystem.connections.securityGroups[0];
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049,
    GroupId: stack.resolve(efsGroup.securityGroupId), SourceSecurityGroupId: stack.resolve(writerGroup.securityGroupId),
  });
  template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
    IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049,
    GroupId: stack.resolve(writerGroup.securityGroupId), DestinationSecurityGroupId: stack.resolve(efsGroup.securityGroupId),
  });
});
