import * as fs from 'fs';
import * as path from 'path';
import { App, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CachedTemplatePlugin, CachedValidation, GateGroup, mergeReports } from '../../examples/gates/cached-validation';
import { AwsSolutionsGate } from '../../examples/gates/nag-gate';
import { SourceStamp } from '../../examples/gates/source-stamp';
import { validationContext } from '../demo-assembly';
import { CDK_CONTEXT, testRunDirectory } from '../helpers';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(testRunDirectory(), prefix));

/** A context of templates written to `dir`, one per entry of `templates` (stack name: template). */
function contextOf(dir: string, templates: Record<string, unknown>): IPolicyValidationContext {
  const stackTemplates = Object.entries(templates).map(([name, template]) => {
    const templatePath = path.join(dir, `${name}.template.json`);
    fs.writeFileSync(templatePath, JSON.stringify(template));
    return { stackConstructPath: name, templatePath, accountId: undefined, region: undefined };
  });
  return { templatePaths: stackTemplates.map(s => s.templatePath), stackTemplates, appConstruct: new App() };
}

/** A plugin that reports every resource of type `Bad`, and counts the templates it reads. */
class BadResourcePlugin implements IPolicyValidationPlugin {
  public readonly name = 'bad-resources';
  public readonly version = '1.0.0';
  public readonly checked: string[] = [];

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = context.stackTemplates.flatMap(({ templatePath, stackConstructPath }) => {
      this.checked.push(stackConstructPath);
      const resources = JSON.parse(fs.readFileSync(templatePath, 'utf-8')).Resources as Record<string, { Type: string; Properties?: any }>;
      return Object.entries(resources).filter(([, r]) => r.Type === 'Bad').map(([logicalId, r]) => ({
        ruleName: 'no-bad',
        description: `Bad resources are not allowed${r.Properties?.Code ? ` (code ${r.Properties.Code.S3Key})` : ''}`,
        violatingResources: [{ resourceLogicalId: logicalId, templatePath, locations: ['Type'] }],
      }));
    });
    return { success: violations.length === 0, violations };
  }
}

describe('a gate cached per stack', () => {
  const templates = {
    One: { Resources: { A: { Type: 'Bad' }, B: { Type: 'Good' } } },
    Two: { Resources: { C: { Type: 'Good' } } },
  };

  test('checks each stack once, and gives the same report from the cache', () => {
    const plugin = new BadResourcePlugin();
    const gate = new CachedTemplatePlugin(plugin, 'rules v1', tmp('cache-'));
    const context = contextOf(tmp('out-'), templates);
    const cold = gate.validate(context);
    expect(cold).toEqual(plugin.validate(context));
    plugin.checked.length = 0;
    expect(gate.validate(context)).toEqual(cold);
    expect(plugin.checked).toEqual([]);
    expect(gate.lastRun).toEqual({ gate: 'bad-resources', cached: 2, checked: 0 });
  });

  test('checks again a stack whose template changed, and only that one', () => {
    const plugin = new BadResourcePlugin();
    const cache = tmp('cache-');
    const out = tmp('out-');
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(contextOf(out, templates));
    plugin.checked.length = 0;
    const gate = new CachedTemplatePlugin(plugin, 'rules v1', cache);
    const report = gate.validate(contextOf(out, { ...templates, Two: { Resources: { C: { Type: 'Bad' } } } }));
    expect(plugin.checked).toEqual(['Two']);
    expect(report.violations.map(v => v.violatingResources[0].resourceLogicalId)).toEqual(['A', 'C']);
  });

  test('checks every stack again when the gate\'s rules or options change', () => {
    const plugin = new BadResourcePlugin();
    const cache = tmp('cache-');
    const context = contextOf(tmp('out-'), templates);
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(context);
    plugin.checked.length = 0;
    new CachedTemplatePlugin(plugin, 'rules v2', cache).validate(context);
    expect(plugin.checked).toEqual(['One', 'Two']);
  });

  test('reads a cache filled from another output directory, with this directory\'s template paths', () => {
    const plugin = new BadResourcePlugin();
    const cache = tmp('cache-');
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(contextOf(tmp('out-'), templates));
    plugin.checked.length = 0;
    const other = contextOf(tmp('other-'), templates);
    const report = new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(other);
    expect(plugin.checked).toEqual([]);
    expect(report.violations[0].violatingResources[0].templatePath).toBe(other.stackTemplates[0].templatePath);
  });

  test('takes a template that differs only in its assets\' hashes and staging paths from the cache (cdk ls skips bundling)', () => {
    const withAsset = (hash: string, stagedAt: string) => ({
      Resources: {
        Fn: { Type: 'Bad', Properties: { Code: { S3Key: `${hash}.zip` } }, Metadata: { 'aws:asset:path': stagedAt, 'aws:asset:property': 'Code' } },
      },
    });
    const bundled = 'a'.repeat(64);
    const skipped = 'b'.repeat(64);
    const plugin = new BadResourcePlugin();
    const cache = tmp('cache-');
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(contextOf(tmp('out-'), { One: withAsset(bundled, `asset.${bundled}`) }));
    plugin.checked.length = 0;
    const gate = new CachedTemplatePlugin(plugin, 'rules v1', cache);
    const report = gate.validate(contextOf(tmp('out-'), { One: withAsset(skipped, '/home/me/project') }));
    expect(plugin.checked).toEqual([]);
    expect(report.violations[0].description).toBe(`Bad resources are not allowed (code ${skipped}.zip)`);
    // Anything else that differs is a different template.
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(contextOf(tmp('out-'), {
      One: { Resources: { Fn: { ...withAsset(skipped, '/home/me/project').Resources.Fn, Properties: { Code: { S3Key: `${skipped}.zip`, S3ObjectVersion: '1' } } } } },
    }));
    expect(plugin.checked).toEqual(['One']);
  });

  test('checks again a stack whose cache entry is unreadable', () => {
    const plugin = new BadResourcePlugin();
    const cache = tmp('cache-');
    const context = contextOf(tmp('out-'), templates);
    new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(context);
    const entries = fs.readdirSync(path.join(cache, 'bad-resources'));
    expect(entries).toHaveLength(2);
    entries.forEach(entry => fs.writeFileSync(path.join(cache, 'bad-resources', entry), '{"success": tr'));
    plugin.checked.length = 0;
    const report = new CachedTemplatePlugin(plugin, 'rules v1', cache).validate(context);
    expect(plugin.checked).toEqual(['One', 'Two']);
    expect(report.violations).toHaveLength(1);
  });

  test('hands the framework a copy: editing the report does not edit the cache', () => {
    const gate = new CachedTemplatePlugin(new BadResourcePlugin(), 'rules v1', tmp('cache-'));
    const context = contextOf(tmp('out-'), templates);
    const first = gate.validate(context);
    first.violations.splice(0);
    expect(gate.validate(context).violations).toHaveLength(1);
  });
});

