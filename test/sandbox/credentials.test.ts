import { AccessResolvers, MissingSandboxAccess, isEc2Instance, resolveSandboxAccess, sdkResolvers } from '../../scripts/sandbox/credentials';

const resolvers = (overrides: Partial<AccessResolvers>): AccessResolvers => ({
  credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }),
  region: async () => 'eu-west-1',
  callerIdentity: async () => ({ account: '123456789012', identity: 'arn:aws:sts::123456789012:assumed-role/Sandbox/me' }),
  ...overrides,
});

describe('the sandbox preflight', () => {
  test('returns the account, Region and identity when credentials and a Region resolve', async () => {
    await expect(resolveSandboxAccess('npm run integ', resolvers({}))).resolves.toEqual({
      region: 'eu-west-1', account: '123456789012', identity: 'arn:aws:sts::123456789012:assumed-role/Sandbox/me',
    });
  });

  test('without credentials it stops before any AWS call, saying what to configure', async () => {
    const callerIdentity = jest.fn();
    const error = await resolveSandboxAccess('npm run integ', resolvers({
      credentials: async () => { throw new Error('Could not load credentials from any providers'); },
      callerIdentity,
    })).catch(e => e);
    expect(error).toBeInstanceOf(MissingSandboxAccess);
    expect(error.message).toContain('npm run integ stopped before calling AWS (nothing was deployed): no AWS credentials were found (Could not load credentials from any providers)');
    for (const source of ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'aws sso login', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_', 'EC2 instance role', 'AWS_REGION', 'cdk bootstrap']) {
      expect(error.message).toContain(source);
    }
    expect(callerIdentity).not.toHaveBeenCalled();
  });

  test('without a Region it stops before any AWS call', async () => {
    const callerIdentity = jest.fn();
    await expect(resolveSandboxAccess('npm run leftovers', resolvers({ region: async () => { throw new Error('Region is missing'); }, callerIdentity })))
      .rejects.toThrow('npm run leftovers stopped before calling AWS (nothing was deployed): no AWS Region is configured (Region is missing)');
    expect(callerIdentity).not.toHaveBeenCalled();
  });

  test('credentials that STS refuses (an expired SSO session) are reported as such', async () => {
    await expect(resolveSandboxAccess('npm run integ', resolvers({ callerIdentity: async () => { throw new Error('The security token included in the request is expired'); } })))
      .rejects.toThrow('the credentials were found but STS did not accept them (expired session? run aws sso login) (The security token included in the request is expired)');
  });

  test('with no credential source configured, the SDK chain fails at once: no IMDS probe off EC2', async () => {
    const env: NodeJS.ProcessEnv = { HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env).filter(name => name.startsWith('AWS_'))) {
        delete process.env[key];
      }
      Object.assign(process.env, env);
      const started = Date.now();
      await expect(sdkResolvers(process.env, false).credentials()).rejects.toThrow(/Could not load credentials/);
      expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      for (const key of Object.keys(process.env)) {
        delete process.env[key];
      }
      Object.assign(process.env, saved);
    }
  });

  test('an explicit AWS_EC2_METADATA_DISABLED is left as the user set it', () => {
    const env: NodeJS.ProcessEnv = { AWS_EC2_METADATA_DISABLED: 'false' };
    sdkResolvers(env, false);
    expect(env.AWS_EC2_METADATA_DISABLED).toBe('false');
    const onEc2: NodeJS.ProcessEnv = {};
    sdkResolvers(onEc2, true);
    expect(onEc2.AWS_EC2_METADATA_DISABLED).toBeUndefined();
  });

  test('an EC2 instance is recognized from its DMI vendor (Nitro) or hypervisor UUID (Xen), locally', () => {
    const files = (content: Record<string, string>) => (file: string) => {
      if (!(file in content)) {
        throw new Error(`ENOENT: ${file}`);
      }
      return content[file];
    };
    expect(isEc2Instance(files({ '/sys/devices/virtual/dmi/id/sys_vendor': 'Amazon EC2\n' }))).toBe(true);
    expect(isEc2Instance(files({ '/sys/hypervisor/uuid': 'ec2e1916-9099-7caf-fd21-012345abcdef\n' }))).toBe(true);
    expect(isEc2Instance(files({ '/sys/devices/virtual/dmi/id/sys_vendor': 'QEMU\n' }))).toBe(false);
    expect(isEc2Instance(files({}))).toBe(false);
  });
});
