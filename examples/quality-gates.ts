import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployRehearsalPlugin } from '../lib';

/** The names under which the four gates report. */
export const QUALITY_GATES = ['AwsSolutions', CloudFormationValidatePlugin.PLUGIN_NAME, 'cdk-validator-cfnguard', DeployRehearsalPlugin.PLUGIN_NAME];

/**
 * Registers the quality gates on an app, so that every synth runs them:
 *
 * 1. cdk-nag `AwsSolutionsChecks`: AWS Solutions best practices (encryption, logging, least privilege);
 * 2. the CloudFormation Validate plugin of aws-cdk-lib (resource schemas and rules), which runs
 *    at every synth without being registered; the app's context in `cdk.json`
 *    (`@aws-cdk/core:validateAgainstDefaultRules`, `@aws-cdk/core:strictCfnValidateErrors`) turns
 *    its findings, warnings included, into errors;
 * 3. the AWS Control Tower proactive controls, as cfn-guard rules (`@cdklabs/cdk-validator-cfnguard`);
 * 4. the deploy rehearsal (`DeployRehearsalPlugin`): IAM names, run-time flows, port flows, creation
 *    order, state machines and versions, as AWS will meet them at deploy and run time.
 *
 * A finding fails the synth unless it is acknowledged with `Validations.of(scope).acknowledge()`
 * on the narrowest construct, with the reason the pattern needs it.
 */
export function addQualityGates(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator(), new DeployRehearsalPlugin());
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
}

/**
 * Reads the gates' results from the validation report of a synthesized assembly. A gate that
 * found nothing writes no report, which counts as success; the synth itself fails before this
 * point when a gate has an unacknowledged finding.
 */
export function readGateResults(assemblyDirectory: string): GateResult[] {
  const reportFile = path.join(assemblyDirectory, 'validation-report.json');
  const reports: PluginReport[] = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf-8')).pluginReports : [];
  return QUALITY_GATES.map(gate => {
    const report = reports.find(r => r.pluginName === gate);
    return {
      gate,
      success: !report || (report.conclusion === 'success' && report.violations.length === 0),
      violations: report?.violations.length ?? 0,
      acknowledged: report?.suppressedViolations?.length ?? 0,
    };
  });
}

/** Prints the gates' results, so that every synth shows them. */
export function printGateResults(results: GateResult[]): void {
  // cdk-nag drops acknowledged findings before it reports, so only the other gates count them.
  const lines = results.map(r => `  ${r.gate}: ${r.success ? 'success' : `FAILED (${r.violations} unacknowledged)`}`
    + (r.acknowledged > 0 ? `, ${r.acknowledged} finding(s) acknowledged` : ''));
  process.stderr.write(`Quality gates:\n${lines.join('\n')}\n`);
}
