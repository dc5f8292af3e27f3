// Test harness of the data-lake sandbox test (see ../lake-access-check.ts), run by Lambda: what
// the demo's two people can do through Lake Formation.
//
// 1. As the data engineer (an assumed role), create the same small JSON table in each database of
//    the event, at the given S3 location: the engineer's grants on the raw and curated zones
//    (CREATE_TABLE, DATA_LOCATION_ACCESS) must allow it. A table left by an earlier try is reused.
// 2. As the analyst, read each table's definition with GetTable: the analyst's LF-tag grants
//    (classification=public) must let it read the curated table and nothing in the raw zone
//    (classification=confidential), whose tables Lake Formation alone governs.
//
// The AWS SDK for JavaScript v3 is part of the Lambda Node.js runtimes from Node.js 18 on:
// https://repost.aws/knowledge-center/lambda-layer-aws-sdk-latest-version ("Node.js 18 and later ... include v3")
// https://aws.amazon.com/blogs/developer/why-and-how-you-should-use-aws-sdk-for-javascript-v3-on-node-js-18/

/**
 * The table the engineer creates: two columns of the orders the demo's pages use.
 * @param {string} name
 * @param {string} location
 */
function tableInput(name, location) {
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'json' },
    StorageDescriptor: {
      Location: location,
      Columns: [{ Name: 'order_id', Type: 'string' }, { Name: 'amount', Type: 'double' }],
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    },
  };
}

/** What Glue answers when Lake Formation gives the caller no permission on a table. */
const NOT_ALLOWED = new Set(['AccessDeniedException', 'EntityNotFoundException']);

/** @typedef {{ name?: string }} AwsError */

/**
 * @param {{ engineerRoleArn?: string, analystRoleArn?: string, tableName?: string, tables?: { database: string, location: string }[] }} event
 * @param {{ assumeRole(roleArn: string): Promise<object>, glue(credentials: object): { createTable(input: object): Promise<unknown>, getTable(input: object): Promise<unknown> } }} clients
 * @returns {Promise<{ tables: { database: string, analyst: 'readable' | 'denied' }[] }>}
 */
async function checkAccess(event, clients) {
  const { engineerRoleArn, analystRoleArn, tableName, tables } = event || {};
  if (!engineerRoleArn || !analystRoleArn) throw new Error('engineerRoleArn and analystRoleArn are required');
  if (!tableName || !/^[a-z0-9_]+$/.test(tableName)) throw new Error('not a table name: ' + JSON.stringify(tableName));
  if (!Array.isArray(tables) || tables.length === 0) throw new Error('no tables: send [{ "database": "<name>", "location": "s3://<bucket>/<prefix>/" }]');
  for (const table of tables) {
    if (!table || typeof table.database !== 'string' || !/^s3:\/\/[^/]+\/.+\/$/.test(String(table.location))) {
      throw new Error('a table needs a database name and an S3 folder location, got ' + JSON.stringify(table));
    }
  }

  const engineer = clients.glue(await clients.assumeRole(engineerRoleArn));
  for (const { database, location } of tables) {
    try {
      await engineer.createTable({ DatabaseName: database, TableInput: tableInput(tableName, location) });
    } catch (error) {
      if (/** @type {AwsError} */ (error)?.name !== 'AlreadyExistsException') throw error;
    }
  }

  const analyst = clients.glue(await clients.assumeRole(analystRoleArn));
  /** @type {{ database: string, analyst: 'readable' | 'denied' }[]} */
  const results = [];
  for (const { database } of tables) {
    try {
      await analyst.getTable({ DatabaseName: database, Name: tableName });
      results.push({ database, analyst: 'readable' });
    } catch (error) {
      if (!NOT_ALLOWED.has(String(/** @type {AwsError} */ (error)?.name))) throw error;
      results.push({ database, analyst: 'denied' });
    }
  }
  return { tables: results };
}

/** The SDK clients of the Lambda runtime, as `checkAccess` takes them. */
function sdkClients() {
  const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
  // @ts-ignore: the Lambda runtime has @aws-sdk/client-glue; this project does not install it.
  const { GlueClient, CreateTableCommand, GetTableCommand } = require('@aws-sdk/client-glue');
  const sts = new STSClient({});
  return {
    /** @param {string} roleArn */
    async assumeRole(roleArn) {
      const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sandbox-lake-access', DurationSeconds: 900 }));
      if (!Credentials) throw new Error('STS returned no credentials for ' + roleArn);
      return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
    },
    /** @param {object} credentials */
    glue(credentials) {
      const client = new GlueClient({ credentials });
      return {
        /** @param {object} input */
        createTable: input => client.send(new CreateTableCommand(input)),
        /** @param {object} input */
        getTable: input => client.send(new GetTableCommand(input)),
      };
    },
  };
}

/** @param {Parameters<typeof checkAccess>[0]} event */
exports.handler = event => checkAccess(event, sdkClients());
exports.checkAccess = checkAccess;
