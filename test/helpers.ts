import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { addQualityGates } from '../examples/quality-gates';
import { REHEARSAL_METADATA_KEY, RecordedExpectations } from '../lib/rehearsal/expectations';

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

/** The expectations a stack's constructs recorded for the deploy rehearsal (template Metadata). */
export function rehearsalOf(template: { toJSON(): Record<string, any> } | Record<string, any>): RecordedExpectations {
  const json = typeof template.toJSON === 'function' ? template.toJSON() : template;
  const recorded = json.Metadata?.[REHEARSAL_METADATA_KEY];
  if (!recorded) {
    throw new Error('the template records no rehearsal expectations');
  }
  return recorded;
}

/** A matcher for recorded calls, port flows or orders whose fields are `fields` (a string exactly, a RegExp as a pattern, an object as a subset). */
export function declared(fields: Record<string, unknown>): unknown {
  const matcher = (value: unknown): unknown => value instanceof RegExp ? expect.stringMatching(value)
    : Array.isArray(value) ? value.map(matcher)
    : value !== null && typeof value === 'object' && value.constructor === Object
      ? expect.objectContaining(Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, matcher(inner)])))
      : value;
  return matcher(fields);
}

/** `${<logical id of construct's default child>.Arn}` (or another attribute), as recorded. */
export function recordedAttr(construct: IConstruct, attribute = 'Arn'): string {
  const resource = (CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement;
  return `\${${Stack.of(resource).getLogicalId(resource)}.${attribute}}`;
}
