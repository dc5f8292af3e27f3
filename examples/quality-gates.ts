import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Registers the three quality gates on an app, so that every synth runs them:
 *
 * 1. cdk-nag `AwsSolutionsChecks`: AWS Solutions best practices (encryption, logging, least privilege);
 * 2. the CloudFormation Validate plugin of aws-cdk-lib, which runs at every synth without being
 *    registered; the app's context (`cdk.json`) turns its findings into errors;
 * 3. the AWS Control Tower proactive controls, as cfn-guard rules (`@cdklabs/cdk-validator-cfnguard`).
 *
 * A finding fails the synth unless it is acknowledged with `Validations.of(scope).acknowledge()`
 * on the narrowest construct, with the reason the pattern needs it.
 */
export function addQualityGates(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
}
