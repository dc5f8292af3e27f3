import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnResource } from 'aws-cdk-lib';
import { attachGrantPolicy } from '../../lib/core/grant-policy';
import { grantResources, grantStatements, newStack } from '../helpers';

function statements(bucketArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': ['data/*'] } } }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${bucketArn}/data/*`] }),
  ];
}

describe('attachGrantPolicy', () => {
  test('returns an iam.Grant whose statements are those of a policy of its own, attached to the role', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = attachGrantPolicy(stack, 'ReadData', { grantee: role, statements: statements(bucket.bucketArn) });
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const policies = template.findResources('AWS::IAM::Policy');
    expect(Object.keys(policies)).toEqual([expect.stringMatching(/^ReadData/)]);
    const policy = Object.values(policies)[0].Properties;
    expect(policy.Roles).toEqual([{ Ref: stack.getLogicalId(role.node.defaultChild as CfnResource) }]);
    expect(policy.PolicyDocument.Statement).toEqual(grantStatements(stack, grant));
    expect(grantStatements(stack, grant).map(s => s.Action)).toEqual(['s3:ListBucket', 's3:GetObject']);
    expect(grantStatements(stack, grant)[0].Condition).toEqual({ StringLike: { 's3:prefix': ['data/*'] } });
    // The role's default policy stays untouched: the grant's wildcards are acknowledged on its own policy only.
    template.resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('applyBefore makes a resource wait for the policy and for the other parts of the grant', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const other = new CfnResource(stack, 'Permission', { type: 'AWS::SNS::Topic' });
    const grant = attachGrantPolicy(stack, 'Access', { grantee: role, statements: statements('arn:aws:s3:::b'), dependables: [other] });
    expect(grantResources(grant).map(resource => resource.node.id)).toEqual(['Access', 'Permission']);
    const user = new CfnResource(stack, 'User', { type: 'AWS::SNS::Topic' });
    grant.applyBefore(user);
    expect(Template.fromStack(stack).toJSON().Resources.User.DependsOn).toEqual([expect.stringMatching(/^Access/), 'Permission']);
  });

  test('a second grant with the same id adds to the same policy, and identical statements are written once', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const first = attachGrantPolicy(stack, 'Access', { grantee: role, statements: statements('arn:aws:s3:::b') });
    const second = attachGrantPolicy(stack, 'Access', { grantee: role, statements: statements('arn:aws:s3:::b') });
    expect(grantResources(second)).toEqual(grantResources(first));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(Object.values(policies).map(policy => policy.Properties.PolicyDocument.Statement.length)).toEqual([2]);
  });

  test('a user gets the policy too; a principal that is no role or user gets the statements as CDK grants do', () => {
    const stack = newStack();
    const user = new iam.User(stack, 'User');
    attachGrantPolicy(stack, 'UserAccess', { grantee: user, statements: statements('arn:aws:s3:::b') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', { Users: [{ Ref: stack.getLogicalId(user.node.defaultChild as CfnResource) }] });

    const service = new iam.ServicePrincipal('glue.amazonaws.com');
    const grant = attachGrantPolicy(stack, 'ServiceAccess', { grantee: service, statements: statements('arn:aws:s3:::b') });
    expect(grant.success).toBe(false); // a service principal has no policy of its own to add to
    expect(grant.principalStatements).toEqual([]);
  });

  test('rejects a grant without statements', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => attachGrantPolicy(stack, 'Empty', { grantee: role, statements: [] }))
      .toThrow('Test: `statements` must grant at least one statement (grant Empty), got []');
  });
});
