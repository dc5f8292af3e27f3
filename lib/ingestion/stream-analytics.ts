import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as flink from 'aws-cdk-lib/aws-kinesisanalyticsv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger, checkLength, checkMap } from '../core/validation';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { OTHER_ACCOUNT } from '../rehearsal/common-calls';
import { assumedBy, viaService } from '../rehearsal/declarations';
import { Rehearsal } from '../rehearsal/expectations';

/** The Flink runtimes of Managed Service for Apache Flink that run PyFlink applications. */
export const FLINK_RUNTIMES = ['FLINK-1_15', 'FLINK-1_18', 'FLINK-1_19', 'FLINK-1_20'] as const;
/** A Flink runtime of Managed Service for Apache Flink. */
export type FlinkRuntime = typeof FLINK_RUNTIMES[number];

/** The S3 object of an application's code: a ZIP with the PyFlink program and its connector JARs. */
export interface StreamAnalyticsCodeConfig {
  readonly bucket: s3.IBucket;
  readonly key: string;
}

/** Where the code of a {@link StreamAnalytics} application comes from. */
export abstract class StreamAnalyticsCode {
  /**
   * A local directory, zipped and uploaded by `cdk deploy` as an asset. It holds the PyFlink
   * program and, under the path given as `connectorJar`, the Kinesis connector JAR.
   */
  public static fromAsset(directory: string): StreamAnalyticsCode {
    return new AssetCode(directory);
  }

  /**
   * A ZIP that is already in S3 (built by a pipeline, say). Managed Service for Apache Flink reads
   * it when the application is created, so it must exist before the stack deploys.
   */
  public static fromBucket(bucket: s3.IBucket, key: string): StreamAnalyticsCode {
    return new BucketCode(bucket, key);
  }

  /** The local directory of the code, if it is an asset. */
  public abstract readonly directory?: string;

  /** Binds the code to `scope` and returns its S3 object. */
  public abstract bind(scope: Construct): StreamAnalyticsCodeConfig;
}

class AssetCode extends StreamAnalyticsCode {
  constructor(public readonly directory: string) {
    super();
  }

  public bind(scope: Construct): StreamAnalyticsCodeConfig {
    const asset = new s3assets.Asset(scope, 'Code', { path: this.directory, exclude: ['**/__pycache__', '**/*.pyc'] });
    return { bucket: asset.bucket, key: asset.s3ObjectKey };
  }
}

class BucketCode extends StreamAnalyticsCode {
  public readonly directory = undefined;
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public bind(): StreamAnalyticsCodeConfig {
    return { bucket: this.bucket, key: this.key };
  }
}

