import { resourcesOfType } from './helpers';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

/** Plausible values of the pseudo parameters, so that ARNs in a definition keep their shape. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * The definition of a synthesized state machine as JSON, with every CloudFormation reference in
 * its `DefinitionString` replaced: pseudo parameters by plausible values, anything else by
 * `resolved-at-deploy-time` (references only ever sit inside strings).
 */
export function stateMachineDefinition(stateMachine: Record<string, any>): Record<string, any> {
  const body = stateMachine.Properties.DefinitionString;
  const text = typeof body === 'string' ? body
    : (body['Fn::Join'][1] as unknown[])
      .map(part => (typeof part === 'string' ? part : PSEUDO_PARAMETERS[(part as { Ref?: string }).Ref ?? ''] ?? 'resolved-at-deploy-time'))
      .join('');
  return JSON.parse(text);
}

/** The definitions of every state machine of `template`. */
export function stateMachineDefinitions(template: Record<string, any>): Array<Record<string, any>> {
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(stateMachineDefinition);
}

/** The errors asl-validator finds in `definition` (empty when it is valid Amazon States Language). */
export function aslErrors(definition: unknown): unknown[] {
  const { isValid, errors } = aslValidator(definition);
  return isValid ? [] : errors;
}

/**
 * Applies a task's `ResultSelector` to a service result, as Step Functions does: each `"<key>.$"`
 * takes the value at its JsonPath (`$.A.B`, dots only) in `result`. A path that names a field the
 * result does not have throws `States.Runtime`, which a `Catch` on `States.ALL` does not catch: the
 * execution fails there, even after the job succeeded.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export function applyResultSelector(selector: Record<string, unknown>, result: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(selector).map(([key, value]) => {
    if (!key.endsWith('.$')) {
      return [key, value];
    }
    const path = String(value);
    const found = path.replace(/^\$\.?/, '').split('.').filter(Boolean)
      .reduce<unknown>((node, field) => (node !== null && typeof node === 'object' && field in node ? (node as Record<string, unknown>)[field] : undefined), result);
    if (found === undefined) {
      throw new Error(`States.Runtime: the JsonPath argument for the field '${path}' could not be found in the input`);
    }
    return [key.slice(0, -2), found];
  }));
}
