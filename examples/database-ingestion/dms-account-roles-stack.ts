/**
 * # The account-wide roles of AWS DMS, in a stack of their own (deploy once per account)
 *
 * DMS looks up `dms-vpc-role` and `dms-cloudwatch-logs-role` by name. Created in the same stack as
 * the replication subnet group, the first would race IAM propagation (see `DmsAccountRoles`); in
 * this stack, which `DatabaseIngestionDemo` depends on, `cdk deploy DatabaseIngestionDemo` creates
 * them first and lets them settle.
 *
 * If your account already has the roles (the DMS console creates them), leave this stack out:
 * `npx cdk deploy DatabaseIngestionDemo -c dms-account-roles=existing`.
 *
 * Remove it after the demo (`npx cdk destroy DmsAccountRolesDemo`) unless other DMS stacks of the
 * account use the roles. Cost: nothing.
 */
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DmsAccountRoles } from '../../lib';

export class DmsAccountRolesDemoStack extends Stack {
  /** `dms-vpc-role` and `dms-cloudwatch-logs-role`. */
  public readonly roles: DmsAccountRoles;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: the IAM roles AWS DMS requires by name, once per account (deployed before DatabaseIngestionDemo)',
      ...props,
    });
    this.roles = new DmsAccountRoles(this, 'DmsRoles');
  }
}
