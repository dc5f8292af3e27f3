/**
 * `npm run test:diagrams`: renders every Mermaid diagram of the documentation in headless Chromium
 * with the pinned mermaid package, as GitHub and most Markdown viewers do, and fails on a diagram
 * that does not parse or render, and on a main (data-flow) diagram wider than {@link MAX_MAIN_WIDTH}
 * pixels at mermaid's default scale.
 *
 * Which diagrams: every ```mermaid block of docs/*.md (the pattern pages show only main diagrams)
 * and of docs/diagrams/*.md, where the block under the `## Data flow` heading is the main diagram
 * and the others are detailed diagrams, checked for syntax only.
 *
 * Needs Debian's `chromium` (`apt-get install -y chromium`); it never downloads a browser. The
 * network is closed here, so Chromium starts with every background connection turned off.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';

/** The widest a main diagram may render, in CSS pixels at scale 1: it fits a page without shrinking its text. */
export const MAX_MAIN_WIDTH = 1400;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** One diagram of one documentation file. */
export interface DocumentedDiagram {
  /** File relative to the project root, and the line where the block starts. */
  readonly where: string;
  readonly mermaid: string;
  /** A main (data-flow) diagram, held to the width limit. */
  readonly main: boolean;
}

/** The Mermaid blocks of the documentation files under `root`/docs. */
export function documentedDiagrams(root: string): DocumentedDiagram[] {
  const diagrams: DocumentedDiagram[] = [];
  const collect = (file: string, isMain: (heading: string) => boolean): void => {
    const lines = fs.readFileSync(path.join(root, file), 'utf-8').split('\n');
    let heading = '';
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].startsWith('## ')) heading = lines[i].slice(3);
      if (lines[i] !== '```mermaid') continue;
      const end = lines.indexOf('```', i + 1);
      if (end < 0) throw new Error(`${file}:${i + 1}: a mermaid block is not closed`);
      diagrams.push({ where: `${file}:${i + 1}`, mermaid: lines.slice(i + 1, end).join('\n') + '\n', main: isMain(heading) });
      i = end;
    }
  };
  const listMarkdown = (dir: string): string[] => fs.existsSync(path.join(root, dir))
    ? fs.readdirSync(path.join(root, dir)).filter(name => name.endsWith('.md')).sort().map(name => `${dir}/${name}`) : [];
  for (const file of listMarkdown('docs')) collect(file, () => true);
  for (const file of listMarkdown('docs/diagrams')) collect(file, heading => heading === 'Data flow');
  return diagrams;
}

/** What rendering one diagram gave: its width, or the error mermaid raised. */
export interface RenderResult {
  readonly width?: number;
  readonly height?: number;
  readonly nodes?: number;
  readonly error?: string;
}

/**
 * Renders each diagram in one headless Chromium page and returns, in order, the SVG size (from its
 * `viewBox`) and the node count, or the error.
 */
export async function renderInChromium(diagrams: string[]): Promise<RenderResult[]> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the diagram check renders the diagrams in a real browser. `
      + 'Install Debian\'s package with `apt-get update && apt-get install -y chromium` (as root), '
      + 'or set CHROMIUM_PATH to a Chromium or Chrome executable.');
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'diagrams-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
    return await page.evaluate(async (texts: string[]) => {
      const mermaid = (globalThis as any).mermaid;
      mermaid.initialize({ startOnLoad: false });
      const results: RenderResult[] = [];
      for (const [index, text] of texts.entries()) {
        try {
          await mermaid.parse(text);
          const { svg } = await mermaid.render(`diagram${index}`, text);
          const host = (globalThis as any).document.createElement('div');
          host.innerHTML = svg;
          const element = host.querySelector('svg')!;
          const [, , width, height] = (element.getAttribute('viewBox') ?? '0 0 0 0').split(/\s+/).map(Number);
          results.push({ width: Math.round(width), height: Math.round(height), nodes: element.querySelectorAll('g.node').length });
        } catch (error) {
          results.push({ error: String((error as Error)?.message ?? error) });
        }
      }
      return results;
    }, diagrams);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  const diagrams = documentedDiagrams(root);
  const unique = [...new Set(diagrams.map(diagram => diagram.mermaid))];
  const results = new Map(unique.map((text, index) => [text, index]));
  let rendered: RenderResult[];
  try {
    rendered = await renderInChromium(unique);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const failures: string[] = [];
  for (const diagram of diagrams) {
    const result = rendered[results.get(diagram.mermaid)!];
    const kind = diagram.main ? 'main' : 'detailed';
    if (result.error !== undefined) {
      failures.push(`${diagram.where}: the ${kind} diagram does not render: ${result.error}`);
      continue;
    }
    process.stdout.write(`${diagram.where}  ${kind}  ${result.width} × ${result.height} px, ${result.nodes} nodes\n`);
    if (diagram.main && result.width! > MAX_MAIN_WIDTH) {
      failures.push(`${diagram.where}: the main diagram is ${result.width} px wide, over ${MAX_MAIN_WIDTH} px`);
    }
  }
  for (const failure of failures) process.stderr.write(`FAIL ${failure}\n`);
  process.stdout.write(`${diagrams.length - failures.length} passed, ${failures.length} failed\n`);
  process.exit(failures.length > 0 ? 1 : 0);
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
