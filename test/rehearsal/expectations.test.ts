import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { REHEARSAL_METADATA_KEY, Rehearsal, referenceText } from '../../lib/rehearsal/expectations';

describe('Rehearsal declarations', () => {
  test('are recorded in the template metadata as ${LogicalId} text, with no intrinsic function', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const key = new kms.Key(stack, 'Key');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const a = new ec2.SecurityGroup(stack, 'A', { vpc });
    const b = new ec2.SecurityGroup(stack, 'B', { vpc });
    Rehearsal.of(stack).allows(
      { description: 'glue assumes', principal: new iam.ServicePrincipal('glue.amazonaws.com'), action: 'sts:AssumeRole', resource: role.roleArn, source: 'https://docs.aws.amazon.com/glue' },
      {
        description: 'role decrypts through S3', principal: role, action: 'kms:Decrypt', resource: key.keyArn,
        context: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` }, source: 'https://docs.aws.amazon.com/kms',
      },
    );
    Rehearsal.of(role).denies({ description: 'other account', principal: new iam.AccountPrincipal('111122223333'), action: 'kms:Decrypt', resource: key.keyArn, source: 'https://x' });
    Rehearsal.of(stack).connects(
      { description: 'lustre', from: a, to: b, port: ec2.Port.tcp(988), source: 'https://y' },
      { description: 's3 through the gateway endpoint', from: a, to: ec2.Peer.prefixList('pl-63a5400a'), port: ec2.Port.tcp(443), source: 'https://y' },
    );
    Rehearsal.of(stack).createsBefore({ description: 'order', first: a, then: key, source: 'https://z' });

    const template = Template.fromStack(stack).toJSON();
    const recorded = template.Metadata[REHEARSAL_METADATA_KEY];
    expect(JSON.stringify(recorded)).not.toMatch(/"(Ref|Fn::[A-Za-z]+)"/);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    expect(recorded.version).toBe(1);
    expect(recorded.allows[0]).toMatchObject({ principal: 'service:glue.amazonaws.com', action: 'sts:AssumeRole', resource: `\${${roleId}.Arn}` });
    expect(recorded.allows[1]).toMatchObject({ principal: `\${${roleId}.Arn}`, resource: `\${${keyId}.Arn}`, context: { 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}' } });
    expect(recorded.denies[0].principal).toBe('arn:${AWS::Partition}:iam::111122223333:root');
    expect(recorded.connects).toEqual([
      expect.objectContaining({ protocol: 'tcp', fromPort: 988, toPort: 988, from: [expect.stringMatching(/^\$\{A.+\.GroupId\}$/)], to: [expect.stringMatching(/^\$\{B.+\.GroupId\}$/)] }),
      expect.objectContaining({ protocol: 'tcp', fromPort: 443, from: [expect.stringMatching(/^\$\{A.+\.GroupId\}$/)], to: ['pl-63a5400a'] }),
    ]);
    expect(recorded.createsBefore[0]).toMatchObject({ first: expect.stringMatching(/^A[0-9A-F]{8}$/), then: keyId });
  });

  test('a stack without declarations has no rehearsal metadata', () => {
    const stack = new Stack(new App(), 'Empty');
    new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(Template.fromStack(stack).toJSON().Metadata?.[REHEARSAL_METADATA_KEY]).toBeUndefined();
  });

  test('referenceText flattens Join and Sub and refuses other intrinsics', () => {
    expect(referenceText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'B' }, '/*']] })).toBe('arn:${AWS::Partition}:s3:::${B}/*');
    expect(referenceText({ 'Fn::Sub': ['${X}-${AWS::Region}', { X: { 'Fn::GetAtt': ['R', 'Arn'] } }] })).toBe('${R.Arn}-${AWS::Region}');
    expect(() => referenceText({ 'Fn::Select': [0, ['a']] })).toThrow(/cannot record/);
  });
});
