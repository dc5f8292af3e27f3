import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { DeployRehearsalPlugin } from '../lib';
import { GateCacheStats, GateGroup } from './gates/cached-validation';
import { CloudFormationValidateGate } from './gates/cfn-validate-gate';
import { ControlTowerGate } from './gates/guard-gate';
import { AwsSolutionsGate } from './gates/nag-gate';
import { deployRehearsalGate } from './gates/rehearsal-gate';
import { SourceStamp } from './gates/source-stamp';

/** The names under which the four gates report. */
export const QUALITY_GATES = ['AwsSolutions', CloudFormationValidatePlugin.PLUGIN_NAME, 'cdk-validator-cfnguard', DeployRehearsalPlugin.PLUGIN_NAME];

/** Options of {@link addQualityGates}. */
export interface QualityGatesOptions {
  /**
   * The folder where the gates keep their per-stack results. Delete it (or `cdk.out`) to check
   * every stack again; the results never go stale, since a changed template has a new key.
   *
   * @default `gate-cache` in the app's output directory (`cdk.out/gate-cache`)
   */
  readonly cacheDirectory?: string;
  /**
   * Whether to start the CloudFormation Validate engine (which takes seconds) in its worker
   * thread at once, so that it starts while the app is being built (call `addQualityGates` before
   * adding the stacks). It does not start when the app's loaded source files and context are
   * those of the last synth with this cache (see `SourceStamp`): then every template is probably
   * in the cache, and the engine is not needed.
   *
   * @default true
   */
  readonly prepare?: boolean;
}

/** A gate of {@link addQualityGates}, with its cache hits and misses. */
export type QualityGate = IPolicyValidationPlugin & { readonly lastRun?: GateCacheStats };

/**
 * Registers the quality gates on an app, so that every synth runs them (call it before adding
 * the stacks, so that the slowest gate starts while they are built):
 *
 * 1. cdk-nag `AwsSolutionsChecks`: AWS Solutions best practices (encryption, logging, least privilege);
 * 2. the CloudFormation Validate plugin of aws-cdk-lib (resource schemas and rules); the app's
 *    context in `cdk.json` (`@aws-cdk/core:validateAgainstDefaultRules`,
 *    `@aws-cdk/core:strictCfnValidateErrors`) turns its findings, warnings included, into errors;
 *    as with the built-in plugin it replaces, `CDK_VALIDATION=false` (`cdk synth --no-validation`)
 *    and the app prop `builtinCloudFormationValidation: false` turn it off;
 * 3. the AWS Control Tower proactive controls, as cfn-guard rules (`@cdklabs/cdk-validator-cfnguard`);
 * 4. the deploy rehearsal (`DeployRehearsalPlugin`): IAM names, run-time flows, port flows, creation
 *    order, state machines and versions, as AWS will meet them at deploy and run time.
 *
 * Each gate gives the report of the plugin it stands for, and keeps its result per stack in a
 * cache (see `gates/`): a stack whose template (and whatever else the gate reads) has not changed
 * is not checked again. A finding fails the synth unless it is acknowledged with
 * `Validations.of(scope).acknowledge()` on the narrowest construct, with the reason the pattern
 * needs it.
 */
export function addQualityGates(app: App, options: QualityGatesOptions = {}): QualityGate[] {
  const directory = options.cacheDirectory ?? path.join(app.outdir, 'gate-cache');
  const group = new GateGroup();
  // The framework runs the gates in this order, and the first one starts the background work of
  // the others (cfn-guard processes, the rehearsal's and CloudFormation Validate's worker threads):
  // cdk-nag, which works in the main thread, comes first, so that it overlaps with them.
  const gates: QualityGate[] = [
    new AwsSolutionsGate({}, directory, group),
    new ControlTowerGate({}, directory, group),
    deployRehearsalGate(directory, group),
  ];
  if (process.env.CDK_VALIDATION !== 'false' && app._builtinCloudFormationValidation) {
    const stamp = new SourceStamp(app, directory);
    const cloudFormationValidate = new CloudFormationValidateGate({}, directory, group, () => stamp.record());
    if ((options.prepare ?? true) && !stamp.unchanged) cloudFormationValidate.prepare();
    gates.push(cloudFormationValidate);
  }
  Validations.of(app).addPlugins(...gates);
  return gates;
}

interface PluginReport {
  readonly pluginName: string;
  readonly conclusion?: string;
  readonly violations: unknown[];
  readonly suppressedViolations?: unknown[];
}

/** One line per gate: its result and how many findings were acknowledged. */
export interface GateResult {
  readonly gate: string;
  readonly success: boolean;
  readonly violations: number;
  readonly acknowledged: number;
  /** How many stacks the gate took from its cache and how many it checked (when known). */
  readonly cache?: GateCacheStats;
}

/**
 * Reads the gates' results from the validation report of a synthesized assembly. A gate that
 * found nothing writes no report, which counts as success; the synth itself fails before this
 * point when a gate has an unacknowledged finding. Pass the gates to add their cache hits.
 */
export function readGateResults(assemblyDirectory: string, gates: QualityGate[] = []): GateResult[] {
  const reportFile = path.join(assemblyDirectory, 'validation-report.json');
  const reports: PluginReport[] = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')).pluginReports : [];
  return QUALITY_GATES.map(gate => {
    const report = reports.find(r => r.pluginName === gate);
    return {
      gate,
      success: !report || (report.conclusion === 'success' && report.violations.length === 0),
      violations: report?.violations.length ?? 0,
      acknowledged: report?.suppressedViolations?.length ?? 0,
      cache: gates.find(g => g.name === gate)?.lastRun,
    };
  });
}

/** Prints the gates' results, so that every synth shows them. */
export function printGateResults(results: GateResult[]): void {
  // cdk-nag drops acknowledged findings before it reports, so only the other gates count them.
  const lines = results.map(r => `  ${r.gate}: ${r.success ? 'success' : `FAILED (${r.violations} unacknowledged)`}`
    + (r.acknowledged > 0 ? `, ${r.acknowledged} finding(s) acknowledged` : '')
    + (r.cache ? ` (${describeCache(r.cache)})` : ''));
  process.stderr.write(`Quality gates:\n${lines.join('\n')}\n`);
}

function describeCache({ cached, checked }: GateCacheStats): string {
  const stacks = (n: number) => `${n} stack${n === 1 ? '' : 's'}`;
  if (checked === 0) return `cached: ${stacks(cached)}`;
  return cached === 0 ? `checked ${stacks(checked)}` : `checked ${stacks(checked)}, cached ${cached}`;
}
