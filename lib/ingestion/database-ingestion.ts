import { Duration, Names, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, Dependable } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy } from '../core/grant-policy';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { regionalServiceName } from '../core/service-names';
import { StateMachineJob } from '../core/state-machine-job';
import { check, checkInteger } from '../core/validation';
import { IDataLakeZone } from '../storage/data-lake-zone';
import { DmsAccountRoles } from './dms-account-roles';
import { assumedBy, viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';

/** Source engines this construct reads with Secrets Manager credentials. */
export type SourceEngine = 'postgres' | 'aurora-postgresql' | 'mysql' | 'mariadb' | 'aurora';
/** What a replication task does. */
export type MigrationType = 'full-load' | 'full-load-and-cdc';

const POSTGRES_ENGINES: SourceEngine[] = ['postgres', 'aurora-postgresql'];
const MYSQL_ENGINES: SourceEngine[] = ['mysql', 'mariadb', 'aurora'];
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)+$/;
const INSTANCE_CLASS = /^dms\.[a-z][a-z0-9]*\.[a-z0-9]+$/;

/** The relational database DMS reads. */
export interface DatabaseSource {
  /** The DMS engine name of the source. */
  readonly engine: SourceEngine;
  /**
   * The secret with the connection: JSON with `username`, `password`, `host` and `port` (the
   * secrets RDS generates have them).
   */
  readonly secret: secretsmanager.ISecret;
  /** The database to read. */
  readonly databaseName: string;
  /**
   * The source's network side (its security group), so that DMS may reach it on `port`.
   *
   * @default - the source admits DMS already
   */
  readonly connections?: ec2.IConnectable;
  /**
   * The port DMS connects to, opened on `connections`.
   *
   * @default 5432 for PostgreSQL engines, 3306 for MySQL engines
   */
  readonly port?: number;
  /**
   * The schema whose tables are replicated (`%` for all).
   *
   * @default 'public' for PostgreSQL, `databaseName` for MySQL
   */
  readonly schemaName?: string;
  /**
   * The tables replicated (a DMS selection pattern, `%` is a wildcard).
   *
   * @default '%'
   */
  readonly tableNamePattern?: string;
}

