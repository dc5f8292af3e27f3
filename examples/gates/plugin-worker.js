// Worker thread of a cached template plugin (see CachedTemplatePlugin in cached-validation.ts and
// background.ts): creates the plugin from its module and validates the stacks it is given, off
// the main thread, then posts the report. A TypeScript module (the library's own sources, run
// through tsx by the CDK app and by jest) is loaded through tsx's CommonJS hook.
const { workerData } = require('worker_threads');

const { port, done, modulePath, exportName, context } = workerData;
try {
  if (/\.tsx?$/.test(modulePath)) require('tsx/cjs/api').register();
  const Plugin = require(modulePath)[exportName];
  port.postMessage({ report: new Plugin().validate(context) });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}
