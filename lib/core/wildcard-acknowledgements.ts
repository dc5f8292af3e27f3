import { Aspects, IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Acknowledges, one wildcard at a time, the cdk-nag `AwsSolutions-IAM5` findings of the IAM
 * policies under `scope`, with `reason`.
 *
 * Use it only on policies whose every wildcard the pattern really needs (all objects of one bucket,
 * all tables of one database, an action that only accepts `*`). Each acknowledgement names its
 * finding exactly as cdk-nag does (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`), so a wildcard
 * added later to the same policy is still reported. The findings are computed when the app is
 * synthesized, after every statement has been added.
 */
export function acknowledgeWildcards(scope: IConstruct, reason: string): void {
  Aspects.of(scope).add(new WildcardAcknowledger(reason));
}

class WildcardAcknowledger implements IAspect {
  constructor(private readonly reason: string) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) {
      return;
    }
    const findings = wildcardFindings(Stack.of(node).resolve(node.policyDocument));
    if (findings.length > 0) {
      Validations.of(node).acknowledge(...findings.map(finding => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: this.reason })));
    }
  }
}

interface ResolvedStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

/** The wildcard findings of a resolved policy document, named as cdk-nag names them. */
export function wildcardFindings(document: { readonly Statement?: ResolvedStatement[] }): string[] {
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    asArray(statement.Action).filter(action => typeof action === 'string' && action.includes('*'))
      .forEach(action => findings.add(`Action::${action}`));
    asArray(statement.Resource).map(flattenReference).filter(resource => resource.includes('*'))
      .forEach(resource => findings.add(`Resource::${resource}`));
  }
  return [...findings];
}

/** Turns a CloudFormation reference into the flat text cdk-nag uses in finding ids. */
function flattenReference(node: unknown): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const fn = node as Record<string, unknown>;
  if (fn['Fn::Join']) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (fn['Fn::Sub']) {
    return flattenReference(fn['Fn::Sub']);
  }
  if (fn['Fn::GetAtt']) {
    const [resource, attribute] = fn['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (fn['Fn::ImportValue']) {
    return flattenReference(fn['Fn::ImportValue']);
  }
  if (fn.Ref) {
    return `<${flattenReference(fn.Ref)}>`;
  }
  return JSON.stringify(node);
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
