/**
 * The AWS managed policies that the library's constructs attach, copied from the AWS Managed
 * Policy Reference (default version, read 2026-11-29), so that the rehearsal evaluates the roles
 * that carry them as IAM will. A role that carries another AWS managed policy is evaluated
 * without it: a call that only that policy could allow is reported as not modelled, never as
 * allowed.
 */
export interface AwsManagedPolicy {
  /** The policy's name, the last part of its ARN. */
  readonly name: string;
  /** The page the document was copied from. */
  readonly source: string;
  /** The default policy version the document is. */
  readonly version: string;
  readonly document: { readonly Version: string; readonly Statement: readonly unknown[] };
}

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: 'AWSLambdaBasicExecutionRole',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html',
    version: 'v1',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
    },
  },
  {
    name: 'AmazonDMSVPCManagementRole',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonDMSVPCManagementRole.html',
    version: 'v4',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'Statement1',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeDhcpOptions',
          'ec2:DescribeInternetGateways', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets',
          'ec2:DescribeVpcs', 'ec2:ModifyNetworkInterfaceAttribute',
        ],
        Resource: '*',
      }],
    },
  },
];

/** The AWS managed policy an ARN names (`arn:<partition>:iam::aws:policy/<path>/<name>`), if the rehearsal carries it. */
export function awsManagedPolicy(policyArn: string): AwsManagedPolicy | undefined {
  const match = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policyArn);
  return match ? AWS_MANAGED_POLICIES.find(policy => policy.name === match[1]) : undefined;
}

/** Whether an ARN names an AWS managed policy. */
export function isAwsManagedPolicyArn(policyArn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(policyArn);
}
