import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { checkAbsolutePath, checkRelativePrefix } from '../core/paths';
import { IEfsTrainingStorage } from '../storage/efs-training-storage';
import { IDataLakeZone, ObjectLocation, objectLocation } from '../storage/data-lake-zone';
import { ILustreTrainingStorage } from '../storage/lustre-training-storage';

/**
 * How a SageMaker training job reads an S3 channel.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html
 */
export enum S3InputMode {
  /** Copies the whole channel to the instance's EBS volume before training starts. */
  FILE = 'File',
  /** Presents the objects as files and streams them on first read: training starts at once. */
  FAST_FILE = 'FastFile',
  /** Streams the objects through a Unix pipe; the algorithm must read pipes. */
  PIPE = 'Pipe',
}

/** The `S3DataSource` of a channel: every object under one prefix. */
export interface TrainingS3DataSource {
  /** `s3://<bucket>/<prefix>`. */
  readonly s3Uri: string;
  /** The bucket and key the objects are read from. */
  readonly location: ObjectLocation;
  /** The key prefix, relative, ending with `/` (or '' for the whole bucket). */
  readonly prefix: string;
}

/** The `FileSystemDataSource` of a channel: a directory of a file system the job mounts. */
export interface TrainingFileSystemDataSource {
  /** `EFS` or `FSxLustre`. */
  readonly fileSystemType: 'EFS' | 'FSxLustre';
  /** The file system's id. */
  readonly fileSystemId: string;
  /** The directory SageMaker mounts (for FSx for Lustre, it starts with the mount name). */
  readonly directoryPath: string;
  /** `ro` or `rw`. */
  readonly accessMode: 'ro' | 'rw';
  /**
   * The file system resource, for the data-flow diagram (data read over NFS or Lustre is in no IAM policy).
   *
   * @default - not drawn
   */
  readonly resource?: IConstruct;
}

/** One of the two data sources of a channel. */
export interface TrainingDataSource {
  /**
   * An S3 prefix.
   *
   * @default - not an S3 channel
   */
  readonly s3?: TrainingS3DataSource;
  /**
   * A file-system directory.
   *
   * @default - not a file-system channel
   */
  readonly fileSystem?: TrainingFileSystemDataSource;
}

/** What a {@link TrainingInput} gives the launcher that binds it. */
export interface TrainingInputConfig {
  /** The channel name the algorithm reads, such as `train`. */
  readonly channelName: string;
  /** `File`, `FastFile` or `Pipe` (file systems: `File`). */
  readonly inputMode: string;
  /** Where the channel's data is. */
  readonly dataSource: TrainingDataSource;
  /**
   * The MIME type of the data.
   *
   * @default - none
   */
  readonly contentType?: string;
  /** A short name of the storage, such as `S3 FastFile` or `FSx for Lustre`, for comparisons. */
  readonly storageLabel: string;
  /**
   * The subnets the job must run in to reach the input (a file system's mount targets).
   *
   * @default - any subnet of the job's VPC
   */
  readonly subnets?: ec2.ISubnet[];
  /**
   * Security groups the job must carry to reach the input (a file system admits them).
   *
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** The permissions the job's execution role needs to read the input (S3 and KMS; none for a file system). */
  readonly readStatements: iam.PolicyStatement[];
}

/** Options of {@link TrainingInput.fromS3}. */
export interface S3TrainingInputOptions {
  /**
   * The key prefix of the channel's objects, relative, ending with `/`.
   *
   * @default 'train/'
   */
  readonly prefix?: string;
  /**
   * How the job reads the objects.
   *
   * @default S3InputMode.FILE
   */
  readonly inputMode?: S3InputMode;
  /**
   * The channel name.
   *
   * @default 'train'
   */
  readonly channelName?: string;
  /**
   * The MIME type of the data.
   *
   * @default 'text/csv'
   */
  readonly contentType?: string;
}

/** Options of {@link TrainingInput.fromLustre} and {@link TrainingInput.fromEfs}. */
export interface FileSystemTrainingInputOptions {
  /**
   * The channel name.
   *
   * @default 'train'
   */
  readonly channelName?: string;
  /**
   * The directory to read, absolute in the file system.
   *
   * @default - the storage's `trainingDataPath`
   */
  readonly directoryPath?: string;
  /**
   * Whether the job may write to the directory.
   *
   * @default false
   */
  readonly writable?: boolean;
  /**
   * The MIME type of the data.
   *
   * @default 'text/csv'
   */
  readonly contentType?: string;
}

/**
 * One input channel of a SageMaker training job (the `Channel` of `CreateTrainingJob`): an S3
 * prefix, or a directory of an FSx for Lustre or EFS file system the job mounts. A launcher binds
 * it, which checks the options and says what the job needs to read it: the subnets and security
 * groups of a file system, the IAM statements of an S3 prefix.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Channel.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FileSystemDataSource.html
 */
export abstract class TrainingInput {
  /**
   * An S3 channel: every object under `options.prefix` of a lake zone or a bucket. The execution
   * role may list the bucket under the prefix, read its objects and decrypt them with the zone's
   * (or bucket's) key.
   */
  public static fromS3(location: IDataLakeZone | s3.IBucket, options: S3TrainingInputOptions = {}): TrainingInput {
    return new S3TrainingInput(objectLocation(location), options);
  }

