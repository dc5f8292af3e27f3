import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataFlow, DataFlowKind, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { createDataKey } from '../core/secure-bucket';
import { check, checkCount } from '../core/validation';
import { OTHER_ACCOUNT, viaS3 } from '../rehearsal/common-calls';
import { Rehearsal } from '../rehearsal/expectations';
import { FileSystemTrainingInputOptions, TrainingInput, checkAbsolutePath, checkRelativePrefix, fileSystemTrainingInput } from '../training/training-input';

/** An S3 change that FSx for Lustre imports from or exports to a linked bucket. */
export enum LustreRepositoryEvent {
  /** New objects (import) or files (export). */
  NEW = 'NEW',
  /** Changed objects or files. */
  CHANGED = 'CHANGED',
  /** Deleted objects or files. */
  DELETED = 'DELETED',
}

/** One S3 location linked to a {@link LustreTrainingStorage}. */
export interface LustreDataRepository {
  /** The bucket (for a data lake zone: `zone.bucket`). Its KMS key, if any, is opened to FSx. */
  readonly bucket: s3.IBucket;
  /**
   * The linked key prefix, relative, ending with `/`.
   *
   * @default '' (the whole bucket)
   */
  readonly prefix?: string;
  /**
   * Where the prefix appears in the file system (PERSISTENT_2 only, whose links are data
   * repository associations). Other types show the linked prefix at the file system's root.
   *
   * @default '/data' for PERSISTENT_2
   */
  readonly fileSystemPath?: string;
  /**
   * Which S3 changes the file system imports automatically (file listings; contents are
   * lazy-loaded on first read). SCRATCH_2 and PERSISTENT_1 accept `[]`, `[NEW]`,
   * `[NEW, CHANGED]` or `[NEW, CHANGED, DELETED]` (their auto-import policies).
   *
   * @default [NEW, CHANGED, DELETED]
   */
  readonly autoImport?: LustreRepositoryEvent[];
  /**
   * Which file changes the file system exports to S3 automatically (PERSISTENT_2 only).
   *
   * @default [] (nothing is exported: training only reads)
   */
  readonly autoExport?: LustreRepositoryEvent[];
}

/** Properties of a {@link LustreTrainingStorage}. */
export interface LustreTrainingStorageProps extends DataRetentionProps {
  /** The VPC (use `PrivateNetwork`). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnet of the file system (one AZ); training jobs run in the same subnet.
   *
   * @default - the first isolated subnet, or else the first private subnet, of `vpc`
   */
  readonly subnet?: ec2.ISubnet;
  /**
   * The deployment type.
   *
   * @default fsx.LustreDeploymentType.SCRATCH_2
   */
  readonly deploymentType?: fsx.LustreDeploymentType;
  /**
   * The storage capacity, GiB.
   *
   * @default 1200 (the smallest)
   */
  readonly storageCapacityGiB?: number;
  /**
   * Throughput per TiB of storage, MB/s (persistent types only).
   *
   * @default - 50 for PERSISTENT_1, 125 for PERSISTENT_2
   */
  readonly perUnitStorageThroughput?: number;
  /** The linked S3 locations: exactly one, or for PERSISTENT_2 one to eight. */
  readonly dataRepositories: LustreDataRepository[];
  /**
   * The key that encrypts a persistent file system (scratch file systems are always encrypted
   * with keys FSx manages and accept none).
   *
   * @default - a new rotating key for persistent types
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The security group of the clients (training jobs) that may mount the file system.
   *
   * @default - a new security group
   */
  readonly trainingSecurityGroup?: ec2.ISecurityGroup;
}

/** A file system has at most 8 data repository associations. */
const MAX_ASSOCIATIONS = 8;

/**
 * The Lustre ports: 988 and 1018–1023 (TCP).
 *
 * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html
 */
const LUSTRE_PORTS = [ec2.Port.tcp(988), ec2.Port.tcpRange(1018, 1023)];
const LUSTRE_SG_SOURCE = 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html';
/** FSx checks the file system's security groups when it creates it (the "port 988" failure). */
const CANNOT_CREATE_SOURCE = 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/cannot-create-fs.html';
/** FSx's S3 service-linked role uses a bucket's KMS key only if the key policy lets it. */
const SSE_KMS_SOURCE = 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/s3-server-side-encryption-support.html';

