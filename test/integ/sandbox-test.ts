/**
 * What every sandbox integration test (`test/integ/integ.<pattern>.ts`) shares.
 *
 * An integ test is a CDK app that `@aws-cdk/integ-runner` synthesizes (snapshot mode, in
 * `npm test`) or deploys to a sandbox account (`npm run integ -- <DemoStack>`). It holds two stacks:
 *
 * - `<Demo>Integ`: the demo stack itself, built by the same class as `bin/app.ts` builds it, under
 *   a name of its own, so that a test never updates or destroys a demo deployed by hand;
 * - `<Demo>IntegAssertions`: the assertions of `@aws-cdk/integ-tests-alpha`, custom resources
 *   that call AWS APIs (put records, start a workflow, run a query) and wait for their results.
 *
 * Both are tagged `ml-data-engineering:demo=<Demo>` (as the demo app tags its stacks), which is how
 * `npm run leftovers` finds what a run left behind.
 *
 * The quality gates run on both stacks. The assertion provider of integ-tests-alpha is a test
 * harness that exists only while a test runs, made of plain CloudFormation resources (its code
 * cannot be configured); its findings are acknowledged on its own resources with the reason, and its
 * IAM policies are replaced by least-privilege statements: each call declares the resources it
 * touches ({@link SandboxTest.call}).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, ArnFormat, CfnResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { IConstruct } from 'constructs';
import { AthenaWorkgroup } from '../../lib';
import { tagDemoStack } from '../../examples/demo-stacks';
import { addQualityGates } from '../../examples/quality-gates';

/** The app context of `cdk.json`: feature flags and the strict CloudFormation validation. */
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf-8')).context;

/** The construct ids of integ-tests-alpha's singleton providers (their uuids without dashes). */
const SDK_PROVIDER = 'SingletonFunction1488541a7b23466481b69b4408076b81';
const IS_COMPLETE_PROVIDER = 'SingletonFunction76b3e830a873425f8453eddd85c86925';
const TIMEOUT_PROVIDER = 'SingletonFunction5c1898e096fb4e3e95d5f6c67f3ce41a';

/** One IAM statement, as the provider's plain CloudFormation role takes it. */
interface Statement {
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string[];
}

/** How long to wait for an assertion, and how often to try. */
export interface Wait {
  /** The longest wait; a CloudFormation custom resource gives up after one hour. */
  readonly totalTimeout: Duration;
  /** The pause between tries. */
  readonly interval: Duration;
}

/** A wait of at most `minutes`, trying every `intervalSeconds`. */
export function within(minutes: number, intervalSeconds = 30): Wait {
  return { totalTimeout: Duration.minutes(minutes), interval: Duration.seconds(intervalSeconds) };
}

/** An Athena query of {@link SandboxTest.athenaQuery}. */
export interface AthenaQuery {
  /** The workgroup (its results bucket and key are the workgroup's). */
  readonly workgroup: AthenaWorkgroup;
  /** The Glue database the query's tables are in. */
  readonly database: string;
  /** The bucket the tables' files are in (read with the workgroup's key, the lake's). */
  readonly data: s3.IBucket;
  readonly sql: string;
  /** The expected rows, header first, as strings. */
  readonly rows: string[][];
  /** What must exist before the query starts (a Lake Formation grant). @default - nothing */
  readonly after?: IConstruct[];
}

/** Options of one API call. */
export interface CallOptions {
  /**
   * The IAM actions the call needs, when they differ from `<service>:<Api>` (for example
   * `kinesis:PutRecords` also needs `kms:GenerateDataKey` on the stream's key: add a separate
   * {@link SandboxTest.allow} for it).
   *
   * @default - `<service prefix>:<Api>`
   */
  readonly actions?: string[];
  /** Retry until the expected result holds, within these bounds. @default - call once */
  readonly wait?: Wait;
}

/**
 * One integ test: the demo stack, its assertion stack, the quality gates, and calls whose IAM
 * permissions are scoped to the resources they name.
 */
export class SandboxTest {
  /** The app integ-runner synthesizes. */
  public readonly app: App;
  /** The demo stack under test. */
  public readonly stack: Stack;
  /** The stack the assertions live in. */
  public readonly assertionStack: Stack;
  /** The integ-tests-alpha test. */
  public readonly integ: IntegTest;
  private readonly sdkStatements: Statement[] = [];
  private readonly waiterStatements: Statement[] = [];
  private readonly waiters: string[] = [];
  private previous?: IApiCall;