  /**
   * A directory of an FSx for Lustre file system (a `LustreTrainingStorage`), mounted in `File`
   * mode: `FileSystemDataSource` of type `FSxLustre`, whose directory path starts with the file
   * system's mount name. The job runs in the file system's subnet, with its training security group.
   */
  public static fromLustre(storage: ILustreTrainingStorage, options: FileSystemTrainingInputOptions = {}): TrainingInput {
    return new FileSystemTrainingInput(options, {
      fileSystemType: 'FSxLustre',
      fileSystemId: storage.fileSystemId,
      storageLabel: 'FSx for Lustre',
      resource: asConstruct(storage.fileSystem),
      subnets: [storage.subnet],
      securityGroup: storage.trainingSecurityGroup,
      defaultDirectory: storage.trainingDataPath,
      // SageMaker mounts `/<mount name>/<directory>`: the root is `/<mount name>`.
      directoryPath: directory => `/${storage.mountName}${directory === '/' ? '' : directory}`,
    });
  }

  /**
   * A directory of an EFS file system (an `EfsTrainingStorage`), mounted in `File` mode:
   * `FileSystemDataSource` of type `EFS`. The job runs in the mount targets' subnets, with the
   * training security group.
   */
  public static fromEfs(storage: IEfsTrainingStorage, options: FileSystemTrainingInputOptions = {}): TrainingInput {
    return new FileSystemTrainingInput(options, {
      fileSystemType: 'EFS',
      fileSystemId: storage.fileSystem.fileSystemId,
      storageLabel: 'EFS',
      resource: storage.fileSystem,
      subnets: storage.subnets,
      securityGroup: storage.trainingSecurityGroup,
      defaultDirectory: storage.trainingDataPath,
      directoryPath: directory => directory,
    });
  }

  /**
   * @param channelName the channel name the algorithm reads, such as `train`
   */
  protected constructor(public readonly channelName: string) {}

  /**
   * Checks the options (errors name `scope`'s path) and returns what the job needs to read the
   * channel.
   */
  public abstract bind(scope: Construct): TrainingInputConfig;
}

class S3TrainingInput extends TrainingInput {
  constructor(private readonly location: ObjectLocation, private readonly options: S3TrainingInputOptions) {
    super(options.channelName ?? 'train');
  }

  public bind(scope: Construct): TrainingInputConfig {
    const { bucket, encryptionKey } = this.location;
    const prefix = this.options.prefix ?? 'train/';
    checkRelativePrefix(scope, 'prefix', prefix);
    const inputMode = this.options.inputMode ?? S3InputMode.FILE;
    const readStatements = [
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    ];
    if (encryptionKey) {
      readStatements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [encryptionKey.keyArn] }));
    }
    return {
      channelName: this.channelName,
      inputMode,
      contentType: this.options.contentType ?? 'text/csv',
      storageLabel: `S3 ${inputMode}`,
      dataSource: { s3: { s3Uri: bucket.s3UrlForObject(prefix), location: this.location, prefix } },
      readStatements,
    };
  }
}

/** What a file system tells {@link FileSystemTrainingInput} about itself. */
interface FileSystemTarget {
  readonly fileSystemType: 'EFS' | 'FSxLustre';
  readonly fileSystemId: string;
  readonly storageLabel: string;
  readonly resource?: IConstruct;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  readonly defaultDirectory: string;
  /** The `DirectoryPath` SageMaker mounts for a directory of the file system. */
  readonly directoryPath: (directory: string) => string;
}

class FileSystemTrainingInput extends TrainingInput {
  constructor(private readonly options: FileSystemTrainingInputOptions, private readonly target: FileSystemTarget) {
    super(options.channelName ?? 'train');
  }

  public bind(scope: Construct): TrainingInputConfig {
    const directory = this.options.directoryPath ?? this.target.defaultDirectory;
    checkAbsolutePath(scope, 'directoryPath', directory);
    return {
      channelName: this.channelName,
      inputMode: 'File',
      contentType: this.options.contentType ?? 'text/csv',
      storageLabel: this.target.storageLabel,
      dataSource: {
        fileSystem: {
          fileSystemType: this.target.fileSystemType,
          fileSystemId: this.target.fileSystemId,
          directoryPath: this.target.directoryPath(directory),
          accessMode: this.options.writable ? 'rw' : 'ro',
          resource: this.target.resource,
        },
      },
      subnets: this.target.subnets,
      securityGroups: [this.target.securityGroup],
      readStatements: [],
    };
  }
}

/** The `DataSource` of a channel, in the shape of the `CreateTrainingJob` API. */
export function renderDataSource(source: TrainingDataSource): Record<string, unknown> {
  if (source.fileSystem) {
    return {
      FileSystemDataSource: {
        FileSystemId: source.fileSystem.fileSystemId,
        FileSystemType: source.fileSystem.fileSystemType,
        DirectoryPath: source.fileSystem.directoryPath,
        FileSystemAccessMode: source.fileSystem.accessMode,
      },
    };
  }
  return { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: source.s3!.s3Uri, S3DataDistributionType: 'FullyReplicated' } };
}

function asConstruct(x: unknown): IConstruct | undefined {
  return Construct.isConstruct(x) ? x : undefined;
}
