import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges Control Tower's CT.LAMBDA.PR.3 (Lambda functions in a VPC) for one of CDK's own
 * custom-resource providers, a singleton Lambda function of the stack.
 *
 * These providers run only while CloudFormation creates, updates or deletes a resource, and call
 * only AWS APIs. Putting them in a VPC would need interface endpoints (or a NAT gateway) billed
 * every hour, in stacks meant to cost nothing at idle.
 *
 * @param providerId the provider's construct id in the stack, such as
 *   `Custom::S3AutoDeleteObjectsCustomResourceProvider`
 * @param purpose what the provider does, for the acknowledgement's reason
 */
export function acknowledgeProviderOutsideVpc(scope: IConstruct, providerId: string, purpose: string): void {
  const provider = Stack.of(scope).node.tryFindChild(providerId);
  if (provider) {
    Validations.of(provider).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: `CDK's ${providerId} only ${purpose}, through the AWS API, while the stack deploys or is deleted; `
        + 'a VPC would add hourly-billed endpoints to a stack meant to cost nothing at idle',
    });
  }
}