/**
 * Amazon FSx for Lustre linked to an S3 location, for training input that is read many times.
 *
 * FSx for Lustre is a parallel file system whose contents can be lazy-loaded from S3: the file
 * system lists the linked objects at once, the first read of a file copies it from S3, and every
 * later read (the next epoch, the next job) is served at file-system speed. SageMaker mounts it
 * into the training container (`FileSystemDataSource`, `FSxLustre`), so a job starts without
 * downloading its data set, unlike S3 `File` mode.
 *
 * Choices and why:
 * - SCRATCH_2 by default: the cheapest, for data that S3 keeps anyway (no replication; a failed
 *   server loses its cached copy, which is re-read from S3). PERSISTENT_2 replicates within the
 *   AZ, encrypts with our KMS key and links through `AWS::FSx::DataRepositoryAssociation`s with
 *   import and export policies; PERSISTENT_1 links through import/export paths.
 * - One subnet (FSx for Lustre lives in one AZ); training jobs are placed in the same subnet.
 * - A security group that admits Lustre (TCP 988 and 1018–1023) only from itself (the file
 *   servers talk to each other) and from the training security group, which in turn admits Lustre
 *   from the file servers and from itself (clients talk to each other), as the FSx guide lists for
 *   servers and clients. Rules go through `connections`, so a training security group whose egress
 *   is restricted gets the matching outbound rules. The file system depends on its security group
 *   and every rule of it: FSx checks the rules when it creates the file system and fails with
 *   "security groups do not permit Lustre LNET network traffic on port 988" if CloudFormation
 *   has not created them yet.
 * - A KMS-encrypted bucket's key gets the statement FSx's SSE-KMS page gives for all file systems
 *   of the account: any principal whose ARN is one of FSx's S3 service-linked roles
 *   (`AWSServiceRoleForFSxS3Access_<fs-id>`, named after a file system id that does not exist
 *   before the file system), from this account, through S3. The account
 *   root as principal would grant nothing: it only delegates to IAM policies, and the
 *   service-linked role's policy has no KMS permission. This works when the key is defined in the
 *   same app; an imported key's policy must be changed by its owner.
 * - Automatic import: FSx writes an event notification named `FSx` (`s3:ObjectCreated:*`,
 *   `s3:ObjectRemoved:*`, to an SNS topic of its own) into the linked bucket's notification
 *   configuration. The library's buckets declare only `EventBridgeConfiguration` there, which
 *   does not overlap; but a later stack update that changes the bucket's `NotificationConfiguration`
 *   replaces the whole configuration and removes FSx's, and the link becomes Misconfigured
 *   (auto-import stops, the file system keeps serving what it has). After such an update, re-apply
 *   the import policy: `aws fsx update-file-system --file-system-id <id> --lustre-configuration
 *   AutoImportPolicy=<policy>` (`update-data-repository-association` for PERSISTENT_2). Do not add
 *   queue, topic or Lambda notifications on `s3:ObjectCreated:*`/`s3:ObjectRemoved:*` to a linked
 *   bucket: FSx rejects overlapping event types.
 *
 * Cost at idle: it bills for provisioned storage all the time, about 0.14 USD per GB-month for
 * SCRATCH_2 (1.2 TiB ≈ 168 USD a month, about 0.23 USD an hour) and 0.145–0.60 USD per
 * GB-month for PERSISTENT_2 depending on throughput (us-east-1 prices). Create it for the
 * training runs and delete it afterwards: the data stays in S3.
 *
 * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/create-dra-linked-data-repo.html
 * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html
 * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/cannot-create-fs.html
 * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/autoimport-data-repo-dra.html (the `FSx` event notification)
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_FileSystemDataSource.html
 */
export class LustreTrainingStorage extends Construct {
  /** The file system. */
  public readonly fileSystem: fsx.LustreFileSystem;
  /** The data repository associations (PERSISTENT_2 only). */
  public readonly dataRepositoryAssociations: fsx.CfnDataRepositoryAssociation[] = [];
  /** The security group of the file system. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The security group training jobs carry to mount the file system. */
  public readonly trainingSecurityGroup: ec2.ISecurityGroup;
  /** The subnet of the file system, where training jobs run. */
  public readonly subnet: ec2.ISubnet;
  /** The key of a persistent file system. */
  public readonly encryptionKey?: kms.IKey;
  /** The deployment type. */
  public readonly deploymentType: fsx.LustreDeploymentType;
  private readonly defaultDirectory: string;

