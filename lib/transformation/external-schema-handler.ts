/**
 * The custom resource handler of `RedshiftSpectrum`: creates (and drops) one Redshift Spectrum
 * external schema over a Glue database, through the Redshift Data API, and waits for the result.
 *
 * The Data API runs statements asynchronously: `ExecuteStatement` only queues a statement. The
 * handler therefore polls `DescribeStatement` until the statement has FINISHED, and fails the
 * deployment with Redshift's own error when it FAILED or was ABORTED. After creating the schema,
 * it counts the schema's tables in `SVV_EXTERNAL_TABLES`, which makes Redshift read the Glue
 * catalog with the schema's IAM role: a role that cannot read the catalog fails the deployment
 * here rather than at the first query.
 *
 * It runs with the namespace's admin credentials: the secret that Redshift manages in Secrets
 * Manager (`manageAdminPassword`). CloudFormation does not return that secret's ARN, so the handler
 * reads it from the namespace (`GetNamespace`). The admin is a superuser, who may create external
 * schemas; the schema's owner is whoever creates it.
 */
import {
  DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetNamespaceCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';

/** What the handler needs of the Data API client (a fake in tests). */
export interface DataApiClient {
  send(command: ExecuteStatementCommand | DescribeStatementCommand | GetStatementResultCommand): Promise<DataApiOutput>;
}

/** The fields the handler reads from Data API responses. */
export interface DataApiOutput {
  readonly Id?: string;
  readonly Status?: string;
  readonly Error?: string;
  readonly Records?: Array<Array<{ longValue?: number }>>;
}

/** What the handler needs of the Redshift Serverless client (a fake in tests). */
export interface NamespaceClient {
  send(command: GetNamespaceCommand): Promise<{ namespace?: { adminPasswordSecretArn?: string } }>;
}

/** The properties `RedshiftSpectrum` gives each external schema resource. */
export interface ExternalSchemaProperties {
  readonly WorkgroupName: string;
  readonly NamespaceName: string;
  readonly Database: string;
  readonly SchemaName: string;
  readonly GlueDatabase: string;
  readonly IamRoleArn: string;
}

/** The custom resource event, as the CDK provider framework passes it. */
export interface ExternalSchemaEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: ExternalSchemaProperties & { readonly ServiceToken?: string };
  readonly OldResourceProperties?: ExternalSchemaProperties;
}

/** How the handler waits (replaced in tests). */
export interface Clock {
  sleep(ms: number): Promise<void>;
  /** Milliseconds left before the Lambda function times out. */
  remainingMs(): number;
}

/** Redshift identifiers the library creates: lower-case, so they never need quoting rules of case. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}$/;
/** Glue database names every engine of the lake accepts (as `DataLakeZone` validates them). */
const GLUE_DATABASE = /^[a-z0-9_]{1,255}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const POLL_MS = 2000;
/** Stop polling this long before the function times out, so the failure is reported, not lost. */
const SAFETY_MS = 15000;

/**
 * A delimited identifier: in double quotes, so that a reserved word (such as the zone name `raw`)
 * names the schema instead of breaking the statement.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The statement that creates the schema; refuses inputs that are not plain names and ARNs. */
export function createSchemaSql(props: ExternalSchemaProperties): string {
  checkInputs(props);
  return `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${quoteIdentifier(props.SchemaName)} FROM DATA CATALOG `
    + `DATABASE '${props.GlueDatabase}' IAM_ROLE '${props.IamRoleArn}'`;
}

/** The statement that drops the schema: only Redshift's reference, never the Glue database. */
export function dropSchemaSql(props: ExternalSchemaProperties): string {
  checkInputs(props);
  return `DROP SCHEMA IF EXISTS ${quoteIdentifier(props.SchemaName)}`;
}

/** The statement that proves the schema's role can read the catalog: it lists the schema's tables. */
export function countTablesSql(props: ExternalSchemaProperties): string {
  checkInputs(props);
  return `SELECT COUNT(*) FROM svv_external_tables WHERE schemaname = '${props.SchemaName}'`;
}

function checkInputs(props: ExternalSchemaProperties): void {
  if (!IDENTIFIER.test(props.SchemaName)) {
    throw new Error(`SchemaName must be a lower-case Redshift identifier, got '${props.SchemaName}'`);
  }
  if (!GLUE_DATABASE.test(props.GlueDatabase)) {
    throw new Error(`GlueDatabase must be lower-case letters, digits or underscores, got '${props.GlueDatabase}'`);
  }
  if (!ROLE_ARN.test(props.IamRoleArn)) {
    throw new Error(`IamRoleArn must be an IAM role ARN, got '${props.IamRoleArn}'`);
  }
}

