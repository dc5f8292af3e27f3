import { App, CfnParameter, Fn, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EBS_VOLUME_LIMITS, EbsVolumeProfile, EbsVolumeSet, EbsVolumeType } from '../../lib';
import { CDK_CONTEXT, newStack, synthDemoStack } from '../helpers';

function volumes(...profiles: EbsVolumeProfile[]) {
  const stack = newStack('Ebs');
  const set = new EbsVolumeSet(stack, 'Volumes', { availabilityZone: Fn.select(0, Fn.getAzs()), volumes: profiles });
  return { set, template: Template.fromStack(stack) };
}

const error = (...profiles: EbsVolumeProfile[]) => () => volumes(...profiles);

describe('EbsVolumeSet', () => {
  test('creates one encrypted volume per profile, gp3 by default, with the customer-managed key, retained', () => {
    const { set, template } = volumes(
      { name: 'data', size: Size.gibibytes(100), iops: 6000, throughput: 500 },
      { name: 'fast', type: EbsVolumeType.IO2, size: Size.gibibytes(10), iops: 5000 },
      { name: 'cold', type: EbsVolumeType.SC1, size: Size.gibibytes(125) },
    );
    template.resourceCountIs('AWS::EC2::Volume', 3);
    template.hasResource('AWS::EC2::Volume', {
      Properties: { VolumeType: 'gp3', Size: 100, Iops: 6000, Throughput: 500, Encrypted: true, KmsKeyId: { 'Fn::GetAtt': ['VolumesKey1F57123E', 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::EC2::Volume', { VolumeType: 'io2', Size: 10, Iops: 5000, Encrypted: true });
    template.hasResourceProperties('AWS::EC2::Volume', { VolumeType: 'sc1', Size: 125, Encrypted: true });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(set.volume('cold')).toBe(set.volumes.cold);
  });

  test('states the current limits, not the notes\' 3,000 and 10,000 IOPS', () => {
    expect(EBS_VOLUME_LIMITS[EbsVolumeType.GP3].iops).toEqual({ min: 3000, max: 80000, maxPerGiB: 500, required: false });
    expect(EBS_VOLUME_LIMITS[EbsVolumeType.GP3].throughput).toEqual({ min: 125, max: 2000, maxPerIops: 0.25 });
    expect(EBS_VOLUME_LIMITS[EbsVolumeType.IO2].iops?.max).toBe(256000);
    expect(EBS_VOLUME_LIMITS[EbsVolumeType.IO1].iops?.max).toBe(64000);
    expect([EbsVolumeType.ST1, EbsVolumeType.SC1].map(type => EBS_VOLUME_LIMITS[type].bootable)).toEqual([false, false]);
  });

  test('a gp3 volume of any size keeps its 3,000-IOPS baseline; the largest of each type is accepted', () => {
    expect(error({ name: 'tiny', size: Size.gibibytes(1) })).not.toThrow();
    expect(error({ name: 'max', size: Size.gibibytes(160), iops: 80000, throughput: 2000 })).not.toThrow();
    expect(error({ name: 'big', type: EbsVolumeType.IO2, size: Size.gibibytes(65536), iops: 256000 })).not.toThrow();
  });

  test.each<[string, EbsVolumeProfile, string]>([
    ['a size of part of a GiB', { name: 'a', size: Size.mebibytes(1536) },
      'Ebs/Volumes: `volumes[0].size` must be a whole number from 1 to 65536 (whole GiB of gp3 volumes), got 1.5'],
    ['size below the minimum of st1', { name: 'a', type: EbsVolumeType.ST1, size: Size.gibibytes(100) },
      'Ebs/Volumes: `volumes[0].size` must be a whole number from 125 to 16384 (whole GiB of st1 volumes), got 100'],
    ['size above the maximum of gp2', { name: 'a', type: EbsVolumeType.GP2, size: Size.gibibytes(20000) },
      'Ebs/Volumes: `volumes[0].size` must be a whole number from 1 to 16384 (whole GiB of gp2 volumes), got 20000'],
    ['standard above 1 TiB', { name: 'a', type: EbsVolumeType.STANDARD, size: Size.gibibytes(2000) },
      'Ebs/Volumes: `volumes[0].size` must be a whole number from 1 to 1024 (whole GiB of standard volumes), got 2000'],
    ['io1 without IOPS', { name: 'a', type: EbsVolumeType.IO1, size: Size.gibibytes(100) },
      'Ebs/Volumes: `volumes[0].iops` must be given for io1 (its IOPS are provisioned), got nothing'],
    ['gp3 IOPS above 80,000', { name: 'a', size: Size.gibibytes(1000), iops: 90000 },
      'Ebs/Volumes: `volumes[0].iops` must be a whole number from 3000 to 80000 (gp3 provisioned IOPS), got 90000'],
    ['gp3 IOPS above 500 per GiB', { name: 'a', size: Size.gibibytes(8), iops: 5000 },
      'Ebs/Volumes: `volumes[0].iops` must be at most 500 IOPS per GiB for gp3, that is 4000 for 8 GiB, got 5000'],
    ['io1 IOPS above 50 per GiB', { name: 'a', type: EbsVolumeType.IO1, size: Size.gibibytes(10), iops: 1000 },
      'Ebs/Volumes: `volumes[0].iops` must be at most 50 IOPS per GiB for io1, that is 500 for 10 GiB, got 1000'],
    ['io2 IOPS above 256,000', { name: 'a', type: EbsVolumeType.IO2, size: Size.gibibytes(1000), iops: 300000 },
      'Ebs/Volumes: `volumes[0].iops` must be a whole number from 100 to 256000 (io2 provisioned IOPS), got 300000'],
    ['IOPS on gp2', { name: 'a', type: EbsVolumeType.GP2, size: Size.gibibytes(100), iops: 300 },
      'Ebs/Volumes: `volumes[0].iops` cannot be provisioned for gp2 (only gp3, io1 and io2 have provisioned IOPS), got 300'],
    ['throughput on st1', { name: 'a', type: EbsVolumeType.ST1, size: Size.gibibytes(500), throughput: 250 },
      'Ebs/Volumes: `volumes[0].throughput` cannot be provisioned for st1 (only gp3 has provisioned throughput), got 250'],
    ['gp3 throughput above 2,000 MiB/s', { name: 'a', size: Size.gibibytes(1000), iops: 16000, throughput: 2500 },
      'Ebs/Volumes: `volumes[0].throughput` must be a whole number from 125 to 2000 (gp3 provisioned throughput, MiB/s), got 2500'],
    ['gp3 throughput above 0.25 MiB/s per IOPS', { name: 'a', size: Size.gibibytes(100), throughput: 1000 },
      'Ebs/Volumes: `volumes[0].throughput` must be at most 0.25 MiB/s per provisioned IOPS for gp3, that is 750 for 3000 IOPS, got 1000'],
    ['a bad name', { name: '1st volume', size: Size.gibibytes(1) },
      'Ebs/Volumes: `volumes[0].name` must be 1 to 64 letters, digits or hyphens, starting with a letter, got \'1st volume\''],
    ['an unknown type', { name: 'a', type: 'gp4' as EbsVolumeType, size: Size.gibibytes(1) },
      'Ebs/Volumes: `volumes[0].type` must be one of gp3, gp2, io1, io2, st1, sc1, standard, got \'gp4\''],
  ])('rejects %s', (_, profile, message) => {
    expect(error(profile)).toThrow(message);
  });

  test('rejects an empty set, duplicate names and unknown volume names', () => {
    expect(error()).toThrow('Ebs/Volumes: `volumes` must name at least one volume, got []');
    expect(error({ name: 'a', size: Size.gibibytes(1) }, { name: 'a', size: Size.gibibytes(2) })).toThrow('Ebs/Volumes: `volumes[].name` must be unique in the set, got \'a\'');
    const { set } = volumes({ name: 'a', size: Size.gibibytes(1) });
    expect(() => set.volume('b')).toThrow('Ebs/Volumes: `name` must be one of the set\'s volumes (a), got \'b\'');
  });

  test('io2 allows 1,000 IOPS per GiB, beyond the 500 that aws-cdk-lib\'s ec2.Volume still enforces', () => {
    expect(EBS_VOLUME_LIMITS[EbsVolumeType.IO2].iops?.maxPerGiB).toBe(1000);
    const { template } = volumes({ name: 'fast', type: EbsVolumeType.IO2, size: Size.gibibytes(10), iops: 10000 });
    template.hasResourceProperties('AWS::EC2::Volume', { VolumeType: 'io2', Size: 10, Iops: 10000 });
    expect(error({ name: 'fast', type: EbsVolumeType.IO2, size: Size.gibibytes(10), iops: 10001 }))
      .toThrow('Ebs/Volumes: `volumes[0].iops` must be at most 1000 IOPS per GiB for io2, that is 10000 for 10 GiB, got 10001');
  });

  test.each([
    ['us-east-1', 'us-east-1a'], ['us-east-1', 'us-east-1f'], ['us-west-2', 'us-west-2-lax-1a'], ['us-gov-west-1', 'us-gov-west-1b'], ['cn-north-1', 'cn-north-1a'],
  ])('in %s, the zone %s is accepted', (region, zone) => {
    const stack = new Stack(new App({ context: CDK_CONTEXT }), 'Ebs', { env: { region } });
    expect(() => new EbsVolumeSet(stack, 'Volumes', { availabilityZone: zone, volumes: [{ name: 'a', size: Size.gibibytes(1) }] })).not.toThrow();
  });

  test.each([
    ['us-east-1', 'us-west-2a', "`availabilityZone` must be an Availability Zone of the stack's region us-east-1, such as us-east-1a, got 'us-west-2a'"],
    ['us-east-1', 'us-east-11a', "`availabilityZone` must be an Availability Zone of the stack's region us-east-1, such as us-east-1a, got 'us-east-11a'"],
    [undefined, 'use1-az1', "`availabilityZone` must be an Availability Zone name such as us-east-1a, got 'use1-az1'"],
  ])('in %s, the zone %s is rejected', (region, zone, message) => {
    const stack = new Stack(new App({ context: CDK_CONTEXT }), 'Ebs', { env: region ? { region } : undefined });
    expect(() => new EbsVolumeSet(stack, 'Volumes', { availabilityZone: zone, volumes: [{ name: 'a', size: Size.gibibytes(1) }] })).toThrow(`Ebs/Volumes: ${message}`);
  });

  test('a literal zone does not fail the CloudFormation Validate gate (W3010 is acknowledged on the volumes)', () => {
    const template = synthDemoStack(app => {
      const stack = new Stack(app, 'LiteralZone', { env: { region: 'eu-west-1' } });
      new EbsVolumeSet(stack, 'Volumes', { availabilityZone: 'eu-west-1a', volumes: [{ name: 'a', size: Size.gibibytes(1) }] });
      return stack;
    });
    expect(Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::EC2::Volume').map((r: any) => r.Properties.AvailabilityZone)).toEqual(['eu-west-1a']);
  });

  test('IOPS from a CloudFormation parameter are left to EC2', () => {
    const stack = newStack('Params');
    const iops = new CfnParameter(stack, 'Iops', { type: 'Number' }).valueAsNumber;
    expect(() => new EbsVolumeSet(stack, 'Volumes', {
      availabilityZone: Fn.select(0, Fn.getAzs()),
      volumes: [{ name: 'a', type: EbsVolumeType.IO2, size: Size.gibibytes(10), iops }, { name: 'b', size: Size.gibibytes(100), iops, throughput: 500 }],
    })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Volume', { VolumeType: 'io2', Iops: { Ref: 'Iops' } });
  });
});
