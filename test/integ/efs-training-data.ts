import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EfsTrainingStorage, Rehearsal, acknowledgeWildcards } from '../../lib';
import { harnessFunction } from './harness-function';

/** Where the function mounts the training-data directory. */
export const EFS_MOUNT_PATH = '/mnt/training';

/** The function's code (Node.js, no dependencies), inlined into the template: see efs-writer-handler/index.js. */
export const EFS_WRITER_FILE = path.join(__dirname, 'efs-writer-handler', 'index.js');

/** Properties of an {@link EfsTrainingData}. */
export interface EfsTrainingDataProps {
  /** The file system whose training-data directory receives the files. */
  readonly storage: EfsTrainingStorage;
  /** The VPC of the file system's mount targets. */
  readonly vpc: ec2.IVpc;
  /** The key of the function's logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * Test harness of the training-storage sandbox test: a function that writes files into the
 * training-data directory of an `EfsTrainingStorage`, so that the EFS training launcher has data.
 *
 * No AWS API writes a file on EFS: a client must mount it. The function mounts the directory
 * through an access point (POSIX user 1001, which owns the directory if the access point creates
 * it), in the isolated subnets, with a security group of its own that the mount targets admit on
 * NFS (2049). SageMaker mounts the file system as root, without an access point,
 * and reads the files (mode 0644).
 *
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html
 * https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html
 */
export class EfsTrainingData extends Construct {
  /** The function; invoke it with `{ "files": { "train.csv": "<text>" } }`. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: EfsTrainingDataProps) {
    super(scope, id);
    const accessPoint = new efs.AccessPoint(this, 'TrainingDataAccessPoint', {
      fileSystem: props.storage.fileSystem,
      path: props.storage.trainingDataPath,
      posixUser: { uid: '1001', gid: '1001' },
      createAcl: { ownerUid: '1001', ownerGid: '1001', permissions: '755' },
    });
    this.function = harnessFunction(this, 'Writer', {
      description: 'Sandbox test harness: writes training files onto the EFS training-data directory',
      roleDescription: 'Writes the sandbox test\'s training data onto EFS: mounts the training-data access point, writes its own logs',
      code: fs.readFileSync(EFS_WRITER_FILE, 'utf-8'),
      logEncryptionKey: props.logEncryptionKey,
      timeout: Duration.minutes(1),
      environment: { MOUNT_PATH: EFS_MOUNT_PATH },
      // Its own group, closed outbound: the file system's connections admit it on NFS and open
      // its egress to the mount targets on 2049, nothing else.
      vpc: {
        vpc: props.vpc,
        securityGroup: new ec2.SecurityGroup(this, 'SecurityGroup', {
          vpc: props.vpc, allowAllOutbound: false, description: 'Sandbox test harness: the EFS training-data writer (NFS to the mount targets only)',
        }),
      },
      functionProps: {
        // Grants elasticfilesystem:ClientMount and ClientWrite through this access point, and waits
        // for the mount targets: a function cannot be created before they are available.
        filesystem: lambda.FileSystem.fromEfsAccessPoint(accessPoint, EFS_MOUNT_PATH),
      },
    });
    acknowledgeWildcards(this.function.role!.node.findChild('DefaultPolicy') as iam.Policy, 'aws-cdk-lib grants elasticfilesystem:ClientMount on * '
      + 'under the condition elasticfilesystem:AccessPointArn = this access point (lambda.FileSystem.fromEfsAccessPoint)');

    // What the deploy rehearsal checks: the NFS packets to the mount targets, and the IAM
    // authorization Lambda's mount asks for through the access point.
    const fileSystemArn = Stack.of(this).formatArn({ service: 'elasticfilesystem', resource: 'file-system', resourceName: props.storage.fileSystem.fileSystemId });
    const source = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html';
    Rehearsal.of(this).connects({ description: 'the writer mounts the file system (NFS)', from: this.function, to: props.storage.fileSystem, port: ec2.Port.tcp(2049), source });
    Rehearsal.of(this).allows(...['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'].map(action => ({
      description: `Lambda mounts the training-data access point for the writer (${action})`,
      principal: this.function.role!, action, resource: fileSystemArn,
      context: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn }, source,
    })));
  }
}
