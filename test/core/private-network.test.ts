import { App, ContextProvider, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PrivateNetwork } from '../../lib';
import { CDK_CONTEXT, newStack } from '../helpers';

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
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } })]) },
  });
});

test('the regional CloudWatch Logs principal ends in the partition\'s URL suffix (amazonaws.com.cn in China), never a written-out amazonaws.com', () => {
  const app = new App({ context: CDK_CONTEXT });
  const stack = new Stack(app, 'China', { env: { account: '123456789012', region: 'cn-north-1' } });
  new PrivateNetwork(stack, 'Network', { availabilityZones: ['cn-north-1a', 'cn-north-1b'] });
  Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: { 'Fn::Join': ['', ['logs.cn-north-1.', { Ref: 'AWS::URLSuffix' }]] } } })]) },
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

describe('Availability Zones in a stack with an explicit env', () => {
  const env = { account: '123456789012', region: 'eu-west-1' };
  const zones = ['eu-west-1b', 'eu-west-1c'];

  function synthesize(context: Record<string, unknown>) {
    const app = new App({ context: { ...CDK_CONTEXT, ...context } });
    const stack = new Stack(app, 'Explicit', { env });
    new PrivateNetwork(stack, 'Network', { availabilityZones: zones });
    const artifact = app.synth().getStackByName('Explicit');
    return { template: artifact.template, missing: app.synth().manifest.missing ?? [] };
  }

  test('without the AZ context, CDK\'s Vpc asks the CLI for a lookup, which needs credentials', () => {
    expect(synthesize({}).missing.map(entry => entry.key)).toEqual(['availability-zones:account=123456789012:region=eu-west-1']);
  });

  test('with availabilityZonesContext (or the same entry in cdk.context.json), the subnets are in the given AZs and nothing is looked up', () => {
    const { template, missing } = synthesize(PrivateNetwork.availabilityZonesContext(env.account, env.region, ['eu-west-1a', ...zones]));
    expect(missing).toEqual([]);
    const subnets = Object.values(template.Resources as Record<string, any>).filter(resource => resource.Type === 'AWS::EC2::Subnet');
    expect(subnets.map(subnet => subnet.Properties.AvailabilityZone)).toEqual(zones);
  });

  test('the context entry is the one the CLI\'s lookup writes', () => {
    const stack = new Stack(new App(), 'Key', { env });
    const { key } = ContextProvider.getKey(stack, { provider: 'availability-zones' });
    expect(Object.keys(PrivateNetwork.availabilityZonesContext(env.account, env.region, zones))).toEqual([key]);
  });

  test.each([
    [{ availabilityZones: [] }, 'Explicit/Network: `availabilityZones` must have at least 1 Availability Zones, got 0'],
    [{ availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, 'Explicit/Network: `availabilityZones` must name each Availability Zone once, got ["eu-west-1a","eu-west-1a"]'],
    [{ availabilityZones: ['us-east-1a'] }, 'Explicit/Network: `availabilityZones[0]` must be an Availability Zone of the stack\'s Region eu-west-1 (its name starts with the Region\'s), got \'us-east-1a\''],
    [{ availabilityZones: ['eu-west-1a'], maxAzs: 1 }, 'Explicit/Network: `maxAzs` must not be set with `availabilityZones`, which already says how many AZs the subnets span, got 1'],
  ])('rejects %j', (props, message) => {
    const stack = new Stack(new App({ context: CDK_CONTEXT }), 'Explicit', { env });
    expect(() => new PrivateNetwork(stack, 'Network', props)).toThrow(message);
  });
});
