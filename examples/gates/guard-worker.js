// Worker thread of the Control Tower gate (see guard-gate.ts and background.ts): takes the next job
// from the shared queue until none is left, and validates its template with the rule files chosen
// for it, through the plugin's own code (`execGuard`: the cfn-guard command line, the run with its
// exit-code handling, the parsing of the output). Each worker runs one cfn-guard process at a time;
// the gate starts one worker per core.
const { workerData } = require('worker_threads');

const { port, done, next, jobs, props } = workerData;
try {
  const { CfnGuardValidator } = require('@cdklabs/cdk-validator-cfnguard');
  const validator = new CfnGuardValidator(props);
  for (let index = Atomics.add(next, 0, 1); index < jobs.length; index = Atomics.add(next, 0, 1)) {
    const { templatePath, rulePaths } = jobs[index];
    try {
      port.postMessage({ index, report: validator.execGuard({ templatePaths: [templatePath], rulePaths }) });
    } catch (error) {
      port.postMessage({ index, error: error instanceof Error ? error.message : String(error) });
    }
  }
} catch (error) {
  port.postMessage({ index: -1, error: error instanceof Error ? error.message : String(error) });
} finally {
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}