/** Where a statement runs: the workgroup, its database, and the admin secret. */
export interface Target {
  readonly workgroupName: string;
  readonly database: string;
  readonly secretArn: string;
}

/** The ARN of the admin secret Redshift manages for the namespace. */
export async function adminSecretArn(client: NamespaceClient, namespaceName: string): Promise<string> {
  const { namespace } = await client.send(new GetNamespaceCommand({ namespaceName }));
  if (!namespace?.adminPasswordSecretArn) {
    throw new Error(`Namespace ${namespaceName} has no Redshift-managed admin secret (is manageAdminPassword on?)`);
  }
  return namespace.adminPasswordSecretArn;
}

/** Runs one statement and waits until Redshift has finished it; throws with Redshift's error. */
export async function runStatement(client: DataApiClient, clock: Clock, target: Target, sql: string): Promise<string> {
  const { Id } = await client.send(new ExecuteStatementCommand({
    WorkgroupName: target.workgroupName,
    Database: target.database,
    SecretArn: target.secretArn,
    Sql: sql,
  }));
  if (!Id) {
    throw new Error(`The Data API returned no statement id for: ${sql}`);
  }
  for (;;) {
    const statement = await client.send(new DescribeStatementCommand({ Id }));
    switch (statement.Status) {
      case 'FINISHED':
        return Id;
      case 'FAILED':
      case 'ABORTED':
        throw new Error(`Statement ${Id} ${statement.Status}: ${statement.Error ?? 'no error message'} (${sql})`);
      default:
        if (clock.remainingMs() < SAFETY_MS + POLL_MS) {
          throw new Error(`Statement ${Id} still ${statement.Status ?? 'unknown'} when the handler had to stop waiting (${sql})`);
        }
        await clock.sleep(POLL_MS);
    }
  }
}

/** The clients the handler calls (fakes in tests). */
export interface Clients {
  readonly data: DataApiClient;
  readonly namespaces: NamespaceClient;
}

/** Creates, replaces or drops the external schema, as CloudFormation asks. */
export async function handleEvent(event: ExternalSchemaEvent, clients: Clients, clock: Clock) {
  const props = event.ResourceProperties;
  const client = clients.data;
  if (event.RequestType === 'Delete') {
    try {
      const target = { workgroupName: props.WorkgroupName, database: props.Database, secretArn: await adminSecretArn(clients.namespaces, props.NamespaceName) };
      await runStatement(client, clock, target, dropSchemaSql(props));
    } catch (error) {
      // A schema that cannot be dropped (the workgroup is gone, the create never succeeded) must
      // not block the stack's deletion or rollback: it is a reference only, and holds no data.
      console.warn(`Could not drop schema ${props.SchemaName}, leaving it: ${String(error)}`);
    }
    return { PhysicalResourceId: event.PhysicalResourceId ?? props.SchemaName };
  }
  const secretArn = await adminSecretArn(clients.namespaces, props.NamespaceName);
  const target = { workgroupName: props.WorkgroupName, database: props.Database, secretArn };
  const old = event.OldResourceProperties;
  if (event.RequestType === 'Update' && old && old.SchemaName === props.SchemaName) {
    // Same schema, new database or role: CREATE ... IF NOT EXISTS would keep the old definition.
    // (A new schema name is a new physical id: CloudFormation then deletes the old schema.)
    await runStatement(client, clock, target, dropSchemaSql(props));
  }
  await runStatement(client, clock, target, createSchemaSql(props));
  const countId = await runStatement(client, clock, target, countTablesSql(props));
  const result = await client.send(new GetStatementResultCommand({ Id: countId }));
  const tableCount = result.Records?.[0]?.[0]?.longValue ?? 0;
  return { PhysicalResourceId: props.SchemaName, Data: { TableCount: tableCount, AdminSecretArn: secretArn } };
}

/** The Lambda entry point. */
export async function handler(event: ExternalSchemaEvent, context: { getRemainingTimeInMillis(): number }) {
  const clock: Clock = {
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
  return handleEvent(event, { data: new RedshiftDataClient({}), namespaces: new RedshiftServerlessClient({}) }, clock);
}
