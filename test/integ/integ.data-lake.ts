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
 * Not asserted: what the analyst can read through the LF-tag grants. An integ-tests-alpha call
 * runs as its provider's role and cannot assume the analyst's, and Lake Formation lists other
 * principals' permissions to its administrators only. The grants deploy with the stack, after the
 * tags and databases (a missing tag or database fails the deployment).
 *
 * Run: `npm run integ -- DataLakeDemo` (about 5 minutes, under 0.01 USD).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { DataLakeDemoStack } from '../../examples/data-lake/data-lake-stack';
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
test.synth();
