import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { check, checkLength } from '../core/validation';

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

/**
 * One input channel of a SageMaker training job, with what the job needs to read it: the
 * `Channel` of `CreateTrainingJob` (its `DataSource` in the API's own shape), the subnets and
 * security groups a file-system input must be reached from, and the IAM statements the job's
 * execution role needs for an S3 input.
 *
 * Build one with {@link TrainingInputs.fromS3}, `LustreTrainingStorage.trainingInput()` or
 * `EfsTrainingStorage.trainingInput()`.
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Channel.html
 */
export interface TrainingInput {
  /** The channel name the algorithm reads, such as `train`. */
  readonly channelName: string;
  /** `File`, `FastFile` or `Pipe` (file systems: `File`). */
  readonly inputMode: string;
  /** The channel's `DataSource`: `S3DataSource` or `FileSystemDataSource`. */
  readonly dataSource: Record<string, unknown>;
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
  /** The permissions the job's execution role needs to read the input (S3 and KMS). */
  readonly readStatements: iam.PolicyStatement[];
  /**
   * The S3 location an S3 input reads, so that the launcher can declare the job's reads for the
   * deploy rehearsal.
   *
   * @default - not an S3 input
   */
  readonly s3Location?: TrainingInputS3Location;
  /**
   * The file system the job mounts, for the data-flow diagram (data read over NFS or Lustre is
   * in no IAM policy).
   *
   * @default - none (S3 input)
   */
  readonly fileSystem?: IConstruct;
}

/** The bucket and key prefix of an S3 training input. */
export interface TrainingInputS3Location {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /** The key prefix, relative, ending with `/` (or '' for the whole bucket). */
  readonly prefix: string;
}

/** Options of a file system's `trainingInput()` (EFS, FSx for Lustre). */
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
   * @default - the file system's training data directory
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

/** What a file system tells {@link fileSystemTrainingInput} about itself. */
export interface FileSystemInputTarget {
  /** `EFS` or `FSxLustre`. */
  readonly fileSystemType: 'EFS' | 'FSxLustre';
  /** The file system's id. */
  readonly fileSystemId: string;
  /** The directory path SageMaker mounts (for FSx for Lustre it starts with the mount name). */
  readonly directoryPath: string;
  /** A short name of the storage. */
  readonly storageLabel: string;
  /** The subnets the job must run in. */
  readonly subnets: ec2.ISubnet[];
  /** The security group the file system admits. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The file system construct (its default child is the CloudFormation resource). */
  readonly fileSystem: IConstruct;
}

/** A `File`-mode training input that mounts a file system (`FileSystemDataSource`). */
export function fileSystemTrainingInput(target: FileSystemInputTarget, options: FileSystemTrainingInputOptions): TrainingInput {
  return {
    channelName: options.channelName ?? 'train',
    inputMode: 'File',
    contentType: options.contentType ?? 'text/csv',
    storageLabel: target.storageLabel,
    fileSystem: target.fileSystem,
    dataSource: {
      FileSystemDataSource: {
        FileSystemId: target.fileSystemId,
        FileSystemType: target.fileSystemType,
        DirectoryPath: target.directoryPath,
        FileSystemAccessMode: options.writable ? 'rw' : 'ro',
      },
    },
    subnets: target.subnets,
    securityGroups: [target.securityGroup],
    readStatements: [],
  };
}

/** Options of {@link TrainingInputs.fromS3}. */
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

/** Training inputs that need no storage construct. */
export class TrainingInputs {
  /**
   * An S3 channel: every object under `prefix` of `bucket`. The execution role may list the
   * bucket under the prefix, read its objects and decrypt them with the bucket's key.
   *
   * @param scope the construct that reports bad input
   */
  public static fromS3(scope: IConstruct, bucket: s3.IBucket, options: S3TrainingInputOptions = {}): TrainingInput {
    const prefix = options.prefix ?? 'train/';
    checkRelativePrefix(scope, 'prefix', prefix);
    const inputMode = options.inputMode ?? S3InputMode.FILE;
    const readStatements = [
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    ];
    if (bucket.encryptionKey) {
      readStatements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [bucket.encryptionKey.keyArn] }));
    }
    return {
      channelName: options.channelName ?? 'train',
      inputMode,
      contentType: options.contentType ?? 'text/csv',
      storageLabel: `S3 ${inputMode}`,
      dataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: bucket.s3UrlForObject(prefix),
          S3DataDistributionType: 'FullyReplicated',
        },
      },
      readStatements,
      s3Location: { bucket, prefix },
    };
  }
}

/**
 * Checks an S3 key prefix: relative (no leading `/`, no `s3://`), no `.` or `..` segments, and
 * ending with `/` unless empty (the whole bucket); at most 1,024 bytes, the longest S3 key.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
export function checkRelativePrefix(scope: IConstruct, prop: string, prefix: string): void {
  const segments = prefix.split('/').slice(0, -1);
  const ok = prefix === '' || (!prefix.startsWith('/') && !prefix.includes('://') && prefix.endsWith('/')
    && segments.every(segment => segment !== '' && segment !== '.' && segment !== '..'));
  check(ok, scope, prop, prefix,
    "must be a relative S3 key prefix ending with '/' (no leading '/', no 's3://', no empty, '.' or '..' segments), or '' for the whole bucket");
  check(Buffer.byteLength(prefix, 'utf8') <= 1024, scope, prop, prefix, 'must be at most 1024 bytes of UTF-8 (S3 keys are at most 1,024 bytes)');
}

/**
 * Checks an absolute directory path: starts with `/`, no empty, `.` or `..` segments, no trailing
 * `/` (except `/`), no line breaks, at most 4,096 characters (SageMaker's `DirectoryPath` and
 * FSx's `FileSystemPath`).
 *
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FileSystemDataSource.html
 * @see https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateDataRepositoryAssociation.html
 */
export function checkAbsolutePath(scope: IConstruct, prop: string, path: string): void {
  const segments = path.split('/').slice(1);
  const ok = path === '/' || (path.startsWith('/') && segments.every(segment => segment !== '' && segment !== '.' && segment !== '..'));
  check(ok, scope, prop, path, "must be an absolute path such as '/data' (starting with '/', no trailing '/', no empty, '.' or '..' segments)");
  check(!/[\u0000\r\n\u0085\u2028\u2029]/.test(path), scope, prop, path, 'must not contain line breaks or NUL characters');
  checkLength(scope, prop, path, { max: 4096, why: 'directory paths of SageMaker and FSx' });
}
