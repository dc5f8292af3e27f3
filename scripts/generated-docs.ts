/**
 * The generated parts of the documentation, from the stacks of a synthesized app:
 *
 * - `docs/diagrams/<Stack>.md`, one file per stack: its data flow (the main diagram, from the
 *   nodes its constructs declare, scripts/data-flow-diagram.ts) and the detailed diagram of every
 *   resource (scripts/architecture-diagram.ts);
 * - in each pattern page `docs/<pattern>.md`, the block between `<!-- diagram:<Stack> -->` and
 *   `<!-- /diagram:<Stack> -->`: the main diagram and its legend, so that the page opens with it;
 * - in `README.md`, the block between `<!-- catalog:start -->` and `<!-- catalog:end -->`: the
 *   pattern catalog, one row per stack of the app.
 *
 * The catalog's words come from each pattern page's header, an HTML comment at its top:
 *
 *     <!-- pattern
 *     title: Streaming ingestion
 *     notes: 2c–2e
 *     constructs: StreamingIngestion, LakeDelivery
 *     stack StreamingIngestionDemo: about 17 USD a month
 *     -->
 *
 * Everything else (which stacks exist, their services, their diagrams) comes from the templates,
 * so a new demo stack shows up in the catalog and gets a diagram without a code change; a stack
 * that no page names yet is listed with "no page yet".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { addDemoStacks } from '../examples/demo-stacks';
import { DataFlow, RecordedDataFlowEdge, RecordedDataFlowNode } from '../lib/core/data-flow';
import { stackArchitecture } from './architecture-diagram';
import { DataFlowDiagram, dataFlowDiagram, dataFlowLegend } from './data-flow-diagram';
import { Template } from './template-facts';

/** One synthesized stack. */
export interface SynthesizedStack {
  readonly name: string;
  readonly template: Template;
  /** What its constructs declared of its data flow (construct metadata, see lib/core/data-flow.ts). */
  readonly dataFlow: Array<RecordedDataFlowNode | RecordedDataFlowEdge>;
}

/**
 * Synthesizes the demo app in this process, with the app context of cdk.json and construct paths
 * in the templates' metadata (as the CDK CLI adds them), and returns its stacks.
 */
export function synthesizeDemoApp(root: string): SynthesizedStack[] {
  const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf-8')).context;
  const app = new App({
    context: { ...context, 'aws:cdk:enable-path-metadata': true },
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'docs-')),
  });
  addDemoStacks(app);
  return synthesizedStacks(app, app.synth());
}

/** The stacks of an app, from its cloud assembly, with their constructs' data-flow declarations. */
export function synthesizedStacks(app: App, assembly: CloudAssembly): SynthesizedStack[] {
  return app.node.findAll().filter((construct): construct is Stack => Stack.isStack(construct))
    .map(stack => ({ name: stack.stackName, template: assembly.getStackByName(stack.stackName).template, dataFlow: DataFlow.declarationsOf(stack) }));
}

/** The header of a pattern page. */
export interface PatternPage {
  /** File name under docs/, e.g. `streaming-ingestion.md`. */
  readonly file: string;
  readonly title: string;
  readonly notes: string;
  readonly constructs: string[];
  /** Demo stack name → its idle cost, in the page's words. */
  readonly stacks: Record<string, string>;
}

/** Reads the header of a pattern page; undefined for a page without one. */
export function readPatternPage(file: string, text: string): PatternPage | undefined {
  const header = /^<!-- pattern\n([\s\S]*?)\n-->/.exec(text);
  if (!header) return undefined;
  const fields: Record<string, string> = {};
  const stacks: Record<string, string> = {};
  for (const line of header[1].split('\n')) {
    const stack = /^stack (\S+):\s*(.*)$/.exec(line);
    const field = /^(\w+):\s*(.*)$/.exec(line);
    if (stack) stacks[stack[1]] = stack[2].trim();
    else if (field) fields[field[1]] = field[2].trim();
    else if (line.trim() !== '') throw new Error(`${file}: cannot read the header line "${line}"`);
  }
  for (const required of ['title', 'notes', 'constructs']) {
    if (!fields[required]) throw new Error(`${file}: the header needs a "${required}:" line`);
  }
  return {
    file,
    title: fields.title,
    notes: fields.notes,
    constructs: fields.constructs.split(',').map(name => name.trim()).filter(name => name !== ''),
    stacks,
  };
}

/** The Markdown block that shows a diagram. */
export function mermaidBlock(mermaid: string): string {
  return '```mermaid\n' + mermaid + '```\n';
}

/** The main diagram of a stack with its legend, as a page shows it. */
function mainBlock(stack: SynthesizedStack, flow: DataFlowDiagram | undefined, detailed: string): string {
  if (!flow) {
    return mermaidBlock(detailed) + '\nNo construct of this stack declares its data flow yet: this is the diagram of every resource.\n';
  }
  return mermaidBlock(flow.mermaid) + '\n' + dataFlowLegend(flow.nodes)
    + ` Keys, logs, network and alarms: [every resource of ${stack.name}](diagrams/${stack.name}.md#every-resource).\n`;
}

