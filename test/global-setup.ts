import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Makes the folder of this `npm test` run, where the demo app is synthesized once and shared
 * (`test/demo-assembly.ts`). The jest workers start after this and inherit the variable.
 */
export default function globalSetup(): void {
  process.env.TEST_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'test-run-'));
}
