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
 * Synthesizes one demo stack in an app with the project's context and the three quality gates,
 * as `bin/app.ts` does, and returns its template. Throws, with the gates' report, on any
 * unacknowledged finding.
 */
export function synthDemoStack(createStack: (app: Construct) => Stack): Record<string, any> {
  const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'demo-')) });
  const stack = createStack(app);
  addQualityGates(app);
  return app.synth().getStackByName(stack.stackName).template;
}

/** The resources of `template` of one CloudFormation type. */
export function resourcesOfType(template: Record<string, any>, type: string): Array<Record<string, any>> {
  return Object.values(template.Resources as Record<string, Record<string, any>>).filter(resource => resource.Type === type);
}
