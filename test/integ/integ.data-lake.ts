/**
 * Sandbox test of DataLakeDemo: data written to a zone is encrypted with the lake's key, and every
 * zone is registered with Lake Formation.
 *
 * 1. an object written to the raw zone (as the data engineer's pipelines write) is read back
 *    unchanged, stored with SSE-KMS under the lake's customer-managed key and an S3 Bucket Key;
 * 2. Lake Formation lists the three zone buckets as registered locations, each with the lake's
 *    data-access role (not the service-linked role), which is how Lake Formation vends credentials
 *    for the grants.
 *
 * 3. the two people, through their own roles ({@link LakeAccessCheck}, a test-only function that
 *    assumes them): the data engineer creates a table in the curated and in the raw database (its
 *    named grants: CREATE_TABLE and the data location); the analyst can read the curated table
 *    (LF-tag classification=public) and not the raw one (classification=confidential), although
 *    its IAM policy allows the Glue calls on both: Lake Formation decides.
 *
 * Run: `npm run integ -- DataLakeDemo` (about 5 minutes, under 0.01 USD).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { allowLogsToUse, createDataKey } from '../../lib';
import { DataLakeDemoStack } from '../../examples/data-lake/data-lake-stack';
import { LakeAccessCheck } from './lake-access-check';
import { SandboxTest } from './sandbox-test';

const test = new SandboxTest('DataLakeDemo', (app, id) => new DataLakeDemoStack(app, id));
const lake = (test.stack as DataLakeDemoStack).lake;
const raw = test.output('RawBucket');
const body = '{"order_id":"integ-1","amount":42.5}\n';

test.putObject(raw, 'integ/order.json', body, lake.encryptionKey.keyArn);
test.call('S3', 'GetObject', { Bucket: raw, Key: 'integ/order.json' }, [test.s3Arn(raw, 'integ/order.json')])
  .expect(ExpectedResult.objectLike({ Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: lake.encryptionKey.keyArn, BucketKeyEnabled: true }));
test.allow(['kms:Decrypt'], [lake.encryptionKey.keyArn]);

const dataAccessRole = lake.governance!.dataAccessRole.roleArn;
for (const zone of ['Raw', 'Curated', 'Analytics']) {
  const location = test.s3Arn(test.output(`${zone}Bucket`));
  test.call('LakeFormation', 'ListResources', { FilterConditionList: [{ Field: 'RESOURCE_ARN', ComparisonOperator: 'EQ', StringValueList: [location] }] }, ['*'])
    .expect(ExpectedResult.objectLike({ ResourceInfoList: [Match.objectLike({ ResourceArn: location, RoleArn: dataAccessRole })] }));
}

// The two people: what Lake Formation lets each do.
const demo = test.stack;
const logKey = createDataKey(demo, 'IntegAccessLogKey', 'Encrypts the logs of the sandbox test\'s lake access check', { removalPolicy: RemovalPolicy.DESTROY });
allowLogsToUse(logKey);
const engineer = demo.node.findChild('DataEngineerRole') as iam.IRole;
const analyst = demo.node.findChild('AnalystRole') as iam.IRole;
const access = new LakeAccessCheck(demo, 'IntegLakeAccess', { engineer, analyst, logEncryptionKey: logKey });
const tables = ['curated', 'raw'].map(zone => ({
  database: lake.zone(zone).databaseName,
  location: `s3://${lake.zone(zone).bucket.bucketName}/integ/orders/`,
}));
test.call('Lambda', 'Invoke', {
  FunctionName: access.function.functionName,
  Payload: JSON.stringify({ engineerRoleArn: engineer.roleArn, analystRoleArn: analyst.roleArn, tableName: 'integ_orders', tables }),
}, [access.function.functionArn], { actions: ['lambda:InvokeFunction'] })
  .expect(ExpectedResult.objectLike({
    StatusCode: 200,
    Payload: Match.serializedJson({ tables: [{ database: tables[0].database, analyst: 'readable' }, { database: tables[1].database, analyst: 'denied' }] }),
  }));
test.synth();