describe('joining per-stack reports', () => {
  const violation = (ruleName: string, id: string) => ({ ruleName, description: `${ruleName} broken`, violatingResources: [{ resourceLogicalId: id, templatePath: 't', locations: [] }] });

  test('keeps violations apart by default, and joins those with the same key, resources in stack order', () => {
    const reports = [
      { success: false, violations: [violation('r1', 'A'), violation('r2', 'B')] },
      { success: true, violations: [] },
      { success: false, violations: [violation('r1', 'C')] },
    ];
    expect(mergeReports(reports).violations.map(v => v.violatingResources.map(r => r.resourceLogicalId))).toEqual([['A'], ['B'], ['C']]);
    const joined = mergeReports(reports, v => v.ruleName);
    expect(joined.success).toBe(false);
    expect(joined.violations.map(v => [v.ruleName, v.violatingResources.map(r => r.resourceLogicalId)])).toEqual([['r1', ['A', 'C']], ['r2', ['B']]]);
    // The inputs are not changed.
    expect(reports[0].violations[0].violatingResources).toHaveLength(1);
  });
});

describe('the gates of a group', () => {
  test('start their work when the first of them runs', () => {
    const started: string[] = [];
    const group = new GateGroup();
    const gate = (name: string) => new CachedValidation({
      name,
      fingerprint: () => name,
      check: stacks => {
        started.push(name);
        return { results: () => stacks.map(() => ({ success: true, violations: [] })) };
      },
    }, tmp('cache-'), group);
    const first = gate('first');
    const second = gate('second');
    const context = contextOf(tmp('out-'), { One: { Resources: {} } });
    first.validate(context);
    expect(started).toEqual(['first', 'second']);
    second.validate({ ...context });
    expect(started).toEqual(['first', 'second']);
    // A second synth of the same stacks: each gate runs again (from its cache), the reported ones are not restarted by the others.
    expect(first.validate(context).success).toBe(true);
    expect(first.lastRun).toEqual({ gate: 'first', cached: 1, checked: 0 });
  });
});

describe('the cdk-nag gate\'s cache key', () => {
  /** An app with one bucket without access logs (AwsSolutions-S1), synthesized without gates. */
  function synth(acknowledge: boolean): IPolicyValidationContext {
    const app = new App({ context: CDK_CONTEXT, outdir: tmp('nag-') });
    const stack = new Stack(app, 'Nag');
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    if (acknowledge) Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'a bucket without access logs, to test the cache key' });
    const previous = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    try {
      return validationContext(app.synth(), app);
    } finally {
      if (previous === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = previous;
    }
  }

  test('covers the acknowledgements, which the template does not show', () => {
    const cache = tmp('cache-');
    const plain = synth(false);
    const acknowledged = synth(true);
    expect(fs.readFileSync(acknowledged.templatePaths[0], 'utf-8')).toBe(fs.readFileSync(plain.templatePaths[0], 'utf-8'));
    const rules = (report: PolicyValidationPluginReport) => report.violations.map(v => v.ruleName);
    expect(rules(new AwsSolutionsGate({}, cache).validate(plain))).toContain('AwsSolutions-S1');
    const gate = new AwsSolutionsGate({}, cache);
    expect(rules(gate.validate(acknowledged))).not.toContain('AwsSolutions-S1');
    expect(gate.lastRun).toEqual({ gate: 'AwsSolutions', cached: 0, checked: 1 });
  });
});


describe('the guess whether a synth will find its templates in the cache', () => {
  const app = (context: Record<string, unknown>) => new App({ context: { ...CDK_CONTEXT, ...context }, outdir: tmp('stamp-') });

  test('holds when the app\'s sources and context are those of the last synth with the cache', () => {
    const cache = tmp('cache-');
    expect(new SourceStamp(app({}), cache).unchanged).toBe(false);
    new SourceStamp(app({}), cache).record();
    expect(new SourceStamp(app({}), cache).unchanged).toBe(true);
    // The stacks a command bundles change only their asset hashes and paths.
    expect(new SourceStamp(app({ 'aws:cdk:bundling-stacks': ['One'] }), cache).unchanged).toBe(true);
    expect(new SourceStamp(app({ stacks: 'GlueEtlDemo' }), cache).unchanged).toBe(false);
  });
});