/** Properties of a {@link StreamAnalytics}. */
export interface StreamAnalyticsProps extends DataRetentionProps {
  /** The stream the application reads (the stream of a `StreamingIngestion`, or any stream). */
  readonly input: kinesis.IStream;
  /** The stream the application writes its results to (for example the stream of a second `StreamingIngestion` into the lake). */
  readonly output: kinesis.IStream;
  /** The application code: a ZIP with the PyFlink program and the Kinesis connector JAR. */
  readonly code: StreamAnalyticsCode;
  /**
   * The PyFlink program, relative to the root of the ZIP.
   *
   * @default 'main.py'
   */
  readonly mainFile?: string;
  /**
   * The Kinesis table connector JAR, relative to the root of the ZIP. Its version must match the
   * Flink runtime (for FLINK-1_20: `org.apache.flink:flink-sql-connector-kinesis:5.0.0-1.20`).
   *
   * @default 'lib/flink-sql-connector-kinesis-5.0.0-1.20.jar'
   */
  readonly connectorJar?: string;
  /**
   * More runtime properties for the program, in the property group `StreamAnalytics` (beside
   * `input.stream.arn`, `output.stream.arn` and `aws.region`, which the construct sets): at most
   * 47, keys and values of 1 to 2,048 characters.
   *
   * @default - none
   */
  readonly properties?: Record<string, string>;
  /**
   * The Flink runtime.
   *
   * @default 'FLINK-1_20'
   */
  readonly runtime?: FlinkRuntime;
  /**
   * How many parallel tasks the application runs. It is billed as parallelism / parallelism per
   * KPU Kinesis Processing Units, plus one for orchestration.
   *
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * How many parallel tasks share one KPU (1 vCPU, 4 GB): 1 to 8.
   *
   * @default 1
   */
  readonly parallelismPerKpu?: number;
  /**
   * Whether the service scales parallelism with CPU use (up to the account's KPU limit).
   *
   * @default false (a fixed, predictable bill)
   */
  readonly autoScaling?: boolean;
  /**
   * How often Flink checkpoints its state (exactly-once recovery after a failure).
   *
   * @default Duration.minutes(1)
   */
  readonly checkpointInterval?: Duration;
  /**
   * The least time between the end of one checkpoint and the start of the next.
   *
   * @default Duration.seconds(5)
   */
  readonly minPauseBetweenCheckpoints?: Duration;
  /**
   * Whether the service takes a snapshot (savepoint) when the application stops or is updated, and
   * restores from it on the next start.
   *
   * @default true
   */
  readonly snapshots?: boolean;
  /**
   * The key that encrypts the application log group.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly logKey?: kms.IKey;
  /**
   * How long the application logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Amazon Managed Service for Apache Flink reading a Kinesis data stream (notes part two, section f).
 *
 * **Apache Flink** runs stateful computations over unbounded streams: windows, joins, pattern
 * detection, with exactly-once state through periodic checkpoints. **Managed Service for Apache
 * Flink** (formerly Kinesis Data Analytics for Apache Flink) runs a Flink job (Java, Scala, or
 * Python/SQL with PyFlink) without a cluster to manage, billed per Kinesis Processing Unit (KPU)
 * while it runs. This construct creates the application (`AWS::KinesisAnalyticsV2::Application`)
 * for a PyFlink program that reads one stream and writes its results to a second one; a
 * `StreamingIngestion` on that second stream delivers them into the lake.
 *
 * Choices and why:
 * - **code from S3** (an asset ZIP): the program plus the Kinesis table connector JAR, which the
 *   Flink runtime does not include (`connectorJar`, matched to the runtime version);
 * - **checkpointing** every minute (recovery replays at most a minute of the stream) and
 *   **snapshots** on stop and update, so a restart resumes where it stopped;
 * - **fixed parallelism** 1 by default (one KPU, predictable cost); auto scaling is opt-in;
 * - **logging** to a KMS-encrypted log group kept one year, INFO level, application metrics;
 * - **least privilege**: the role may read only its code object, read only the input stream
 *   (and decrypt with its key), write only the output stream (and encrypt with its key), and write
 *   only its own log stream.
 *
 * CloudFormation creates the application but does not start it: start it with
 * `aws kinesisanalyticsv2 start-application --application-name <name>` (or in the console), stop
 * it with `stop-application`.
 *
 * **Cost at idle**: nothing for a created but stopped application (READY). While it runs:
 * 0.11 USD per KPU-hour (us-east-1) for parallelism / parallelism-per-KPU KPUs plus one more KPU
 * for orchestration: 2 KPUs, about 0.22 USD per hour (160 USD a month) at the defaults, even with
 * no records; 50 GB of running storage per KPU is included (0.10 USD per GB-month beyond);
 * snapshots 0.023 USD per GB-month. Plus the log key, 1 USD a month. Stop the application when it
 * is not needed.
 *
 * What the notes do not say: **Kinesis Data Analytics for SQL applications is discontinued**; SQL
 * over streams now runs as Flink SQL, in a PyFlink program like this one or in a Managed Service for
 * Apache Flink Studio notebook.
 *
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-python-creating.html
 * @see https://aws.amazon.com/managed-service-apache-flink/pricing/
 * @see https://docs.aws.amazon.com/kinesisanalytics/latest/dev/discontinuation.html
 */
export class StreamAnalytics extends Construct {
  /** The Flink application. */
  public readonly application: flink.CfnApplication;
  /** The role the application runs with. */
  public readonly role: iam.Role;
  /** The application log group. */
  public readonly logGroup: logs.LogGroup;
  /** The name of the application (for `start-application`). */
  public readonly applicationName: string;