/** Properties of a {@link DatabaseIngestion}. */
export interface DatabaseIngestionProps extends DataRetentionProps {
  /** The VPC DMS runs in: the source must be reachable from its subnets, and S3 and Secrets Manager through VPC endpoints. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the replication instance, in at least two Availability Zones.
   *
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The database to read. */
  readonly source: DatabaseSource;
  /** The lake zone DMS writes Parquet files into (usually `raw`). */
  readonly target: IDataLakeZone;
  /**
   * The folder of the zone DMS writes to, ending with `/`; DMS adds `<schema>/<table>/` and, for
   * change data, the date partitions.
   *
   * @default '<databaseName>/'
   */
  readonly targetPrefix?: string;
  /**
   * `full-load` copies the tables and stops: batch ingestion. `full-load-and-cdc` keeps
   * replicating changes after the copy (the source must have logical replication or binary
   * logging turned on).
   *
   * @default 'full-load'
   */
  readonly migrationType?: MigrationType;
  /**
   * The replication instance class.
   *
   * @default 'dms.t3.micro'
   */
  readonly replicationInstanceClass?: string;
  /**
   * The replication instance's storage, in whole GiB (5 to 6,144), for logs and cached changes.
   *
   * @default Size.gibibytes(20)
   */
  readonly allocatedStorage?: Size;
  /**
   * The account-wide roles DMS requires (`dms-vpc-role`, `dms-cloudwatch-logs-role`), in a stack of
   * their own: this construct's stack then depends on it, so `cdk deploy` creates the roles, and
   * lets IAM propagate them, before DMS reads them. See {@link DmsAccountRoles}.
   *
   * @default - the account already has both roles (the DMS console creates them the first time it
   *   is used); the deployment fails with "dms-vpc-role is not configured properly" if it does not
   */
  readonly accountRoles?: DmsAccountRoles;
  /**
   * How long the replication task logs are kept (in the log group `dms-tasks-<instance id>`, which
   * this construct creates, encrypted, before DMS would create it without either).
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How often the state machine checks the task while it runs.
   *
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;
  /**
   * How long one run of the state machine may take before it fails.
   *
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
  /**
   * When the state machine runs on its own.
   *
   * @default - on demand only (`aws stepfunctions start-execution`)
   */
  readonly schedule?: events.Schedule;
  /**
   * The key that encrypts the task's and the state machine's logs (its key policy gets the
   * statement that lets CloudWatch Logs use it, when the key is defined in this app).
   *
   * @default - a new rotating key
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * Batch and change-data-capture ingestion from a relational database into the data lake with
 * AWS Database Migration Service, orchestrated by AWS Step Functions.
 *
 * DMS reads tables through a source endpoint and writes them through a target endpoint; a
 * replication task says which tables and whether to copy them once (full load, the batch case)
 * or also stream later changes (CDC). With an S3 target, each table becomes a folder of Parquet
 * files that Glue crawlers and Athena read like any other raw data.
 *
 * The choices made here:
 * - The source endpoint reads its credentials from Secrets Manager through a role DMS assumes,
 *   never from the template; DMS reaches Secrets Manager and S3 through VPC endpoints (a private
 *   replication instance needs both: an interface endpoint for Secrets Manager, the free gateway
 *   endpoint for S3).
 * - The target endpoint writes Parquet with date partitions, encrypted with SSE-KMS under the
 *   lake key, with a role that may write only under the target prefix and use only that key.
 * - The `dms-vpc-role` trap: DMS looks the role up by name when a replication subnet group is
 *   created, and fails if it does not exist yet, or exists but IAM has not propagated it (a
 *   `DependsOn` in the same stack is not enough). The account-wide roles live in a stack of their
 *   own ({@link DmsAccountRoles}, passed as `accountRoles`) that `cdk deploy` deploys first.
 * - Task logs: the task logs its components to CloudWatch Logs (with `dms-cloudwatch-logs-role`),
 *   in a log group this construct creates with the name DMS uses, `dms-tasks-<instance id>`,
 *   encrypted and with a retention; the state machine's failure messages point to it.
 * - A Step Functions state machine runs the task: it starts it (`start-replication` the first
 *   time, `reload-target` afterwards), polls it, and ends in success when the full load has
 *   finished, or in a Fail state with DMS's failure message. Its logs (ALL events) and X-Ray
 *   traces are on.
 * - A replication instance rather than DMS Serverless: the state machine drives the classic
 *   StartReplicationTask API, and the smallest instance is the cheapest way to hold a task that
 *   runs on demand. DMS Serverless bills per DMS capacity unit-hour while a replication runs
 *   and suits large or irregular loads.
 *
 * Cost at idle: the replication instance runs all the time and cannot be stopped (dms.t3.micro
 * bills on the order of 0.02 USD an hour, about 13 to 15 USD a month depending on the Region,
 * plus its storage); about 1 USD a month for the log key; the state
 * machine bills per state transition. The source database and the VPC endpoints are billed
 * where they are created.
 */
export class DatabaseIngestion extends StateMachineJob {
  /** The replication instance. */
  public readonly replicationInstance: dms.CfnReplicationInstance;
  /** The replication subnet group. */
  public readonly subnetGroup: dms.CfnReplicationSubnetGroup;
  /** The source endpoint. */
  public readonly sourceEndpoint: dms.CfnEndpoint;
  /** The target (S3) endpoint. */
  public readonly targetEndpoint: dms.CfnEndpoint;
  /** The replication task. */
  public readonly replicationTask: dms.CfnReplicationTask;
  /** The state machine that runs the task. */
  public readonly stateMachine: sfn.StateMachine;
  /** The security group of the replication instance. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The role DMS assumes to write the target zone. */
  public readonly targetRole: iam.Role;
  /** The role DMS assumes to read the source secret. */
  public readonly secretAccessRole: iam.Role;
  /** The log group of the replication task (`dms-tasks-<replication instance id>`). */
  public readonly taskLogGroup: logs.LogGroup;
  /** The network side of the replication instance (allow it to reach VPC endpoints). */
  public readonly connections: ec2.Connections;
  private readonly logKey: kms.IKey;
  private readonly taskLogGroupName: string;

