import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

interface ViolatingConstruct {
  readonly constructPath?: string;
  readonly cloudFormationResource?: { readonly logicalId?: string; readonly propertyPaths?: string[] };
}

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly violatingConstructs?: ViolatingConstruct[];
}

interface PluginReport {
  readonly pluginName: string;
  readonly violations: Violation[];
}

/** The sentence aws-cdk-lib ends a failed validation with, naming the report file. */
const REPORT_SENTENCE = /A copy of this report can be found in: (.+?)\s*$/;

/**
 * `app.synth()`, but a failed quality gate throws with its findings in the message.
 *
 * When a validation plugin (cdk-nag, CloudFormation Validate, cfn-guard) fails in a plain `node`
 * run, aws-cdk-lib prints the report to stderr and throws only "Validation failed. A copy of this
 * report can be found in: …" (see `synthesis-validation.js`: the report goes into the error only
 * in its `inmemory` app mode). A caller that shows the error, and not stderr, then sees no
 * finding. This reads the report the error names and throws again with every unacknowledged
 * finding: plugin, rule, severity, message, construct path, logical id and property.
 */
export function synthWithFindings(app: App): CloudAssembly {
  try {
    return app.synth();
  } catch (error) {
    const reportFile = REPORT_SENTENCE.exec(error instanceof Error ? error.message : '')?.[1];
    if (!reportFile || !fs.existsSync(path.resolve(reportFile))) {
      throw error;
    }
    const findings = validationFindings(path.resolve(reportFile));
    throw new Error(`Validation failed with ${findings.length} unacknowledged finding(s) (report: ${reportFile}):\n${findings.join('\n')}`,
      { cause: error });
  }
}

/** One line (plus one line per violating construct) per unacknowledged finding of a validation report. */
export function validationFindings(reportFile: string): string[] {
  const reports: PluginReport[] = JSON.parse(fs.readFileSync(reportFile, 'utf-8')).pluginReports ?? [];
  return reports.flatMap(report => report.violations.map(violation => {
    const where = (violation.violatingConstructs ?? []).map(construct => {
      const resource = construct.cloudFormationResource;
      const details = [resource?.logicalId, ...(resource?.propertyPaths ?? [])].filter(Boolean).join(', ');
      return `\n    at ${construct.constructPath ?? '(unknown construct)'}${details ? ` (${details})` : ''}`;
    }).join('');
    return `  [${report.pluginName}] ${violation.ruleName}${violation.severity ? ` (${violation.severity})` : ''}: ${violation.description}${where}`;
  }));
}
