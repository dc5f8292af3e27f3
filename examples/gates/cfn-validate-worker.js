// Worker thread of the CloudFormation Validate gate (see cfn-validate-gate.ts and background.ts):
// validates the stacks with aws-cdk-lib's CloudFormationValidatePlugin and posts its report.
//
// The plugin's engine takes seconds to start, so the gate may start this thread before the
// templates exist, with `warmUpTemplate`: a template with one resource of each type the app
// declares. Validating it starts the engine for those types (the plugin keeps its engine while
// the next templates' types are among them); then the thread waits for the stacks to validate
// (`{ stackTemplates }` on its port). Without `warmUpTemplate`, the stacks come in `workerData`.
//
// The engine is WebAssembly. By default V8 compiles it twice: quickly (Liftoff), then again,
// optimized (TurboFan), the functions that run often. For one validation per process the second
// compilation costs more than it saves (for the demo app, 2.6 s of CPU against 0.9 s for its first
// validation), so this thread asks V8 for the quick compiler only, before it loads the engine.
// The flag only chooses the compiler of WebAssembly code: the engine computes the same results
// (test/gates/equivalence.test.ts compares them with the plugin's in the main thread).
const { workerData } = require('worker_threads');

const { port, done, props, warmUpTemplate, stackTemplates } = workerData;
const finish = message => {
  port.postMessage(message);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
};
const errorMessage = error => (error instanceof Error ? error.message : String(error));

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
  if (warmUpTemplate) {
    plugin.validate({ templatePaths: [warmUpTemplate], stackTemplates: [{ stackConstructPath: 'WarmUp', templatePath: warmUpTemplate }] });
    port.on('message', message => validate(message.stackTemplates));
  } else {
    validate(stackTemplates);
  }
} catch (error) {
  finish({ error: errorMessage(error) });
}
