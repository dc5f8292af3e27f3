import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Rehearsal } from '../../lib/rehearsal/expectations';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { bareStack, findingsOf, rehearseStack } from './helpers';

const FSX_SSE_KMS = 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/s3-server-side-encryption-support.html';
const FSX_SLR = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0`;

describe('runtime flows', () => {
  /** A key whose policy has the statement meant for the FSx S3-access service-linked role, in its defective or documented form. */
  function lustreKey(form: 'account root' | 'documented') {
    const stack = bareStack();
    const key = new kms.Key(stack, 'DataKey');
    const principalArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*`;
    key.addToResourcePolicy(form === 'account root'
      ? new iam.PolicyStatement({
        sid: 'AllowFsxForLustreS3Access', principals: [new iam.AccountRootPrincipal()], actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': principalArn } },
      })
      : new iam.PolicyStatement({
        sid: 'AllowFsxForLustreS3Access', principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: ['*'],
        conditions: {
          ArnLike: { 'aws:PrincipalArn': principalArn },
          StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
        },
      }));
    const viaS3 = { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` };
    Rehearsal.of(stack).allows({
      description: 'FSx decrypts the objects it imports', principal: new iam.ArnPrincipal(FSX_SLR), action: 'kms:Decrypt', resource: key.keyArn, context: viaS3, source: FSX_SSE_KMS,
    });
    Rehearsal.of(stack).denies(
      { description: 'another account', principal: new iam.AccountPrincipal('111122223333'), action: 'kms:Decrypt', resource: key.keyArn, context: viaS3, source: FSX_SSE_KMS },
      {
        description: 'the SLR outside S3', principal: new iam.ArnPrincipal(FSX_SLR), action: 'kms:Decrypt', resource: key.keyArn,
        context: { 'kms:ViaService': `ec2.${Aws.REGION}.amazonaws.com` }, source: FSX_SSE_KMS,
      },
    );
    return stack;
  }

  test('(2) a key-policy statement for the FSx service-linked role with the account root as principal grants it nothing', async () => {
    const result = await rehearseStack(lustreKey('account root'));
    const findings = findingsOf(result, REHEARSAL_RULES.FLOW);
    expect(findings).toHaveLength(1);
    expect(findings[0].resourceLogicalId).toMatch(/^DataKey/);
    expect(findings[0].description).toMatch(/FSx decrypts the objects it imports: arn:aws:iam::123456789012:role\/aws-service-role\/s3\.data-source\.lustre\.fsx\.amazonaws\.com\/AWSServiceRoleForFSxS3Access_fs-0123456789abcdef0 kms:Decrypt on arn:aws:kms:us-east-1:123456789012:key\/.+: must be allowed, but is ImplicitlyDenied/);
    expect(findings[0].description).toContain('has no identity policy in the template');
    expect(findings[0].description).toContain(`[declared from ${FSX_SSE_KMS}]`);
    expect(result.counts.calls).toBe(3);
  });

  test('(2) the documented statement (principal *, aws:PrincipalArn, kms:CallerAccount, kms:ViaService s3) allows it, and only through S3', async () => {
    expect((await rehearseStack(lustreKey('documented'))).findings).toEqual([]);
  });

  /** A role trusted by some services, and the service that must assume it. */
  async function trustFindings(trusted: string[], caller: string) {
    const stack = bareStack();
    const role = new iam.Role(stack, 'DataAccessRole', { assumedBy: new iam.CompositePrincipal(...trusted.map(s => new iam.ServicePrincipal(s))) });
    Rehearsal.of(stack).allows({
      description: `${caller} assumes the role`, principal: new iam.ServicePrincipal(caller), action: 'sts:AssumeRole', resource: role.roleArn,
      source: 'https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html',
    });
    return findingsOf(await rehearseStack(stack), REHEARSAL_RULES.FLOW);
  }

  test('(5) a data-access role that trusts only lakeformation cannot be assumed by Glue; trusting both works', async () => {
    const [finding] = await trustFindings(['lakeformation.amazonaws.com'], 'glue.amazonaws.com');
    expect(finding.description).toMatch(/glue\.amazonaws\.com assumes the role: glue\.amazonaws\.com sts:AssumeRole on arn:aws:iam::123456789012:role\/Rehearsed-DataAccessRole.+: must be allowed, but is ImplicitlyDenied/);
    expect(finding.description).toMatch(/the resource policy \(DataAccessRole.+ \(Properties\.AssumeRolePolicyDocument\)\) does not allow this principal, and it must for a service or another account/);
    expect(finding.resourceLogicalId).toMatch(/^DataAccessRole/);
    expect(await trustFindings(['lakeformation.amazonaws.com', 'glue.amazonaws.com'], 'glue.amazonaws.com')).toEqual([]);
  });

  test('(6) a Spectrum role that trusts only redshift-serverless cannot be assumed by Redshift; trusting both works', async () => {
    expect(await trustFindings(['redshift-serverless.amazonaws.com'], 'redshift.amazonaws.com')).toHaveLength(1);
    expect(await trustFindings(['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com'], 'redshift.amazonaws.com')).toEqual([]);
  });

  /** A processing role that reads its code prefix, with or without s3:ListBucket on it. */
  function processingRole(listBucket: boolean) {
    const stack = bareStack();
    const bucket = new s3.Bucket(stack, 'Code', { enforceSSL: true });
    const role = new iam.Role(stack, 'ProcessingRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('code/*')] }));
    if (listBucket) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': 'code/*' } } }));
    }
    const source = 'https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html';
    Rehearsal.of(stack).allows(
      { description: 'SageMaker lists the S3Prefix input', principal: role, action: 's3:ListBucket', resource: bucket.bucketArn, context: { 's3:prefix': 'code/job.py' }, source },
      { description: 'SageMaker downloads the input', principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('code/job.py'), source },
    );
    Rehearsal.of(stack).denies(
      { description: 'another account reads the code', principal: new iam.AccountPrincipal('111122223333'), action: 's3:GetObject', resource: bucket.arnForObjects('code/job.py'), source },
      {
        description: 'a request without TLS', principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('code/job.py'),
        context: { 'aws:SecureTransport': 'false' }, source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html',
      },
      { description: 'other objects', principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('data/x.csv'), source },
    );
    return stack;
  }

  test('(9) a processing role without s3:ListBucket on its code prefix fails the S3Prefix download; with it the flows hold', async () => {
    const findings = findingsOf(await rehearseStack(processingRole(false)), REHEARSAL_RULES.FLOW);
    expect(findings.map(f => f.description)).toEqual([
      expect.stringMatching(/SageMaker lists the S3Prefix input: .+ s3:ListBucket on arn:aws:s3:::rehearsed-code[0-9a-f]+: must be allowed, but is ImplicitlyDenied: no identity policy of .+ allows it \(ProcessingRoleDefaultPolicy.+\)/),
    ]);
    expect(findingsOf(await rehearseStack(processingRole(true)), REHEARSAL_RULES.FLOW)).toEqual([]);
  });

  test('a call that must be denied but is allowed names the statement that allows it', async () => {
    const stack = bareStack();
    const bucket = new s3.Bucket(stack, 'Open');
    bucket.grantRead(new iam.AccountPrincipal('111122223333'));
    Rehearsal.of(stack).denies({
      description: 'another account reads', principal: new iam.AccountPrincipal('111122223333'), action: 's3:GetObject', resource: bucket.arnForObjects('a'), source: 'https://x',
    });
    const [finding] = findingsOf(await rehearseStack(stack), REHEARSAL_RULES.FLOW);
    expect(finding.description).toMatch(/must be denied, but is Allowed: .*statement 1 of OpenPolicy.+ \(Properties\.PolicyDocument\) allows it/);
  });

  test('a principal outside the template in the same account gets no identity policy, and an unknown AWS managed policy is not modelled', async () => {
    const stack = bareStack();
    const role = new iam.Role(stack, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    Rehearsal.of(stack).allows({ description: 'EMR launches instances', principal: role, action: 'ec2:RunInstances', resource: '*', source: 'https://docs.aws.amazon.com/emr' });
    const result = await rehearseStack(stack);
    expect(result.findings).toEqual([]);
    expect(result.notModelled).toEqual([expect.stringMatching(/not modelled, denied unless the AWS managed policies arn:aws:iam::aws:policy\/service-role\/AmazonEMRServicePolicy_v2 .+ allow it/)]);
  });

  test('reads topic policies and Lambda permissions as the resource policies of their topic and function, with aws:SourceArn', async () => {
    const stack = bareStack();
    const topic = new sns.Topic(stack, 'Alarms');
    topic.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['sns:Publish'], resources: [topic.topicArn],
      conditions: { ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` } },
    }));
    const fn = new lambda.CfnFunction(stack, 'Handler', { role: 'arn:aws:iam::123456789012:role/f', runtime: 'nodejs24.x', code: { zipFile: 'x' }, handler: 'index.handler' });
    new lambda.CfnPermission(stack, 'S3Invokes', { action: 'lambda:InvokeFunction', functionName: fn.ref, principal: 's3.amazonaws.com', sourceAccount: Aws.ACCOUNT_ID });
    const alarm = `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:lag`;
    Rehearsal.of(stack).allows(
      { description: 'an alarm notifies', principal: new iam.ServicePrincipal('cloudwatch.amazonaws.com'), action: 'sns:Publish', resource: topic.topicArn, context: { 'aws:SourceArn': alarm }, source: 'https://a' },
      { description: 'S3 invokes', principal: new iam.ServicePrincipal('s3.amazonaws.com'), action: 'lambda:InvokeFunction', resource: fn.attrArn, context: { 'aws:SourceAccount': Aws.ACCOUNT_ID }, source: 'https://b' },
    );
    Rehearsal.of(stack).denies(
      { description: 'an alarm of another account', principal: new iam.ServicePrincipal('cloudwatch.amazonaws.com'), action: 'sns:Publish', resource: topic.topicArn, context: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:x' }, source: 'https://a' },
      { description: 'S3 for another account', principal: new iam.ServicePrincipal('s3.amazonaws.com'), action: 'lambda:InvokeFunction', resource: fn.attrArn, context: { 'aws:SourceAccount': '111122223333' }, source: 'https://b' },
    );
    const result = await rehearseStack(stack);
    expect(result.findings).toEqual([]);
    expect(result.counts.calls).toBe(4);
  });
});
