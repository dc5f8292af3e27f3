import { Aws, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { referenceText } from '../../lib/rehearsal/expectations';
import { TemplateResolver, UNRESOLVED } from '../../lib/rehearsal/template-resolver';
import { bareStack } from './helpers';

function resolverOf(stack: Stack): TemplateResolver {
  return new TemplateResolver(Template.fromStack(stack).toJSON(), stack.stackName);
}

describe('TemplateResolver', () => {
  test('a declaration\'s ${Id.Attr} text and the policy\'s intrinsic resolve to the same ARN', () => {
    const stack = bareStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'), path: '/service/' });
    const resolver = resolverOf(stack);
    for (const token of [key.keyArn, bucket.bucketArn, role.roleArn, bucket.arnForObjects('raw/*')]) {
      const fromText = resolver.substitute(referenceText(stack.resolve(token)));
      expect(resolver.resolve(stack.resolve(token))).toBe(fromText);
      expect(fromText).not.toContain(UNRESOLVED);
    }
    expect(resolver.text(stack.resolve(key.keyArn))).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(resolver.text(stack.resolve(bucket.bucketArn))).toMatch(/^arn:aws:s3:::rehearsed-bucket[0-9a-f]{8}$/);
    expect(resolver.text(stack.resolve(role.roleArn))).toMatch(/^arn:aws:iam::123456789012:role\/service\/Rehearsed-Role[0-9A-F]{8}$/);
  });

  test('evaluates Join, Sub, Select, Split, If, FindInMap, GetAZs, ImportValue, Base64 and the pseudo parameters', () => {
    const stack = bareStack();
    new s3.Bucket(stack, 'Bucket');
    const resolver = resolverOf(stack);
    const template = resolver.template as { Mappings?: unknown; Conditions?: unknown };
    Object.assign(template, {
      Mappings: { Accounts: { 'us-east-1': { account: '173754725891' } } },
      Conditions: { IsUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, Other: { 'Fn::Not': [{ Condition: 'IsUsEast1' }] } },
    });
    const fresh = new TemplateResolver(template as never, 'S', { account: '111122223333' });
    expect(fresh.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] })).toBe('arn:aws:iam::111122223333:root');
    expect(fresh.resolve({ 'Fn::Sub': ['${A}.${AWS::Region}.${AWS::URLSuffix}/${!Literal}', { A: 'x' }] })).toBe('x.us-east-1.amazonaws.com/${Literal}');
    expect(fresh.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(fresh.resolve({ 'Fn::If': ['Other', 'no', 'yes'] })).toBe('yes');
    expect(fresh.resolve({ 'Fn::FindInMap': ['Accounts', { Ref: 'AWS::Region' }, 'account'] })).toBe('173754725891');
    expect(fresh.resolve({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] })).toBe('us-east-1a');
    expect(fresh.resolve({ 'Fn::ImportValue': 'Shared' })).toBe(`${UNRESOLVED}import:Shared`);
    expect(fresh.resolve({ 'Fn::Base64': 'hi' })).toBe('aGk=');
    expect(fresh.resolve({ a: { Ref: 'AWS::NoValue' }, b: [1, { Ref: 'AWS::NoValue' }] })).toEqual({ b: [1] });
    expect(fresh.resolve(stack.resolve(Fn.join('', [Aws.STACK_NAME, '-x'])))).toBe('S-x');
  });

  test('gives each resource type its documented Ref and attributes, and marks what it does not model', () => {
    const stack = bareStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    const resolver = resolverOf(stack);
    const groupId = resolver.text(stack.resolve(group.securityGroupId));
    expect(groupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(resolver.text(stack.resolve(vpc.vpcId))).toMatch(/^vpc-/);
    expect(resolver.getAtt('GroupDoesNotExist', 'Arn')).toContain(UNRESOLVED);
  });
});