  /**
   * @param demo the demo stack's name in `bin/app.ts` (`StreamingIngestionDemo`)
   * @param createStack builds the demo stack under the id it is given (and any demo stack it
   *   needs, under `<OtherDemo>Integ`)
   */
  constructor(public readonly demo: string, createStack: (app: App, id: string) => Stack, testOptions: { readonly regions?: string[] } = {}) {
    // integ-runner passes its own recommended feature flags as context; the project's (cdk.json)
    // must win, as they do for `cdk synth`, hence postCliContext.
    this.app = new App({ postCliContext: CDK_CONTEXT });
    this.stack = createStack(this.app, `${demo}Integ`);
    // A demo that needs another demo stack (built by `createStack` too, named `<Other>Integ`)
    // deploys and is destroyed with it: every stack of the app is a test case.
    const testCases = this.app.node.children.filter((child): child is Stack => child instanceof Stack);
    this.assertionStack = new Stack(this.app, `${demo}IntegAssertions`, {
      description: `Sandbox assertions of ${demo}: calls that exercise its data path (integ-tests-alpha)`,
    });
    for (const stack of testCases) {
      tagDemoStack(stack, stack.stackName.replace(/Integ$/, ''));
    }
    tagDemoStack(this.assertionStack, demo);
    this.integ = new IntegTest(this.app, `${demo}Sandbox`, {
      testCases,
      assertionStack: this.assertionStack,
      // A sandbox run deploys the current code once; the update workflow would first deploy the
      // committed snapshot, doubling the time and the bill. It also keeps assets out of the snapshot.
      stackUpdateWorkflow: false,
      diffAssets: false,
      ...testOptions,
    });
  }

  /**
   * The value of one of the demo stack's outputs (`new CfnOutput(this, 'StreamName', …)`), read by
   * the assertion stack at deployment (a cross-stack reference through the output).
   */
  public output(id: string): string {
    const output = this.stack.node.tryFindChild(id) as { value?: unknown } | undefined;
    if (!output || typeof output.value !== 'string') {
      throw new Error(`${this.stack.stackName} has no output '${id}'`);
    }
    return output.value;
  }

