/**
 * `npm run diagrams`: synthesizes the demo app into cdk.out/ and regenerates, from its templates,
 * the architecture diagrams (docs/diagrams/<Stack>.md and the diagram blocks of the pattern
 * pages) and the README's pattern catalog. Commit what it changes;
 * test/docs/generated-docs.test.ts fails while the committed files differ from what this
 * produces for the current templates.
 *
 * `npm run diagrams -- --no-synth` reads cdk.out/ as it is.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { generatedDocs, readAssembly } from './generated-docs';

const root = path.join(__dirname, '..');
const assembly = path.join(root, 'cdk.out');
if (!process.argv.includes('--no-synth')) {
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '-q', '--output', assembly], { cwd: root, stdio: 'inherit' });
}
for (const [file, content] of generatedDocs(root, readAssembly(assembly))) {
  const target = path.join(root, file);
  const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : undefined;
  if (before === content) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  process.stdout.write(`${before === undefined ? 'wrote' : 'updated'} ${file}\n`);
}
