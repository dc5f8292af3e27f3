/**
 * `npm run integ -- <DemoStack>`: deploys a demo stack and its sandbox assertions to the account of
 * your credentials, runs the assertions (they are custom resources: the deployment fails when one
 * fails), destroys both stacks, and reports what is left behind (`npm run leftovers`).
 *
 *     npm run integ -- StreamingIngestionDemo             deploy, assert, destroy, report leftovers
 *     npm run integ -- StreamingIngestionDemo --no-clean  keep the stacks to look around (destroy them yourself)
 *     npm run integ -- --list                             the demo stacks that have a sandbox test
 *     npm run integ -- --update-snapshots [DemoStack...]  rewrite test/integ/*.snapshot/ (no AWS)
 *
 * A demo listed in `FIRST_DEPLOYMENTS` (KafkaIngestionDemo) is deployed twice: first its stack
 * alone, from the test app synthesized with the context given there (`-c kafka-stage=CLUSTER`),
 * then the test app as usual; the destroy removes both at once.
 *
 * This is what `integ-runner --force --update-on-failed --no-update-workflow` does for one test,
 * with the project's own CDK CLI: integ-runner 2.197.10 cannot read the cloud assemblies of
 * aws-cdk-lib 2.276 (schema 55; it reads up to 53). The test cases come from the test's integ
 * manifest (`integ.json`), as integ-runner reads them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KafkaDeploymentStage } from '../lib';
import { KAFKA_STAGE_CONTEXT } from '../examples/demo-stacks';
import { MissingSandboxAccess, resolveSandboxAccess } from './sandbox/credentials';
import { integTestFiles, snapshotDirOf, synthIntegTest, writeSnapshot } from './sandbox/integ-snapshots';
import { findLeftovers, formatLeftovers, sdkClients } from './sandbox/leftovers';

const ROOT = path.join(__dirname, '..');

/** The test cases of an integ manifest: the stacks to deploy, and the assertion stack. */
export interface IntegCases {
  readonly stacks: string[];
  readonly assertionStacks: string[];
}

/** Reads `integ.json` of an assembly (or snapshot) directory. */
export function readIntegCases(directory: string): IntegCases {
  const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'integ.json'), 'utf-8'));
  const cases = Object.values(manifest.testCases as Record<string, { stacks: string[]; assertionStack?: string }>);
  return {
    stacks: [...new Set(cases.flatMap(testCase => testCase.stacks))],
    assertionStacks: [...new Set(cases.flatMap(testCase => testCase.assertionStack ? [testCase.assertionStack] : []))],
  };
}

/** The sandbox test of each demo stack, by the demo's name (read from the committed snapshots). */
export function testsByDemo(): Map<string, string> {
  const tests = new Map<string, string>();
  for (const file of integTestFiles()) {
    for (const stack of readIntegCases(snapshotDirOf(file)).stacks) {
      tests.set(stack.replace(/Integ$/, ''), file);
    }
  }
  return tests;
}

/** What must be on disk before a demo's test can pass, with how to get it. */
const PRECONDITIONS: Record<string, { file: string; help: string }> = {
  StreamAnalyticsDemo: {
    file: 'examples/stream-analytics/app/lib/flink-sql-connector-kinesis-5.0.0-1.20.jar',
    help: 'The Flink application needs the Kinesis connector JAR, which is not committed. Fetch it as '
      + 'examples/stream-analytics/stream-analytics-stack.ts shows (Maven: org.apache.flink:flink-sql-connector-kinesis:5.0.0-1.20).',
  },
};

/** A deployment of the demo stack that must come before the test's own (its app with other context). */
export interface FirstDeployment {
  /** The context the test app is synthesized with for it (`-c key=value`). */
  readonly context: Record<string, string>;
  /** Why the demo needs it. */
  readonly why: string;
}

/**
 * Demos whose stack cannot be created as the test needs it in one deployment: `npm run integ` first
 * deploys the demo stack alone from the test app synthesized with `context`, then the test app as
 * it is (and as its snapshot is) with the assertions, over the same stack.
 */
export const FIRST_DEPLOYMENTS: Record<string, FirstDeployment> = {
  KafkaIngestionDemo: {
    context: { [KAFKA_STAGE_CONTEXT]: KafkaDeploymentStage.CLUSTER },
    why: 'MSK turns on multi-VPC private connectivity, which Firehose needs, only on an existing cluster (KafkaDeploymentStage)',
  },
};

/** One `cdk deploy` of a run. */
export interface Deployment {
  /** The context to synthesize the test app with. */
  readonly context: Record<string, string>;
  /** The stacks to deploy, in order. */
  readonly stacks: string[];
  readonly description: string;
}

/**
 * The deployments of one sandbox run of `demo`, in order: the {@link FIRST_DEPLOYMENTS} entry, if
 * any (the demo's stacks only, no assertions), then every stack of the test with its assertions.
 */
