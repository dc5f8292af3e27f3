import * as fs from 'fs';
import * as path from 'path';

/**
 * Which cfn-guard rule files can fire on a template, read from the rule files themselves.
 *
 * The Control Tower rule files of `@cdklabs/cdk-validator-cfnguard` all follow one shape. Each
 * rule a template can trigger is guarded by a selection of the template's resources by type:
 *
 *     let S3_BUCKET_TYPE = "AWS::S3::Bucket"
 *     let s3_buckets = Resources.*[ Type == %S3_BUCKET_TYPE ]
 *     rule s3_bucket_level_public_access_prohibited_check when is_cfn_template(%INPUT_DOCUMENT)
 *                                                              %s3_buckets not empty { ... }
 *
 * (a selection may name several types, `Type == %A or Type == %B`). Guard skips such a rule
 * when the selection is empty, so the file cannot report anything on a template without one of
 * those types. The other rules of the files are either parameterized helpers (`rule check(x)`),
 * which only run when called, or CloudFormation-hook rules (`when is_cfn_hook(%doc, %TYPE)`),
 * which need a top-level `<resource type>.resourceProperties` key that a template never has.
 *
 * A file in any other shape (a rule we cannot read this way) applies to every template, so a
 * change in the rules can make the gate slower but never make it miss a finding.
 */
export class GuardRuleIndex {
  /** Reads every rule file of `paths` (see {@link guardRuleFiles}). */
  public static fromPaths(paths: string[]): GuardRuleIndex {
    return new GuardRuleIndex(guardRuleFiles(paths).map(file => ({ file, types: resourceTypesOfRuleFile(fs.readFileSync(file, 'utf-8')) })));
  }

  private constructor(private readonly rules: ReadonlyArray<{ readonly file: string; readonly types?: ReadonlySet<string> }>) {}

  /** Every rule file read, in path order. */
  public get files(): string[] {
    return this.rules.map(rule => rule.file);
  }

  /** The rule files whose shape was not recognised (they apply to every template). */
  public get unrecognised(): string[] {
    return this.rules.filter(rule => rule.types === undefined).map(rule => rule.file);
  }

  /** The resource types whose presence makes a rule file apply (undefined: it always applies). */
  public typesOf(file: string): ReadonlySet<string> | undefined {
    return this.rules.find(rule => rule.file === file)?.types;
  }

  /** The rule files that can fire on `template` (a parsed CloudFormation template), in path order. */
  public filesFor(template: Record<string, unknown>): string[] {
    const types = new Set(Object.values((template.Resources ?? {}) as Record<string, { Type?: unknown }>).map(resource => resource?.Type));
    // A hook rule reads `<AWS::Service::Type>.resourceProperties` at the top level: a template with
    // such a key (which CloudFormation would reject anyway) gets every rule.
    const hookShaped = Object.keys(template).some(key => key.startsWith('AWS::'));
    return this.rules
      .filter(rule => hookShaped || rule.types === undefined || [...rule.types].some(type => types.has(type)))
      .map(rule => rule.file);
  }
}

/** The files of `paths` (rule files, or folders of them, read recursively), in path order. */
export function guardRuleFiles(paths: string[]): string[] {
  return paths.flatMap(p => fs.statSync(p).isDirectory() ? guardRuleFiles(fs.readdirSync(p).sort().map(entry => path.join(p, entry))) : [p]);
}

/**
 * The resource types that guard the rules of one rule file, or undefined when a rule that can
 * fire on a template is not guarded by a type selection we can read.
 */
export function resourceTypesOfRuleFile(source: string): ReadonlySet<string> | undefined {
  // Comments, and the messages between << and >>, may contain anything.
  const code = source.split('\n').filter(line => !line.trim().startsWith('#')).join('\n').replace(/<<[\s\S]*?>>/g, '');

  const constants = new Map<string, string>();
  for (const match of code.matchAll(/^let\s+(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$/gm)) {
    constants.set(match[1], match[2] ?? match[3]);
  }
  const selections = new Map<string, Set<string>>();
  for (const match of code.matchAll(/^let\s+(\w+)\s*=\s*Resources(?:\.\*)?\[([^\]]*)\]/gm)) {
    const types = match[2].split(/\bor\b/).map(term => {
      const typeTest = term.match(/^\s*Type\s*==\s*(?:%(\w+)|"([^"]+)"|'([^']+)')\s*$/);
      return typeTest ? (typeTest[1] !== undefined ? constants.get(typeTest[1]) : typeTest[2] ?? typeTest[3]) : undefined;
    });
    if (types.every(type => type !== undefined)) {
      selections.set(match[1], new Set(types as string[]));
    }
  }

  const guardedBy = new Set<string>();
  for (const rule of code.matchAll(/^rule\s+\w+\s*(\([^)]*\))?\s*(?:when\s+([^{]*))?\{/gm)) {
    if (rule[1] !== undefined) continue; // a parameterized helper
    const condition = (rule[2] ?? '').replace(/\s+/g, ' ').trim();
    if (/^is_cfn_hook\(%\w+, %\w+\)$/.test(condition)) continue;
    const selection = condition.match(/^is_cfn_template\((?:%\w+|this)\) %(\w+) not empty$/)?.[1];
    const types = selection !== undefined ? selections.get(selection) : undefined;
    if (types === undefined) return undefined;
    types.forEach(type => guardedBy.add(type));
  }
  return guardedBy;
}
