/**
 * Sandbox test of GlueEtlDemo: raw JSON orders become a curated, queryable table.
 *
 * 1. the sample orders (examples/glue-etl/scripts/sample-orders.json: five records, a duplicate,
 *    a record without key, one without a readable time) land in the raw zone under `orders/`;
 * 2. StartWorkflowRun, then within 45 minutes the run is COMPLETED with its three actions
 *    (crawl raw, Spark job, crawl curated) succeeded and none failed;
 * 3. Athena, in the demo's workgroup (enforced settings, encrypted results, scan limit), queries
 *    the curated table `orders` of the crawled partition and returns exactly the two orders the
 *    cleaning rules keep: o-1001 (deduplicated to its latest state, `paid`) and o-1002 (status
 *    `dispatched` standardized to `shipped`).
 *
 * The lake is governed by Lake Formation: the test's query role gets SELECT on the curated tables
 * from a grant in the assertion stack, deployed by the same CloudFormation role (a Lake Formation
 * administrator) and removed with it.
 *
 * Run: `npm run integ -- GlueEtlDemo` (about 30 minutes, about 0.20 USD).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { DataLake } from '../../lib';
import { GlueEtlDemoStack } from '../../examples/glue-etl/glue-etl-stack';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('GlueEtlDemo', (app, id) => new GlueEtlDemoStack(app, id));
const demo = test.stack as GlueEtlDemoStack;
const rawBucket = test.output('RawBucket');
const workflow = test.output('Workflow');
const database = test.output('CuratedDatabase');
const lakeKey = demo.workgroup.encryptionKey.keyArn;

const sample = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'glue-etl', 'scripts', 'sample-orders.json'), 'utf-8');
test.putObject(rawBucket, 'orders/2024-05-01.json', sample, lakeKey);

const start = test.call('Glue', 'StartWorkflowRun', { Name: workflow }, [test.arn('glue', `workflow/${workflow}`)]);
test.call('Glue', 'GetWorkflowRun', { Name: workflow, RunId: start.getAttString('RunId') }, [test.arn('glue', `workflow/${workflow}`)], { wait: within(45, 60) })
  .expect(ExpectedResult.objectLike({ Run: { Status: 'COMPLETED', Statistics: Match.objectLike({ FailedActions: 0, TimeoutActions: 0 }) } }));

// The query runs with the credentials of the role that starts it: Athena, the Glue catalog, the
// results bucket and its key, and Lake Formation's data access on the curated tables, granted
// (SELECT on every table of the database: the crawler names them) before the query starts.
const grant = new lakeformation.CfnPrincipalPermissions(test.assertionStack, 'QueryGrant', {
  principal: { dataLakePrincipalIdentifier: test.sdkProviderRoleArn() },
  resource: { table: { catalogId: test.assertionStack.account, databaseName: database, tableWildcard: {} } },
  permissions: ['SELECT', 'DESCRIBE'],
  permissionsWithGrantOption: [],
});
test.athenaQuery({
  workgroup: demo.workgroup,
  database,
  data: (test.stack.node.findChild('Lake') as DataLake).zone('curated').bucket,
  sql: 'SELECT order_id, status FROM orders WHERE year = \'2024\' AND month = \'05\' AND day = \'01\' ORDER BY order_id',
  rows: [['order_id', 'status'], ['o-1001', 'paid'], ['o-1002', 'shipped']],
  after: [grant],
});

test.synth();