export function deploymentPlan(demo: string, cases: IntegCases, firstDeployments: Record<string, FirstDeployment> = FIRST_DEPLOYMENTS): Deployment[] {
  const all = [...cases.stacks, ...cases.assertionStacks];
  const final: Deployment = { context: {}, stacks: all, description: `${all.join(', ')}: the assertions run as the last resources deploy` };
  const first = firstDeployments[demo];
  if (!first) {
    return [final];
  }
  const context = Object.entries(first.context).map(([key, value]) => `-c ${key}=${value}`).join(' ');
  return [{ context: first.context, stacks: cases.stacks, description: `${cases.stacks.join(', ')} with ${context} first: ${first.why}` }, final];
}

function cdk(args: string[]): number {
  const result = spawnSync('npx', ['cdk', ...args], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

/** The assertion results integ-tests-alpha publishes as outputs (`AssertionResults…`). */
function assertionResults(outputsFile: string): string[] {
  if (!fs.existsSync(outputsFile)) {
    return [];
  }
  const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf-8')) as Record<string, Record<string, string>>;
  return Object.values(outputs).flatMap(stack => Object.entries(stack).filter(([key]) => key.startsWith('AssertionResults'))
    .map(([key, value]) => `  ${key.replace(/^AssertionResults/, '')}: ${value}`));
}

async function run(demo: string, clean: boolean): Promise<number> {
  const started = Date.now();
  const file = testsByDemo().get(demo);
  if (!file) {
    process.stderr.write(`No sandbox test for ${demo}. Tested demo stacks: ${[...testsByDemo().keys()].join(', ')}\n`);
    return 2;
  }
  const precondition = PRECONDITIONS[demo];
  if (precondition && !fs.existsSync(path.join(ROOT, precondition.file))) {
    process.stderr.write(`npm run integ stopped before deploying anything: ${precondition.file} is missing.\n${precondition.help}\n`);
    return 2;
  }
  const access = await resolveSandboxAccess('npm run integ');
  process.stdout.write(`Sandbox: account ${access.account}, ${access.region}, as ${access.identity}\n`);

  // Every app is synthesized (under the quality gates) before anything is deployed.
  const assembly = fs.mkdtempSync(path.join(os.tmpdir(), `integ-${demo}-`));
  synthIntegTest(file, assembly);
  const plan = deploymentPlan(demo, readIntegCases(assembly));
  const assemblies = plan.map(deployment => {
    if (Object.keys(deployment.context).length === 0) {
      return assembly;
    }
    const staged = fs.mkdtempSync(path.join(os.tmpdir(), `integ-${demo}-first-`));
    synthIntegTest(file, staged, deployment.context);
    return staged;
  });
  const all = plan[plan.length - 1].stacks;
  const outputsFile = path.join(assembly, 'outputs.json');
  let deployed = 0;
  for (const [i, deployment] of plan.entries()) {
    process.stdout.write(`Deploying (${i + 1} of ${plan.length}) ${deployment.description}.\n`);
    deployed = cdk(['deploy', '--app', assemblies[i], '--require-approval', 'never', '--outputs-file', outputsFile, ...deployment.stacks]);
    if (deployed !== 0) {
      break;
    }
  }
  const results = assertionResults(outputsFile);
  process.stdout.write(`Assertions (${deployed === 0 ? 'all passed' : 'the deployment failed: see the failed resource above'}):\n${results.join('\n') || '  none recorded'}\n`);
  let destroyed = 0;
  if (clean) {
    destroyed = cdk(['destroy', '--app', assembly, '--force', ...[...all].reverse()]);
  } else {
    process.stdout.write(`--no-clean: ${all.join(', ')} stay deployed; destroy them with npx cdk destroy --app ${assembly} --force ${all.join(' ')}\n`);
  }
  process.stdout.write(`\nWhat is left (npm run leftovers -- ${demo}):\n`);
  process.stdout.write(formatLeftovers(demo, access.region, await findLeftovers(demo, sdkClients(access.region))));
  process.stdout.write(`${demo}: ${deployed === 0 ? 'PASSED' : 'FAILED'} in ${Math.round((Date.now() - started) / 60000)} minutes\n`);
  return deployed !== 0 ? 1 : destroyed;
}

function updateSnapshots(demos: string[]): void {
  const files = demos.length === 0 ? integTestFiles() : demos.map(demo => {
    const file = testsByDemo().get(demo);
    if (!file) {
      throw new Error(`No sandbox test for ${demo}`);
    }
    return file;
  });
  for (const file of files) {
    const assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
    synthIntegTest(file, assembly);
    const written = writeSnapshot(assembly, snapshotDirOf(file));
    process.stdout.write(`${written ? 'updated' : 'unchanged'} ${path.relative(ROOT, snapshotDirOf(file))}\n`);
  }
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--update-snapshots')) {
    updateSnapshots(args.filter(arg => !arg.startsWith('--')));
    return 0;
  }
  if (args.includes('--list')) {
    process.stdout.write([...testsByDemo().keys()].sort().join('\n') + '\n');
    return 0;
  }
  const demos = args.filter(arg => !arg.startsWith('--'));
  if (demos.length !== 1) {
    process.stderr.write('Usage: npm run integ -- <DemoStack> [--no-clean] | --list | --update-snapshots [DemoStack...]\n');
    return 2;
  }
  return run(demos[0], !args.includes('--no-clean'));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => process.exit(code), error => {
    process.stderr.write(`${error instanceof MissingSandboxAccess ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(error instanceof MissingSandboxAccess ? 2 : 1);
  });
}