  constructor(scope: Construct, id: string, props: DatabaseIngestionProps) {
    super(scope, id);
    const source = props.source;
    const isPostgres = POSTGRES_ENGINES.includes(source.engine);
    const targetPrefix = props.targetPrefix ?? `${source.databaseName}/`;
    const migrationType = props.migrationType ?? 'full-load';
    const instanceClass = props.replicationInstanceClass ?? 'dms.t3.micro';
    const allocatedStorage = (props.allocatedStorage ?? Size.gibibytes(20)).toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    this.validate(props, targetPrefix, migrationType, instanceClass, allocatedStorage);
    const stack = Stack.of(this);
    const key = props.target.encryptionKey;
    const dmsPrincipal = new iam.CompositePrincipal(
      new iam.ServicePrincipal('dms.amazonaws.com'),
      new iam.ServicePrincipal(regionalServiceName(this, 'dms')),
    );

    // 1. The network: a subnet group (once dms-vpc-role exists, see accountRoles) and a security group.
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    this.validateSubnets(subnets);
    if (props.accountRoles) {
      check(Stack.of(props.accountRoles) !== stack, this, 'accountRoles', props.accountRoles.node.path,
        'must be in a stack of its own, deployed before this one (in the same stack, DMS may read dms-vpc-role before IAM has propagated it, even with a DependsOn)');
      stack.addStackDependency(Stack.of(props.accountRoles), 'DMS reads dms-vpc-role when it creates the replication subnet group');
    }
    this.subnetGroup = new dms.CfnReplicationSubnetGroup(this, 'SubnetGroup', {
      replicationSubnetGroupDescription: `Subnets of the replication instance of ${this.node.path}`,
      subnetIds: subnets.subnetIds,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Replication instance of ${this.node.path}: reaches the source database and AWS endpoints`,
      allowAllOutbound: true,
    });
    this.connections = this.securityGroup.connections;
    const port = source.port ?? (isPostgres ? 5432 : 3306);
    source.connections?.connections.allowFrom(this.securityGroup, ec2.Port.tcp(port), 'DMS reads the source database');

    // 2. The replication instance: private, encrypted with the lake key. Its identifier is set,
    //    because it names the log group of its tasks.
    const instanceIdentifier = replicationInstanceIdentifier(this);
    this.replicationInstance = new dms.CfnReplicationInstance(this, 'Instance', {
      replicationInstanceIdentifier: instanceIdentifier,
      replicationInstanceClass: instanceClass,
      allocatedStorage,
      publiclyAccessible: false,
      multiAz: false,
      autoMinorVersionUpgrade: true,
      kmsKeyId: key.keyArn,
      replicationSubnetGroupIdentifier: this.subnetGroup.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
    });

    // 3. The source endpoint, with credentials from Secrets Manager.
    this.secretAccessRole = new iam.Role(this, 'SecretAccessRole', {
      assumedBy: dmsPrincipal,
      description: `DMS reads the source database secret of ${this.node.path}`,
    });
    source.secret.grantRead(this.secretAccessRole);
    const secretSettings = { secretsManagerAccessRoleArn: this.secretAccessRole.roleArn, secretsManagerSecretId: source.secret.secretArn };
    this.sourceEndpoint = new dms.CfnEndpoint(this, 'SourceEndpoint', {
      endpointType: 'source',
      engineName: source.engine,
      databaseName: source.databaseName,
      sslMode: isPostgres ? 'require' : 'none',
      postgreSqlSettings: isPostgres ? secretSettings : undefined,
      mySqlSettings: isPostgres ? undefined : secretSettings,
    });
    // The role's policy must exist before DMS uses the role.
    this.sourceEndpoint.node.addDependency(this.secretAccessRole);

    // 4. The target endpoint: Parquet under the prefix, SSE-KMS with the lake key.
    this.targetRole = new iam.Role(this, 'TargetRole', {
      assumedBy: dmsPrincipal,
      description: `DMS writes Parquet under ${targetPrefix} of the ${props.target.zoneName} zone`,
    });
    const targetGrant = attachGrantPolicy(this, 'TargetAccess', {
      grantee: this.targetRole,
      statements: targetStatements(props.target.bucket, key, targetPrefix),
      wildcardReason: `DMS writes one folder per table under \`${targetPrefix}\` of the ${props.target.zoneName} zone (\`<bucket>/${targetPrefix}*\`), `
        + 'named after the source tables',
    });
    this.targetEndpoint = new dms.CfnEndpoint(this, 'TargetEndpoint', {
      endpointType: 'target',
      engineName: 's3',
      s3Settings: {
        bucketName: props.target.bucket.bucketName,
        bucketFolder: targetPrefix.replace(/\/$/, ''),
        serviceAccessRoleArn: this.targetRole.roleArn,
        dataFormat: 'parquet',
        parquetVersion: 'parquet-2-0',
        enableStatistics: true,
        datePartitionEnabled: true,
        datePartitionSequence: 'YYYYMMDD',
        datePartitionDelimiter: 'SLASH',
        includeOpForFullLoad: true,
        timestampColumnName: 'dms_commit_ts',
        encryptionMode: 'SSE_KMS',
        serverSideEncryptionKmsKeyId: key.keyArn,
        expectedBucketOwner: stack.account,
      },
    });
    this.targetEndpoint.node.addDependency(targetGrant);

    // 5. The replication task, logging to the log group DMS names after the instance. Created
    //    here, it is encrypted and expires; DMS would create it with neither.
    //    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.Logging.html
    this.logKey = props.logEncryptionKey ?? createDataKey(this, 'LogKey', `Encrypts the task and state machine logs of ${this.node.path}`, props);
    allowLogsToUse(this.logKey);
    this.taskLogGroupName = `dms-tasks-${instanceIdentifier}`;
    this.taskLogGroup = new logs.LogGroup(this, 'TaskLogs', {
      logGroupName: this.taskLogGroupName,
      encryptionKey: this.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: dataRemovalPolicy(props),
    });
    this.replicationTask = new dms.CfnReplicationTask(this, 'Task', {
      migrationType,
      replicationInstanceArn: this.replicationInstance.ref,
      sourceEndpointArn: this.sourceEndpoint.ref,
      targetEndpointArn: this.targetEndpoint.ref,
      tableMappings: JSON.stringify({
        rules: [{
          'rule-type': 'selection',
          'rule-id': '1',
          'rule-name': 'include-tables',
          'object-locator': { 'schema-name': source.schemaName ?? (isPostgres ? 'public' : source.databaseName), 'table-name': source.tableNamePattern ?? '%' },
          'rule-action': 'include',
        }],
      }),
      replicationTaskSettings: JSON.stringify({
        // Each run replaces what the previous full load wrote.
        FullLoadSettings: { TargetTablePrepMode: 'DROP_AND_CREATE' },
        Logging: {
          EnableLogging: true,
          LogComponents: ['SOURCE_UNLOAD', 'SOURCE_CAPTURE', 'TARGET_LOAD', 'TARGET_APPLY', 'TASK_MANAGER']
            .map(id => ({ Id: id, Severity: 'LOGGER_SEVERITY_DEFAULT' })),
        },
      }),
    });
    this.replicationTask.node.addDependency(this.taskLogGroup);

    DataFlow.node(this, 'TaskNode', {
      label: 'DMS replication task', detail: migrationType, stage: DataFlowStage.INGESTION,
      resources: [this.replicationTask, this.replicationInstance, this.sourceEndpoint, this.targetEndpoint],
    });

    // 6. The state machine that runs the task.
    this.stateMachine = this.runTaskStateMachine(props, migrationType);
    this.declareRuntimeCalls(props, targetPrefix, targetGrant, port);
    if (props.schedule) {
      new events.Rule(this, 'Schedule', {
        description: `Runs the DMS ingestion of ${this.node.path}`,
        schedule: props.schedule,
        targets: [new targets.SfnStateMachine(this.stateMachine)],
      });
    }
  }

