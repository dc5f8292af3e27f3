import type { RecordedCreationOrder } from './expectations';
import { TemplateResource } from './template-resolver';

/** The outcome of one declared creation order. */
export interface CreationOrderOutcome {
  readonly order: RecordedCreationOrder;
  readonly ok: boolean;
  readonly message: string;
  /** The resource that must wait (reported on). */
  readonly logicalId?: string;
}

/**
 * The order in which CloudFormation creates the resources of a template: a resource waits for
 * those it names in `DependsOn` and those it references (`Ref`, `Fn::GetAtt`, `${…}` of `Fn::Sub`)
 * anywhere in its declaration, and, transitively, for theirs. Nothing else orders creation:
 * resources without such a path between them are created in parallel.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html
 */
export class CreationOrderGraph {
  private readonly dependencies = new Map<string, Set<string>>();

  constructor(private readonly resources: Record<string, TemplateResource>) {
    for (const [id, resource] of Object.entries(resources)) {
      const direct = new Set<string>([resource.DependsOn ?? []].flat());
      collectReferences({ ...resource, Metadata: undefined }, direct);
      this.dependencies.set(id, new Set([...direct].filter(dependency => dependency in resources && dependency !== id)));
    }
  }

  /** Whether CloudFormation creates `first` before it starts `then`. */
  public createsBefore(first: string, then: string): boolean {
    const seen = new Set<string>();
    const queue = [then];
    while (queue.length > 0) {
      const current = queue.pop()!;
      for (const dependency of this.dependencies.get(current) ?? []) {
        if (dependency === first) return true;
        if (!seen.has(dependency)) {
          seen.add(dependency);
          queue.push(dependency);
        }
      }
    }
    return false;
  }

  public check(order: RecordedCreationOrder): CreationOrderOutcome {
    const what = `${order.description}: ${order.first} before ${order.then}`;
    const missing = [order.first, order.then].filter(id => !(id in this.resources));
    if (missing.length > 0) {
      return { order, ok: false, message: `${what}: the template has no resource ${missing.join(', ')} [declared from ${order.source}]` };
    }
    if (this.createsBefore(order.first, order.then)) {
      return { order, ok: true, message: `${what}: holds` };
    }
    return {
      order, ok: false, logicalId: order.then,
      message: `${what}: ${order.then} neither depends on ${order.first} (DependsOn) nor references it, directly or through other resources, `
        + `so CloudFormation may create them in parallel [declared from ${order.source}]`,
    };
  }
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach(item => collectReferences(item, into));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') into.add(object.Ref);
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) into.add(String(getAtt[0]));
  else if (typeof getAtt === 'string') into.add(getAtt.split('.')[0]);
  const sub = object['Fn::Sub'];
  if (sub !== undefined) {
    const [template, variables] = Array.isArray(sub) ? sub as [string, Record<string, unknown>] : [sub as string, {}];
    for (const match of String(template).matchAll(/\$\{([^}!][^}]*)\}/g)) {
      const name = match[1].split('.')[0];
      if (!(name in (variables ?? {}))) into.add(name);
    }
  }
  Object.values(object).forEach(item => collectReferences(item, into));
}
