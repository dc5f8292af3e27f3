import * as fs from 'fs';

/** Removes the folder of this `npm test` run. */
export default function globalTeardown(): void {
  if (process.env.TEST_RUN_DIR) fs.rmSync(process.env.TEST_RUN_DIR, { recursive: true, force: true });
}
