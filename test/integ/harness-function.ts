import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../../lib';

/** Properties of {@link harnessFunction}. */
export interface HarnessFunctionProps {
  /** What the function does (its description). */
  readonly description: string;
  /** What its role may do (the role's description). */
  readonly roleDescription: string;
  /** The handler's code, deployed inline as `index.js` (no dependency, nothing to bundle). */
  readonly code: string;
  /** The exported function Lambda calls. @default 'index.handler' */
  readonly handler?: string;
  /** The key of the function's logs (CloudWatch Logs must be allowed to use it). */
  readonly logEncryptionKey: kms.IKey;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /** Statements beside the logs permission. @default - none */
  readonly statements?: iam.PolicyStatement[];
  /** Why `statements` need wildcards. @default - they have none */
  readonly wildcardReason?: string;
  /**
   * Runs the function in the isolated subnets of a VPC, in one security group; its role may then
   * manage the network interfaces Lambda creates for it. @default - not in a VPC
   */
  readonly vpc?: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup };
  /**
   * Why the function may run outside a VPC (it calls public AWS endpoints): acknowledges Control
   * Tower's CT.LAMBDA.PR.3 on the function with this reason.
   *
   * @default - no acknowledgement (a function outside a VPC then fails the gate)
   */
  readonly outsideVpcReason?: string;
  /** Anything else the function needs (a file system). @default - none */
  readonly functionProps?: Partial<lambda.FunctionProps>;
}

/**
 * A test-only function of a sandbox test (Node.js, arm64, inline code), with a role of its own
 * whose policy allows writing its logs, into a log group of its own (encrypted, kept a year,
 * deleted with the stack). Creates `Logs`, `Role`, `Policy` and the function (`id`) in `scope`.
 */
export function harnessFunction(scope: Construct, id: string, props: HarnessFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: logs.RetentionDays.ONE_YEAR, encryptionKey: props.logEncryptionKey, removalPolicy: RemovalPolicy.DESTROY,
  });
  // Lambda creates and deletes the network interfaces of a VPC function with these actions, which
  // do not support resource-level permissions.
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
  const vpcStatements = props.vpc ? [new iam.PolicyStatement({
    actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    resources: ['*'],
  })] : [];
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.roleDescription });
  const policy = new iam.Policy(scope, 'Policy', {
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:log-stream:*`] }),
      ...vpcStatements,
      ...(props.statements ?? []),
    ],
    roles: [role],
  });
  acknowledgeWildcards(policy, ['Lambda names the log streams of the function at run time, inside its one log group',
    props.vpc && 'the EC2 network-interface actions a VPC function needs do not support resource-level permissions', props.wildcardReason]
    .filter(Boolean).join('; '));
  const fn = new lambda.Function(scope, id, {
    description: props.description,
    code: lambda.Code.fromInline(props.code),
    handler: props.handler ?? 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: props.timeout,
    role,
    logGroup,
    environment: props.environment,
    ...(props.vpc ? { vpc: props.vpc.vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [props.vpc.securityGroup] } : {}),
    ...props.functionProps,
  });
  fn.node.addDependency(policy);
  if (props.outsideVpcReason) {
    Validations.of(fn).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: `Sandbox test harness that exists only while a test runs: ${props.outsideVpcReason}; inside a VPC it would need a NAT gateway or interface endpoints`,
    });
  }
  return fn;
}
