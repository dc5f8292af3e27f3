import * as fs from 'fs';
import { formatRehearsal, rehearse } from './rehearse';

/**
 * The rehearsal as a command: `rehearse [--json] [--verbose] [<cdk.out directory or template files>…]`
 * (default `cdk.out`). Prints, per stack, how many calls, port flows, orderings, state machines and
 * versions were checked and what failed; exits 1 on a finding, 2 on an error.
 */
export async function runRehearsalCli(argv: string[], write: (text: string) => void = text => process.stdout.write(text)): Promise<number> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const paths = argv.filter(arg => !arg.startsWith('--'));
  const missing = (paths.length > 0 ? paths : ['cdk.out']).filter(location => !fs.existsSync(location));
  if (missing.length > 0) {
    process.stderr.write(`No cloud assembly or template at ${missing.join(', ')}: run \`npx cdk synth\` first, or name the templates to rehearse.\n`);
    return 2;
  }
  const results = await rehearse(paths.length > 0 ? paths : ['cdk.out']);
  write(json ? JSON.stringify(results) : `Deploy rehearsal:\n${formatRehearsal(results, verbose)}\n`);
  return results.some(result => result.findings.length > 0) ? 1 : 0;
}

if (require.main === module) {
  runRehearsalCli(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  }, error => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  });
}
