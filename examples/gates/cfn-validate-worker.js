// Worker thread of the CloudFormation Validate gate (see cfn-validate-gate.ts and background.ts):
// validates the stacks with aws-cdk-lib's CloudFormationValidatePlugin and posts its report.
//
// The plugin's engine takes seconds to start, so the gate may start this thread before the app is
// built (`prepare`): the engine starts at once, then the thread waits for the stacks to validate
// (`{ stackTemplates }` on its port). Otherwise the stacks come in `workerData`.
//
// The engine is started early through the plugin's own `initializeEngine`, for "every resource
// type but those of its built-in rules". The plugin keeps its engine while the templates' types
// are among the ones it was started for, and starts another otherwise (which takes as long); the
// types only choose which built-in rules (from its rule index, each for given types) the engine
// loads. So this engine is the one the plugin starts for any template without those types (for a
// template with one, the plugin starts its own, with the rule), and it reports the same
// (test/gates/equivalence.test.ts compares them). Should aws-cdk-lib move that method or its rule
// index, the engine simply starts when the templates come, as in the plugin.
//
// The engine is WebAssembly. By default V8 compiles it twice: quickly (Liftoff), then again,
// optimized (TurboFan), the functions that run often. For one validation per process the second
// compilation costs more than it saves (for the demo app, 2.6 s of CPU against 0.9 s for its first
// validation), so this thread asks V8 for the quick compiler only, before it loads the engine.
// The flag only chooses the compiler of WebAssembly code: the engine computes the same results.
const { workerData } = require('worker_threads');

const { port, done, props, prepare, stackTemplates } = workerData;
const finish = message => {
  port.postMessage(message);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
};
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

try {
  require('v8').setFlagsFromString('--liftoff-only');
  const { CloudFormationValidatePlugin } = require('aws-cdk-lib');
  const plugin = new CloudFormationValidatePlugin(props);
  const validate = stacks => {
    try {
      finish({ report: plugin.validate({ templatePaths: stacks.map(stack => stack.templatePath), stackTemplates: stacks }) });
    } catch (error) {
      finish({ error: errorMessage(error) });
    }
  };
  if (prepare) {
    const ruleTypes = builtinRuleTypes();
    if (ruleTypes && typeof plugin.initializeEngine === 'function') plugin.initializeEngine({ has: type => !ruleTypes.has(type) });
    port.on('message', message => validate(message.stackTemplates));
  } else {
    validate(stackTemplates);
  }
} catch (error) {
  finish({ error: errorMessage(error) });
}
