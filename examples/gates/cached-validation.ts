import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyValidationStack, PolicyViolation } from 'aws-cdk-lib';
import { BackgroundWorkers } from './background';

/** What one gate found on one stack: the part of the gate's report that concerns that stack. */
export interface StackReport {
  readonly success: boolean;
  readonly violations: PolicyViolation[];
  /** The plugin's metadata about this stack, if any (merged across stacks in the report). */
  readonly metadata?: Record<string, string>;
}

/** Checking started on the stacks the cache missed; `results()` waits for it to finish. */
export interface PendingCheck {
  /** One report per stack, in the order the stacks were given to `GateChecker.check`. */
  results(): StackReport[];
}

/**
 * A gate whose result on a stack depends only on what its fingerprints cover, so that it can
 * be cached per stack: the template, plus `fingerprint()` (the gate's version, rules and options)
 * and `stackFingerprint()` (what else of the app it reads for that stack).
 */
export interface GateChecker {
  /** The name the gate reports under (the framework uses it to match acknowledgements). */
  readonly name: string;
  /** The gate's version, rules and options: everything its result depends on besides the stack. */
  fingerprint(): string;
  /** What else the result on `stack` depends on, beyond its template (e.g. construct metadata). */
  stackFingerprint?(stack: PolicyValidationStack, context: IPolicyValidationContext): string;
  /**
   * Starts checking `stacks` and returns at once; the work may go on in the background (worker
   * threads, child processes) until `results()` is called.
   */
  check(stacks: PolicyValidationStack[], context: IPolicyValidationContext): PendingCheck;
  /**
   * Violations of different stacks with the same key are one violation in the gate's own
   * report (its resources listed stack after stack).
   *
   * @default - violations of different stacks stay apart
   */
  mergeKey?(violation: PolicyViolation): string;
  /** The stacks in the order the gate itself would report them. @default - the context's order */
  orderStacks?(stacks: PolicyValidationStack[], context: IPolicyValidationContext): PolicyValidationStack[];
}

/** How many stacks a gate took from the cache and how many it checked, in its last run. */
export interface GateCacheStats {
  readonly gate: string;
  readonly cached: number;
  readonly checked: number;
}

interface Started {
  readonly signature: string;
  readonly stacks: PolicyValidationStack[];
  readonly reports: Map<PolicyValidationStack, StackReport>;
  readonly keys: Map<PolicyValidationStack, string>;
  readonly synthesisStrings: Map<PolicyValidationStack, SynthesisStrings>;
  readonly missed: PolicyValidationStack[];
  readonly pending?: PendingCheck;
}

/**
 * Runs a gate with a cache of its per-stack results, so that an unchanged stack is never checked
 * twice. The cache key of a stack hashes its template (with stable names for its asset hashes and
 * staging paths, see {@link SynthesisStrings}), its construct path, account and region, and the
 * gate's fingerprints; an entry is a JSON file named after the key, written once (atomically, so
 * concurrent synths can share the folder) and never changed.
 *
 * The report is the one the gate would give on all stacks at once: per-stack reports merged in
 * the gate's stack order, violations with the same `mergeKey` joined.
 */
export class CachedValidation {
  private started?: Started;
  /** The stacks of the last report given (a group does not start its gate again for them). */
  private reported?: string;
  private stats?: GateCacheStats;

  constructor(private readonly checker: GateChecker, private readonly directory: string, private readonly group?: GateGroup) {
    group?.add(this);
  }

  /** The last run's cache hits and misses (undefined before the first run). */
  public get lastRun(): GateCacheStats | undefined {
    return this.stats;
  }

  /** Whether this gate has given its report on these stacks, and not been started again since. */
  public hasReported(context: IPolicyValidationContext): boolean {
    return this.reported === JSON.stringify(context.stackTemplates);
  }

  /**
   * Looks the stacks up in the cache and starts checking the ones it misses. Called for every gate
   * of the group when the first gate runs, so that their background work overlaps.
   */
  public begin(context: IPolicyValidationContext): void {
    const signature = JSON.stringify(context.stackTemplates);
    if (this.started?.signature === signature) return;
    this.reported = undefined;
    const fingerprint = this.checker.fingerprint();
    const stacks = this.checker.orderStacks?.(context.stackTemplates, context) ?? context.stackTemplates;
    const reports = new Map<PolicyValidationStack, StackReport>();
    const keys = new Map<PolicyValidationStack, string>();
    const synthesisStrings = new Map<PolicyValidationStack, SynthesisStrings>();
    for (const stack of stacks) {
      const text = fs.readFileSync(stack.templatePath, 'utf-8');
      const strings = new SynthesisStrings(stack, JSON.parse(text));
      synthesisStrings.set(stack, strings);
      const key = sha256(JSON.stringify([
        fingerprint, stack.stackConstructPath, stack.accountId ?? null, stack.region ?? null,
        sha256(strings.hide(text)), this.checker.stackFingerprint?.(stack, context) ?? '',
      ]));
      keys.set(stack, key);
      const cached = this.read(key);
      if (cached) reports.set(stack, JSON.parse(strings.show(cached)));
    }
    const missed = stacks.filter(stack => !reports.has(stack));
    this.started = {
      signature, stacks, reports, keys, synthesisStrings, missed,
      pending: missed.length > 0 ? this.checker.check(missed, context) : undefined,
    };
  }

