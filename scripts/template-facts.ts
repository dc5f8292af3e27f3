/**
 * What the diagrams read from a synthesized CloudFormation template: references between resources,
 * the statements of each role, and what an IAM action or a referencing property says about the
 * flow between two resources. Shared by the data-flow diagram (scripts/data-flow-diagram.ts) and
 * the detailed diagram of every resource (scripts/architecture-diagram.ts).
 */

/** A CloudFormation template, as far as the diagrams read it. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

/** The IAM actions that move data or start work, by what they do. */
const WRITES = /^[a-z0-9-]+:(Put|Write|Create|Upload|Delete|Update|Batch(Put|Write)|Append|Abort|Restore|PutRecord)/i;
const READS = /^[a-z0-9-]+:(Get|Read|Select|Query|Scan|Subscribe|Consume|Batch(Get|Read))/i;
/** Reads of settings or endpoints, not of data: no edge. */
const METADATA = /^[a-z0-9-]+:(Describe|List|Get\w*(Location|Configuration|Policy|Acl|Tagging|Attributes|Versioning|Encryption|Status|Key|Endpoint|Brokers|Run|Runs|Execution|Executions)$)|^[a-z0-9-]+:GetBucket/i;
const STARTS = /^[a-z0-9-]+:(Start|Run|Invoke|Execute|SendTask|Notify|Publish|Submit|AddJobFlowSteps)/i;

/** What a policy statement lets its principal do to the resources it names. */
export interface StatementEffects {
  readonly writes: boolean;
  readonly reads: boolean;
  readonly starts: boolean;
  readonly passesRole: boolean;
}

export function statementEffects(statement: Statement): StatementEffects {
  const actions = statement.Effect === 'Allow' ? actionsOf(statement) : [];
  return {
    writes: actions.some(action => WRITES.test(action)),
    reads: actions.some(action => READS.test(action) && !METADATA.test(action)),
    starts: actions.some(action => STARTS.test(action)),
    passesRole: actions.some(action => action.toLowerCase() === 'iam:passrole'),
  };
}

/** What a reference from a resource's property says about the flow (`undefined`: nothing). */
export type ReferenceMeaning = 'reads-from' | 'writes-to' | 'invokes' | 'starts' | 'alarm-action' | 'uses-role';

/** The meaning of a reference at `propertyPath` (as `referencesWithPaths` writes it). */
export function referenceMeaning(propertyPath: string): ReferenceMeaning | undefined {
  if (/AlarmActions|OKActions|InsufficientDataActions/.test(propertyPath)) return 'alarm-action';
  if (/ProcessingConfiguration/.test(propertyPath)) return 'invokes';
  const names = propertyPath.split(/[.[\]]+/).filter(name => name !== '' && !/^\d+$/.test(name));
  if (/Role/i.test(names[names.length - 1] ?? '')) return 'uses-role';
  if (names.some(name => /^(Source|\w*SourceConfiguration$|SchemaConfiguration$)/.test(name))) return 'reads-from';
  if (names.some(name => /^(Destination|Output|\w*DestinationConfiguration$)/.test(name))) return 'writes-to';
  if (/\.Actions\[\d+\]\.(JobName|CrawlerName)|\.Targets\[\d+\]\.Arn/.test(propertyPath)) return 'starts';
  if (/Role/i.test(propertyPath)) return 'uses-role';
  return undefined;
}

export function actionsOf(statement: Statement): string[] {
  return statement.Action === undefined ? [] : ([] as string[]).concat(statement.Action);
}

/** The statements of each role of the template: inline, and from the policies attached to it. */
export function roleStatements(resources: Record<string, TemplateResource>): Map<string, Statement[]> {
  const statements = new Map<string, Statement[]>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const policies = (resource.Properties?.Policies ?? []) as Array<{ PolicyDocument?: { Statement?: Statement[] } }>;
    statements.set(id, policies.flatMap(policy => policy.PolicyDocument?.Statement ?? []));
  }
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const document = resource.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined;
    for (const role of references(resource.Properties?.Roles)) statements.get(role)?.push(...(document?.Statement ?? []));
  }
  return statements;
}

/**
 * Logical IDs of the Glue databases and tables that IAM resource ARNs name by their names (Glue
 * ARNs hold names, not references): `...:database/<name>`, `...:table/<database>/<name>`.
 */
export function namedGlueTargets(resources: Record<string, TemplateResource>, value: unknown): string[] {
  const all = strings(value);
  const text = all.join('');
  const found: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::Glue::Database') {
      const name = (props.DatabaseInput as { Name?: unknown } | undefined)?.Name;
      // Lake Formation grants name a database by its name alone.
      if (typeof name === 'string' && (new RegExp(`:database/${name}(\\b|$)`).test(text) || all.includes(name))) found.push(id);
    } else if (resource.Type === 'AWS::Glue::Table') {
      const name = (props.TableInput as { Name?: unknown } | undefined)?.Name;
      if (typeof name === 'string' && typeof props.DatabaseName === 'string'
        && new RegExp(`:table/${props.DatabaseName}/(${name}|\\*)(\\b|$)`).test(text)) found.push(id);
    }
  }
  return found;
}

/** Every string inside `value`, in order, with a separator between array items. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    // Fn::Join's parts are one ARN; the items of a list are separate ARNs.
    return value.flatMap(item => [...strings(item), ' ']);
  }
  if (value === null || typeof value !== 'object') return [];
  const join = (value as Record<string, unknown>)['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return [(join[1] as unknown[]).flatMap(part => strings(part)).join(join[0] as string)];
  return Object.values(value as Record<string, unknown>).flatMap(item => strings(item));
}

/** The construct path of a resource below its stack, without the trailing `Resource`. */
export function pathOf(stackName: string, logicalId: string, resource: TemplateResource): string {
  const cdkPath = resource.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath !== 'string') return logicalId;
  return cdkPath.replace(new RegExp(`^${stackName}/`), '').replace(/\/(Resource|Default)$/, '');
}

/** Logical IDs that `value` references with `Ref` or `Fn::GetAtt`, anywhere inside it. */
export function references(value: unknown): string[] {
  return [...new Set(referencesWithPaths(value, '').map(([, target]) => target))];
}

/** `[property path, logical ID]` of each `Ref` and `Fn::GetAtt` inside `value`. */
export function referencesWithPaths(value: unknown, at: string): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((item, index) => referencesWithPaths(item, `${at}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) return [[at, record.Ref]];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [[at, getAtt[0]]];
  if (typeof getAtt === 'string') return [[at, getAtt.split('.')[0]]];
  return Object.entries(record).flatMap(([key, item]) => referencesWithPaths(item, `${at}.${key}`));
}