  /** What DMS and Step Functions do with the roles of the ingestion, what they must refuse, and what must exist first. */
  private declareRuntimeCalls(props: DatabaseIngestionProps, targetPrefix: string, targetGrant: iam.Grant, port: number): void {
    const bucket = props.target.bucket;
    const key = props.target.encryptionKey;
    const object = `${targetPrefix}public/orders/LOAD00000001.parquet`;
    const target = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.Prerequisites';
    const secrets = 'https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html';
    const stateMachineRole = this.stateMachine.role;
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(
      assumedBy(this.targetRole, 'dms.amazonaws.com', target),
      assumedBy(this.secretAccessRole, regionalServiceName(this, 'dms'), secrets),
      { description: 'DMS reads the source credentials', principal: this.secretAccessRole, action: 'secretsmanager:GetSecretValue', resource: props.source.secret.secretArn, source: secrets },
      { description: 'DMS writes a Parquet file under the prefix', principal: this.targetRole, action: 's3:PutObject', resource: bucket.arnForObjects(object), source: target },
      { description: 'DMS checks the target bucket', principal: this.targetRole, action: 's3:ListBucket', resource: bucket.bucketArn, source: target },
      { description: 'S3 encrypts the file with the lake key for DMS', principal: this.targetRole, action: 'kms:GenerateDataKey', resource: key.keyArn, context: viaService(this, 's3'), source: 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html#CHAP_Target.S3.KMSKeys' },
      { description: 'the state machine polls the task', principal: stateMachineRole, action: 'dms:DescribeReplicationTasks', resource: '*', source: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsdatabasemigrationservice.html' },
    );
    // The zone declares the refusals of its bucket; DMS may write under its own prefix only.
    rehearsal.denies(
      { description: 'DMS writes outside its prefix', principal: this.targetRole, action: 's3:PutObject', resource: bucket.arnForObjects('elsewhere/file.parquet'), source: target },
    );
    if (props.source.connections) {
      rehearsal.connects({
        description: 'the replication instance reads the source database', from: this.securityGroup, to: props.source.connections, port: ec2.Port.tcp(port),
        source: 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.VPC.html',
      });
    }
    const logging = 'https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.Logging.html';
    rehearsal.createsBefore(
      { description: 'the task logs into the log group named after its instance, which must not be created by DMS first', first: this.taskLogGroup, then: this.replicationTask, source: logging },
      ...Dependable.of(targetGrant).dependencyRoots.map(first => ({ description: 'DMS tests the target endpoint with its role', first, then: this.targetEndpoint, source: target })),
      { description: 'DMS reads the secret with its role', first: this.secretAccessRole, then: this.sourceEndpoint, source: secrets },
    );
  }

  private runTaskStateMachine(props: DatabaseIngestionProps, migrationType: MigrationType): sfn.StateMachine {
    const taskArn = this.replicationTask.ref;
    const describe = (id: string) => new tasks.CallAwsService(this, id, {
      service: 'databasemigration',
      action: 'describeReplicationTasks',
      parameters: { Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }], WithoutSettings: true },
      iamAction: 'dms:DescribeReplicationTasks',
      // DescribeReplicationTasks has no resource type: it can only be allowed on `*`.
      iamResources: ['*'],
      resultSelector: { 'task.$': '$.ReplicationTasks[0]' },
      resultPath: '$.dms',
    });
    const start = (id: string, type: 'start-replication' | 'reload-target') => new tasks.CallAwsService(this, id, {
      service: 'databasemigration',
      action: 'startReplicationTask',
      parameters: { ReplicationTaskArn: taskArn, StartReplicationTaskType: type },
      iamAction: 'dms:StartReplicationTask',
      iamResources: [taskArn],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const status = '$.dms.task.Status';
    const wait = new sfn.Wait(this, 'WaitForTask', { time: sfn.WaitTime.duration(props.pollInterval ?? Duration.minutes(1)) });
    const succeeded = new sfn.Succeed(this, 'Loaded', { comment: 'The full load has finished' });
    const failedWithMessage = new sfn.Fail(this, 'TaskFailed', { error: 'DMS.TaskFailed', causePath: '$.dms.task.LastFailureMessage' });
    const failed = new sfn.Fail(this, 'TaskStopped', {
      error: 'DMS.TaskStopped',
      cause: `The replication task stopped before its full load finished; see its table statistics in the DMS console and its log group ${this.taskLogGroupName}`,
    });
    const notStartable = new sfn.Fail(this, 'TaskBusy', {
      error: 'DMS.TaskBusy',
      cause: 'The replication task is running or being changed; wait for it to stop before starting a new load',
    });

    const progress = new sfn.Choice(this, 'LoadFinished?')
      .when(sfn.Condition.and(sfn.Condition.stringEquals(status, 'stopped'),
        sfn.Condition.isPresent('$.dms.task.StopReason'),
        sfn.Condition.stringMatches('$.dms.task.StopReason', '*FULL_LOAD_ONLY_FINISHED*')), succeeded)
      .when(sfn.Condition.and(sfn.Condition.stringEquals(status, 'failed'), sfn.Condition.isPresent('$.dms.task.LastFailureMessage')), failedWithMessage)
      .when(sfn.Condition.or(sfn.Condition.stringEquals(status, 'failed'), sfn.Condition.stringEquals(status, 'stopped')), failed);
    if (migrationType === 'full-load-and-cdc') {
      // With CDC the task keeps running: the load is done when the full load reaches 100 %.
      progress.when(sfn.Condition.and(sfn.Condition.stringEquals(status, 'running'),
        sfn.Condition.isPresent('$.dms.task.ReplicationTaskStats.FullLoadProgressPercent'),
        sfn.Condition.numberEquals('$.dms.task.ReplicationTaskStats.FullLoadProgressPercent', 100)), succeeded);
    }
    // StartReplicationTask moves the task to `starting` before it returns, so the first poll
    // cannot mistake the previous run's `stopped` for the end of this one.
    progress.otherwise(wait);
    wait.next(describe('DescribeTask')).next(progress);

    const definition = describe('DescribeTaskBeforeStart').next(new sfn.Choice(this, 'StartType?')
      .when(sfn.Condition.stringEquals(status, 'ready'), start('StartReplication', 'start-replication').next(wait))
      .when(sfn.Condition.or(sfn.Condition.stringEquals(status, 'stopped'), sfn.Condition.stringEquals(status, 'failed')),
        start('ReloadTarget', 'reload-target').next(wait))
      .otherwise(notStartable));

    return this.createStateMachine('StateMachine', {
      definition,
      comment: `Runs the DMS task of ${this.node.path}: start, wait, report failure`,
      timeout: props.timeout ?? Duration.hours(6),
      encryptionKey: this.logKey,
      removalPolicy: dataRemovalPolicy(props),
      logRetention: logs.RetentionDays.ONE_YEAR,
      taskWildcardReason: 'dms:DescribeReplicationTasks has no resource type; StartReplicationTask is limited to this task',
    }).stateMachine;
  }

  /**
   * A replication subnet group covers at least two Availability Zones of the region, or DMS
   * rejects it (`ReplicationSubnetGroupDoesNotCoverEnoughAZs`).
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dms-replicationsubnetgroup.html
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationSubnetGroup.html
   */
  private validateSubnets(subnets: ec2.SelectedSubnets): void {
    const zones = new Set(subnets.availabilityZones).size;
    check(zones >= 2, this, 'vpcSubnets', `${subnets.subnetIds.length} subnet(s) in ${zones} Availability Zone(s)`,
      'must select subnets in at least two Availability Zones (a DMS replication subnet group must cover two)');
  }

  private validate(props: DatabaseIngestionProps, targetPrefix: string, migrationType: string, instanceClass: string, storage: number): void {
    const engines = [...POSTGRES_ENGINES, ...MYSQL_ENGINES];
    check(engines.includes(props.source.engine), this, 'source.engine', props.source.engine, `must be one of ${engines.join(', ')}`);
    if (!Token.isUnresolved(props.source.databaseName)) {
      check(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(props.source.databaseName), this, 'source.databaseName', props.source.databaseName,
        'must be 1 to 63 letters, digits, underscores or $, starting with a letter or underscore');
    }
    if (props.source.port !== undefined) {
      checkInteger(this, 'source.port', props.source.port, { min: 1, max: 65535 });
    }
    check(PREFIX.test(targetPrefix), this, 'targetPrefix', targetPrefix,
      'must be one or more folders of letters, digits and !_.*\'()- each ending with `/`, with no leading `/`');
    check(['full-load', 'full-load-and-cdc'].includes(migrationType), this, 'migrationType', migrationType, 'must be full-load or full-load-and-cdc');
    // @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html
    check(INSTANCE_CLASS.test(instanceClass), this, 'replicationInstanceClass', instanceClass,
      'must be a DMS instance class, dms.<family>.<size>, such as dms.t3.micro, dms.c5.large or dms.r5.large');
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dms-replicationinstance.html
    checkInteger(this, 'allocatedStorage', storage, { min: 5, max: 6144, why: 'whole GiB' });
    const poll = (props.pollInterval ?? Duration.minutes(1)).toSeconds({ integral: false });
    checkInteger(this, 'pollInterval', poll, { min: 10, max: 3600, why: 'in seconds: DMS tasks take minutes to start' });
    const timeout = (props.timeout ?? Duration.hours(6)).toSeconds({ integral: false });
    // @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (a standard execution runs up to one year)
    checkInteger(this, 'timeout', timeout, { min: poll, max: 365 * 24 * 3600, why: 'in seconds, at least one poll interval and at most a year' });
  }
}

/**
 * Least-privilege statements for the DMS S3 target: write and delete objects under the prefix
 * only (full loads replace earlier files), encrypt with the lake key only. Listing is allowed on
 * the bucket, as in the role DMS documents for S3 targets: DMS checks the bucket by listing it,
 * and a listing reveals key names, not data.
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Target.S3.html
 */
function targetStatements(bucket: s3.IBucket, key: kms.IKey, prefix: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
    new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], resources: [key.keyArn] }),
  ];
}

/**
 * A replication instance identifier derived from the construct path: 1 to 63 lower-case letters,
 * digits or hyphens, starting with a letter, with no two hyphens in a row and no hyphen at the end.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dms-replicationinstance.html
 */
function replicationInstanceIdentifier(scope: Construct): string {
  const name = Names.uniqueResourceName(scope, { maxLength: 59, separator: '-' }).toLowerCase()
    .replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/-$/, '');
  return /^[a-z]/.test(name) ? name : `dms-${name}`;
}
