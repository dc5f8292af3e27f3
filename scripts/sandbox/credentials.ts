/**
 * The preflight of `npm run integ` and `npm run leftovers`: are there AWS credentials and a Region
 * to run against? Answered the way the AWS SDK resolves them (its default Node.js provider chain),
 * without calling AWS when nothing is configured, and without hanging on the EC2 instance metadata
 * service on a machine that is not an EC2 instance.
 *
 * The SDK's chain tries, in order: environment variables (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), IAM Identity Center (SSO) and the shared config and
 * credentials files (`AWS_PROFILE`, `~/.aws/config`, `~/.aws/credentials`), `credential_process`,
 * a web identity token file (`AWS_WEB_IDENTITY_TOKEN_FILE`), then the container credentials endpoint
 * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`) or, last, the EC2 instance metadata
 * service (IMDS). Off EC2, the IMDS probe would only time out, so it is turned off
 * (`AWS_EC2_METADATA_DISABLED`) unless the machine identifies itself as an EC2 instance; on EC2 it
 * gets one second and no retry.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/identify_ec2_instances.html
 */
import * as fs from 'fs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** Where a run may go. */
export interface SandboxAccess {
  /** The Region the SDK (and the CDK CLI) will use. */
  readonly region: string;
  /** The account the credentials belong to. */
  readonly account: string;
  /** Who the credentials are (an ARN). */
  readonly identity: string;
}

/** What the preflight needs, injectable for tests. */
export interface AccessResolvers {
  /** Resolves credentials; throws when there are none. */
  readonly credentials: () => Promise<unknown>;
  /** Resolves the Region; throws when none is configured. */
  readonly region: () => Promise<string>;
  /** Asks STS who the credentials are (the one AWS call, made only once credentials resolved). */
  readonly callerIdentity: () => Promise<{ account: string; identity: string }>;
}

/** No credentials or no Region: what to configure, and that nothing was deployed. */
export class MissingSandboxAccess extends Error {}

/** Files whose content identifies an EC2 instance (Nitro: DMI vendor; Xen: hypervisor UUID). */
const EC2_MARKERS: Array<[string, (text: string) => boolean]> = [
  ['/sys/devices/virtual/dmi/id/sys_vendor', text => text.trim() === 'Amazon EC2'],
  ['/sys/devices/virtual/dmi/id/board_vendor', text => text.trim() === 'Amazon EC2'],
  ['/sys/hypervisor/uuid', text => text.trim().toLowerCase().startsWith('ec2')],
];

/** Whether this machine says it is an EC2 instance (read locally, no network). */
export function isEc2Instance(readFile: (file: string) => string = file => fs.readFileSync(file, 'utf-8')): boolean {
  return EC2_MARKERS.some(([file, matches]) => {
    try {
      return matches(readFile(file));
    } catch {
      return false;
    }
  });
}

/**
 * The SDK's own resolvers, with the IMDS probe off unless this is an EC2 instance (it mutates
 * `env.AWS_EC2_METADATA_DISABLED`, which the SDK reads, unless already set).
 */
export function sdkResolvers(env: NodeJS.ProcessEnv = process.env, onEc2: boolean = isEc2Instance()): AccessResolvers {
  if (!onEc2 && env.AWS_EC2_METADATA_DISABLED === undefined) {
    env.AWS_EC2_METADATA_DISABLED = 'true';
  }
  const credentials = fromNodeProviderChain({ timeout: 1000, maxRetries: 0 });
  const sts = new STSClient({ credentials, maxAttempts: 2 });
  return {
    credentials,
    region: () => sts.config.region(),
    callerIdentity: async () => {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      return { account: identity.Account ?? '', identity: identity.Arn ?? '' };
    },
  };
}

/** What a sandbox run needs, for the message when something is missing. */
export const ACCESS_HELP = [
  'It needs AWS credentials for a sandbox account and a Region, resolved as the AWS CLI and SDKs do:',
  '  - environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE;',
  '  - ~/.aws/config and ~/.aws/credentials: a profile, IAM Identity Center (aws sso login --profile <name>) or credential_process;',
  '  - a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), container credentials (AWS_CONTAINER_CREDENTIALS_*), or an EC2 instance role;',
  '  - a Region: AWS_REGION, or region in the profile;',
  '  - an account bootstrapped for the CDK once: npx cdk bootstrap.',
].join('\n');

/**
 * Resolves credentials and a Region, then asks STS whose they are. Throws
 * {@link MissingSandboxAccess}, with what to configure, before anything is deployed.
 */
export async function resolveSandboxAccess(command: string, resolvers: AccessResolvers = sdkResolvers()): Promise<SandboxAccess> {
  const missing = (what: string, error: unknown) => new MissingSandboxAccess(
    `${command} stopped before calling AWS (nothing was deployed): ${what} (${error instanceof Error ? error.message : String(error)}).\n${ACCESS_HELP}`);
  try {
    await resolvers.credentials();
  } catch (error) {
    throw missing('no AWS credentials were found', error);
  }
  let region: string;
  try {
    region = await resolvers.region();
  } catch (error) {
    throw missing('no AWS Region is configured', error);
  }
  try {
    const { account, identity } = await resolvers.callerIdentity();
    return { region, account, identity };
  } catch (error) {
    throw missing('the credentials were found but STS did not accept them (expired session? run aws sso login)', error);
  }
}