  /**
   * Calls `service.api(parameters)` once the previous call has finished (the calls of a test run
   * in order), allowed `actions` on `resources` only.
   *
   * @param service the SDK v3 client name (`Kinesis`, `S3`, `Glue`)
   * @param resources the ARNs the call acts on (`*` only where the action has no resource type)
   */
  public call(service: string, api: string, parameters: Record<string, unknown>, resources: string[], options: CallOptions = {}): IApiCall {
    const call = this.integ.assertions.awsApiCall(service, api, parameters);
    const statement: Statement = { Effect: 'Allow', Action: options.actions ?? [iamAction(service, api)], Resource: resources };
    if (options.wait) {
      call.waitForAssertions({ totalTimeout: options.wait.totalTimeout, interval: options.wait.interval });
      this.waiterStatements.push(statement);
      // The waiter is named, so that the provider's permission to start it names it without a
      // reference (a reference would make the provider depend on the calls it serves: a cycle).
      const name = `${this.assertionStack.stackName}-Wait${this.waiters.length + 1}`;
      const waiter = call.node.findChild('WaitFor').node.findChild('Resource') as CfnResource;
      waiter.addPropertyOverride('StateMachineName', name);
      acknowledgeWaiter(waiter);
      this.waiters.push(this.assertionStack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    } else {
      this.sdkStatements.push(statement);
    }
    if (this.previous) {
      this.previous.next(call);
    }
    this.previous = call;
    return call;
  }

  /**
   * Allows the calls more than their own action, for example `kms:GenerateDataKey` on the key of
   * an encrypted stream (`waited`: for calls that wait, which run in the waiter's provider).
   */
  public allow(actions: string[], resources: string[], waited = false): void {
    (waited ? this.waiterStatements : this.sdkStatements).push({ Effect: 'Allow', Action: actions, Resource: resources });
  }

  /** The ARN of a bucket, or of one object (`key`) or all objects (`*`) in it. */
  public s3Arn(bucket: string, key?: string): string {
    return this.assertionStack.formatArn({ service: 's3', region: '', account: '', resource: key === undefined ? bucket : `${bucket}/${key}` });
  }

  /** An ARN in the test's account and region (`arn('kinesis', 'stream/x')`). */
  public arn(service: string, resource: string, arnFormat: ArnFormat = ArnFormat.SLASH_RESOURCE_NAME): string {
    return this.assertionStack.formatArn({ service, resource, arnFormat });
  }

  /** Puts `body` at `key` of a bucket encrypted with `keyArn` (SSE-KMS, the bucket's default). */
  public putObject(bucket: string, key: string, body: string, keyArn: string): IApiCall {
    const call = this.call('S3', 'PutObject', { Bucket: bucket, Key: key, Body: body }, [this.s3Arn(bucket, key)]);
    this.allow(['kms:GenerateDataKey'], [keyArn]);
    return call;
  }

  /** Waits until `bucket` holds an object under `prefix` whose key matches the regular expression `key`. */
  public expectObjects(bucket: string, prefix: string, key: string, wait: Wait): IApiCall {
    return this.call('S3', 'ListObjectsV2', { Bucket: bucket, Prefix: prefix }, [this.s3Arn(bucket)], { actions: ['s3:ListBucket'], wait })
      .expect(ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp(key) })]) }));
  }

  /** Starts an execution of a state machine (by ARN) with `input`. */
  public startExecution(stateMachineArn: string, input: Record<string, unknown> = {}): IApiCall {
    return this.call('SFN', 'StartExecution', { stateMachineArn, input: JSON.stringify(input) }, [stateMachineArn]);
  }

  /**
   * Waits until the execution that `start` started has SUCCEEDED (a failed execution keeps the
   * waiter trying until its timeout, then the test fails with the last response).
   *
   * @param output what the execution's output (JSON) must contain
   */
  public expectExecutionSucceeded(start: IApiCall, stateMachineArn: string, wait: Wait, output?: Record<string, unknown>): IApiCall {
    const name = Fn.select(6, Fn.split(':', stateMachineArn));
    return this.call('SFN', 'DescribeExecution', { executionArn: start.getAttString('executionArn') },
      [this.arn('states', `execution:${name}:*`, ArnFormat.COLON_RESOURCE_NAME)], { wait })
      .expect(ExpectedResult.objectLike({ status: 'SUCCEEDED', ...(output ? { output: Match.serializedJson(Match.objectLike(output)) } : {}) }));
  }

  /**
   * Runs `sql` in an Athena workgroup and expects its result rows (header row first). The query
   * runs with the provider's role: it may use the workgroup, read the Glue catalog of `database`,
   * write the results bucket (and its key), read the tables' bucket (and its key), and ask Lake
   * Formation for data access (a governed lake also needs a grant, see integ.glue-etl.ts).
   */
  public athenaQuery(query: AthenaQuery): IApiCall {
    const workgroupArn = this.arn('athena', `workgroup/${query.workgroup.workgroupName}`);
    const start = this.call('Athena', 'StartQueryExecution', {
      WorkGroup: query.workgroup.workgroupName, QueryExecutionContext: { Database: query.database }, QueryString: query.sql,
    }, [workgroupArn]);
    (query.after ?? []).forEach(dependency => start.node.addDependency(dependency));
    this.allow(['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions', 'glue:GetPartition'], [
      this.arn('glue', 'catalog', ArnFormat.NO_RESOURCE_NAME), this.arn('glue', `database/${query.database}`), this.arn('glue', `table/${query.database}/*`),
    ]);
    this.allow(['lakeformation:GetDataAccess'], ['*']);
    this.allow(['s3:GetBucketLocation', 's3:ListBucket'], [query.workgroup.resultsBucket.bucketArn, query.data.bucketArn]);
    this.allow(['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'], [query.workgroup.resultsBucket.arnForObjects('*')]);
    this.allow(['s3:GetObject'], [query.data.arnForObjects('*')]);
    this.allow(['kms:GenerateDataKey', 'kms:Decrypt'], [query.workgroup.encryptionKey.keyArn]);
    this.call('Athena', 'GetQueryExecution', { QueryExecutionId: start.getAttString('QueryExecutionId') }, [workgroupArn], { wait: within(5, 10) })
      .expect(ExpectedResult.objectLike({ QueryExecution: Match.objectLike({ Status: Match.objectLike({ State: 'SUCCEEDED' }) }) }));
    const row = (values: string[]) => ({ Data: values.map(value => ({ VarCharValue: value })) });
    return this.call('Athena', 'GetQueryResults', { QueryExecutionId: start.getAttString('QueryExecutionId') }, [workgroupArn])
      .expect(ExpectedResult.objectLike({ ResultSet: Match.objectLike({ Rows: query.rows.map(row) }) }));
  }

  /**
   * The role of the provider that makes the calls that do not wait (for grants that must exist
   * before a call, such as Lake Formation permissions). Exists once a call has been made.
   */
  public sdkProviderRoleArn(): string {
    return (this.providerRole(SDK_PROVIDER) as CfnResource).getAtt('Arn').toString();
  }

  /**
   * Replaces the providers' `service:Api on *` statements with the scoped ones, acknowledges the
   * gates' findings on the harness, adds the gates and synthesizes: integ-runner reads the
   * assembly this writes.
   */
  public synth(): void {
    const policies = (statements: Statement[]) => statements.length === 0 ? undefined
      : [{ PolicyName: 'Inline', PolicyDocument: { Version: '2012-10-17', Statement: statements } }];
    const waiterStarts: Statement[] = this.waiters.length === 0 ? [] : [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: this.waiters }];
    this.providerRole(SDK_PROVIDER)?.addPropertyOverride('Policies', policies([...this.sdkStatements, ...waiterStarts]));
    this.providerRole(IS_COMPLETE_PROVIDER)?.addPropertyOverride('Policies', policies(this.waiterStatements));
    acknowledgeHarness(this.assertionStack);
    addQualityGates(this.app);
    this.app.synth();
  }

  private providerRole(id: string): CfnResource | undefined {
    return this.assertionStack.node.tryFindChild(id)?.node.findChild('Role') as CfnResource | undefined;
  }
}

