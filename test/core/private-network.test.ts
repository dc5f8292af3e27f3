import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateNetwork } from '../../lib';
import { newStack } from '../helpers';

test('private subnets only, no internet or NAT gateway, free gateway endpoints for S3 and DynamoDB', () => {
  const stack = newStack('Net');
  new PrivateNetwork(stack, 'Network');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::NatGateway', 0);
  template.resourceCountIs('AWS::EC2::InternetGateway', 0);
  template.resourceCountIs('AWS::EC2::Subnet', 2);
  template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
  template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }) });
});

test('flow logs of all traffic go to a KMS-encrypted log group kept a year', () => {
  const stack = newStack('Net');
  new PrivateNetwork(stack, 'Network');
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  template.hasResource('AWS::Logs::LogGroup', {
    DeletionPolicy: 'Retain',
    Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogKey'), 'Arn'] } },
  });
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } })]) },
  });
});

test('interface endpoints admit only the named clients, on HTTPS, and are made once per service', () => {
  const stack = newStack('Net');
  const network = new PrivateNetwork(stack, 'Network', { interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API] });
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
  network.allowEndpointAccessFrom(client);
  const again = network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_API);
  const later = network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.STS);
  expect(network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.STS)).toBe(later);
  expect(again).toBeDefined();
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
  const ingress = template.findResources('AWS::EC2::SecurityGroupIngress');
  expect(Object.values(ingress).map(rule => rule.Properties)).toEqual([
    expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Client/), 'GroupId'] } }),
    expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Client/), 'GroupId'] } }),
  ]);
  template.allResourcesProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.absent() });
});

test('maxAzs must be a whole number of at least 1', () => {
  expect(() => new PrivateNetwork(newStack('Net'), 'Network', { maxAzs: 0 })).toThrow('Net/Network: `maxAzs` must be a whole number of at least 1, got 0');
  expect(() => new PrivateNetwork(newStack('Net'), 'Network', { maxAzs: 1 })).not.toThrow();
});
