import { Template } from 'aws-cdk-lib/assertions';

export { newStack } from './helpers';

/** The statements of the one IAM policy whose logical id starts with `prefix`. */
export function policyStatements(template: Template, prefix: string): unknown[] {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  expect(policies.map(([id]) => id)).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement;
}