  constructor(scope: Construct, id: string, props: StreamAnalyticsProps) {
    super(scope, id);
    const settings = this.validate(props);
    const stack = Stack.of(this);
    const code = props.code.bind(this);

    const logKey = props.logKey ?? createDataKey(this, 'LogKey', `Encrypts the logs of ${this.node.path}`, props);
    allowLogsToUse(logKey);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: logKey,
      removalPolicy: dataRemovalPolicy(props),
    });
    const logStream = new logs.LogStream(this, 'LogStream', { logGroup: this.logGroup, removalPolicy: dataRemovalPolicy(props) });
    const logStreamArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${this.logGroup.logGroupName}:log-stream:${logStream.logStreamName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Runs the Flink application of ${this.node.path}: reads its input stream, writes its output stream`,
    });
    const statements = [
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [code.bucket.arnForObjects(code.key)] }),
      new iam.PolicyStatement({
        actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        resources: [props.input.streamArn],
      }),
      new iam.PolicyStatement({
        actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        resources: [props.output.streamArn],
      }),
      new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }),
      new iam.PolicyStatement({ actions: ['logs:DescribeLogStreams'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [logStreamArn],
      }),
    ];
    if (code.bucket.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [code.bucket.encryptionKey.keyArn] }));
    }
    if (props.input.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.input.encryptionKey.keyArn] }));
    }
    if (props.output.encryptionKey) {
      statements.push(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [props.output.encryptionKey.keyArn] }));
    }
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role], statements });
    acknowledgeWildcards(policy, 'logs:DescribeLogGroups, which the service calls to find the application log group, lists the log groups '
      + 'of the account and accepts no narrower resource than log-group:*');

    this.application = new flink.CfnApplication(this, 'Application', {
      runtimeEnvironment: settings.runtime,
      serviceExecutionRole: this.role.roleArn,
      applicationDescription: `Flink application of ${this.node.path}`.slice(0, 1024),
      applicationConfiguration: {
        applicationCodeConfiguration: {
          codeContentType: 'ZIPFILE',
          codeContent: { s3ContentLocation: { bucketArn: code.bucket.bucketArn, fileKey: code.key } },
        },
        flinkApplicationConfiguration: {
          checkpointConfiguration: {
            configurationType: 'CUSTOM',
            checkpointingEnabled: true,
            checkpointInterval: settings.checkpointMs,
            minPauseBetweenCheckpoints: settings.minPauseMs,
          },
          monitoringConfiguration: { configurationType: 'CUSTOM', logLevel: 'INFO', metricsLevel: 'APPLICATION' },
          parallelismConfiguration: {
            configurationType: 'CUSTOM',
            parallelism: settings.parallelism,
            parallelismPerKpu: settings.parallelismPerKpu,
            autoScalingEnabled: props.autoScaling ?? false,
          },
        },
        applicationSnapshotConfiguration: { snapshotsEnabled: props.snapshots ?? true },
        environmentProperties: {
          propertyGroups: [
            // How the service starts a PyFlink program: the Python file and the JARs on its classpath.
            { propertyGroupId: 'kinesis.analytics.flink.run.options', propertyMap: { python: settings.mainFile, jarfile: settings.connectorJar } },
            {
              propertyGroupId: 'StreamAnalytics',
              propertyMap: { ...props.properties, ...this.ownProperties(props.input.streamArn, props.output.streamArn) },
            },
          ],
        },
      },
    });
    // A run-time actor on the data-flow diagram: the application runs (and bills) only once started.
    DataFlow.node(this, 'ApplicationNode', {
      label: 'Flink application run', detail: this.node.id, stage: DataFlowStage.PROCESSING, resources: [this.application], actor: true,
    });
    this.application.node.addDependency(policy);
    this.applicationName = this.application.ref;

    const logOption = new flink.CfnApplicationCloudWatchLoggingOption(this, 'LoggingOption', {
      applicationName: this.application.ref,
      cloudWatchLoggingOption: {
        logStreamArn,
      },
    });
    logOption.node.addDependency(policy);
    this.declareRuntimeCalls(props, code, logStreamArn, policy, logOption);
  }

  /** What the service does with the application's role, and what it must refuse. */
  private declareRuntimeCalls(props: StreamAnalyticsProps, code: StreamAnalyticsCodeConfig, logStreamArn: string,
    policy: iam.Policy, logOption: flink.CfnApplicationCloudWatchLoggingOption): void {
    const role = this.role;
    const source = 'https://docs.aws.amazon.com/managed-flink/latest/java/iam-role.html';
    const connector = source;
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(
      assumedBy(role, 'kinesisanalytics.amazonaws.com', source, { 'aws:SourceAccount': Stack.of(this).account }),
      { description: 'the service reads the application code', principal: role, action: 's3:GetObject', resource: code.bucket.arnForObjects(code.key), source },
      ...['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords']
        .map(action => ({ description: `the Kinesis connector reads the input (${action})`, principal: role, action, resource: props.input.streamArn, source: connector })),
      { description: 'the Kinesis connector writes the output', principal: role, action: 'kinesis:PutRecords', resource: props.output.streamArn, source: connector },
      { description: 'the service writes the application log stream', principal: role, action: 'logs:PutLogEvents', resource: logStreamArn, source: 'https://docs.aws.amazon.com/managed-flink/latest/java/cloudwatch-logs.html' },
    );
    const kmsSource = 'https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html';
    if (props.input.encryptionKey) {
      rehearsal.allows({ description: 'Kinesis decrypts the input for the connector', principal: role, action: 'kms:Decrypt', resource: props.input.encryptionKey.keyArn, context: viaService(this, 'kinesis'), source: kmsSource });
    }
    if (props.output.encryptionKey) {
      rehearsal.allows({ description: 'Kinesis encrypts the output for the connector', principal: role, action: 'kms:GenerateDataKey', resource: props.output.encryptionKey.keyArn, context: viaService(this, 'kinesis'), source: kmsSource });
    }
    rehearsal.denies(
      {
        description: 'the service assumes the role for an application of another account', principal: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com'),
        action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT }, source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html',
      },
      { description: 'the application writes its input stream', principal: role, action: 'kinesis:PutRecords', resource: props.input.streamArn, source: connector },
    );
    rehearsal.createsBefore(
      { description: 'the service reads the code with the role when it creates the application', first: policy, then: this.application, source },
      { description: 'the logging option names the log stream the role may write', first: policy, then: logOption, source: 'https://docs.aws.amazon.com/managed-flink/latest/java/cloudwatch-logs.html' },
    );
  }

  /**
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html (parallelism at least 1, 1 to 8 per KPU)
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CheckpointConfiguration.html (interval at least 1 ms, pause at least 0)
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-python-creating.html (kinesis.analytics.flink.run.options: python, jarfile)
   */
  private validate(props: StreamAnalyticsProps) {
    const runtime = props.runtime ?? 'FLINK-1_20';
    check((FLINK_RUNTIMES as readonly string[]).includes(runtime), this, 'runtime', runtime, `must be one of ${FLINK_RUNTIMES.join(', ')}`);
    const parallelism = props.parallelism ?? 1;
    checkInteger(this, 'parallelism', parallelism, { min: 1 });
    const parallelismPerKpu = props.parallelismPerKpu ?? 1;
    checkInteger(this, 'parallelismPerKpu', parallelismPerKpu, { min: 1, max: 8 });
    const checkpointMs = (props.checkpointInterval ?? Duration.minutes(1)).toMilliseconds({ integral: false });
    checkInteger(this, 'checkpointInterval', checkpointMs, { min: 1, why: 'milliseconds' });
    const minPauseMs = (props.minPauseBetweenCheckpoints ?? Duration.seconds(5)).toMilliseconds({ integral: false });
    checkInteger(this, 'minPauseBetweenCheckpoints', minPauseMs, { min: 0, why: 'milliseconds' });

    const mainFile = props.mainFile ?? 'main.py';
    const connectorJar = props.connectorJar ?? 'lib/flink-sql-connector-kinesis-5.0.0-1.20.jar';
    check(mainFile.endsWith('.py') && !path.isAbsolute(mainFile) && !mainFile.includes('..'), this, 'mainFile', mainFile,
      'must be a .py file relative to the root of the application ZIP');
    check(connectorJar.endsWith('.jar') && !path.isAbsolute(connectorJar) && !connectorJar.includes('..'), this, 'connectorJar', connectorJar,
      'must be a .jar file relative to the root of the application ZIP');
    const directory = props.code.directory;
    if (directory) {
      check(fs.existsSync(path.join(directory, mainFile)), this, 'mainFile', mainFile, `must exist in the code directory ${directory}`);
      if (!fs.existsSync(path.join(directory, connectorJar))) {
        // Not an error: the application is created stopped, and CloudFormation deploys it. It
        // cannot start until the JAR is in the ZIP, which the message says how to fix.
        Annotations.of(this).addInfo(`${connectorJar} is not in ${directory}: the application deploys but cannot start until the Kinesis connector JAR is there`);
      }
    }
    checkLength(this, 'mainFile', mainFile, { max: 2048, why: 'a runtime property value' });
    checkLength(this, 'connectorJar', connectorJar, { max: 2048, why: 'a runtime property value' });
    this.validateProperties(props.properties ?? {});
    return { runtime, parallelism, parallelismPerKpu, checkpointMs, minPauseMs, mainFile, connectorJar };
  }

  /**
   * The program's properties share the property group `StreamAnalytics` with the three the
   * construct sets: 50 entries at most in all, keys and values of 1 to 2,048 characters, and no
   * key of the construct's own (it would be overwritten).
   *
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_PropertyGroup.html
   */
  private validateProperties(properties: Record<string, string>): void {
    const reserved = Object.keys(this.ownProperties('', ''));
    const clash = Object.keys(properties).find(key => reserved.includes(key));
    check(clash === undefined, this, 'properties key', clash, `must not be one the construct sets (${reserved.join(', ')})`);
    checkMap(this, 'properties', properties, {
      entries: { max: 50 - reserved.length, why: `the property group takes 50, and the construct sets ${reserved.length}` },
      keyLength: { min: 1, max: 2048 },
      valueLength: { min: 1, max: 2048 },
    });
  }

  /** The properties the construct gives the program, in its property group. */
  private ownProperties(inputArn: string, outputArn: string): Record<string, string> {
    return { 'input.stream.arn': inputArn, 'output.stream.arn': outputArn, 'aws.region': Stack.of(this).region };
  }
}
