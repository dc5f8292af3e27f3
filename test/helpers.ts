import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addQualityGates } from '../examples/quality-gates';

/** The app context of `cdk.json` (feature flags and validation settings), so tests synthesize as users do. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf-8'),
).context;

/**
 * The folder of this `npm test` run, made by `test/global-setup.ts` (or, when a test file runs
 * without it, one per process): the demo app is synthesized there once per run
 * (`test/demo-assembly.ts`), and the gates of the test apps share their cache there.
 */
export function testRunDirectory(): string {
  if (!process.env.TEST_RUN_DIR) {
    process.env.TEST_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'test-run-'));
  }
  return process.env.TEST_RUN_DIR;
}

/** A stack in an app with the project's context, writing to a temporary directory. */
export function newStack(id = 'Test'): Stack {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')) });
  return new Stack(app, id);
}

/** Replaces asset hashes (64 hex characters) so that snapshots do not change with bundling details. */
export function maskAssetHashes<T>(template: T): T {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

/**
 * Synthesizes one demo stack in an app with the project's context and the quality gates,
 * as `bin/app.ts` does, and returns its template. Throws, with the gates' report, on any
 * unacknowledged finding. The demo stacks as the demo app builds them are synthesized once per
 * run: read them with `demoTemplate()` (`test/demo-assembly.ts`); this is for variants.
 */
export function synthDemoStack(createStack: (app: Construct) => Stack): Record<string, any> {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'demo-')) });
  addQualityGates(app, { cacheDirectory: path.join(testRunDirectory(), 'gate-cache') });
  const stack = createStack(app);
  return app.synth().getStackByName(stack.stackName).template;
}

/** The resources of `template` of one CloudFormation type. */
export function resourcesOfType(template: Record<string, any>, type: string): Array<Record<string, any>> {
  return Object.values(template.Resources as Record<string, Record<string, any>>).filter(resource => resource.Type === type);
}