  constructor(scope: Construct, id: string, props: LustreTrainingStorageProps) {
    super(scope, id);
    const deploymentType = props.deploymentType ?? fsx.LustreDeploymentType.SCRATCH_2;
    this.deploymentType = deploymentType;
    const persistent = deploymentType === fsx.LustreDeploymentType.PERSISTENT_1 || deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
    const linkedByAssociation = deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
    const storageCapacityGiB = props.storageCapacityGiB ?? 1200;
    this.validateStorageCapacity(deploymentType, storageCapacityGiB);
    const perUnitStorageThroughput = this.validatePerUnitStorageThroughput(deploymentType, props.perUnitStorageThroughput);
    this.validateDataRepositories(deploymentType, props.dataRepositories);
    check(persistent || props.encryptionKey === undefined, this, 'encryptionKey', props.encryptionKey?.node.path,
      `cannot be used with ${deploymentType} (scratch file systems are always encrypted with keys FSx manages)`);

    const subnet = props.subnet ?? props.vpc.isolatedSubnets[0] ?? props.vpc.privateSubnets[0];
    check(subnet !== undefined, this, 'vpc', 'a VPC with public subnets only', 'must have an isolated or private subnet (FSx for Lustre must not be in a public subnet)');
    this.subnet = subnet;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `FSx for Lustre ${this.node.path}: Lustre traffic from itself and training jobs only`,
      allowAllOutbound: true,
    });
    this.trainingSecurityGroup = props.trainingSecurityGroup ?? new ec2.SecurityGroup(this, 'TrainingSecurityGroup', {
      vpc: props.vpc,
      description: `Training jobs that mount ${this.node.path}`,
      allowAllOutbound: true,
    });
    for (const port of LUSTRE_PORTS) {
      allowWithinGroup(this.securityGroup, port, 'Lustre between the file servers');
      this.securityGroup.connections.allowFrom(this.trainingSecurityGroup, port, 'Lustre from training jobs');
      this.trainingSecurityGroup.connections.allowFrom(this.securityGroup, port, 'Lustre from the file servers');
      allowWithinGroup(this.trainingSecurityGroup, port, 'Lustre between clients');
    }

    this.encryptionKey = persistent
      ? props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the FSx for Lustre file system ${this.node.path}`, props)
      : undefined;
    const repositories = props.dataRepositories;
    const first = repositories[0];
    const importPath = linkedByAssociation ? undefined : first.bucket.s3UrlForObject(first.prefix ?? '');
    this.fileSystem = new fsx.LustreFileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnet: subnet,
      storageCapacityGiB,
      securityGroup: this.securityGroup,
      kmsKey: this.encryptionKey,
      removalPolicy: dataRemovalPolicy(props),
      fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15,
      lustreConfiguration: {
        deploymentType,
        perUnitStorageThroughput,
        importPath,
        autoImportPolicy: linkedByAssociation ? undefined : autoImportPolicy(first.autoImport ?? ALL_EVENTS),
      },
    });

    // The L2 admits 988–1023 from its own security group; Lustre needs only 988 and 1018–1023,
    // which the rules above admit.
    this.securityGroup.node.children
      .filter(child => child instanceof ec2.CfnSecurityGroupIngress && child.fromPort === 988 && child.toPort === 1023)
      .forEach(child => this.securityGroup.node.tryRemoveChild(child.node.id));
    // FSx checks the security group's rules when it creates the file system: every rule of the
    // group (separate AWS::EC2::SecurityGroupIngress resources) must exist first.
    this.fileSystem.node.addDependency(this.securityGroup);

    if (linkedByAssociation) {
      repositories.forEach((repository, index) => {
        this.dataRepositoryAssociations.push(new fsx.CfnDataRepositoryAssociation(this, `DataRepository${index}`, {
          fileSystemId: this.fileSystem.fileSystemId,
          fileSystemPath: repository.fileSystemPath ?? '/data',
          dataRepositoryPath: repository.bucket.s3UrlForObject(repository.prefix ?? ''),
          batchImportMetaDataOnCreate: true,
          s3: {
            autoImportPolicy: { events: repository.autoImport ?? ALL_EVENTS },
            autoExportPolicy: { events: repository.autoExport ?? [] },
          },
        }));
      });
    }
    repositories.forEach(repository => this.openKeyToFsx(repository.bucket));
    const node = DataFlow.node(this, 'FileSystemNode', {
      label: 'FSx for Lustre', detail: this.node.id, stage: DataFlowStage.STORAGE, resources: [this.fileSystem, ...this.dataRepositoryAssociations],
    });
    repositories.forEach(repository => DataFlow.edge(this, {
      from: DataFlow.nodeOf(repository.bucket), to: node, kind: DataFlowKind.DATA,
      description: 'FSx for Lustre loads the linked S3 prefix on first read (and exports back with PERSISTENT_2 associations)',
    }));
    this.defaultDirectory = linkedByAssociation ? first.fileSystemPath ?? '/data' : '';
    this.declareExpectations(repositories);
  }

  /**
   * What AWS does with this file system at deploy and run time: the Lustre flows among servers and
   * clients, the rules before the file system, and FSx's S3 role using each bucket's key through S3.
   */
  private declareExpectations(repositories: LustreDataRepository[]): void {
    const rehearsal = Rehearsal.of(this);
    const [servers, clients] = [this.securityGroup, this.trainingSecurityGroup];
    rehearsal.connects(...LUSTRE_PORTS.flatMap(port => [
      { description: 'Lustre between the file servers', from: servers, to: servers, port, source: LUSTRE_SG_SOURCE },
      { description: 'Lustre from training jobs to the file servers', from: clients, to: servers, port, source: LUSTRE_SG_SOURCE },
      { description: 'Lustre from the file servers to training jobs', from: servers, to: clients, port, source: LUSTRE_SG_SOURCE },
      { description: 'Lustre between training jobs', from: clients, to: clients, port, source: LUSTRE_SG_SOURCE },
    ]));
    rehearsal.createsBefore(...this.securityGroup.node.findAll()
      .filter((child): child is ec2.CfnSecurityGroupIngress => child instanceof ec2.CfnSecurityGroupIngress)
      .map(rule => ({ description: 'FSx checks the Lustre rules of its security group when it creates the file system', first: rule, then: this.fileSystem, source: CANNOT_CREATE_SOURCE })));
    const fsxS3Role = (account: string) => new iam.ArnPrincipal(Stack.of(this).formatArn({
      service: 'iam', region: '', account, resource: 'role', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      resourceName: `aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_${this.fileSystem.fileSystemId}`,
    }));
    repositories.filter(repository => repository.bucket.encryptionKey).forEach(repository => {
      const key = repository.bucket.encryptionKey as kms.IKey;
      const context = viaS3(this);
      rehearsal.allows(...['kms:Decrypt', 'kms:GenerateDataKey'].map(action => ({
        description: `FSx's S3 role ${action === 'kms:Decrypt' ? 'imports' : 'exports'} objects of the linked bucket with its key, through S3`,
        principal: fsxS3Role(Stack.of(this).account), action, resource: key.keyArn, context, source: SSE_KMS_SOURCE,
      })));
      rehearsal.denies({
        description: 'the FSx S3 role of another account decrypts the linked bucket\'s objects',
        principal: fsxS3Role(OTHER_ACCOUNT), action: 'kms:Decrypt', resource: key.keyArn,
        context: { ...context, 'kms:CallerAccount': OTHER_ACCOUNT }, source: SSE_KMS_SOURCE,
      });
    });
  }

  /**
   * The training input that mounts this file system: `FileSystemDataSource` of type
   * `FSxLustre`, whose directory path starts with the file system's mount name, in `File` mode,
   * with the subnet and the security group the job must use.
   */
  public trainingInput(options: FileSystemTrainingInputOptions = {}): TrainingInput {
    if (options.directoryPath !== undefined) {
      checkAbsolutePath(this, 'directoryPath', options.directoryPath);
    }
    const directory = options.directoryPath === '/' ? '' : options.directoryPath ?? this.defaultDirectory;
    return fileSystemTrainingInput({
      fileSystemType: 'FSxLustre',
      fileSystemId: this.fileSystem.fileSystemId,
      directoryPath: `/${this.fileSystem.mountName}${directory}`,
      storageLabel: 'FSx for Lustre',
      fileSystem: this.fileSystem,
      subnets: [this.subnet],
      securityGroup: this.trainingSecurityGroup,
    }, options);
  }

  /**
   * Storage capacity per deployment type: 1,200, 2,400 or a multiple of 2,400 GiB (SCRATCH_2,
   * PERSISTENT_1 SSD, PERSISTENT_2); 1,200, 2,400, 3,600 or a multiple of 3,600 GiB (SCRATCH_1).
   *
   * @see https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html#FSx-CreateFileSystem-request-StorageCapacity
   */
  private validateStorageCapacity(deploymentType: fsx.LustreDeploymentType, capacity: number): void {
    const step = deploymentType === fsx.LustreDeploymentType.SCRATCH_1 ? 3600 : 2400;
    const small = deploymentType === fsx.LustreDeploymentType.SCRATCH_1 ? [1200, 2400, 3600] : [1200, 2400];
    const ok = Number.isInteger(capacity) && capacity > 0 && (small.includes(capacity) || capacity % step === 0);
    check(ok, this, 'storageCapacityGiB', capacity,
      `must be ${small.map(n => n.toLocaleString('en-US')).join(', ')} or a multiple of ${step.toLocaleString('en-US')} for ${deploymentType}`);
  }

  /**
   * Throughput per TiB: 50, 100 or 200 MB/s for PERSISTENT_1 (SSD); 125, 250, 500 or 1,000 for
   * PERSISTENT_2; none for scratch types (their throughput is fixed at 200 MB/s per TiB).
   *
   * @see https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html
   */
  private validatePerUnitStorageThroughput(deploymentType: fsx.LustreDeploymentType, value: number | undefined): number | undefined {
    const allowed: Partial<Record<fsx.LustreDeploymentType, number[]>> = {
      [fsx.LustreDeploymentType.PERSISTENT_1]: [50, 100, 200],
      [fsx.LustreDeploymentType.PERSISTENT_2]: [125, 250, 500, 1000],
    };
    const values = allowed[deploymentType];
    if (!values) {
      check(value === undefined, this, 'perUnitStorageThroughput', value,
        `cannot be set for ${deploymentType} (scratch throughput is fixed at 200 MB/s per TiB)`);
      return undefined;
    }
    const throughput = value ?? values[0];
    check(values.includes(throughput), this, 'perUnitStorageThroughput', throughput,
      `must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]} MB/s per TiB for ${deploymentType}`);
    return throughput;
  }

  /**
   * Link options per type and path rules: one repository unless PERSISTENT_2 (linked by data
   * repository associations, which alone take `fileSystemPath` and `autoExport`); relative
   * prefixes; absolute file-system paths; no two repositories overlapping in S3 or in the file
   * system (FSx rejects overlapping associations).
   *
   * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/create-dra-linked-data-repo.html
   * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/older-deployment-types.html
   * @see https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateDataRepositoryAssociation.html (at most 8 per file system; `/` links one)
   */
  private validateDataRepositories(deploymentType: fsx.LustreDeploymentType, repositories: LustreDataRepository[]): void {
    const byAssociation = deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
    check(repositories.length > 0, this, 'dataRepositories', repositories, 'must link at least one S3 location');
    check(byAssociation || repositories.length === 1, this, 'dataRepositories', repositories.length,
      `must link exactly one S3 location for ${deploymentType} (only PERSISTENT_2 links several, through data repository associations)`);
    checkCount(this, 'dataRepositories', repositories.length, { max: MAX_ASSOCIATIONS, why: 'data repository associations per file system' }, 'S3 locations');
    repositories.forEach((repository, index) => {
      const prop = `dataRepositories[${index}]`;
      checkRelativePrefix(this, `${prop}.prefix`, repository.prefix ?? '');
      checkEvents(this, `${prop}.autoImport`, repository.autoImport ?? []);
      checkEvents(this, `${prop}.autoExport`, repository.autoExport ?? []);
      if (byAssociation) {
        checkAbsolutePath(this, `${prop}.fileSystemPath`, repository.fileSystemPath ?? '/data');
        return;
      }
      check(repository.fileSystemPath === undefined, this, `${prop}.fileSystemPath`, repository.fileSystemPath,
        `cannot be set for ${deploymentType} (the linked prefix appears at the file system's root; only PERSISTENT_2 associations choose a path)`);
      check((repository.autoExport ?? []).length === 0, this, `${prop}.autoExport`, repository.autoExport,
        `cannot be set for ${deploymentType} (automatic export needs a data repository association: use PERSISTENT_2)`);
      const policy = repository.autoImport === undefined ? fsx.LustreAutoImportPolicy.NEW_CHANGED_DELETED : autoImportPolicy(repository.autoImport);
      check(policy !== undefined, this, `${prop}.autoImport`, repository.autoImport,
        `must be [], [NEW], [NEW, CHANGED] or [NEW, CHANGED, DELETED] for ${deploymentType} (its auto-import policies)`);
    });
    for (let i = 0; i < repositories.length; i++) {
      for (let j = i + 1; j < repositories.length; j++) {
        const [a, b] = [repositories[i], repositories[j]];
        check(!(a.bucket === b.bucket && overlaps(a.prefix ?? '', b.prefix ?? '')), this, `dataRepositories[${j}].prefix`, b.prefix ?? '',
          `must not overlap dataRepositories[${i}].prefix '${a.prefix ?? ''}' in the same bucket`);
        const [pathA, pathB] = [a.fileSystemPath ?? '/data', b.fileSystemPath ?? '/data'];
        check(!overlaps(`${pathA}/`.replace('//', '/'), `${pathB}/`.replace('//', '/')), this, `dataRepositories[${j}].fileSystemPath`, pathB,
          `must not overlap dataRepositories[${i}].fileSystemPath '${pathA}'`);
      }
    }
  }

  /**
   * Lets FSx's S3 service-linked roles use a KMS-encrypted bucket's key, when the key is defined
   * in this app: FSx's statement for all file systems of the account, with the principal named by
   * condition (the role's name ends with a file system id that does not exist before the file
   * system). `kms:ViaService` and `kms:CallerAccount` keep it to S3 requests of this account. The
   * statement cannot name the bucket (an encryption-context condition on the bucket's ARN): the
   * bucket refers to the key, and the key policy referring back would be a circular dependency.
   * Each FSx S3 role may only reach the bucket its file system is linked to, so the key serves no
   * other bucket through it.
   *
   * @see https://docs.aws.amazon.com/fsx/latest/LustreGuide/s3-server-side-encryption-support.html
   */
  private openKeyToFsx(bucket: s3.IBucket): void {
    const key = bucket.encryptionKey;
    if (!key) {
      return;
    }
    const stack = Stack.of(this);
    const statement = new iam.PolicyStatement({
      sid: 'AllowFsxForLustreS3Access',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        StringEquals: viaS3(this),
        ArnLike: {
          'aws:PrincipalArn': stack.formatArn({
            service: 'iam', region: '', resource: 'role',
            resourceName: 'aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        },
      },
    });
    key.addToResourcePolicy(statement, false);
  }
}

/** Admits `port` among the members of `group`, egress included when the group restricts it. */
function allowWithinGroup(group: ec2.ISecurityGroup, port: ec2.Port, description: string): void {
  group.addIngressRule(group, port, description);
  if (!group.allowAllOutbound) {
    group.addEgressRule(group, port, description);
  }
}

const ALL_EVENTS = [LustreRepositoryEvent.NEW, LustreRepositoryEvent.CHANGED, LustreRepositoryEvent.DELETED];

function checkEvents(scope: Construct, prop: string, events: LustreRepositoryEvent[]): void {
  const ok = events.every(event => ALL_EVENTS.includes(event)) && new Set(events).size === events.length;
  check(ok, scope, prop, events, 'must name each of NEW, CHANGED and DELETED at most once');
}

/** The import/export-path auto-import policy equivalent to a set of events, if there is one. */
function autoImportPolicy(events: LustreRepositoryEvent[]): fsx.LustreAutoImportPolicy | undefined {
  const key = [...events].sort().join(',');
  const policies: Record<string, fsx.LustreAutoImportPolicy> = {
    '': fsx.LustreAutoImportPolicy.NONE,
    'NEW': fsx.LustreAutoImportPolicy.NEW,
    'CHANGED,NEW': fsx.LustreAutoImportPolicy.NEW_CHANGED,
    'CHANGED,DELETED,NEW': fsx.LustreAutoImportPolicy.NEW_CHANGED_DELETED,
  };
  return policies[key];
}

/** Whether one `/`-terminated path (or '' for the root) contains the other. */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}
