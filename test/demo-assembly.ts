import * as fs from 'fs';
import * as path from 'path';
import { App, IPolicyValidationContext, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { addDemoStacks } from '../examples/demo-stacks';
import { GateCacheStats } from '../examples/gates/cached-validation';
import { AwsSolutionsGate } from '../examples/gates/nag-gate';
import { addQualityGates } from '../examples/quality-gates';
import { SynthesizedStack, synthesizedStacks } from '../scripts/generated-docs';
import { CDK_CONTEXT, testRunDirectory } from './helpers';

/** What the shared synth of the demo app recorded, beside its cloud assembly. */
export interface DemoSynthRecord {
  /** The synth's error (an unacknowledged finding, with the gates' report), if it failed. */
  readonly error?: string;
  /**
   * The stacks with an unacknowledged finding, when the synth failed on findings (read from the
   * validation report): the tests of the other stacks still read their templates.
   */
  readonly stacksWithFindings?: string[];
  /** Each gate's cache hits and misses in the synth (which starts with an empty cache). */
  readonly gates: GateCacheStats[];
  /** The stacks in construct-tree order, with their data-flow declarations (construct metadata). */
  readonly stacks?: Array<Omit<SynthesizedStack, 'template'>>;
  /**
   * cdk-nag reads the construct tree, which exists only in the process that synthesized: its
   * report on the demo app, from `AwsSolutionsChecks` as today's plugin and from our gate with an
   * empty cache and then a full one.
   */
  readonly awsSolutions?: {
    readonly reference: PolicyValidationPluginReport;
    readonly cold: PolicyValidationPluginReport;
    readonly warm: PolicyValidationPluginReport;
    readonly coldRun?: GateCacheStats;
    readonly warmRun?: GateCacheStats;
  };
}

const ASSEMBLY = 'demo-app.out';
const RECORD = 'demo-app.json';

/**
 * The demo app as `cdk synth` builds it (the context of `cdk.json` and the construct paths the CLI
 * adds to the templates' metadata, all demo stacks, the quality gates with an empty cache),
 * synthesized once per `npm test` run and shared by every test that reads the demo stacks: the
 * first test to ask synthesizes it, the others (in this or another jest worker) wait for it and
 * read it from disk.
 */
export function demoAssembly(): { readonly assembly: CloudAssembly; readonly record: DemoSynthRecord } {
  const run = testRunDirectory();
  const outdir = path.join(run, ASSEMBLY);
  const recordFile = path.join(run, RECORD);
  let mine = true;
  try {
    fs.mkdirSync(path.join(run, 'demo-app.lock'));
  } catch {
    mine = false;
  }
  if (mine) {
    let record: DemoSynthRecord;
    try {
      record = synthDemoApp(outdir);
    } catch (e) {
      record = { error: e instanceof Error ? e.stack ?? e.message : String(e), gates: [] };
    }
    fs.writeFileSync(recordFile, JSON.stringify(record));
  } else {
    const deadline = Date.now() + 15 * 60 * 1000;
    while (!fs.existsSync(recordFile)) {
      if (Date.now() > deadline) throw new Error(`The shared demo app synth (${outdir}) did not finish`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  return { assembly: new CloudAssembly(outdir), record: JSON.parse(fs.readFileSync(recordFile, 'utf-8')) };
}

/**
 * The template of one demo stack, from the shared synth of the demo app, without the construct
 * paths of the CLI (`aws:cdk:path`), which the snapshots leave out.
 */
export function demoTemplate(stackName: string): Record<string, any> {
  const { assembly, record } = demoAssembly();
  if (record.error && (!record.stacksWithFindings || record.stacksWithFindings.includes(stackName))) {
    throw new Error(`The demo app did not synthesize:\n${record.error}`);
  }
  const template = JSON.parse(JSON.stringify(assembly.getStackByName(stackName).template));
  for (const resource of Object.values(template.Resources ?? {}) as Array<{ Metadata?: Record<string, unknown> }>) {
    if (resource.Metadata) {
      delete resource.Metadata['aws:cdk:path'];
      if (Object.keys(resource.Metadata).length === 0) delete resource.Metadata;
    }
  }
  return template;
}

/**
 * The demo stacks as `npm run diagrams` reads them (`synthesizeDemoApp()` of
 * scripts/generated-docs.ts): in construct-tree order, with their templates and data-flow
 * declarations, from the shared synth.
 */
export function demoStacks(): SynthesizedStack[] {
  const { assembly, record } = demoAssembly();
  if (!record.stacks) throw new Error(`The demo app did not synthesize:\n${record.error}`);
  return record.stacks.map(stack => ({ ...stack, template: assembly.getStackByName(stack.name).template }));
}

/** The context the framework gives validation plugins, for the stacks of an assembly. */
export function validationContext(assembly: CloudAssembly, appConstruct: IConstruct): IPolicyValidationContext {
  const stackTemplates = assembly.stacks.map(stack => ({
    stackConstructPath: stack.hierarchicalId,
    templatePath: stack.templateFullPath,
    accountId: stack.environment.account === 'unknown-account' ? undefined : stack.environment.account,
    region: stack.environment.region === 'unknown-region' ? undefined : stack.environment.region,
  }));
  return { templatePaths: stackTemplates.map(stack => stack.templatePath), stackTemplates, appConstruct };
}

function synthDemoApp(outdir: string): DemoSynthRecord {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:enable-path-metadata': true }, outdir });
  const gates = addQualityGates(app);
  addDemoStacks(app);
  let error: string | undefined;
  let stacksWithFindings: string[] | undefined;
  try {
    app.synth();
  } catch (e) {
    error = String(e); // the templates are written before the gates run: the tests can still read them
    stacksWithFindings = findingsByStack(path.join(outdir, 'validation-report.json'));
  }
  const assembly = new CloudAssembly(outdir);
  const context = validationContext(assembly, app);
  const reference = new AwsSolutionsChecks().validate(context);
  const gate = new AwsSolutionsGate({}, fs.mkdtempSync(path.join(testRunDirectory(), 'nag-cache-')));
  const cold = gate.validate(context);
  const coldRun = gate.lastRun;
  const warm = gate.validate(context);
  return {
    error,
    stacksWithFindings,
    gates: gates.map(g => g.lastRun).filter((stats): stats is GateCacheStats => stats !== undefined),
    stacks: synthesizedStacks(app, assembly).map(({ name, dataFlow }) => ({ name, dataFlow })),
    awsSolutions: { reference, cold, warm, coldRun, warmRun: gate.lastRun },
  };
}

/** The stacks (first segment of the construct path) of the unacknowledged findings of a validation report. */
function findingsByStack(reportFile: string): string[] | undefined {
  if (!fs.existsSync(reportFile)) return undefined; // not a failure of the gates
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')) as {
    pluginReports: Array<{ violations: Array<{ violatingConstructs: Array<{ constructPath?: string }> }> }>;
  };
  const paths = report.pluginReports.flatMap(plugin => plugin.violations.flatMap(violation => violation.violatingConstructs.map(c => c.constructPath)));
  // A finding without a construct path could concern any stack.
  return paths.every(p => p !== undefined) ? [...new Set(paths.map(p => p!.split('/')[0]))] : undefined;
}
