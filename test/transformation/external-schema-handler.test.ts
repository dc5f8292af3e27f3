import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { GetNamespaceCommand } from '@aws-sdk/client-redshift-serverless';
import {
  Clock, DataApiClient, DataApiOutput, ExternalSchemaEvent, ExternalSchemaProperties, NamespaceClient,
  createSchemaSql, dropSchemaSql, handleEvent, quoteIdentifier,
} from '../../lib/transformation/external-schema-handler';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!demo-admin-AbCdEf';
const props: ExternalSchemaProperties = {
  WorkgroupName: 'demo',
  NamespaceName: 'demo',
  Database: 'dev',
  SchemaName: 'analytics',
  GlueDatabase: 'demo_lake_analytics_1234abcd',
  IamRoleArn: 'arn:aws:iam::123456789012:role/Demo-SpectrumRole-1ABC',
};

/**
 * A fake Data API: every statement goes through the statuses `statuses(sql)` lists, one per
 * DescribeStatement call; the count query returns `tables`.
 */
class FakeDataApi implements DataApiClient {
  public readonly sql: string[] = [];
  public readonly calls: string[] = [];
  private readonly pending = new Map<string, string[]>();
  constructor(private readonly statuses: (sql: string) => string[] = () => ['STARTED', 'FINISHED'], private readonly tables = 2) {}

  public async send(command: ExecuteStatementCommand | DescribeStatementCommand | GetStatementResultCommand): Promise<DataApiOutput> {
    if (command instanceof ExecuteStatementCommand) {
      const input = command.input;
      expect({ workgroup: input.WorkgroupName, database: input.Database, secret: input.SecretArn }).toEqual({ workgroup: 'demo', database: 'dev', secret: SECRET });
      const id = `statement-${this.sql.push(input.Sql!)}`;
      this.calls.push(`execute ${id}`);
      this.pending.set(id, [...this.statuses(input.Sql!)]);
      return { Id: id };
    }
    if (command instanceof DescribeStatementCommand) {
      this.calls.push(`describe ${command.input.Id}`);
      const status = this.pending.get(command.input.Id!)!.shift();
      return { Status: status, Error: status === 'FAILED' ? 'ERROR: permission denied for database dev' : undefined };
    }
    this.calls.push(`result ${command.input.Id}`);
    return { Records: [[{ longValue: this.tables }]] };
  }
}

class FakeNamespaces implements NamespaceClient {
  public readonly names: string[] = [];
  constructor(private readonly secretArn: string | undefined) {}
  public async send(command: GetNamespaceCommand) {
    this.names.push(command.input.namespaceName!);
    return { namespace: { adminPasswordSecretArn: this.secretArn } };
  }
}

function clock(remainingMs = 600000): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async ms => { sleeps.push(ms); }, remainingMs: () => remainingMs };
}

const event = (RequestType: ExternalSchemaEvent['RequestType'], extra: Partial<ExternalSchemaEvent> = {}): ExternalSchemaEvent =>
  ({ RequestType, ResourceProperties: props, ...extra });

