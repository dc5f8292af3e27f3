/** Amazon States Language checks for the state machines of the demo stacks and constructs. */

// asl-validator ships no type declarations.
export const validateAsl: (definition: unknown) => { isValid: boolean; errorsText: () => string } = require('asl-validator');

/**
 * The definition of a synthesized `AWS::StepFunctions::StateMachine` as JSON, with every
 * CloudFormation reference replaced by a plausible value (`aws` for the partition, an ARN for
 * anything else), so that it can be validated as ASL.
 */
export function stateMachineDefinition(stateMachine: Record<string, any>): Record<string, any> {
  const definition = stateMachine.Properties.DefinitionString;
  const parts: unknown[] = typeof definition === 'string' ? [definition] : definition['Fn::Join'][1];
  return JSON.parse(parts.map(part => typeof part === 'string' ? part
    : JSON.stringify(part).includes('Partition') ? 'aws' : 'arn:aws:dms:eu-west-1:123456789012:task:ABCDEF').join(''));
}
