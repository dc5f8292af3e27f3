import { resourcesOfType } from './helpers';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown, options?: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

/** A CloudFormation reference rendered as a plausible value, so that the definition parses as JSON. */
function placeholder(part: unknown): string {
  const ref = (part as { Ref?: string }).Ref;
  if (ref === 'AWS::Partition') {
    return 'aws';
  }
  if (ref === 'AWS::Region') {
    return 'us-east-1';
  }
  if (ref === 'AWS::URLSuffix') {
    return 'amazonaws.com';
  }
  return 'resolved-at-deploy-time';
}

/** The definitions of every state machine of `template`, with references replaced by placeholders. */
export function stateMachineDefinitions(template: Record<string, any>): Array<Record<string, any>> {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(machine => {
    const definition = machine.Properties.DefinitionString;
    const text = typeof definition === 'string'
      ? definition
      : (definition['Fn::Join'][1] as unknown[]).map(part => (typeof part === 'string' ? part : placeholder(part))).join('');
    return JSON.parse(text);
  });
}

/** The errors asl-validator finds in `definition` (empty when it is valid Amazon States Language). */
export function aslErrors(definition: unknown): unknown[] {
  const { isValid, errors } = aslValidator(definition);
  return isValid ? [] : errors;
}