/** `Kinesis` + `PutRecords` → `kinesis:PutRecords`, as integ-tests-alpha names the action. */
function iamAction(service: string, api: string): string {
  const prefixes: Record<string, string> = {
    Athena: 'athena', Glue: 'glue', Kinesis: 'kinesis', KinesisVideo: 'kinesisvideo', KinesisAnalyticsV2: 'kinesisanalytics',
    Kafka: 'kafka', Lambda: 'lambda', LakeFormation: 'lakeformation', RedshiftData: 'redshift-data', S3: 's3', SFN: 'states', SageMaker: 'sagemaker',
    DatabaseMigrationService: 'dms', EMRServerless: 'emr-serverless', EMR: 'elasticmapreduce', Firehose: 'firehose',
  };
  const prefix = prefixes[service];
  if (!prefix) {
    throw new Error(`no IAM prefix known for service ${service}: add it to iamAction`);
  }
  return `${prefix}:${api}`;
}

/** The harness's reason, shared by its acknowledgements. */
const HARNESS = 'integ-tests-alpha\'s assertion harness, deployed by integ-runner only for the minutes of one sandbox test run';

/**
 * integ-tests-alpha's waiter, a state machine that retries one call until its assertion holds (or
 * the timeout), is plain CloudFormation that the library builds without logging or tracing options.
 */
function acknowledgeWaiter(waiter: CfnResource): void {
  Validations.of(waiter).acknowledge(
    {
      id: 'cdk-validator-cfnguard::step_functions_state_machine_logging_enabled_check',
      reason: `${HARNESS}: the waiter's only task is the assertion provider, whose own logs record every try and the final result`,
    },
    {
      id: 'cdk-validator-cfnguard::step_functions_state_machine_tracing_enabled_check',
      reason: `${HARNESS}: the waiter retries one Lambda task; X-Ray traces would add nothing that the provider's logs and the execution history lack`,
    },
  );
}

/**
 * The Control Tower rule that integ-tests-alpha's Lambda providers break, acknowledged on each
 * provider. (cdk-nag does not inspect the providers: they are untyped `CfnResource`s.)
 */
function acknowledgeHarness(stack: Stack): void {
  for (const id of [SDK_PROVIDER, IS_COMPLETE_PROVIDER, TIMEOUT_PROVIDER]) {
    const provider = stack.node.tryFindChild(id);
    if (provider) {
      Validations.of(provider.node.findChild('Handler')).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: `${HARNESS}: the provider calls public AWS APIs (and answers CloudFormation through a pre-signed S3 URL); `
          + 'in a VPC it would need a NAT gateway or interface endpoints, billed every hour',
      });
    }
  }
}
