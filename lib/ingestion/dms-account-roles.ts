import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { serviceAssumesRole } from '../rehearsal/common-calls';
import { Rehearsal } from '../rehearsal/expectations';

const DMS_ROLES_SOURCE = 'https://docs.aws.amazon.com/dms/latest/userguide/security-iam.html#CHAP_Security.APIRole';

/**
 * The IAM roles that AWS DMS looks up by name in every account that creates DMS resources through
 * the API or CloudFormation: `dms-vpc-role` (with `AmazonDMSVPCManagementRole`: DMS creates the
 * network interfaces of replication subnet groups and instances with it) and
 * `dms-cloudwatch-logs-role` (with `AmazonDMSCloudWatchLogsRole`: DMS writes task logs with it).
 *
 * Deploy them **in a stack of their own, before any stack with a `DatabaseIngestion`**, once per
 * account (role names are account-wide), and pass that construct to `DatabaseIngestion` as
 * `accountRoles`: the ingestion's stack then depends on the roles' stack, so `cdk deploy` deploys
 * the roles first. In the same stack, CloudFormation would create the replication subnet group
 * right after the role, and DMS, which reads the role when it creates the subnet group, fails with
 * "The IAM Role arn:...:role/dms-vpc-role is not configured properly" while IAM is still
 * propagating the new role: a `DependsOn` orders the two creations but cannot wait for
 * propagation. A separate stack completes, and the roles settle, before the next one starts.
 *
 * If your account already has the roles (the DMS console creates them the first time it is used),
 * do not deploy this construct: it would fail on the existing names. Leave `accountRoles` unset.
 *
 * Cost: nothing (IAM roles are free).
 *
 * @see https://docs.aws.amazon.com/dms/latest/userguide/security-iam.html#CHAP_Security.APIRole
 * @see https://github.com/aws/aws-cdk/issues/7632
 * @see https://github.com/hashicorp/terraform-provider-aws/issues/11025
 */
export class DmsAccountRoles extends Construct {
  /** The name DMS requires for the role that manages its network interfaces. */
  public static readonly VPC_ROLE_NAME = 'dms-vpc-role';
  /** The name DMS requires for the role that writes task logs to CloudWatch Logs. */
  public static readonly CLOUDWATCH_LOGS_ROLE_NAME = 'dms-cloudwatch-logs-role';

  /** `dms-vpc-role`. */
  public readonly vpcRole: iam.Role;
  /** `dms-cloudwatch-logs-role`. */
  public readonly cloudWatchLogsRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpcRole = this.serviceRole('VpcRole', DmsAccountRoles.VPC_ROLE_NAME, 'AmazonDMSVPCManagementRole',
      'Required by AWS DMS, by this name, to create the network interfaces of replication subnet groups and instances');
    this.cloudWatchLogsRole = this.serviceRole('CloudWatchLogsRole', DmsAccountRoles.CLOUDWATCH_LOGS_ROLE_NAME, 'AmazonDMSCloudWatchLogsRole',
      'Required by AWS DMS, by this name, to write replication task logs to CloudWatch Logs');
    Rehearsal.of(this).allows(
      serviceAssumesRole('dms.amazonaws.com', this.vpcRole, 'DMS assumes dms-vpc-role to manage the network interfaces of its subnet groups', DMS_ROLES_SOURCE),
      serviceAssumesRole('dms.amazonaws.com', this.cloudWatchLogsRole, 'DMS assumes dms-cloudwatch-logs-role to write task logs', DMS_ROLES_SOURCE),
      {
        description: 'DMS creates a replication instance\'s network interface with dms-vpc-role', principal: this.vpcRole,
        action: 'ec2:CreateNetworkInterface', resource: '*', source: DMS_ROLES_SOURCE,
      },
    );
  }

  private serviceRole(id: string, roleName: string, policyName: string, description: string): iam.Role {
    const role = new iam.Role(this, id, {
      roleName,
      description,
      assumedBy: new iam.ServicePrincipal('dms.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${policyName}`)],
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policyName}]`,
      reason: `DMS requires the role ${roleName} with exactly the AWS managed policy ${policyName}, which AWS keeps in step with DMS`,
    });
    return role;
  }
}
