import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DataLake, DataLakeZone, EfsTrainingStorage, LustreTrainingStorage, S3InputMode, TrainingInput,
} from '../../lib';
import { renderDataSource } from '../../lib/training/training-input';
import { trainingSetup } from './fixtures';

const setup = trainingSetup;

describe('TrainingInput', () => {
  test('fromS3: an S3Prefix channel of a bucket, with the reads of its prefix and its key', () => {
    const { stack, bucket, key } = setup();
    const config = TrainingInput.fromS3(bucket, { prefix: 'data/', inputMode: S3InputMode.FAST_FILE, channelName: 'validation' }).bind(stack);
    expect([config.channelName, config.inputMode, config.storageLabel, config.contentType]).toEqual(['validation', 'FastFile', 'S3 FastFile', 'text/csv']);
    expect(stack.resolve(renderDataSource(config.dataSource))).toEqual({
      S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }, '/data/']] }, S3DataDistributionType: 'FullyReplicated' },
    });
    expect(config.readStatements.map(statement => stack.resolve(statement.toStatementJson()).Action)).toEqual(['s3:ListBucket', 's3:GetObject', 'kms:Decrypt']);
    expect(config.dataSource.s3!.location.encryptionKey).toBe(key);
    expect(config.subnets).toBeUndefined();
  });

  test('fromS3 of a lake zone reads the zone\'s bucket with the zone\'s key', () => {
    const { stack } = setup();
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'curated' }] });
    const config = TrainingInput.fromS3(lake.zone('curated')).bind(stack);
    expect(config.dataSource.s3!.location).toEqual({ bucket: lake.zone('curated').bucket, encryptionKey: lake.encryptionKey });
    expect(config.dataSource.s3!.prefix).toBe('train/');
    const imported = DataLakeZone.fromZoneAttributes(stack, 'Imported', {
      bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'existing-bucket'), encryptionKey: lake.encryptionKey, databaseName: 'existing',
    });
    expect(TrainingInput.fromS3(imported).bind(stack).readStatements).toHaveLength(3);
  });

  test('fromLustre mounts /<mount name><directory> read-only, from the file system\'s subnet, with its training security group', () => {
    const { stack, network, bucket } = setup();
    const persistent = new LustreTrainingStorage(stack, 'Persistent', {
      vpc: network.vpc, deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, dataRepositories: [{ source: bucket, fileSystemPath: '/train' }],
    });
    const config = TrainingInput.fromLustre(persistent).bind(stack);
    expect(config.inputMode).toBe('File');
    expect(config.subnets).toEqual([persistent.subnet]);
    expect(config.securityGroups).toEqual([persistent.trainingSecurityGroup]);
    expect(config.readStatements).toEqual([]);
    expect(stack.resolve(renderDataSource(config.dataSource))).toEqual({
      FileSystemDataSource: {
        FileSystemId: { Ref: expect.stringMatching(/^PersistentFileSystem/) },
        FileSystemType: 'FSxLustre',
        DirectoryPath: { 'Fn::Join': ['', ['/', { 'Fn::GetAtt': [expect.stringMatching(/^PersistentFileSystem/), 'LustreMountName'] }, '/train']] },
        FileSystemAccessMode: 'ro',
      },
    });
    // A scratch file system shows the linked prefix at its root: the default directory is the mount name itself.
    const scratch = new LustreTrainingStorage(stack, 'Scratch', { vpc: network.vpc, dataRepositories: [{ source: bucket, prefix: 'train/' }] });
    expect(scratch.trainingDataPath).toBe('/');
    const root = stack.resolve(renderDataSource(TrainingInput.fromLustre(scratch, { writable: true }).bind(stack).dataSource));
    expect(root.FileSystemDataSource.DirectoryPath).toEqual({ 'Fn::Join': ['', ['/', { 'Fn::GetAtt': [expect.stringMatching(/^ScratchFileSystem/), 'LustreMountName'] }]] });
    expect(root.FileSystemDataSource.FileSystemAccessMode).toBe('rw');
  });

  test('fromEfs mounts the training directory read-only from the mount-target subnets with the training security group', () => {
    const { stack, network } = setup();
    const storage = new EfsTrainingStorage(stack, 'Storage', { vpc: network.vpc });
    const config = TrainingInput.fromEfs(storage, { channelName: 'validation' }).bind(stack);
    expect([config.channelName, config.inputMode, config.storageLabel]).toEqual(['validation', 'File', 'EFS']);
    expect(config.subnets).toHaveLength(2);
    expect(config.securityGroups).toEqual([storage.trainingSecurityGroup]);
    expect(stack.resolve(renderDataSource(config.dataSource))).toEqual({
      FileSystemDataSource: { FileSystemId: { Ref: expect.stringMatching(/^StorageFileSystem/) }, FileSystemType: 'EFS', DirectoryPath: '/training', FileSystemAccessMode: 'ro' },
    });
  });

  test('binding checks the directory and the prefix, and names the construct that binds', () => {
    const { stack, network, bucket } = setup();
    const storage = new EfsTrainingStorage(stack, 'Storage', { vpc: network.vpc });
    expect(() => TrainingInput.fromEfs(storage, { directoryPath: 'train' }).bind(storage))
      .toThrow('Train/Storage: `directoryPath` must be an absolute path such as \'/data\' (starting with \'/\', no trailing \'/\', no empty, \'.\' or \'..\' segments), got \'train\'');
    expect(() => TrainingInput.fromS3(bucket, { prefix: 'train' }).bind(Stack.of(bucket)))
      .toThrow('Train: `prefix` must be a relative S3 key prefix ending with \'/\' (no leading \'/\', no \'s3://\', no empty, \'.\' or \'..\' segments), or \'\' for the whole bucket, got \'train\'');
  });

  test('storage provides file systems and training consumes them: lib/storage imports nothing from lib/training', () => {
    const storage = path.join(__dirname, '..', '..', 'lib', 'storage');
    const imports = fs.readdirSync(storage).filter(file => file.endsWith('.ts'))
      .filter(file => /from '\.\.\/training\//.test(fs.readFileSync(path.join(storage, file), 'utf-8')));
    expect(imports).toEqual([]);
  });
});
