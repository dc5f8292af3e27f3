/**
 * The data-lake sandbox test's access check (lake-access-check.ts): its handler, run here with
 * stand-ins for STS and Glue that answer as Lake Formation does, on the event the test sends.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { newStack } from '../helpers';
import { LAKE_ACCESS_HANDLER, LakeAccessCheck } from './lake-access-check';

type Input = Record<string, any>;
type Check = (event: unknown, clients: unknown) => Promise<{ tables: { database: string; analyst: string }[] }>;
const checkAccess: Check = require(LAKE_ACCESS_HANDLER).checkAccess;

const EVENT = {
  engineerRoleArn: 'arn:aws:iam::123456789012:role/engineer',
  analystRoleArn: 'arn:aws:iam::123456789012:role/analyst',
  tableName: 'integ_orders',
  tables: [
    { database: 'lake_curated', location: 's3://curated-bucket/integ/orders/' },
    { database: 'lake_raw', location: 's3://raw-bucket/integ/orders/' },
  ],
};

/** STS and Glue as the demo's grants make them answer: the analyst reads only `readable` databases. */
function lakeFormation(readable: string[], options: { existing?: string[]; error?: string } = {}) {
  const calls: string[] = [];
  const created: Input[] = [];
  const clients = {
    async assumeRole(roleArn: string) {
      calls.push(`assume ${roleArn.split('/')[1]}`);
      return { accessKeyId: roleArn.split('/')[1] };
    },
    glue(credentials: { accessKeyId: string }) {
      const who = credentials.accessKeyId;
      return {
        async createTable(input: Input) {
          calls.push(`${who} creates ${input.DatabaseName}.${input.TableInput.Name}`);
          if (options.existing?.includes(input.DatabaseName)) throw Object.assign(new Error('exists'), { name: 'AlreadyExistsException' });
          created.push(input);
        },
        async getTable(input: Input) {
          calls.push(`${who} reads ${input.DatabaseName}.${input.Name}`);
          if (options.error) throw Object.assign(new Error('boom'), { name: options.error });
          if (!readable.includes(input.DatabaseName)) {
            throw Object.assign(new Error(`Insufficient Lake Formation permission(s) on ${input.Name}`), { name: 'AccessDeniedException' });
          }
          return { Table: { Name: input.Name } };
        },
      };
    },
  };
  return { clients, calls, created };
}

describe('the lake access check handler', () => {
  test('creates the table in each database as the engineer, then reads each as the analyst', async () => {
    const { clients, calls, created } = lakeFormation(['lake_curated']);
    await expect(checkAccess(JSON.parse(JSON.stringify(EVENT)), clients)).resolves.toEqual({
      tables: [{ database: 'lake_curated', analyst: 'readable' }, { database: 'lake_raw', analyst: 'denied' }],
    });
    expect(calls).toEqual([
      'assume engineer', 'engineer creates lake_curated.integ_orders', 'engineer creates lake_raw.integ_orders',
      'assume analyst', 'analyst reads lake_curated.integ_orders', 'analyst reads lake_raw.integ_orders',
    ]);
    expect(created[0]).toEqual({
      DatabaseName: 'lake_curated',
      TableInput: expect.objectContaining({
        Name: 'integ_orders', TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: expect.objectContaining({ Location: 's3://curated-bucket/integ/orders/', SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' } }),
      }),
    });
  });

  test('reuses a table left by an earlier try', async () => {
    const { clients } = lakeFormation(['lake_curated'], { existing: ['lake_curated', 'lake_raw'] });
    await expect(checkAccess(EVENT, clients)).resolves.toEqual({
      tables: [{ database: 'lake_curated', analyst: 'readable' }, { database: 'lake_raw', analyst: 'denied' }],
    });
  });

  test('a table Lake Formation hides entirely counts as denied; any other error fails the check', async () => {
    await expect(checkAccess(EVENT, lakeFormation([], { error: 'EntityNotFoundException' }).clients)).resolves.toEqual({
      tables: [{ database: 'lake_curated', analyst: 'denied' }, { database: 'lake_raw', analyst: 'denied' }],
    });
    await expect(checkAccess(EVENT, lakeFormation([], { error: 'ThrottlingException' }).clients)).rejects.toThrow('boom');
  });

  test.each([
    ['no roles', { ...EVENT, analystRoleArn: undefined }, 'engineerRoleArn and analystRoleArn are required'],
    ['a bad table name', { ...EVENT, tableName: 'Orders; DROP' }, 'not a table name: "Orders; DROP"'],
    ['no tables', { ...EVENT, tables: [] }, 'no tables'],
    ['a location that is not an S3 folder', { ...EVENT, tables: [{ database: 'lake_raw', location: 's3://raw-bucket' }] }, 'a table needs a database name and an S3 folder location'],
  ])('refuses %s before assuming any role', async (_case, event, message) => {
    const { clients, calls } = lakeFormation(['lake_curated']);
    await expect(checkAccess(event, clients)).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });
});

test('the function may assume the two roles and nothing else beside its logs', () => {
  const stack = newStack('LakeAccess');
  const engineer = new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() });
  const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  new LakeAccessCheck(stack, 'Check', { engineer, analyst, logEncryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(policy => policy.Properties.PolicyDocument.Statement);
  expect(statements.map(statement => statement.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], 'sts:AssumeRole']);
  expect(statements[1].Resource).toEqual(expect.arrayContaining([stack.resolve(engineer.roleArn), stack.resolve(analyst.roleArn)]));
  expect(statements[1].Resource).toHaveLength(2);
});