/** The diagram file of one stack: its data flow, then every resource. */
function diagramFile(stack: SynthesizedStack, flow: DataFlowDiagram | undefined, detailed: string): string {
  return `# ${stack.name}: architecture\n\n`
    + `<!-- Generated by \`npm run diagrams\` from the synthesized ${stack.name}: do not edit. -->\n\n`
    + '## Data flow\n\n'
    + (flow
      ? 'The resources on the data path and the run-time actors, as the constructs declare them; the edges come '
        + 'from the template (references between the resources, what their roles may do).\n\n'
        + mermaidBlock(flow.mermaid) + '\n' + dataFlowLegend(flow.nodes) + '\n\n'
      : 'No construct of this stack declares its data flow yet.\n\n')
    + '## Every resource\n\n'
    + 'Derived from the synthesized template alone: nodes are its resources grouped by role, edges its references '
    + 'and what its IAM policies allow (arrows point the way data flows, one per pair; `==>` starts work, '
    + '`-.->` encrypts). Policies, log groups, subnets and CDK\'s own custom-resource functions are left out.\n\n'
    + mermaidBlock(detailed);
}

/** Replaces the text between two markers; the text unchanged if the markers are absent. */
function replaceBetween(text: string, start: string, end: string, content: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return text;
  return text.slice(0, from + start.length) + '\n' + content + text.slice(to);
}

/** The catalog table of the README. */
function catalog(stacks: SynthesizedStack[], pages: PatternPage[], services: Map<string, string[]>): string {
  const rows = ['| notes | pattern | constructs | demo stack | AWS services | idle cost of the demo | diagram |', '|---|---|---|---|---|---|---|'];
  const lineOf = (stack: SynthesizedStack, page: PatternPage | undefined): string => [
    page?.notes ?? '',
    page ? `[${page.title}](docs/${page.file})` : 'no page yet',
    page ? page.constructs.map(name => `\`${name}\``).join(', ') : '',
    `\`${stack.name}\``,
    services.get(stack.name)!.join(', '),
    page?.stacks[stack.name] ?? 'not documented yet',
    `[diagram](docs/diagrams/${stack.name}.md)`,
  ].join(' | ');
  const listed = new Set<string>();
  // Pages in the order of their notes sections, each with its stacks in the page's order.
  const ordered = [...pages].sort((a, b) => a.notes.localeCompare(b.notes) || a.title.localeCompare(b.title));
  for (const page of ordered) {
    for (const name of Object.keys(page.stacks)) {
      const stack = stacks.find(candidate => candidate.name === name);
      if (!stack || listed.has(name)) continue;
      listed.add(name);
      rows.push(`| ${lineOf(stack, page)} |`);
    }
  }
  for (const stack of stacks) {
    if (!listed.has(stack.name)) rows.push(`| ${lineOf(stack, undefined)} |`);
  }
  return rows.join('\n') + '\n';
}

/**
 * Every generated file, by path relative to the project root, with its content: the diagrams,
 * and the pattern pages and README with their generated blocks brought up to date.
 */
export function generatedDocs(root: string, stacks: SynthesizedStack[]): Map<string, string> {
  const files = new Map<string, string>();
  const architectures = new Map(stacks.map(stack => [stack.name, stackArchitecture(stack.name, stack.template)]));
  const flows = new Map(stacks.map(stack => [stack.name, dataFlowDiagram(stack.name, stack.template, stack.dataFlow)]));
  for (const stack of stacks) {
    files.set(`docs/diagrams/${stack.name}.md`, diagramFile(stack, flows.get(stack.name), architectures.get(stack.name)!.mermaid));
  }
  const docs = path.join(root, 'docs');
  const pages: PatternPage[] = [];
  for (const file of fs.existsSync(docs) ? fs.readdirSync(docs).filter(name => name.endsWith('.md')).sort() : []) {
    let text = fs.readFileSync(path.join(docs, file), 'utf-8');
    const page = readPatternPage(file, text);
    if (page) pages.push(page);
    for (const stack of stacks) {
      text = replaceBetween(text, `<!-- diagram:${stack.name} -->`, `<!-- /diagram:${stack.name} -->`,
        mainBlock(stack, flows.get(stack.name), architectures.get(stack.name)!.mermaid));
    }
    files.set(`docs/${file}`, text);
  }
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
  const services = new Map([...architectures].map(([name, architecture]) => [name, architecture.services]));
  files.set('README.md', replaceBetween(readme, '<!-- catalog:start -->', '<!-- catalog:end -->', catalog(stacks, pages, services)));
  return files;
}
