import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyValidationStack } from 'aws-cdk-lib';
import { CfnGuardValidator, CfnGuardValidatorProps } from '@cdklabs/cdk-validator-cfnguard';
import { BackgroundWorkers } from './background';
import { CachedValidation, GateCacheStats, GateGroup, StackReport, sha256 } from './cached-validation';
import { GuardRuleIndex, guardRuleFiles } from './guard-rules';

const PACKAGE = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
/** Where the package keeps the Control Tower rules (`CfnGuardValidator` reads the same folder). */
export const CONTROL_TOWER_RULES = path.join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');

/**
 * The AWS Control Tower proactive controls (`@cdklabs/cdk-validator-cfnguard`), fast and cached.
 *
 * `CfnGuardValidator` runs one `cfn-guard validate` with every rule file over every template.
 * This gate gives the same report, three ways faster:
 *
 * - each template gets only the rule files that can fire on its resource types ({@link GuardRuleIndex});
 * - templates are validated in parallel, one cfn-guard process per core, in worker threads that
 *   keep running while the other gates work in the main thread;
 * - a template checked before is not checked again (the cache key covers the template, the
 *   plugin's version, cfn-guard's version, the rule files' contents and the props).
 *
 * Each template goes through the plugin's own code (its command line, its handling of cfn-guard's
 * exit codes and its parsing of the output), only with fewer rules: the findings are the plugin's.
 */
export class ControlTowerGate implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly cached: CachedValidation;
  private readonly rulePaths: string[];
  private index?: GuardRuleIndex;
  private rulesFingerprint?: string;

  constructor(private readonly props: CfnGuardValidatorProps, cacheDirectory: string, group?: GateGroup) {
    // The plugin's own name, version and rule ids (the framework records them in each stack's metadata).
    const plugin = new CfnGuardValidator(props);
    this.name = plugin.name;
    this.version = plugin.version;
    this.ruleIds = plugin.ruleIds;
    this.rulePaths = [...(props.controlTowerRulesEnabled ?? true) ? [CONTROL_TOWER_RULES] : [], ...props.rules ?? []];
    this.cached = new CachedValidation({
      name: this.name,
      fingerprint: () => this.fingerprint(),
      check: stacks => this.check(stacks),
    }, cacheDirectory, group);
  }

  public get lastRun(): GateCacheStats | undefined {
    return this.cached.lastRun;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.cached.validate(context);
  }

  private fingerprint(): string {
    if (this.rulesFingerprint === undefined) {
      const rules = guardRuleFiles(this.rulePaths).map(file => `${path.relative(PACKAGE, file)}:${sha256(fs.readFileSync(file))}`);
      const guardVersion = fs.readFileSync(path.join(PACKAGE, 'guard-version.json'), 'utf-8');
      this.rulesFingerprint = JSON.stringify([this.name, this.version, guardVersion, this.props, rules]);
    }
    return this.rulesFingerprint;
  }

  private check(stacks: PolicyValidationStack[]): { results(): StackReport[] } {
    this.index ??= GuardRuleIndex.fromPaths(this.rulePaths);
    const jobs = stacks.map((stack, index) => {
      const text = fs.readFileSync(stack.templatePath, 'utf-8');
      return { index, size: text.length, templatePath: stack.templatePath, rulePaths: this.index!.filesFor(JSON.parse(text)) };
    });
    // A template that no rule file concerns passes without starting cfn-guard. The largest
    // templates (the longest to check) go first, so that both cores stay busy to the end.
    const queue = jobs.filter(job => job.rulePaths.length > 0).sort((a, b) => b.size - a.size);
    const workers = queue.length === 0 ? undefined : new BackgroundWorkers('guard-worker.js', Math.min(queue.length, cores()), {
      jobs: queue.map(({ templatePath, rulePaths }) => ({ templatePath, rulePaths })), props: this.props, next: new Int32Array(new SharedArrayBuffer(4)),
    });
    return {
      results: () => {
        const reports: StackReport[] = jobs.map(() => ({ success: true, violations: [] }));
        for (const message of workers?.wait<{ index: number; report?: StackReport; error?: string }>() ?? []) {
          if (message.error !== undefined) throw new Error(message.error);
          reports[queue[message.index].index] = message.report!;
        }
        return reports;
      },
    };
  }
}

function cores(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}
