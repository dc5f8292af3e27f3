import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The name of an AWS service in the stack's Region, `<service>.<region>.<URL suffix>`: the value of
 * `kms:ViaService` for the calls the service makes to KMS on its caller's behalf, and the regional
 * service principal of the services that have one (CloudWatch Logs in a key policy, DMS reading
 * Secrets Manager). The URL suffix is the partition's: `amazonaws.com`, but `amazonaws.com.cn` in
 * the China Regions. It comes from the stack (`AWS::URLSuffix` in an environment-agnostic stack),
 * never written out, so the same construct works in `aws`, `aws-cn` and `aws-us-gov`. (Global
 * service principals, `glue.amazonaws.com`, are the same in every partition.)
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.ServicePrincipal.html (standardized global principals)
 */
export function regionalServiceName(scope: IConstruct, service: string): string {
  const stack = Stack.of(scope);
  return `${service}.${stack.region}.${stack.urlSuffix}`;
}
