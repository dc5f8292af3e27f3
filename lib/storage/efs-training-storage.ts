import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger, checkLength } from '../core/validation';
import { Rehearsal } from '../rehearsal/expectations';
import { FileSystemTrainingInputOptions, TrainingInput, checkAbsolutePath, fileSystemTrainingInput } from '../training/training-input';

/** A user or team with its own directory (an EFS access point) on an {@link EfsTrainingStorage}. */
export interface EfsWorkspace {
  /** A name unique in the file system: lower-case letters, digits, `_` or `-`. */
  readonly name: string;
  /** The POSIX user id every request through the access point uses (not 0: root). */
  readonly uid: number;
  /** The POSIX group id every request through the access point uses. */
  readonly gid: number;
  /**
   * The directory, created on first use, owned by `uid`/`gid` with mode 0750: an absolute path of
   * 1 to 4 directories, at most 100 characters, none starting with `.`, without `$#<>;\`|&?{}^*`.
   *
   * @default `/home/<name>`
   */
  readonly path?: string;
}

/** Properties of an {@link EfsTrainingStorage}. */
export interface EfsTrainingStorageProps extends DataRetentionProps {
  /** The VPC (use `PrivateNetwork`). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the mount targets (one per AZ).
   *
   * @default - the isolated subnets of `vpc`, or else its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The key that encrypts the file system.
   *
   * @default - a new rotating key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Users' and teams' directories, one access point each.
   *
   * @default - none
   */
  readonly workspaces?: EfsWorkspace[];
  /**
   * The directory that holds training data, which training jobs read.
   *
   * @default '/training'
   */
  readonly trainingDataPath?: string;
  /**
   * When files not read for a while move to the Infrequent Access class.
   *
   * @default efs.LifecyclePolicy.AFTER_30_DAYS
   */
  readonly transitionToInfrequentAccess?: efs.LifecyclePolicy;
  /**
   * The security group of the training jobs that mount the file system.
   *
   * @default - a new security group
   */
  readonly trainingSecurityGroup?: ec2.ISecurityGroup;
  /**
   * The security group of the notebooks (SageMaker Studio, notebook instances) that mount it.
   *
   * @default - a new security group
   */
  readonly notebookSecurityGroup?: ec2.ISecurityGroup;
}

/** POSIX ids are unsigned 32-bit integers. */
const MAX_POSIX_ID = 4_294_967_295;

/**
 * Amazon EFS for training input and for data scientists' shared home directories.
 *
 * EFS is an elastic NFS file system reachable from every AZ of a VPC. The notes' scenario: data
 * scientists iterate in notebooks on files in their EFS home directories, then start a training
 * job that mounts the same file system (`FileSystemDataSource`, type `EFS`), with no copy to S3
 * and no download before training.
 *
 * Choices and why:
 * - Encrypted with a customer-managed key; mount targets in the private subnets; NFS (TCP 2049)
 *   admitted only from the training and the notebook security groups.
 * - One access point per user or team: it forces the POSIX identity of every request and roots
 *   the client in the workspace's directory, created on first use with mode 0750.
 * - Elastic throughput (billed per GB transferred, nothing at idle) and files not read for
 *   30 days moved to Infrequent Access (about 95 % cheaper per GB-month: 0.016 against 0.30 USD), back to Standard on
 *   the first read.
 * - Automatic backups (AWS Backup, 35 days), because home directories are originals, not copies.
 * - No file system policy, so EFS applies its default one: full access for any client that reaches
 *   a mount target, which the security group limits to the training and notebook groups. A policy
 *   that refuses anonymous clients (what CDK writes under `@aws-cdk/aws-efs:denyAnonymousAccess`:
 *   write and root access for `*` through a mount target, nothing for clients that mount without
 *   IAM) would refuse the training jobs: SageMaker mounts a `FileSystemDataSource` over plain NFS,
 *   with no IAM identity (the API has no option for IAM authorization, TLS or an access point), and
 *   EFS evaluates such a client as anonymous once a file system policy is in effect.
 *
 * Cost at idle: storage only, about 0.30 USD per GB-month in Standard and 0.016 in Infrequent
 * Access (us-east-1), plus 1 USD a month for the key; an empty file system costs only the key.
 *
 * @see https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html
 * @see https://docs.aws.amazon.com/efs/latest/ug/network-access.html
 * @see https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html (default policy, anonymous clients)
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FileSystemDataSource.html
 */
export class EfsTrainingStorage extends Construct {
  /** The file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The access points, by workspace name. */
  public readonly accessPoints: Record<string, efs.AccessPoint> = {};
  /** The security group training jobs carry to mount the file system. */
  public readonly trainingSecurityGroup: ec2.ISecurityGroup;
  /** The security group notebooks carry to mount the file system. */
  public readonly notebookSecurityGroup: ec2.ISecurityGroup;
  /** The key that encrypts the file system. */
  public readonly encryptionKey: kms.IKey;
  /** The training data directory. */
  public readonly trainingDataPath: string;
  private readonly subnets: ec2.ISubnet[];

