/**
 * `npm run leftovers -- <DemoStack>`: after `npx cdk destroy <DemoStack>` or `npm run integ`, lists
 * what the demo (and its sandbox test's stacks) left behind that still bills or blocks a redeploy,
 * with the command that removes each. It only reads: it deletes nothing.
 */
import { MissingSandboxAccess, resolveSandboxAccess } from './sandbox/credentials';
import { findLeftovers, formatLeftovers, sdkClients } from './sandbox/leftovers';

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    process.stderr.write('Usage: npm run leftovers -- <DemoStack>\n');
    return 2;
  }
  const access = await resolveSandboxAccess('npm run leftovers');
  const leftovers = await findLeftovers(args[0], sdkClients(access.region));
  process.stdout.write(`Account ${access.account}, ${access.region}\n${formatLeftovers(args[0], access.region, leftovers)}`);
  return 0;
}

main(process.argv.slice(2)).then(code => process.exit(code), error => {
  process.stderr.write(`${error instanceof MissingSandboxAccess ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(error instanceof MissingSandboxAccess ? 2 : 1);
});
