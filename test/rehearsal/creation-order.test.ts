import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { Rehearsal } from '../../lib/rehearsal/expectations';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { bareStack, findingsOf, rehearseStack } from './helpers';

describe('creation order', () => {
  /** An FSx for Lustre file system and the LNET rule of its security group, as a separate resource. */
  async function lustreFindings(dependsOn: 'none' | 'direct' | 'through a dependency') {
    const stack = bareStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const group = new ec2.SecurityGroup(stack, 'Lustre', { vpc });
    const lnet = new ec2.CfnSecurityGroupIngress(stack, 'Lnet', {
      groupId: group.securityGroupId, sourceSecurityGroupId: group.securityGroupId, ipProtocol: 'tcp', fromPort: 988, toPort: 988,
    });
    const fileSystem = new fsx.CfnFileSystem(stack, 'FileSystem', {
      fileSystemType: 'LUSTRE', storageCapacity: 1200, subnetIds: [vpc.isolatedSubnets[0].subnetId], securityGroupIds: [group.securityGroupId],
      lustreConfiguration: { deploymentType: 'SCRATCH_2' },
    });
    if (dependsOn === 'direct') fileSystem.addResourceDependency(lnet);
    if (dependsOn === 'through a dependency') {
      const waitCondition = new ec2.CfnSecurityGroupIngress(stack, 'Other', { groupId: group.securityGroupId, cidrIp: '10.0.0.0/16', ipProtocol: 'tcp', fromPort: 1018, toPort: 1023 });
      waitCondition.addResourceDependency(lnet);
      fileSystem.addResourceDependency(waitCondition);
    }
    Rehearsal.of(stack).createsBefore({
      description: 'FSx checks the LNET rule when it creates the file system', first: lnet, then: fileSystem,
      source: 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/troubleshooting.html#cannot-create-fs',
    });
    const result = await rehearseStack(stack);
    expect(result.counts.orderings).toBe(1);
    return findingsOf(result, REHEARSAL_RULES.ORDER);
  }

  test('(1) a file system that neither depends on nor references its ingress rule may be created first', async () => {
    const [finding] = await lustreFindings('none');
    expect(finding.resourceLogicalId).toBe('FileSystem');
    expect(finding.description).toBe('FSx checks the LNET rule when it creates the file system: Lnet before FileSystem: FileSystem neither depends on Lnet (DependsOn) '
      + 'nor references it, directly or through other resources, so CloudFormation may create them in parallel '
      + '[declared from https://docs.aws.amazon.com/fsx/latest/LustreGuide/troubleshooting.html#cannot-create-fs]');
  });

  test('(1) DependsOn, direct or through another resource, guarantees the order', async () => {
    expect(await lustreFindings('direct')).toEqual([]);
    expect(await lustreFindings('through a dependency')).toEqual([]);
  });

  test('a reference (Ref, GetAtt, Sub) orders creation like DependsOn', async () => {
    const stack = bareStack();
    const first = new ec2.CfnVPC(stack, 'First', { cidrBlock: '10.0.0.0/16' });
    const then = new ec2.CfnSubnet(stack, 'Then', { vpcId: first.ref, cidrBlock: '10.0.0.0/24' });
    const unrelated = new ec2.CfnVPC(stack, 'Unrelated', { cidrBlock: '10.1.0.0/16' });
    Rehearsal.of(stack).createsBefore(
      { description: 'subnet after its VPC', first, then, source: 'https://a' },
      { description: 'no link', first: unrelated, then, source: 'https://b' },
    );
    const findings = findingsOf(await rehearseStack(stack), REHEARSAL_RULES.ORDER);
    expect(findings.map(f => f.description)).toEqual([expect.stringMatching(/^no link: Unrelated before Then: Then neither depends on Unrelated/)]);
  });
});
