import * as fs from 'fs';
import * as path from 'path';
import { CreationOrderGraph } from './creation-order';
import { REHEARSAL_FORMAT_VERSION, REHEARSAL_METADATA_KEY, RecordedExpectations } from './expectations';
import { SecurityGroupGraph } from './network';
import { checkStateMachines } from './state-machines';
import { TemplatePolicies } from './template-policies';
import { CloudFormationTemplate, RehearsalEnvironment, TemplateResolver } from './template-resolver';
import { checkVersions } from './version-check';

/** The rules under which the rehearsal reports, as validation plugin rule names. */
export const REHEARSAL_RULES = {
  /** An action, service prefix or wildcard that the Service Authorization Reference does not know. */
  IAM_ACTION: 'REHEARSAL-IAM-ACTION',
  /** A resource ARN of a type none of the statement's actions applies to. */
  IAM_RESOURCE: 'REHEARSAL-IAM-RESOURCE',
  /** A declared run-time call that the policies do not decide as declared. */
  FLOW: 'REHEARSAL-FLOW',
  /** A declared port flow that the security groups do not admit. */
  PORT: 'REHEARSAL-PORT',
  /** A declared creation order that the template's dependencies do not guarantee. */
  ORDER: 'REHEARSAL-ORDER',
  /** A state machine path that reaches a runtime error, or a machine with no successful path. */
  SFN: 'REHEARSAL-SFN',
  /** A release label, image tag, runtime or engine version missing from the sourced table. */
  VERSION: 'REHEARSAL-VERSION',
  /** Declarations in a format the rehearsal does not know. */
  FORMAT: 'REHEARSAL-FORMAT',
} as const;

/** One thing that would fail at deploy or run time. */
export interface RehearsalFinding {
  /** One of {@link REHEARSAL_RULES}. */
  readonly ruleName: string;
  /** What failed and why, with the page the declaration cites. */
  readonly description: string;
  /** The resource the finding is about (the framework maps it to a construct path). */
  readonly resourceLogicalId?: string;
  /** Where in the resource (`Properties.PolicyDocument`). */
  readonly location?: string;
}

/** How many checks of each kind ran on a stack. */
export interface RehearsalCounts {
  readonly iamActions: number;
  readonly calls: number;
  readonly portFlows: number;
  readonly orderings: number;
  readonly stateMachines: number;
  readonly stateMachinePaths: number;
  readonly versions: number;
}

/** The rehearsal of one stack. */
export interface StackRehearsal {
  readonly stackName: string;
  readonly templatePath?: string;
  readonly counts: RehearsalCounts;
  readonly findings: RehearsalFinding[];
  /** What the rehearsal could not decide, and why (not a failure). */
  readonly notModelled: string[];
  /** Actions of multi-action statements that grant nothing on the statement's resources (not a failure). */
  readonly notes: string[];
  readonly durationMs: number;
}

/** Options of a rehearsal. */
export interface RehearsalOptions {
  /** The account, Region and partition the templates are resolved in (no AWS call is made). @default - account 123456789012, us-east-1, aws */
  readonly environment?: RehearsalEnvironment;
}

/** Rehearses one synthesized template. */
export async function rehearseTemplate(template: CloudFormationTemplate, stackName: string, options: RehearsalOptions & { templatePath?: string } = {}): Promise<StackRehearsal> {
  const started = Date.now();
  const resolver = new TemplateResolver(template, stackName, options.environment);
  const findings: RehearsalFinding[] = [];
  const notModelled: string[] = [];
  const notes: string[] = [];

  // The IAM data and simulator load on first use, so that importing the library stays cheap.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkIamNames } = require('./iam-names') as typeof import('./iam-names');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkRuntimeFlows } = require('./runtime-flows') as typeof import('./runtime-flows');
  const policies = new TemplatePolicies(resolver);
  const names = await checkIamNames(policies.all);
  for (const problem of names.problems) {
    findings.push({
      ruleName: /resource .* is not of a type|grants nothing/.test(problem.message) ? REHEARSAL_RULES.IAM_RESOURCE : REHEARSAL_RULES.IAM_ACTION,
      description: problem.message, resourceLogicalId: problem.policy.logicalId in resolver.resources ? problem.policy.logicalId : undefined,
      location: `${problem.policy.location}.Statement[${problem.statement}]`,
    });
  }
  notes.push(...names.inert.map(problem => problem.message));

  const expectations = readExpectations(template, findings);
  const flows = await checkRuntimeFlows(expectations, resolver, policies);
  for (const flow of flows) {
    if (flow.ok === false) findings.push({ ruleName: REHEARSAL_RULES.FLOW, description: flow.message, resourceLogicalId: flow.logicalId });
    if (flow.ok === undefined) notModelled.push(flow.message);
  }

  const network = new SecurityGroupGraph(resolver);
  for (const flow of expectations.connects) {
    const outcome = network.check(flow);
    if (outcome.ok === false) findings.push({ ruleName: REHEARSAL_RULES.PORT, description: outcome.message, resourceLogicalId: outcome.logicalId });
    if (outcome.ok === undefined) notModelled.push(outcome.message);
  }

  const order = new CreationOrderGraph(resolver.resources);
  for (const declared of expectations.createsBefore) {
    const outcome = order.check(declared);
    if (!outcome.ok) findings.push({ ruleName: REHEARSAL_RULES.ORDER, description: outcome.message, resourceLogicalId: outcome.logicalId });
  }

  const machines = checkStateMachines(resolver);
  for (const machine of machines) {
    findings.push(...machine.problems.map(problem => ({ ruleName: REHEARSAL_RULES.SFN, description: problem, resourceLogicalId: machine.logicalId, location: 'Properties.DefinitionString' })));
    notModelled.push(...machine.notModelled);
  }

  const versions = checkVersions(resolver);
  for (const version of versions.filter(v => !v.ok)) {
    findings.push({ ruleName: REHEARSAL_RULES.VERSION, description: version.message, resourceLogicalId: version.logicalId, location: version.location });
  }

  return {
    stackName,
    templatePath: options.templatePath,
    counts: {
      iamActions: names.actions,
      calls: flows.length,
      portFlows: expectations.connects.length,
      orderings: expectations.createsBefore.length,
      stateMachines: machines.length,
      stateMachinePaths: machines.reduce((sum, machine) => sum + machine.paths, 0),
      versions: versions.length,
    },
    findings,
    notModelled,
    notes,
    durationMs: Date.now() - started,
  };
}

