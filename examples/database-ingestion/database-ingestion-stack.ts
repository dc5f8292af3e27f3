/**
 * # Batch ingestion from a relational database with DMS and Step Functions (notes part two a–b)
 *
 * Read this stack top to bottom. A small Aurora PostgreSQL database (the "operational" source)
 * holds an `orders` table; AWS DMS copies it into the raw zone of a data lake as Parquet files,
 * and a Step Functions state machine runs the copy: it starts the DMS task, waits for the full
 * load, and fails with DMS's own message if the task fails.
 *
 * Everything runs in a private network with no NAT gateway: DMS reaches S3 through the free
 * gateway endpoint, and Secrets Manager (where it reads the database credentials) through an
 * interface endpoint; DMS requires both when the replication instance is in a private subnet.
 *
 * Try it after `npx cdk deploy DatabaseIngestionDemo`:
 *
 *     aws stepfunctions start-execution --state-machine-arn <StateMachineArn>
 *
 * then list `s3://<RawBucket>/shop/public/orders/`: Parquet files partitioned by date.
 *
 * DMS requires two account-wide roles, `dms-vpc-role` and `dms-cloudwatch-logs-role`: the demo app
 * creates them in `DmsAccountRolesDemo` (examples/database-ingestion/dms-account-roles-stack.ts),
 * which this stack depends on, so `cdk deploy DatabaseIngestionDemo` deploys that stack first. If
 * your account already has them (from the DMS console or another stack), deploy with
 * `-c dms-account-roles=existing`.
 *
 * Remove it: `npx cdk destroy DatabaseIngestionDemo`, then `npx cdk destroy DmsAccountRolesDemo`.
 *
 * Cost at idle: about 33 USD a month: the DMS replication instance (dms.t3.micro, about 13 to 15
 * USD a month depending on the Region: a replication instance cannot be stopped, so delete the
 * stack between uses), the Secrets
 * Manager interface endpoint in two AZs (about 15 USD), four KMS keys (4 USD: the lake's and
 * those of the flow logs, the state machine logs and the seed logs), the database
 * secret (0.40 USD) and Aurora storage (cents). The Aurora Serverless v2 writer scales to zero
 * ACUs and pauses after 5 idle minutes, so the database itself costs no compute at idle (its
 * first connection after a pause waits while it resumes). A load bills a few minutes of Aurora
 * capacity and a few state transitions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage, DataLake, DatabaseIngestion, DmsAccountRoles, PrivateNetwork, acknowledgeProviderOutsideVpc, allowLogsToUse, createDataKey } from '../../lib';

const DATABASE = 'shop';

/** Properties of the {@link DatabaseIngestionDemoStack}. */
export interface DatabaseIngestionDemoStackProps extends StackProps {
  /**
   * DMS's account-wide roles, in a stack of their own.
   *
   * @default - the account already has them
   */
  readonly accountRoles?: DmsAccountRoles;
}

export class DatabaseIngestionDemoStack extends Stack {
  /** The ingestion. */
  public readonly ingestion: DatabaseIngestion;