  /** The gate's report on the context's stacks, from the cache where it can. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.group?.begin(context);
    this.begin(context);
    const { signature, stacks, reports, keys, synthesisStrings, missed, pending } = this.started!;
    this.started = undefined;
    this.reported = signature;
    const fresh = pending?.results() ?? [];
    missed.forEach((stack, index) => {
      reports.set(stack, fresh[index]);
      this.write(keys.get(stack)!, synthesisStrings.get(stack)!.hide(JSON.stringify(fresh[index])));
    });
    this.stats = { gate: this.checker.name, cached: stacks.length - missed.length, checked: missed.length };
    // A deep copy: the framework edits the report it is given (suppressions, construct paths).
    return JSON.parse(JSON.stringify(mergeReports(stacks.map(stack => reports.get(stack)!), this.checker.mergeKey)));
  }

  private file(key: string): string {
    return path.join(this.directory, this.checker.name.replace(/[^A-Za-z0-9.-]+/g, '-'), `${key}.json`);
  }

  /** The cached report (as JSON text, with the stable names), if there is a readable one. */
  private read(key: string): string | undefined {
    try {
      const text = fs.readFileSync(this.file(key), 'utf-8');
      JSON.parse(text);
      return text;
    } catch {
      return undefined; // absent, or cut short by a crash: check the stack again
    }
  }

  private write(key: string, report: string): void {
    const file = this.file(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(partial, report);
    fs.renameSync(partial, file);
  }
}

/**
 * The gates of one app. When the framework runs the first of them, all of them look up the cache
 * and start their background work, so that cfn-guard processes, the CloudFormation Validate worker
 * and the in-process gates (registered first) run at the same time.
 */
export class GateGroup {
  private readonly members: CachedValidation[] = [];

  public add(member: CachedValidation): void {
    this.members.push(member);
  }

  /** Starts every gate that has not already reported on these stacks. */
  public begin(context: IPolicyValidationContext): void {
    this.members.filter(member => !member.hasReported(context)).forEach(member => member.begin(context));
  }
}

/** Joins per-stack reports into the report the gate gives on all the stacks at once. */
export function mergeReports(reports: StackReport[], mergeKey?: (violation: PolicyViolation) => string): StackReport {
  const violations: PolicyViolation[] = [];
  const byKey = new Map<string, PolicyViolation>();
  for (const violation of reports.flatMap(report => report.violations)) {
    const key = mergeKey?.(violation);
    const same = key === undefined ? undefined : byKey.get(key);
    if (same) {
      same.violatingResources.push(...violation.violatingResources);
    } else {
      const copy = { ...violation, violatingResources: [...violation.violatingResources] };
      violations.push(copy);
      if (key !== undefined) byKey.set(key, copy);
    }
  }
  const metadata = Object.assign({}, ...reports.map(report => report.metadata ?? {}));
  return { success: reports.every(report => report.success), violations, ...Object.keys(metadata).length > 0 ? { metadata } : {} };
}

/** Where a plugin's class is, so that a worker thread can create it (with no arguments). */
export interface PluginModule {
  /** The module's file (TypeScript is loaded through tsx). */
  readonly modulePath: string;
  /** The name of the class the module exports. */
  readonly exportName: string;
}

/**
 * A plugin that reads only the templates, cached per stack: the stacks the cache misses are
 * checked in one call of the plugin (`validate` with a context of those stacks) and its report is
 * split per stack: each violation goes to the stack of its resources' template (or construct
 * path), each metadata entry to the stack it is named after (its construct path or its
 * template's name). A stack's share succeeds when the report does, or when it has no violation.
 * This is how a template-reading gate (the deploy rehearsal) joins the quality gates.
 *
 * Given the plugin's module, the call runs in a worker thread, started with the other gates'
 * background work (the context it gets has no `appConstruct`); otherwise in the main thread,
 * when the framework asks for this gate's report.
 */
export class CachedTemplatePlugin implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly cached: CachedValidation;

