import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { sha256 } from './cached-validation';

/**
 * A guess, made before any template exists, at whether this synth will find every template in
 * the gates' cache: a stamp of what the templates depend on (the app's own source files, as far
 * as it has loaded them, and its context), compared with the stamp of the last synth that used
 * the cache. Only the start-up of the CloudFormation Validate engine depends on the guess (it
 * starts early when templates will probably be checked, and not at all otherwise); the cache
 * itself never does.
 */
export class SourceStamp {
  private readonly stamp: string;
  private readonly file: string;

  constructor(app: App, cacheDirectory: string) {
    const sources = Object.keys(require.cache)
      .filter(file => !file.split(path.sep).includes('node_modules'))
      .sort()
      .map(file => {
        const stats = fs.statSync(file, { throwIfNoEntry: false });
        return [file, stats?.mtimeMs, stats?.size];
      });
    // Which stacks a command bundles changes only the assets' synthesis strings (see `SynthesisStrings` in cached-validation.ts).
    const context = Object.entries(app.node.getAllContext()).filter(([key]) => key !== 'aws:cdk:bundling-stacks');
    this.stamp = sha256(JSON.stringify([sources, context]));
    this.file = path.join(cacheDirectory, 'last-synth-stamp');
  }

  /** Whether the last synth with this cache had the same sources and context. */
  public get unchanged(): boolean {
    try {
      return fs.readFileSync(this.file, 'utf-8') === this.stamp;
    } catch {
      return false;
    }
  }

  /** Records this synth's stamp, once its templates are in the cache. */
  public record(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(this.file, this.stamp);
  }
}
