// Worker thread of the CloudFormation Validate gate (see cfn-validate-gate.ts and background.ts).
// It loads aws-cdk-lib's CloudFormationValidatePlugin and, given a warm-up template, validates it at
// once: the first validation compiles the engine (WebAssembly), which takes seconds, and the
// worker starts while the app is still being built. Then it waits for the stacks to validate,
// validates them with the plugin and posts its report.
const { workerData } = require('worker_threads');

const { port, done, props, warmUpTemplate } = workerData;
const finish = message => {
  port.postMessage(message);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
};
const context = stackTemplates => ({ templatePaths: stackTemplates.map(stack => stack.templatePath), stackTemplates });
const errorMessage = error => (error instanceof Error ? error.message : String(error));

let plugin;
try {
  const { CloudFormationValidatePlugin } = require('aws-cdk-lib');
  plugin = new CloudFormationValidatePlugin(props);
  if (warmUpTemplate) {
    plugin.validate(context([{ stackConstructPath: 'WarmUp', templatePath: warmUpTemplate }]));
  }
  port.on('message', ({ stackTemplates }) => {
    try {
      finish({ report: plugin.validate(context(stackTemplates)) });
    } catch (error) {
      finish({ error: errorMessage(error) });
    }
  });
} catch (error) {
  finish({ error: errorMessage(error) });
}
