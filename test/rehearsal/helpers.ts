import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RehearsalFinding, StackRehearsal, rehearseTemplate } from '../../lib/rehearsal/rehearse';

/** A stack in a bare app (no gates: the tests call the rehearsal themselves). */
export function bareStack(id = 'Rehearsed'): Stack {
  return new Stack(new App(), id);
}

/** Synthesizes `stack` and rehearses its template. */
export async function rehearseStack(stack: Stack): Promise<StackRehearsal> {
  return rehearseTemplate(Template.fromStack(stack).toJSON(), stack.stackName);
}

/** The findings of one rule. */
export function findingsOf(result: StackRehearsal, ruleName: string): RehearsalFinding[] {
  return result.findings.filter(finding => finding.ruleName === ruleName);
}
