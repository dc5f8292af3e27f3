import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationValidatePlugin, CloudFormationValidatePluginProps, IPolicyValidationContext, PolicyValidationPluginReport,
  PolicyValidationStack, PolicyViolation,
} from 'aws-cdk-lib';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { CachedValidation, GateCacheStats, GateGroup, StackReport } from './cached-validation';

const CDK_LIB = path.dirname(require.resolve('aws-cdk-lib/package.json'));
/** The version of the validation engine aws-cdk-lib ships (what `CloudFormationValidatePlugin.version` returns). */
const ENGINE_VERSION: string = JSON.parse(fs.readFileSync(
  require.resolve('@aws/cloudformation-validate/package.json', { paths: [CDK_LIB] }), 'utf-8')).version;

/**
 * aws-cdk-lib's CloudFormation Validate plugin (resource schemas and rules), cached per stack.
 *
 * It is a `CloudFormationValidatePlugin`, registered on the app: the framework then runs it
 * instead of the built-in instance, under the same name, so that `cdk.json` keeps its meaning
 * (`validateAgainstDefaultRules`: its findings are errors; `strictCfnValidateErrors`: warnings
 * fail the synth too) and acknowledgements match as before.
 *
 * The validation itself is aws-cdk-lib's plugin, run in a worker thread (`cfn-validate-worker.js`)
 * while the main thread runs cdk-nag and cfn-guard runs in child processes. Its engine takes
 * seconds to start: {@link prepare} starts it while the app is being built, and the thread then
 * serves every gate of the process (tests synthesize many apps). A template validated before
 * (same template, account, region, aws-cdk-lib and engine version, plugin props) is taken from the
 * cache, and then the engine is not even needed.
 */
export class CloudFormationValidateGate extends CloudFormationValidatePlugin {
  private readonly cached: CachedValidation;

  /**
   * @param afterValidation called once the stacks' results are in the cache
   */
  constructor(
    private readonly pluginProps: CloudFormationValidatePluginProps, cacheDirectory: string, group?: GateGroup,
    private readonly afterValidation?: () => void,
  ) {
    super(pluginProps);
    this.cached = new CachedValidation({
      name: CloudFormationValidatePlugin.PLUGIN_NAME,
      fingerprint: () => JSON.stringify(['aws-cdk-lib', require('aws-cdk-lib/package.json').version, ENGINE_VERSION, this.pluginProps]),
      check: stacks => this.check(stacks),
      mergeKey: (violation: PolicyViolation) => JSON.stringify([violation.ruleName, violation.severity, violation.description]),
    }, cacheDirectory, group);
  }

  public get version(): string {
    return ENGINE_VERSION;
  }

  public get ruleIds(): string[] {
    return [ENGINE_VERSION];
  }

  public get lastRun(): GateCacheStats | undefined {
    return this.cached.lastRun;
  }

  /** Starts the engine now, in its worker thread, before any template exists. */
  public prepare(): void {
    EngineWorker.for(this.pluginProps);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.cached.validate(context);
    this.afterValidation?.();
    return report;
  }

  private check(stacks: PolicyValidationStack[]): { results(): StackReport[] } {
    const pending = EngineWorker.for(this.pluginProps).validate(stacks);
    return {
      results: () => {
        const message = pending();
        if (message.error !== undefined) throw new Error(message.error);
        // The plugin joins the findings of all templates; each stack's share is its own resources.
        return stacks.map(stack => {
          const violations = message.report!.violations
            .map(violation => ({ ...violation, violatingResources: violation.violatingResources.filter(r => r.templatePath === stack.templatePath) }))
            .filter(violation => violation.violatingResources.length > 0);
          return { success: violations.every(v => v.severity !== 'error' && v.severity !== 'fatal'), violations };
        });
      },
    };
  }
}

/**
 * The worker thread that runs the plugin's engine, one per process and plugin props: it starts
 * the engine once, and validates the stacks of each request in turn. It never keeps the process
 * alive.
 */
class EngineWorker {
  private static readonly workers = new Map<string, EngineWorker>();

  /** The worker for these props, started if there is none yet. */
  public static for(props: CloudFormationValidatePluginProps): EngineWorker {
    const key = JSON.stringify(props);
    let worker = EngineWorker.workers.get(key);
    if (!worker) {
      worker = new EngineWorker(props);
      EngineWorker.workers.set(key, worker);
    }
    return worker;
  }

  private readonly port: MessagePort;

  private constructor(props: CloudFormationValidatePluginProps) {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(path.join(__dirname, 'cfn-validate-worker.js'), { workerData: { props, port: port2 }, transferList: [port2] });
    worker.unref();
    port1.unref();
    this.port = port1;
  }

  /** Sends the stacks to validate; the function returned blocks until the report (or error) comes. */
  public validate(stacks: PolicyValidationStack[]): () => { report?: PolicyValidationPluginReport; error?: string } {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    this.port.postMessage({ stackTemplates: stacks, signal });
    return () => {
      const deadline = Date.now() + 600_000;
      while (Atomics.load(signal, 0) === 0) {
        if (Date.now() > deadline) throw new Error('The CloudFormation Validate worker did not answer within 10 minutes');
        Atomics.wait(signal, 0, 0, 1000);
      }
      return receiveMessageOnPort(this.port)!.message;
    };
  }
}
