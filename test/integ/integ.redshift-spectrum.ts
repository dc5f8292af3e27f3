/**
 * Sandbox test of RedshiftSpectrumDemo: Redshift Serverless queries Parquet in the lake in place,
 * through the external schema `analytics` (the zone's Glue database) and the Spectrum role.
 *
 * The demo's data comes from SparkAtScaleDemo's features; to stand alone, the test writes one day
 * of customer features itself, with Redshift: all statements run through the Redshift Data API as
 * the workgroup's admin (its Redshift-managed secret), each awaited until FINISHED:
 *
 * 1. UNLOAD one feature row as Parquet, encrypted with the lake's key, to
 *    `features/customers/event_date=2025-01-31/` (the Spectrum role gets a test-only policy to
 *    write that prefix and add partitions; it is read-only in the demo);
 * 2. ALTER TABLE analytics.customer_features ADD PARTITION for that day (the Glue catalog,
 *    through the network's Glue endpoint);
 * 3. SELECT from analytics.customer_features returns the row: Spectrum read the Parquet file from
 *    S3 (gateway endpoint, enhanced VPC routing) with the Spectrum role and the lake's key.
 *
 * Run: `npm run integ -- RedshiftSpectrumDemo` (about 20 minutes, about 0.10 USD: a few queries at
 * the 4-RPU minimum of 60 seconds each). Name three supported AZs if the Region's first three are
 * not (see the page): `REDSHIFT_AZS=us-east-1a,us-east-1b,us-east-1d npm run integ -- RedshiftSpectrumDemo`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { ExpectedResult, IApiCall, Match } from '@aws-cdk/integ-tests-alpha';
import { DataLake } from '../../lib';
import { acknowledgeWildcards } from '../../lib/core/wildcard-acknowledgements';
import { RedshiftSpectrumDemoStack } from '../../examples/redshift-spectrum/redshift-spectrum-stack';
import { SandboxTest, within } from './sandbox-test';

const azs = process.env.REDSHIFT_AZS?.split(',').map(name => name.trim());
const test = new SandboxTest('RedshiftSpectrumDemo', (app, id) => new RedshiftSpectrumDemoStack(app, id, { availabilityZoneNames: azs }));
const spectrum = (test.stack as RedshiftSpectrumDemoStack).spectrum;
const bucket = test.output('AnalyticsBucket');
const secretArn = test.output('AdminSecretArn');
const workgroupName = test.output('WorkgroupName');
const lake = test.stack.node.findChild('Lake') as DataLake;
const lakeKeyArn = lake.encryptionKey.keyArn;
const day = `s3://${bucket}/features/customers/event_date=2025-01-31/`;

// Test-only, in the stack under test (deployed before any assertion): the Spectrum role may write
// the day's prefix (UNLOAD) and add its partition.
const database = lake.zone('analytics').databaseName;

const analytics = lake.zone('analytics');
const writeForTest = new iam.Policy(test.stack, 'SpectrumWritesTestData', {
  roles: [spectrum.spectrumRole],
  statements: [
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [analytics.bucket.arnForObjects('features/customers/event_date=2025-01-31/*')] }),
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [lakeKeyArn] }),
    new iam.PolicyStatement({
      actions: ['glue:BatchCreatePartition', 'glue:CreatePartition', 'glue:GetPartition'],
      resources: [test.stack.formatArn({ service: 'glue', resource: 'catalog' }), test.stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
        test.stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/customer_features` })],
    }),
  ],
});
acknowledgeWildcards(writeForTest, 'Test-only: UNLOAD names its Parquet files itself, under the one partition prefix the test writes');

/** Runs `sql` as the admin through the Data API and waits until it has FINISHED. */
function run(sql: string): IApiCall {
  const statement = test.call('RedshiftData', 'ExecuteStatement', { WorkgroupName: workgroupName, Database: 'dev', SecretArn: secretArn, Sql: sql },
    [spectrum.workgroup.attrWorkgroupWorkgroupArn]);
  test.call('RedshiftData', 'DescribeStatement', { Id: statement.getAttString('Id') }, ['*'], { wait: within(10, 15) })
    .expect(ExpectedResult.objectLike({ Status: 'FINISHED' }));
  return statement;
}
test.allow(['secretsmanager:GetSecretValue'], [secretArn]);
test.allow(['kms:Decrypt'], [spectrum.encryptionKey.keyArn]);

run(`UNLOAD ('SELECT ''integ-customer''::varchar AS customer_id, 2::bigint AS transactions, 92.5::float8 AS amount_total, `
  + `46.25::float8 AS amount_mean, 47.73::float8 AS amount_stddev, 80.0::float8 AS amount_max') `
  + `TO '${day}integ_' IAM_ROLE '${spectrum.spectrumRole.roleArn}' FORMAT AS PARQUET KMS_KEY_ID '${lakeKeyArn}' ENCRYPTED ALLOWOVERWRITE`);
run(`ALTER TABLE analytics.customer_features ADD IF NOT EXISTS PARTITION (event_date='2025-01-31') LOCATION '${day}'`);
const select = run('SELECT customer_id, transactions FROM analytics.customer_features WHERE event_date = \'2025-01-31\'');
test.call('RedshiftData', 'GetStatementResult', { Id: select.getAttString('Id') }, ['*'])
  .expect(ExpectedResult.objectLike({ Records: [[Match.objectLike({ stringValue: 'integ-customer' }), Match.objectLike({ longValue: 2 })]] }));
test.synth();
