import * as path from 'path';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLake, EmrSparkCluster, EmrSparkClusterProps, PrivateNetwork } from '../../lib';
import { aslErrors, stateMachineDefinitions } from '../asl';
import { newStack, policyStatements } from '../helpers-transformation';
import { declared, recordedAttr, rehearsalOf } from '../helpers';

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'spark-at-scale', 'feature_engineering.py');

function build(overrides: Partial<EmrSparkClusterProps> = {}, stack: Stack = newStack()) {
  const lake = new DataLake(stack, 'Lake');
  const network = new PrivateNetwork(stack, 'Network');
  const workspace = { bucket: new s3.Bucket(stack, 'Workspace'), encryptionKey: new kms.Key(stack, 'Key') };
  const cluster = new EmrSparkCluster(stack, 'Cluster', {
    scriptPath: SCRIPT,
    scriptArguments: ['--input', 's3://in/', '--output', 's3://out/'],
    inputs: [lake.zone('raw')],
    outputs: [lake.zone('analytics')],
    workspace,
    network,
    ...overrides,
  });
  return { stack, cluster, template: Template.fromStack(stack) };
}

describe('EmrSparkCluster', () => {
  test('the state machine creates the cluster, runs spark-submit and terminates it, also after a failed step', () => {
    const { template } = build();
    const [definition] = stateMachineDefinitions(template.toJSON());
    expect(aslErrors(definition)).toEqual([]);
    const { CreateCluster, RunSparkStep, TerminateCluster, TerminateClusterAfterFailure } = definition.States;
    expect(definition.StartAt).toBe('CreateCluster');
    expect(CreateCluster.Resource).toBe('arn:aws:states:::elasticmapreduce:createCluster.sync');
    expect(CreateCluster.Parameters).toMatchObject({
      ReleaseLabel: 'emr-7.12.0',
      Applications: [{ Name: 'Spark' }],
      AutoTerminationPolicy: { IdleTimeout: 1800 },
      VisibleToAllUsers: true,
      LogUri: expect.stringMatching(/^s3:\/\/.*\/emr\/.*\/logs\/$/),
      Tags: [{ Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' }],
      Instances: { KeepJobFlowAliveWhenNoSteps: true, TerminationProtected: false, ServiceAccessSecurityGroup: 'resolved-at-deploy-time' },
    });
    expect(CreateCluster.Next).toBe('RunSparkStep');
    expect(RunSparkStep.Resource).toBe('arn:aws:states:::elasticmapreduce:addStep.sync');
    expect(RunSparkStep.Parameters.Step.HadoopJarStep).toEqual({
      Jar: 'command-runner.jar',
      Args: ['spark-submit', '--deploy-mode', 'cluster', 'resolved-at-deploy-time', '--input', 's3://in/', '--output', 's3://out/'],
    });
    expect(RunSparkStep.Next).toBe('TerminateCluster');
    expect(RunSparkStep.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.Error', Next: 'TerminateClusterAfterFailure' }]);
    expect(TerminateCluster.Resource).toBe('arn:aws:states:::elasticmapreduce:terminateCluster.sync');
    expect(TerminateCluster.End).toBe(true);
    expect(TerminateClusterAfterFailure.Next).toBe('SparkJobFailed');
    expect(definition.States.SparkJobFailed).toMatchObject({ Type: 'Fail', Error: 'SparkJobFailed' });
  });

  test('a security configuration with KMS at-rest encryption of S3, local disks and EBS, and IMDSv2 only', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::EMR::SecurityConfiguration', {
      SecurityConfiguration: {
        EncryptionConfiguration: {
          EnableAtRestEncryption: true,
          EnableInTransitEncryption: false,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: Match.anyValue(), EnableEbsEncryption: true },
          },
        },
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
      },
    });
  });

  test('in-transit encryption with the given PEM certificates', () => {
    const { template } = build({ tlsCertificatesZip: 's3://certs/emr/certs.zip' });
    template.hasResourceProperties('AWS::EMR::SecurityConfiguration', {
      SecurityConfiguration: {
        EncryptionConfiguration: Match.objectLike({
          EnableInTransitEncryption: true,
          InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: 's3://certs/emr/certs.zip' } },
        }),
      },
    });
  });

  test('own roles: EMR service policy v2, an instance profile named after the instance role, and a KMS endpoint for the nodes', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'elasticmapreduce.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonEMRServicePolicy_v2']] }],
    });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      Roles: [{ Ref: Match.stringLikeRegexp('ClusterInstanceRole') }],
      InstanceProfileName: { Ref: Match.stringLikeRegexp('ClusterInstanceRole') },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.kms']] } });
    expect(policyStatements(template, 'ClusterDiskKeyPolicy')).toEqual([{
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    }]);
  });

  test('the managed security groups carry every flow of the EMR page, egress included: nodes to nodes, manager to nodes on 8443, nodes to service access on 9443, HTTPS out', () => {
    const { stack, cluster, template } = build();
    const id = (group: { node: { defaultChild?: unknown } }) => stack.getLogicalId(group.node.defaultChild as CfnElement);
    const [primary, core, service] = [cluster.primarySecurityGroup, cluster.coreSecurityGroup, cluster.serviceAccessSecurityGroup].map(id);
    const json = template.toJSON();
    const ref = (value: any) => value?.['Fn::GetAtt']?.[0];
    const rules = (type: string, side: string, peer: string) => Object.values(json.Resources as Record<string, any>)
      .filter(r => r.Type === type)
      .map(r => `${ref(r.Properties.GroupId)}<${ref(r.Properties[peer])}:${r.Properties.IpProtocol}:${r.Properties.FromPort}-${r.Properties.ToPort}`.replace('<', side));
    const ingress = rules('AWS::EC2::SecurityGroupIngress', '<', 'SourceSecurityGroupId');
    const egress = rules('AWS::EC2::SecurityGroupEgress', '>', 'DestinationSecurityGroupId');
    const all = ['icmp:-1--1', 'tcp:0-65535', 'udp:0-65535'];
    for (const [to, from] of [[primary, primary], [primary, core], [core, core], [core, primary]]) {
      for (const port of all) {
        expect(ingress).toContain(`${to}<${from}:${port}`);
        expect(egress).toContain(`${from}>${to}:${port}`);
      }
    }
    for (const node of [primary, core]) {
      expect(ingress).toContain(`${node}<${service}:tcp:8443-8443`);
      expect(egress).toContain(`${service}>${node}:tcp:8443-8443`);
      expect(ingress).toContain(`${service}<${node}:tcp:9443-9443`);
      expect(egress).toContain(`${node}>${service}:tcp:9443-9443`);
      expect(json.Resources[node].Properties.SecurityGroupEgress).toEqual(expect.arrayContaining([
        expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ]));
    }
    // Nothing else leaves the service-access group, and nothing else enters the node groups from outside the cluster.
    expect(egress.filter(rule => rule.startsWith(`${service}>`)).sort()).toEqual([`${service}>${core}:tcp:8443-8443`, `${service}>${primary}:tcp:8443-8443`].sort());
    expect(json.Resources[service].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  test('rehearsal declarations: EMR and EC2 assume their roles, EMR encrypts volumes with a grant, the state machine passes both roles; every documented port flow of the managed groups; nodes reach the KMS endpoint', () => {
    const { cluster, template } = build();
    const recorded = rehearsalOf(template);
    const [service, instance] = [recordedAttr(cluster.serviceRole), recordedAttr(cluster.instanceRole)];
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:elasticmapreduce.amazonaws.com', action: 'sts:AssumeRole', resource: service, context: { 'aws:SourceAccount': '${AWS::AccountId}' } }),
      declared({ principal: 'service:ec2.amazonaws.com', action: 'sts:AssumeRole', resource: instance }),
      declared({ principal: service, action: 'kms:CreateGrant', context: { 'kms:GrantIsForAWSResource': 'true' } }),
      declared({ principal: instance, action: 's3:PutObject', resource: /\/emr\/.*\/logs\/j-CLUSTER\// }),
      declared({ principal: recordedAttr(cluster.stateMachine.role), action: 'iam:PassRole', resource: instance }),
    ]));
    const [primary, core, access] = [cluster.primarySecurityGroup, cluster.coreSecurityGroup, cluster.serviceAccessSecurityGroup].map(group => recordedAttr(group, 'GroupId'));
    const flows = recorded.connects.map(flow => `${flow.from}>${flow.to}:${flow.protocol}:${flow.fromPort}`);
    expect(flows).toEqual(expect.arrayContaining([
      `${primary}>${core}:tcp:0`, `${core}>${primary}:tcp:0`, `${primary}>${primary}:tcp:0`, `${core}>${core}:tcp:0`,
      `${access}>${primary}:tcp:8443`, `${access}>${core}:tcp:8443`, `${primary}>${access}:tcp:9443`, `${core}>${access}:tcp:9443`,
    ]));
    expect(recorded.connects).toEqual(expect.arrayContaining([declared({ from: [primary], to: [/^\$\{NetworkVpcKmsEndpoint.*\.GroupId\}$/], fromPort: 443 })]));
  });

  describe('rejects bad input', () => {
    const cases: Array<[string, Partial<EmrSparkClusterProps>, string]> = [
      ['an old release', { releaseLabel: 'emr-5.36.0' },
        'Test/Cluster: `releaseLabel` must be emr-6.0.0 or later, such as emr-7.12.0 (IMDSv2 in the security configuration needs a current release), got \'emr-5.36.0\''],
      ['a malformed instance type', { instanceType: 'large' }, 'Test/Cluster: `instanceType` must be an EC2 instance type such as m5.xlarge, got \'large\''],
      ['negative core nodes', { coreInstanceCount: -1 }, 'Test/Cluster: `coreInstanceCount` must be a whole number of at least 0, got -1'],
      ['a run longer than a year', { timeout: Duration.days(366) },
        'Test/Cluster: `timeout` must be a whole number from 1 to 525600 (whole minutes, at most the one year a state machine execution may run), got 527040'],
      ['a step argument over 10,280 characters', { scriptArguments: ['--input', 'x'.repeat(10_281)] },
        'Test/Cluster: `scriptArguments[1]` must be at most 10280 characters long (an EMR step argument)'],
      ['an idle timeout under a minute', { idleTimeout: Duration.seconds(30) },
        'Test/Cluster: `idleTimeout` must be a whole number from 60 to 604800 (seconds, from 1 minute to 7 days), got 30'],
      ['certificates that are not a zip in S3', { tlsCertificatesZip: 'https://example.com/certs.zip' },
        'Test/Cluster: `tlsCertificatesZip` must be the S3 URI of a zip of PEM files, such as s3://bucket/certs/emr.zip, got \'https://example.com/certs.zip\''],
    ];
    test.each(cases)('%s', (_name, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