  constructor(scope: Construct, id: string, props: DatabaseIngestionDemoStackProps = {}) {
    const { accountRoles, ...stackProps } = props;
    super(scope, id, {
      description: 'ML data engineering demo: DMS full load from Aurora PostgreSQL into the raw zone as Parquet, run by Step Functions',
      ...stackProps,
    });

    // 1. A private network: isolated subnets, no NAT. DMS reads its source credentials from
    //    Secrets Manager, so the network gets a Secrets Manager interface endpoint.
    const network = new PrivateNetwork(this, 'Network', {
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // 2. The lake DMS writes into: only a raw zone here.
    const lake = new DataLake(this, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, zones: [{ name: 'raw' }] });

    // 3. The source: Aurora PostgreSQL Serverless v2 that scales to zero and pauses when idle,
    //    encrypted, with generated credentials in Secrets Manager and the Data API turned on so
    //    that the stack can seed it without a Lambda function in the VPC.
    const database = new rds.DatabaseCluster(this, 'Source', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { autoMinorVersionUpgrade: true }),
      serverlessV2MinCapacity: 0,
      serverlessV2MaxCapacity: 1,
      serverlessV2AutoPauseDuration: Duration.minutes(5),
      credentials: rds.Credentials.fromGeneratedSecret('ingest'),
      defaultDatabaseName: DATABASE,
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      port: 5433,
      storageEncrypted: true,
      iamAuthentication: true,
      enableDataApi: true,
      cloudwatchLogsExports: ['postgresql'],
      backup: { retention: Duration.days(1) },
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.acknowledgeDemoDatabase(database);
    this.seed(database);

    // 4. The ingestion: DMS reads every table of schema `public`, writes Parquet under `shop/` in
    //    the raw zone, logs the task to an encrypted log group, and a state machine runs the full
    //    load on demand. With `accountRoles`, this stack is deployed after the roles' stack.
    this.ingestion = new DatabaseIngestion(this, 'Ingestion', {
      vpc: network.vpc,
      source: {
        engine: 'aurora-postgresql',
        secret: database.secret!,
        databaseName: DATABASE,
        connections: database,
        port: 5433,
      },
      target: lake.zone('raw'),
      migrationType: 'full-load',
      accountRoles,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // DMS reaches Secrets Manager through the network's endpoint, which admits only named clients.
    network.allowEndpointAccessFrom(this.ingestion);

    // On the data-flow diagram: the source database (with its secret, which DMS reads).
    DataFlow.node(this, 'SourceNode', {
      label: 'Aurora PostgreSQL', detail: 'source database', stage: DataFlowStage.SOURCE, resources: [database, database.secret!],
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.ingestion.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RawBucket', { value: lake.zone('raw').bucket.bucketName });
  }

  /**
   * Creates and fills the `orders` table through the RDS Data API, once, when the stack is
   * created: a CDK custom resource calls ExecuteStatement for each statement of seed-orders.sql.
   */
  private seed(database: rds.DatabaseCluster): void {
    const statements = fs.readFileSync(path.join(__dirname, 'seed-orders.sql'), 'utf-8').split(';\n').map(s => s.trim()).filter(Boolean);
    // The custom resource's own logs: encrypted and kept a year, like every log group here.
    const logKey = createDataKey(this, 'SeedLogKey', 'Encrypts the logs of the seed custom resource', { removalPolicy: RemovalPolicy.DESTROY });
    allowLogsToUse(logKey);
    const logGroup = new logs.LogGroup(this, 'SeedLogs', { encryptionKey: logKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    let previous: Construct = database;
    statements.forEach((sql, index) => {
      const call: cr.AwsSdkCall = {
        service: 'RDSDataService',
        action: 'executeStatement',
        parameters: { resourceArn: database.clusterArn, secretArn: database.secret!.secretArn, database: DATABASE, sql },
        physicalResourceId: cr.PhysicalResourceId.of(`seed-orders-${index}`),
      };
      const seed = new cr.AwsCustomResource(this, `Seed${index}`, {
        onCreate: call,
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['rds-data:ExecuteStatement'], resources: [database.clusterArn] }),
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [database.secret!.secretArn] }),
        ]),
        installLatestAwsSdk: false,
        logGroup,
        timeout: Duration.minutes(2),
      });
      seed.node.addDependency(previous);
      previous = seed;
    });
    // CDK's AwsCustomResource provider, a singleton function of the stack, runs outside the VPC
    // (the Control Tower control CT.LAMBDA.PR.3 asks for one): it only calls a public AWS API.
    const provider = this.node.findChild('AWS679f53fac002430cb0da5b7982bd2287');
    acknowledgeProviderOutsideVpc(this, provider.node.id, 'runs the seed SQL with the RDS Data API');
    Validations.of(provider.node.findChild('ServiceRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'CDK\'s AwsCustomResource provider writes its own logs with the basic execution policy; its SDK calls are limited by the statements above',
    });
  }

  /** What a sandbox source database does without, and why. */
  private acknowledgeDemoDatabase(database: rds.DatabaseCluster): void {
    Validations.of(database).acknowledge(
      { id: 'AwsSolutions-RDS10', reason: 'Demo source database: deletion protection would stop `cdk destroy` from removing it' },
      { id: 'AwsSolutions-SMG4', reason: 'Demo source database credentials live as long as the sandbox stack; rotation would add a Lambda function in the VPC' },
      {
        id: 'cdk-validator-cfnguard::rds_cluster_deletion_protection_enabled_check',
        reason: 'Demo source database of a sandbox stack: deletion protection would stop `cdk destroy` from removing it',
      },
    );
    Validations.of(database.node.findChild('Writer')).acknowledge({
      id: 'cdk-validator-cfnguard::rds_instance_enhanced_monitoring_enabled_check',
      reason: 'Demo source database that pauses when idle: CloudWatch metrics and the exported PostgreSQL log suffice; '
        + 'enhanced monitoring would add an IAM role and OS metrics billed as CloudWatch Logs',
    });
  }
}
