/**
 * `npm run diagrams`: synthesizes the demo app in this process and regenerates, from its templates
 * and the data-flow declarations of its constructs, the architecture diagrams (docs/diagrams/<Stack>.md
 * and the diagram blocks of the pattern pages) and the README's pattern catalog. Commit what it
 * changes; test/docs/generated-docs.test.ts fails while the committed files differ from what this
 * produces. `npm run test:diagrams` then renders every diagram in headless Chromium.
 */
import * as fs from 'fs';
import * as path from 'path';
import { generatedDocs, synthesizeDemoApp } from './generated-docs';

const root = path.join(__dirname, '..');
for (const [file, content] of generatedDocs(root, synthesizeDemoApp(root))) {
  const target = path.join(root, file);
  const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : undefined;
  if (before === content) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  process.stdout.write(`${before === undefined ? 'wrote' : 'updated'} ${file}\n`);
}