describe('the statements', () => {
  test('create the schema over the Glue database with the Spectrum role, and drop only the reference', () => {
    expect(createSchemaSql(props)).toBe('CREATE EXTERNAL SCHEMA IF NOT EXISTS "analytics" FROM DATA CATALOG '
      + 'DATABASE \'demo_lake_analytics_1234abcd\' IAM_ROLE \'arn:aws:iam::123456789012:role/Demo-SpectrumRole-1ABC\'');
    expect(dropSchemaSql(props)).toBe('DROP SCHEMA IF EXISTS "analytics"');
  });

  test('quote the schema name, so that a reserved word such as raw names a schema', () => {
    expect(createSchemaSql({ ...props, SchemaName: 'raw' })).toMatch(/^CREATE EXTERNAL SCHEMA IF NOT EXISTS "raw" FROM DATA CATALOG /);
    expect(dropSchemaSql({ ...props, SchemaName: 'raw' })).toBe('DROP SCHEMA IF EXISTS "raw"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });

  test.each([
    [{ SchemaName: 'analytics; DROP TABLE x' }, 'SchemaName must be a lower-case Redshift identifier'],
    [{ SchemaName: 'Analytics' }, 'SchemaName must be a lower-case Redshift identifier'],
    [{ GlueDatabase: "db' IAM_ROLE 'x" }, 'GlueDatabase must be lower-case letters, digits or underscores'],
    [{ IamRoleArn: "arn:aws:iam::123456789012:role/x' --" }, 'IamRoleArn must be an IAM role ARN'],
  ])('refuse input that is not a plain name or ARN: %p', (bad, message) => {
    expect(() => createSchemaSql({ ...props, ...bad })).toThrow(message);
  });
});

describe('the handler', () => {
  test('creates the schema with the admin secret, waits until Redshift has finished, and counts the tables it sees', async () => {
    const data = new FakeDataApi();
    const namespaces = new FakeNamespaces(SECRET);
    const time = clock();
    const result = await handleEvent(event('Create'), { data, namespaces }, time);
    expect(namespaces.names).toEqual(['demo']);
    expect(data.sql).toEqual([createSchemaSql(props), 'SELECT COUNT(*) FROM svv_external_tables WHERE schemaname = \'analytics\'']);
    expect(data.calls).toEqual([
      'execute statement-1', 'describe statement-1', 'describe statement-1',
      'execute statement-2', 'describe statement-2', 'describe statement-2', 'result statement-2',
    ]);
    expect(time.sleeps).toEqual([2000, 2000]);
    expect(result).toEqual({ PhysicalResourceId: 'analytics', Data: { TableCount: 2, AdminSecretArn: SECRET } });
  });

  test('fails the deployment with Redshift\'s error when the statement fails', async () => {
    const data = new FakeDataApi(() => ['SUBMITTED', 'FAILED']);
    await expect(handleEvent(event('Create'), { data, namespaces: new FakeNamespaces(SECRET) }, clock()))
      .rejects.toThrow('Statement statement-1 FAILED: ERROR: permission denied for database dev');
  });

  test('fails, rather than times out silently, when Redshift is still running near the function\'s timeout', async () => {
    const data = new FakeDataApi(() => ['STARTED', 'STARTED']);
    await expect(handleEvent(event('Create'), { data, namespaces: new FakeNamespaces(SECRET) }, clock(10000)))
      .rejects.toThrow('Statement statement-1 still STARTED when the handler had to stop waiting');
  });

  test('fails when the namespace has no Redshift-managed admin secret', async () => {
    await expect(handleEvent(event('Create'), { data: new FakeDataApi(), namespaces: new FakeNamespaces(undefined) }, clock()))
      .rejects.toThrow('Namespace demo has no Redshift-managed admin secret');
  });

  test('replaces the schema when its database or role changes', async () => {
    const data = new FakeDataApi();
    await handleEvent(event('Update', { PhysicalResourceId: 'analytics', OldResourceProperties: { ...props, GlueDatabase: 'old_db' } }),
      { data, namespaces: new FakeNamespaces(SECRET) }, clock());
    expect(data.sql.slice(0, 2)).toEqual([dropSchemaSql(props), createSchemaSql(props)]);
  });

  test('creates a renamed schema without dropping anything (CloudFormation deletes the old one)', async () => {
    const data = new FakeDataApi();
    const result = await handleEvent(event('Update', { PhysicalResourceId: 'old', OldResourceProperties: { ...props, SchemaName: 'old' } }),
      { data, namespaces: new FakeNamespaces(SECRET) }, clock());
    expect(data.sql[0]).toBe(createSchemaSql(props));
    expect(result.PhysicalResourceId).toBe('analytics');
  });

  test('drops the schema on delete', async () => {
    const data = new FakeDataApi();
    const result = await handleEvent(event('Delete', { PhysicalResourceId: 'analytics' }), { data, namespaces: new FakeNamespaces(SECRET) }, clock());
    expect(data.sql).toEqual([dropSchemaSql(props)]);
    expect(result).toEqual({ PhysicalResourceId: 'analytics' });
  });

  test('never blocks a deletion or rollback: a failed drop is logged, not thrown', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const data = new FakeDataApi(() => ['FAILED']);
    await expect(handleEvent(event('Delete', { PhysicalResourceId: 'analytics' }), { data, namespaces: new FakeNamespaces(SECRET) }, clock()))
      .resolves.toEqual({ PhysicalResourceId: 'analytics' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Could not drop schema analytics'));
    warn.mockRestore();
  });
});