  constructor(scope: Construct, id: string, props: EfsTrainingStorageProps) {
    super(scope, id);
    this.trainingDataPath = props.trainingDataPath ?? '/training';
    checkAbsolutePath(this, 'trainingDataPath', this.trainingDataPath);
    const workspaces = props.workspaces ?? [];
    workspaces.forEach((workspace, index) => this.validateWorkspace(`workspaces[${index}]`, workspace));
    const names = workspaces.map(workspace => workspace.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    check(duplicate === undefined, this, 'workspaces[].name', duplicate, 'must be unique in the file system');

    const selection = props.vpcSubnets ?? { subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.subnets = props.vpc.selectSubnets(selection).subnets;
    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the EFS file system ${this.node.path}`, props);
    this.trainingSecurityGroup = props.trainingSecurityGroup ?? new ec2.SecurityGroup(this, 'TrainingSecurityGroup', {
      vpc: props.vpc,
      description: `Training jobs that mount ${this.node.path}`,
      allowAllOutbound: true,
    });
    this.notebookSecurityGroup = props.notebookSecurityGroup ?? new ec2.SecurityGroup(this, 'NotebookSecurityGroup', {
      vpc: props.vpc,
      description: `Notebooks that mount ${this.node.path}`,
      allowAllOutbound: true,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `EFS ${this.node.path}: NFS from training jobs and notebooks only`,
      allowAllOutbound: false,
    });
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: selection,
      securityGroup,
      encrypted: true,
      kmsKey: this.encryptionKey,
      throughputMode: efs.ThroughputMode.ELASTIC,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      lifecyclePolicy: props.transitionToInfrequentAccess ?? efs.LifecyclePolicy.AFTER_30_DAYS,
      outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      enableAutomaticBackups: true,
      // SageMaker mounts without IAM authorization: see the class doc.
      allowAnonymousAccess: true,
      removalPolicy: dataRemovalPolicy(props),
    });
    this.fileSystem.connections.allowDefaultPortFrom(this.trainingSecurityGroup, 'NFS from training jobs');
    this.fileSystem.connections.allowDefaultPortFrom(this.notebookSecurityGroup, 'NFS from notebooks');
    workspaces.forEach(workspace => this.addWorkspace(workspace));
    const source = 'https://docs.aws.amazon.com/efs/latest/ug/network-access.html';
    Rehearsal.of(this).connects(
      { description: 'training jobs mount the file system (NFS)', from: this.trainingSecurityGroup, to: this.fileSystem, port: ec2.Port.tcp(2049), source },
      { description: 'notebooks mount the file system (NFS)', from: this.notebookSecurityGroup, to: this.fileSystem, port: ec2.Port.tcp(2049), source },
    );
    DataFlow.node(this, 'FileSystemNode', { label: 'EFS file system', detail: this.node.id, stage: DataFlowStage.STORAGE, resources: [this.fileSystem] });
  }

  /**
   * Adds a user's or team's directory: an access point that forces `uid`/`gid` and roots the
   * client in the directory. Mount it with `-o tls,accesspoint=<id>`.
   */
  public addWorkspace(workspace: EfsWorkspace): efs.AccessPoint {
    this.validateWorkspace('workspace', workspace);
    check(this.accessPoints[workspace.name] === undefined, this, 'workspace.name', workspace.name, 'must be unique in the file system');
    const accessPoint = this.fileSystem.addAccessPoint(`Workspace-${workspace.name}`, {
      path: workspace.path ?? `/home/${workspace.name}`,
      posixUser: { uid: String(workspace.uid), gid: String(workspace.gid) },
      createAcl: { ownerUid: String(workspace.uid), ownerGid: String(workspace.gid), permissions: '750' },
    });
    this.accessPoints[workspace.name] = accessPoint;
    return accessPoint;
  }

  /**
   * The training input that mounts this file system: `FileSystemDataSource` of type `EFS`, in
   * `File` mode, with the mount targets' subnets and the training security group.
   */
  public trainingInput(options: FileSystemTrainingInputOptions = {}): TrainingInput {
    const directoryPath = options.directoryPath ?? this.trainingDataPath;
    checkAbsolutePath(this, 'directoryPath', directoryPath);
    return fileSystemTrainingInput({
      fileSystemType: 'EFS',
      fileSystemId: this.fileSystem.fileSystemId,
      directoryPath,
      storageLabel: 'EFS',
      fileSystem: this.fileSystem,
      subnets: this.subnets,
      securityGroup: this.trainingSecurityGroup,
    }, options);
  }

  private validateWorkspace(prop: string, workspace: EfsWorkspace): void {
    check(/^[a-z][a-z0-9_-]{0,31}$/.test(workspace.name), this, `${prop}.name`, workspace.name,
      'must be 1 to 32 lower-case letters, digits, _ or -, starting with a letter');
    checkInteger(this, `${prop}.uid`, workspace.uid, { min: 1, max: MAX_POSIX_ID, why: 'a POSIX user id other than 0: an access point that forces root would bypass every file permission' });
    checkInteger(this, `${prop}.gid`, workspace.gid, { min: 0, max: MAX_POSIX_ID, why: 'a POSIX group id' });
    if (workspace.path !== undefined) {
      checkAbsolutePath(this, `${prop}.path`, workspace.path);
      check(workspace.path !== '/', this, `${prop}.path`, workspace.path, 'must not be the root: a workspace is one directory');
      this.validateAccessPointPath(`${prop}.path`, workspace.path);
    }
  }

  /**
   * An access point's root directory: at most 100 characters and 4 directories, none starting with
   * `.` or containing `$ # < > ; \` | & ? { } ^ *`.
   *
   * @see https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html
   */
  private validateAccessPointPath(prop: string, path: string): void {
    checkLength(this, prop, path, { max: 100, why: 'EFS access point root directories' });
    const directories = path.split('/').slice(1);
    check(directories.length <= 4, this, prop, path, 'must have at most 4 directories (EFS access point root directories)');
    const bad = directories.find(directory => directory.startsWith('.') || /[$#<>;`|&?{}^*]/.test(directory));
    check(bad === undefined, this, prop, path, `must not have a directory that starts with '.' or contains $ # < > ; \` | & ? { } ^ * (EFS access points reject '${bad}')`);
  }
}
