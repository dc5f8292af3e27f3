// Worker thread of the CloudFormation Validate gate (see cfn-validate-gate.ts): starts aws-cdk-lib's
// CloudFormationValidatePlugin and its engine as soon as it starts, then validates the stacks of
// each request (`{ stackTemplates, signal }` on its port): it posts the plugin's report (or the
// error) on the port, then sets `signal[0]` and notifies, so that the main thread, blocked on the
// signal, reads the report without its event loop. One such thread serves every gate of a process
// (as aws-cdk-lib keeps one built-in plugin per process), so its engine starts once.
//
// The engine is started early through the plugin's own `initializeEngine`, for "every resource
// type but those of its built-in rules". The plugin keeps its engine while the templates' types
// are among the ones it was started for, and starts another otherwise (which takes as long); the
// types only choose which built-in rules (from its rule index, each for given types) the engine
// loads. So this engine is the one the plugin starts for any template without those types (for a
// template with one, the plugin starts its own, with the rule), and it reports the same
// (test/gates/equivalence.test.ts compares them). Should aws-cdk-lib move that method or its rule
// index, the engine simply starts when the first templates come, as in the plugin.
//
// The engine is WebAssembly. By default V8 compiles it twice: quickly (Liftoff), then again,
// optimized (TurboFan), the functions that run often. For one validation per process the second
// compilation costs more than it saves (for the demo app, 2.6 s of CPU against 0.9 s for its first
// validation), so this thread asks V8 for the quick compiler only, before it loads the engine.
// The flag only chooses the compiler of WebAssembly code: the engine computes the same results.
const { workerData } = require('worker_threads');

const { port, props } = workerData;
const errorMessage = error => (error instanceof Error ? error.message : String(error));

/** The resource types the plugin's built-in rules concern (undefined if its rule index is not where it was). */
function builtinRuleTypes() {
  try {
    const path = require('path');
    const index = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'core', 'lib', 'validation', 'rules', 'index.generated.json');
    return new Set(JSON.parse(require('fs').readFileSync(index, 'utf-8')).rules.flatMap(rule => rule.types ?? []));
  } catch {
    return undefined;
  }
}

let plugin;
let startError;
try {
  require('v8').setFlagsFromString('--liftoff-only');
  const { CloudFormationValidatePlugin } = require('aws-cdk-lib');
  plugin = new CloudFormationValidatePlugin(props);
  const ruleTypes = builtinRuleTypes();
  if (ruleTypes && typeof plugin.initializeEngine === 'function') plugin.initializeEngine({ has: type => !ruleTypes.has(type) });
} catch (error) {
  startError = errorMessage(error);
}

port.on('message', ({ stackTemplates, signal }) => {
  try {
    if (startError !== undefined) throw new Error(startError);
    port.postMessage({ report: plugin.validate({ templatePaths: stackTemplates.map(stack => stack.templatePath), stackTemplates }) });
  } catch (error) {
    port.postMessage({ error: errorMessage(error) });
  } finally {
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
});
