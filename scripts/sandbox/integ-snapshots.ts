/**
 * Snapshots of the sandbox integration tests, in the layout of `@aws-cdk/integ-runner`:
 * `test/integ/integ.<pattern>.ts` is a CDK app, `test/integ/integ.<pattern>.ts.snapshot/` holds
 * what it synthesizes (its integ manifest `integ.json`, the cloud assembly manifest, each stack's
 * template and asset manifest; no asset contents, as integ-runner leaves them out of the snapshots
 * of tests without the update workflow).
 *
 * Why not integ-runner itself: its latest release (2.197.10) reads cloud assemblies up to schema
 * version 53, and aws-cdk-lib 2.276 writes version 55 (`integ.json` included), so integ-runner
 * stops on every test with "Cloud assembly schema version mismatch". This module does what its
 * snapshot mode does (synthesize, compare the templates with asset hashes normalized) in one
 * process; the snapshots stay in integ-runner's layout, so a release that reads schema 55 can run
 * them as they are (`npx integ-runner --directory test/integ ...`).
 */
import * as fs from 'fs';
import * as path from 'path';

/** Where the integ tests live. */
export const INTEG_DIR = path.join(__dirname, '..', '..', 'test', 'integ');

/** integ-runner's naming rule for TypeScript integ tests. */
const INTEG_FILE = /^integ\.[a-z0-9-]+\.ts$/;

/** The integ test files, sorted. */
export function integTestFiles(directory: string = INTEG_DIR): string[] {
  return fs.readdirSync(directory).filter(name => INTEG_FILE.test(name)).sort().map(name => path.join(directory, name));
}

/** The snapshot directory of an integ test file. */
export function snapshotDirOf(testFile: string): string {
  return `${testFile}.snapshot`;
}

/** The files of an assembly that make its snapshot. */
function isSnapshotFile(name: string): boolean {
  return name === 'integ.json' || name === 'manifest.json' || name.endsWith('.template.json') || name.endsWith('.assets.json');
}

/**
 * The snapshot of an assembly directory: each snapshot file's JSON, with what changes without a
 * change of the app normalized away: asset hashes (64 hex digits, which change with any byte of a
 * bundled asset, as integ-runner ignores them unless `diffAssets`; the asset manifests' destination
 * ids derive from them) and the `salt` integ-tests-alpha
 * gives every assertion so that CloudFormation re-runs it on each deployment.
 */
export function readSnapshot(directory: string): Record<string, unknown> {
  if (!fs.existsSync(directory)) {
    return {};
  }
  const files: Record<string, unknown> = {};
  for (const name of fs.readdirSync(directory).filter(isSnapshotFile).sort()) {
    const text = fs.readFileSync(path.join(directory, name), 'utf-8')
      .replace(/[0-9a-f]{64}/g, '<asset-hash>')
      .replace(/(current_account-current_region)-[0-9a-f]{8}/g, '$1-<destination-hash>')
      .replace(/"salt": "\d+"/g, '"salt": "<salt>"');
    files[name] = JSON.parse(text);
  }
  return files;
}

/**
 * Replaces `snapshotDir` with the snapshot files of the assembly in `assemblyDir`, unless they
 * differ only in what {@link readSnapshot} normalizes (so that an update leaves no noise in git).
 * Returns whether it wrote.
 */
export function writeSnapshot(assemblyDir: string, snapshotDir: string): boolean {
  if (JSON.stringify(readSnapshot(assemblyDir)) === JSON.stringify(readSnapshot(snapshotDir))) {
    return false;
  }
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  fs.mkdirSync(snapshotDir, { recursive: true });
  for (const name of fs.readdirSync(assemblyDir).filter(isSnapshotFile)) {
    fs.copyFileSync(path.join(assemblyDir, name), path.join(snapshotDir, name));
  }
  return true;
}

/**
 * Synthesizes an integ test app into `outdir`, in this process (the app reads `CDK_OUTDIR`, and
 * `context` from `CDK_CONTEXT_JSON`, as it does when the CDK CLI runs it with `-c key=value`). The
 * quality gates run as part of the synth: a finding throws. The test file runs anew on each call,
 * so that one process can synthesize it with different context.
 */
export function synthIntegTest(testFile: string, outdir: string, context: Record<string, string> = {}): void {
  const saved = { CDK_OUTDIR: process.env.CDK_OUTDIR, CDK_CONTEXT_JSON: process.env.CDK_CONTEXT_JSON };
  process.env.CDK_OUTDIR = outdir;
  process.env.CDK_CONTEXT_JSON = JSON.stringify(context);
  try {
    delete require.cache[require.resolve(testFile)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(testFile);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  }
}
