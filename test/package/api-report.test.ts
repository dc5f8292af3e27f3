/**
 * The public API is reviewed on change: API.md reports every name lib/index.ts exports with its
 * declaration, and this test fails, with what changed and the command that updates the report,
 * while the committed report differs from the one the declarations give.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { API_REPORT_COMMAND, API_REPORT_FILE, apiReport } from '../../scripts/api-report';

const ROOT = path.join(__dirname, '..', '..');

/** The report's sections by exported name (`## Name` up to the next one). */
function sections(report: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of report.split('\n')) {
    if (line.startsWith('## ')) {
      current = [];
      result.set(line.slice(3), current);
    }
    current?.push(line);
  }
  return result;
}

/** What changed, section by section: names added or removed, and the lines that differ in the others. */
function describeChanges(committed: string, current: string): string {
  const before = sections(committed);
  const after = sections(current);
  const out: string[] = [];
  for (const [name, lines] of after) {
    const old = before.get(name);
    if (!old) {
      out.push(`+ added ${name}`, ...lines.map(line => `+   ${line}`));
    } else if (old.join('\n') !== lines.join('\n')) {
      let start = 0;
      while (start < old.length && start < lines.length && old[start] === lines[start]) start++;
      let end = 0;
      while (end < old.length - start && end < lines.length - start && old[old.length - 1 - end] === lines[lines.length - 1 - end]) end++;
      out.push(`~ changed ${name}`, ...old.slice(start, old.length - end).map(line => `-   ${line}`), ...lines.slice(start, lines.length - end).map(line => `+   ${line}`));
    }
  }
  for (const name of before.keys()) {
    if (!after.has(name)) out.push(`- removed ${name}`);
  }
  return out.length > 0 ? out.join('\n') : '(only the header differs)';
}

test(`${API_REPORT_FILE} is the public API that lib/index.ts exports`, () => {
  const current = apiReport(ROOT);
  const file = path.join(ROOT, API_REPORT_FILE);
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '';
  if (committed !== current) {
    throw new Error(`The public API differs from ${API_REPORT_FILE}. If the change is meant, run \`${API_REPORT_COMMAND}\` and commit `
      + `${API_REPORT_FILE} with it, so that the change is reviewed:\n\n${describeChanges(committed, current)}`);
  }
});

test('the report refuses a public signature that names a type lib/index.ts does not export', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'api-report-'));
  try {
    fs.mkdirSync(path.join(project, 'lib'));
    fs.writeFileSync(path.join(project, 'tsconfig.build.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, declaration: true, rootDir: 'lib', outDir: 'dist', types: [] },
      include: ['lib/**/*.ts'],
    }));
    fs.writeFileSync(path.join(project, 'lib', 'shapes.ts'), [
      'export interface Hidden { readonly size: number }',
      'export interface Shown { readonly name: string }',
      'export class Shape { constructor(readonly shown: Shown, private readonly secret: Hidden) {} area(h: Hidden): number { return h.size + this.secret.size; } }',
    ].join('\n'));
    fs.writeFileSync(path.join(project, 'lib', 'index.ts'), "export { Shape, type Shown } from './shapes';\n");
    expect(() => apiReport(project)).toThrow(/names types that lib\/index.ts does not export[\s\S]*\n {2}Hidden, named by Shape$/);

    fs.writeFileSync(path.join(project, 'lib', 'index.ts'), "export { Shape, type Shown, type Hidden } from './shapes';\n");
    const report = apiReport(project);
    expect(report).toContain('3 exported names.');
    expect(report).toContain('## Shape\n\nclass · lib/shapes.ts\n\n```ts\nexport declare class Shape {\n    readonly shown: Shown;\n    constructor(shown: Shown, secret: Hidden);\n    area(h: Hidden): number;\n}\n```');
    expect(report).not.toContain('secret: Hidden;');
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});