/** Rehearses template files (`<stack>.template.json`), or every stack of a cloud assembly directory. */
export async function rehearse(paths: string[], options: RehearsalOptions = {}): Promise<StackRehearsal[]> {
  const results: StackRehearsal[] = [];
  for (const templatePath of paths.flatMap(templatesOf)) {
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8')) as CloudFormationTemplate;
    results.push(await rehearseTemplate(template, path.basename(templatePath).replace(/\.template\.json$/, ''), { ...options, templatePath }));
  }
  return results;
}

/** The template files of a cloud assembly directory (its manifest's stacks), or the file itself. */
export function templatesOf(location: string): string[] {
  if (!fs.statSync(location).isDirectory()) return [location];
  const manifestFile = path.join(location, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf-8')) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> };
    const files = Object.values(manifest.artifacts ?? {})
      .filter(artifact => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
      .map(artifact => path.join(location, artifact.properties!.templateFile!));
    if (files.length > 0) return files;
  }
  return fs.readdirSync(location).filter(file => file.endsWith('.template.json')).sort().map(file => path.join(location, file));
}

function readExpectations(template: CloudFormationTemplate, findings: RehearsalFinding[]): RecordedExpectations {
  const recorded = template.Metadata?.[REHEARSAL_METADATA_KEY] as RecordedExpectations | undefined;
  const empty: RecordedExpectations = { version: REHEARSAL_FORMAT_VERSION, allows: [], denies: [], connects: [], createsBefore: [] };
  if (recorded === undefined) return empty;
  if (recorded.version !== REHEARSAL_FORMAT_VERSION) {
    findings.push({ ruleName: REHEARSAL_RULES.FORMAT, description: `the template's ${REHEARSAL_METADATA_KEY} metadata has format version ${recorded.version}; this rehearsal reads version ${REHEARSAL_FORMAT_VERSION}` });
    return empty;
  }
  return { ...empty, ...recorded };
}

/** One line per stack: what was checked, and the findings. */
export function formatRehearsal(results: StackRehearsal[], verbose = false): string {
  const lines: string[] = [];
  for (const result of results) {
    const c = result.counts;
    lines.push(`${result.stackName}: ${c.iamActions} IAM actions, ${c.calls} calls, ${c.portFlows} port flows, ${c.orderings} orderings, `
      + `${c.stateMachines} state machines (${c.stateMachinePaths} paths), ${c.versions} versions; `
      + `${result.findings.length === 0 ? 'ok' : `${result.findings.length} FINDING(S)`} (${result.durationMs} ms)`);
    for (const finding of result.findings) {
      lines.push(`  [${finding.ruleName}]${finding.resourceLogicalId ? ` ${finding.resourceLogicalId}:` : ''} ${finding.description}`);
    }
    if (verbose) {
      lines.push(...result.notModelled.map(text => `  (not modelled) ${text}`));
      lines.push(...result.notes.map(text => `  (note) ${text}`));
    } else if (result.notModelled.length > 0) {
      lines.push(`  ${result.notModelled.length} check(s) not modelled (--verbose lists them)`);
    }
  }
  return lines.join('\n');
}
