import { CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyValidationStack, PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import type { NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CachedValidation, GateCacheStats, GateGroup, sha256 } from './cached-validation';

/**
 * cdk-nag `AwsSolutionsChecks`, cached per stack.
 *
 * cdk-nag walks the construct tree, not the templates: it reads each `CfnResource`'s properties
 * (which the template shows), the class of each L1 (`instanceof CfnBucket`), and the
 * acknowledgements (`Validations.of(scope).acknowledge()`) on the resource and its ancestors, which
 * it drops from its report itself. So a stack's cache key covers, beside its template, the path
 * and class of every `CfnResource` in it and every acknowledgement on it, in it or above it.
 * A property hidden by an escape hatch (`addPropertyOverride`) is not in the key: the template,
 * which is what deploys, shows the override.
 *
 * cdk-nag is loaded only when a stack is not in the cache (loading it costs a third of a second).
 * Each stack the cache misses is checked alone (`validateScope(stack)`), and the reports are joined
 * as cdk-nag joins its findings: one violation per rule, its resources in construct-tree order.
 */
export class AwsSolutionsGate implements IPolicyValidationPlugin {
  public readonly name = 'AwsSolutions';
  private readonly cached: CachedValidation;

  constructor(private readonly props: NagPackProps, cacheDirectory: string, group?: GateGroup) {
    this.cached = new CachedValidation({
      name: this.name,
      fingerprint: () => JSON.stringify(['cdk-nag', require('cdk-nag/package.json').version, 'AwsSolutionsChecks', this.props]),
      stackFingerprint: (stack, context) => stackFingerprint(stackConstruct(stack, context)),
      check: (stacks, context) => ({
        // In the main thread, when the framework asks for this gate's report.
        results: () => {
          const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
          const pack = new AwsSolutionsChecks(undefined, this.props);
          return stacks.map(stack => pack.validateScope(stackConstruct(stack, context)));
        },
      }),
      mergeKey: (violation: PolicyViolation) => violation.ruleName,
      orderStacks: (stacks, context) => {
        const order = new Map(context.appConstruct.node.findAll().map((construct, index) => [construct.node.path, index]));
        return [...stacks].sort((a, b) => (order.get(a.stackConstructPath) ?? 0) - (order.get(b.stackConstructPath) ?? 0));
      },
    }, cacheDirectory, group);
  }

  public get lastRun(): GateCacheStats | undefined {
    return this.cached.lastRun;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.cached.validate(context);
  }
}

const stacksByPath = new WeakMap<IConstruct, Map<string, Stack>>();

function stackConstruct(stack: PolicyValidationStack, context: IPolicyValidationContext): Stack {
  let stacks = stacksByPath.get(context.appConstruct);
  if (!stacks) {
    stacks = new Map(context.appConstruct.node.findAll().filter(Stack.isStack).map(found => [found.node.path, found]));
    stacksByPath.set(context.appConstruct, stacks);
  }
  const found = stacks.get(stack.stackConstructPath);
  if (!found) throw new Error(`AwsSolutions gate: no stack at construct path ${stack.stackConstructPath}`);
  return found;
}

/** The construct tree facts cdk-nag reads that the template does not show. */
function stackFingerprint(stack: Stack): string {
  const facts: unknown[] = [];
  const addAcknowledgements = (construct: IConstruct) => {
    for (const entry of construct.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) facts.push([construct.node.path, entry.data]);
    }
  };
  for (let scope = stack.node.scope; scope; scope = scope.node.scope) addAcknowledgements(scope);
  for (const construct of stack.node.findAll()) {
    addAcknowledgements(construct);
    if (CfnResource.isCfnResource(construct)) facts.push([construct.node.path, construct.constructor.name]);
  }
  return sha256(JSON.stringify(facts));
}

