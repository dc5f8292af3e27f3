import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { bareStack, findingsOf, rehearseStack } from './helpers';

/** A role with one inline statement. */
function roleWith(statement: iam.PolicyStatement) {
  const stack = bareStack();
  const bucket = new s3.Bucket(stack, 'Data');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  role.addToPrincipalPolicy(statement);
  return { stack, bucket };
}

describe('the IAM names check', () => {
  test('reports an action that the Service Authorization Reference does not have, and passes the real one', async () => {
    const wrong = roleWith(new iam.PolicyStatement({ actions: ['s3:GetObjects'], resources: ['*'] }));
    const [finding] = findingsOf(await rehearseStack(wrong.stack), REHEARSAL_RULES.IAM_ACTION);
    expect(finding.description).toMatch(/s3:GetObjects is not an action of s3 in the Service Authorization Reference/);
    expect(finding.resourceLogicalId).toMatch(/^RoleDefaultPolicy/);
    expect(finding.location).toBe('Properties.PolicyDocument.Statement[0]');

    const right = roleWith(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect((await rehearseStack(right.stack)).findings).toEqual([]);
  });

  test('reports a service prefix that does not exist and a wildcard that matches nothing', async () => {
    const { stack } = roleWith(new iam.PolicyStatement({ actions: ['s4:GetObject', 's3:Fetch*'], resources: ['*'] }));
    const messages = findingsOf(await rehearseStack(stack), REHEARSAL_RULES.IAM_ACTION).map(f => f.description);
    expect(messages).toEqual([
      expect.stringMatching(/s4:GetObject: the Service Authorization Reference has no service prefix s4/),
      expect.stringMatching(/s3:Fetch\* matches no action of s3/),
    ]);
  });

  test('reports a resource ARN of the wrong type for the action: GetObject on a bucket ARN', async () => {
    const stack = bareStack();
    const bucket = new s3.Bucket(stack, 'Data');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.bucketArn] }));
    const messages = findingsOf(await rehearseStack(stack), REHEARSAL_RULES.IAM_RESOURCE).map(f => f.description);
    expect(messages).toEqual([
      expect.stringMatching(/s3:GetObject grants nothing on arn:aws:s3:::rehearsed-data[0-9a-f]+: s3:GetObject applies to accesspointobject, object resources/),
      expect.stringMatching(/the resource arn:aws:s3:::rehearsed-data[0-9a-f]+ is not of a type any of its actions \(s3:GetObject\) applies to/),
    ]);

    const fixed = bareStack();
    const fixedBucket = new s3.Bucket(fixed, 'Data');
    new iam.Role(fixed, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') })
      .addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [fixedBucket.arnForObjects('*')] }));
    expect((await rehearseStack(fixed)).findings).toEqual([]);
  });

  test('checks resource, key and trust policies too, and counts every action', async () => {
    const stack = bareStack();
    const bucket = new s3.Bucket(stack, 'Data');
    bucket.addToResourcePolicy(new iam.PolicyStatement({ actions: ['s3:ListBuckets'], principals: [new iam.AccountRootPrincipal()], resources: [bucket.bucketArn] }));
    const result = await rehearseStack(stack);
    expect(findingsOf(result, REHEARSAL_RULES.IAM_ACTION).map(f => [f.resourceLogicalId, f.description]))
      .toEqual([[expect.stringMatching(/^DataPolicy/), expect.stringMatching(/s3:ListBuckets is not an action of s3/)]]);
    expect(result.counts.iamActions).toBeGreaterThan(0);
  });
});