  /**
   * @param fingerprint everything the plugin's result depends on besides the template: its
   *   version, rules and options
   */
  constructor(plugin: IPolicyValidationPlugin, fingerprint: string, directory: string, group?: GateGroup, module?: PluginModule) {
    this.name = plugin.name;
    this.version = plugin.version;
    this.ruleIds = plugin.ruleIds;
    this.cached = new CachedValidation({
      name: plugin.name,
      fingerprint: () => JSON.stringify([plugin.name, plugin.version ?? null, fingerprint]),
      check: (stacks, context) => {
        const subContext = {
          templatePaths: stacks.map(stack => stack.templatePath), stackTemplates: stacks,
          accountId: stacks.every(stack => stack.accountId === stacks[0].accountId) ? stacks[0].accountId : undefined,
          region: stacks.every(stack => stack.region === stacks[0].region) ? stacks[0].region : undefined,
        };
        if (!module) {
          return { results: () => splitReport(plugin.validate({ ...subContext, appConstruct: context.appConstruct }), stacks, plugin.name) };
        }
        const worker = new BackgroundWorkers('plugin-worker.js', 1, { ...module, context: subContext });
        return {
          results: () => {
            const [message] = worker.wait<{ report?: PolicyValidationPluginReport; error?: string }>();
            if (message.error !== undefined) throw new Error(message.error);
            return splitReport(message.report!, stacks, plugin.name);
          },
        };
      },
    }, directory, group);
  }

  public get lastRun(): GateCacheStats | undefined {
    return this.cached.lastRun;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.cached.validate(context);
  }
}

/** Each stack's share of a report on several stacks (see {@link CachedTemplatePlugin}). */
function splitReport(report: PolicyValidationPluginReport, stacks: PolicyValidationStack[], gate: string): StackReport[] {
  const names = (stack: PolicyValidationStack) => [stack.stackConstructPath, path.basename(stack.templatePath).replace(/\.template\.json$/, '')];
  const stackOf = (resource: PolicyViolation['violatingResources'][number]) => {
    const stack = stacks.find(candidate => resource.templatePath !== undefined
      ? path.resolve(candidate.templatePath) === path.resolve(resource.templatePath)
      : resource.constructPath?.startsWith(`${candidate.stackConstructPath}/`));
    if (!stack) throw new Error(`${gate}: cannot tell which stack a finding is about (${JSON.stringify(resource)})`);
    return stack;
  };
  return stacks.map(stack => {
    const violations = report.violations
      .map(violation => ({ ...violation, violatingResources: violation.violatingResources.filter(resource => stackOf(resource) === stack) }))
      .filter(violation => violation.violatingResources.length > 0);
    const metadata = Object.entries(report.metadata ?? {}).filter(([key]) => names(stack).includes(key));
    return {
      success: report.success || violations.length === 0,
      violations,
      ...metadata.length > 0 ? { metadata: Object.fromEntries(metadata) } : {},
    };
  });
}

export function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The strings of a stack's template and reports that tell where and how it was synthesized rather
 * than what it declares, and the stable names (`<asset-hash-1>`) that stand for them in the cache: the template's
 * path (a cache filled from one output directory serves another), and each asset's content hash
 * and staging path. `cdk ls`, `cdk diff X` and `cdk deploy X` skip bundling the assets of the
 * stacks they do not deploy, which then get a dummy hash and their source path instead:
 * the template is otherwise the one `cdk synth` checked, and no gate can read an asset's content.
 * Assets are found through the metadata the CLI asks for (`aws:asset:path`, `aws:asset:property`).
 */
class SynthesisStrings {
  private readonly pairs: Array<{ readonly name: string; readonly actual: string }> = [];

  constructor(stack: PolicyValidationStack, template: { Resources?: Record<string, { Metadata?: Record<string, unknown>; Properties?: Record<string, unknown> }> }) {
    const add = (kind: string, actual: string) => {
      if (!this.pairs.some(pair => pair.actual === actual)) {
        this.pairs.push({ name: `<${kind}-${this.pairs.filter(pair => pair.name.startsWith(`<${kind}-`)).length + 1}>`, actual });
      }
    };
    add('template', stack.templatePath);
    for (const resource of Object.values(template.Resources ?? {})) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const property = resource.Metadata?.['aws:asset:property'];
      if (typeof assetPath !== 'string' || typeof property !== 'string') continue;
      add('asset-path', assetPath);
      for (const hash of JSON.stringify(resource.Properties?.[property] ?? null).match(/\b[0-9a-f]{64}\b/g) ?? []) add('asset-hash', hash);
    }
    // Longest first: a staging path contains its hash.
    this.pairs.sort((a, b) => b.actual.length - a.actual.length);
  }

  /** `text` (JSON) with the stable names in place of the stack's strings. */
  public hide(text: string): string {
    return this.pairs.reduce((result, { name, actual }) => result.split(jsonString(actual)).join(name), text);
  }

  /** `text` (JSON, with the stable names) with this stack's strings back. */
  public show(text: string): string {
    return this.pairs.reduce((result, { name, actual }) => result.split(name).join(jsonString(actual)), text);
  }
}

/** A string as it appears inside a JSON string literal. */
function jsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
