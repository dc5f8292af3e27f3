import { spawnSync } from 'child_process';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import type { StackRehearsal } from './rehearse';

/**
 * The deploy rehearsal as an aws-cdk-lib validation plugin, the fourth gate of every synth:
 *
 * ```ts
 * Validations.of(app).addPlugins(new DeployRehearsalPlugin());
 * ```
 *
 * Each finding is a violation on the resource it is about, so `Validations.of(scope).acknowledge(
 * { id: 'Deploy-rehearsal::REHEARSAL-FLOW', reason })` acknowledges it like any plugin's.
 *
 * Validation plugins run synchronously and the IAM data and simulator are asynchronous, so the
 * plugin runs the rehearsal's command (`cli.js`, or `cli.ts` through tsx when the library runs
 * from its TypeScript sources) in a child process over the synthesized templates.
 */
export class DeployRehearsalPlugin implements IPolicyValidationPlugin {
  /** The name under which the rehearsal reports. */
  public static readonly PLUGIN_NAME = 'Deploy rehearsal';
  public readonly name = DeployRehearsalPlugin.PLUGIN_NAME;
  public readonly ruleIds = ['REHEARSAL-IAM-ACTION', 'REHEARSAL-IAM-RESOURCE', 'REHEARSAL-FLOW', 'REHEARSAL-PORT', 'REHEARSAL-ORDER', 'REHEARSAL-SFN', 'REHEARSAL-VERSION', 'REHEARSAL-FORMAT'];

  /** The rehearsal of each stack of the last validation, with its counts (for printing). */
  public lastResults: StackRehearsal[] = [];

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const fromSources = path.extname(__filename) === '.ts';
    const cli = path.join(__dirname, `cli${path.extname(__filename)}`);
    const loader = fromSources ? ['--require', require.resolve('tsx/cjs')] : [];
    const child = spawnSync(process.execPath, [...loader, cli, '--json', ...context.templatePaths], {
      encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
    });
    // The command exits 1 when it has findings, which the report carries; anything else is an error.
    if (child.status !== 0 && child.status !== 1) {
      throw new Error(`The deploy rehearsal failed to run (exit ${child.status}): ${child.error?.message ?? child.stderr}`);
    }
    const output = child.stdout;
    const results = JSON.parse(output) as StackRehearsal[];
    this.lastResults = results;
    const violations: PolicyViolation[] = results.flatMap(result => result.findings.map(finding => ({
      ruleName: finding.ruleName,
      description: `${result.stackName}: ${finding.description}`,
      severity: 'error',
      violatingResources: [{
        resourceLogicalId: finding.resourceLogicalId ?? 'Metadata',
        templatePath: result.templatePath ?? '',
        locations: [finding.location ?? (finding.resourceLogicalId ? 'Properties' : `Metadata.MlDataEngineering::Rehearsal`)],
      }],
    })));
    return {
      success: violations.length === 0,
      violations,
      metadata: Object.fromEntries(results.map(result => [result.stackName, JSON.stringify(result.counts)])),
    };
  }
}
