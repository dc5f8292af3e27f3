// @ts-check
'use strict';
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
 *
 * Plain JavaScript (type-checked from these JSDoc types), loaded with `lambda.Code.fromAsset` from
 * this directory, both in the repository and in the published package: it imports only AWS SDK v3
 * clients, which the Node.js runtime of Lambda includes, so nothing is bundled and an app that
 * uses `RedshiftSpectrum` needs neither esbuild nor Docker.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html (the runtime includes the AWS SDK for JavaScript)
 */
const {
  DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, RedshiftDataClient,
} = require('@aws-sdk/client-redshift-data');
const { GetNamespaceCommand, RedshiftServerlessClient } = require('@aws-sdk/client-redshift-serverless');

/**
 * The fields the handler reads from Data API responses.
 *
 * @typedef {object} DataApiOutput
 * @property {string} [Id]
 * @property {string} [Status]
 * @property {string} [Error]
 * @property {Array<Array<{ longValue?: number }>>} [Records]
 */

/**
 * What the handler needs of the Data API client (a fake in tests).
 *
 * @typedef {object} DataApiClient
 * @property {(command: ExecuteStatementCommand | DescribeStatementCommand | GetStatementResultCommand) => Promise<DataApiOutput>} send
 */

/**
 * What the handler needs of the Redshift Serverless client (a fake in tests).
 *
 * @typedef {object} NamespaceClient
 * @property {(command: GetNamespaceCommand) => Promise<{ namespace?: { adminPasswordSecretArn?: string } }>} send
 */

/**
 * The properties `RedshiftSpectrum` gives each external schema resource.
 *
 * @typedef {object} ExternalSchemaProperties
 * @property {string} WorkgroupName
 * @property {string} NamespaceName
 * @property {string} Database
 * @property {string} SchemaName
 * @property {string} GlueDatabase
 * @property {string} IamRoleArn
 */

/**
 * The custom resource event, as the CDK provider framework passes it.
 *
 * @typedef {object} ExternalSchemaEvent
 * @property {'Create' | 'Update' | 'Delete'} RequestType
 * @property {string} [PhysicalResourceId]
 * @property {ExternalSchemaProperties & { ServiceToken?: string }} ResourceProperties
 * @property {ExternalSchemaProperties} [OldResourceProperties]
 */

/**
 * How the handler waits (replaced in tests).
 *
 * @typedef {object} Clock
 * @property {(ms: number) => Promise<void>} sleep
 * @property {() => number} remainingMs Milliseconds left before the Lambda function times out.
 */

/**
 * Where a statement runs: the workgroup, its database, and the admin secret.
 *
 * @typedef {object} Target
 * @property {string} workgroupName
 * @property {string} database
 * @property {string} secretArn
 */

/**
 * The clients the handler calls (fakes in tests).
 *
 * @typedef {object} Clients
 * @property {DataApiClient} data
 * @property {NamespaceClient} namespaces
 */

/**
 * What the handler returns to the provider framework.
 *
 * @typedef {object} HandlerResult
 * @property {string} PhysicalResourceId
 * @property {{ TableCount: number, AdminSecretArn: string }} [Data]
 */

/** Redshift identifiers the library creates: lower-case, so they never need quoting rules of case. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}$/;
/** Glue database names every engine of the lake accepts (as `DataLakeZone` validates them). */
const GLUE_DATABASE = /^[a-z0-9_]{1,255}$/;
/** A role ARN of any partition (`aws`, `aws-cn`, `aws-us-gov`). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const POLL_MS = 2000;
/** Stop polling this long before the function times out, so the failure is reported, not lost. */
const SAFETY_MS = 15000;

/**
 * A delimited identifier: in double quotes, so that a reserved word (such as the zone name `raw`)
 * names the schema instead of breaking the statement.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 * @param {string} name
 * @returns {string}
 */
function quoteIdentifier(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The statement that creates the schema; refuses inputs that are not plain names and ARNs.
 *
 * @param {ExternalSchemaProperties} props
 * @returns {string}
 */
function createSchemaSql(props) {
  checkInputs(props);
  return `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${quoteIdentifier(props.SchemaName)} FROM DATA CATALOG `
    + `DATABASE '${props.GlueDatabase}' IAM_ROLE '${props.IamRoleArn}'`;
}

/**
 * The statement that drops the schema: only Redshift's reference, never the Glue database.
 *
 * @param {ExternalSchemaProperties} props
 * @returns {string}
 */
function dropSchemaSql(props) {
  checkInputs(props);
  return `DROP SCHEMA IF EXISTS ${quoteIdentifier(props.SchemaName)}`;
}

/**
 * The statement that proves the schema's role can read the catalog: it lists the schema's tables.
 *
 * @param {ExternalSchemaProperties} props
 * @returns {string}
 */
function countTablesSql(props) {
  checkInputs(props);
  return `SELECT COUNT(*) FROM svv_external_tables WHERE schemaname = '${props.SchemaName}'`;
}

/** @param {ExternalSchemaProperties} props */
function checkInputs(props) {
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

/**
 * The ARN of the admin secret Redshift manages for the namespace.
 *
 * @param {NamespaceClient} client
 * @param {string} namespaceName
 * @returns {Promise<string>}
 */
async function adminSecretArn(client, namespaceName) {
  const { namespace } = await client.send(new GetNamespaceCommand({ namespaceName }));
  if (!namespace?.adminPasswordSecretArn) {
    throw new Error(`Namespace ${namespaceName} has no Redshift-managed admin secret (is manageAdminPassword on?)`);
  }
  return namespace.adminPasswordSecretArn;
}

/**
 * Runs one statement and waits until Redshift has finished it; throws with Redshift's error.
 *
 * @param {DataApiClient} client
 * @param {Clock} clock
 * @param {Target} target
 * @param {string} sql
 * @returns {Promise<string>} the statement's id
 */
async function runStatement(client, clock, target, sql) {
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

/**
 * Creates, replaces or drops the external schema, as CloudFormation asks.
 *
 * @param {ExternalSchemaEvent} event
 * @param {Clients} clients
 * @param {Clock} clock
 * @returns {Promise<HandlerResult>}
 */
async function handleEvent(event, clients, clock) {
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

/**
 * The Lambda entry point (`index.handler`).
 *
 * @param {ExternalSchemaEvent} event
 * @param {{ getRemainingTimeInMillis(): number }} context
 * @returns {Promise<HandlerResult>}
 */
async function handler(event, context) {
  /** @type {Clock} */
  const clock = {
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    remainingMs: () => context.getRemainingTimeInMillis(),
  };
  return handleEvent(event, { data: new RedshiftDataClient({}), namespaces: new RedshiftServerlessClient({}) }, clock);
}

module.exports = {
  quoteIdentifier, createSchemaSql, dropSchemaSql, countTablesSql, adminSecretArn, runStatement, handleEvent, handler,
};
