import * as fs from 'fs';
import * as path from 'path';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** Every TypeScript file under examples/, recursively. */
function exampleFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? exampleFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

describe('the examples read as a user\'s own stacks', () => {
  test('they import the library from its root only, never from a file inside it', () => {
    const deep = exampleFiles(EXAMPLES).flatMap(file => [...fs.readFileSync(file, 'utf-8').matchAll(/from '((?:\.\.\/)+lib\/[^']+)'/g)]
      .map(match => `${path.relative(EXAMPLES, file)}: ${match[1]}`));
    expect(deep).toEqual([]);
    expect(exampleFiles(EXAMPLES).length).toBeGreaterThan(10);
  });
});
