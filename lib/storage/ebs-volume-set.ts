import { Size, SizeRoundingBehavior, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { createDataKey } from '../core/secure-bucket';
import { check, checkInteger } from '../core/validation';

/** The EBS volume types, by their API names. */
export enum EbsVolumeType {
  /** General Purpose SSD, IOPS and throughput provisioned independently of size. The default. */
  GP3 = 'gp3',
  /** General Purpose SSD of the previous generation: 3 IOPS per GiB, bursting to 3,000. */
  GP2 = 'gp2',
  /** Provisioned IOPS SSD, 50 IOPS per GiB at most. */
  IO1 = 'io1',
  /** Provisioned IOPS SSD (Block Express), the highest IOPS and durability: up to 1,000 IOPS per GiB. */
  IO2 = 'io2',
  /** Throughput Optimized HDD: large sequential reads; cannot be a boot volume. */
  ST1 = 'st1',
  /** Cold HDD: the cheapest per GiB, rarely read data; cannot be a boot volume. */
  SC1 = 'sc1',
  /** Magnetic, previous generation. */
  STANDARD = 'standard',
}

/** The limits of one EBS volume type. */
export interface EbsVolumeTypeLimits {
  /** Smallest size, GiB. */
  readonly minSizeGiB: number;
  /** Largest size, GiB. */
  readonly maxSizeGiB: number;
  /** Provisioned IOPS range, for the types whose IOPS can be provisioned. */
  readonly iops?: { readonly min: number; readonly max: number; readonly maxPerGiB: number; readonly required: boolean };
  /** Provisioned throughput range (MiB/s) and its ratio to IOPS, for gp3. */
  readonly throughput?: { readonly min: number; readonly max: number; readonly maxPerIops: number };
  /** Whether the type can be a boot volume. */
  readonly bootable: boolean;
}

/**
 * The current limits of each EBS volume type.
 *
 * The study notes quote 3,000 and 10,000 IOPS: those were gp2's burst and maximum before 2018.
 * Today gp2 reaches 16,000 IOPS; gp3 has a 3,000-IOPS / 125-MiB/s baseline for any size and
 * can be provisioned up to 80,000 IOPS, 2,000 MiB/s and 64 TiB (raised from 16,000 IOPS,
 * 1,000 MiB/s and 16 TiB in 2025); io2 Block Express reaches 256,000 IOPS and 64 TiB.
 * io2 Block Express allows 1,000 IOPS per GiB; aws-cdk-lib 2.276's `ec2.Volume` still caps io2 at
 * its former 500, so {@link EbsVolumeSet} does not let the L2 check the IOPS of io2 volumes.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/hdd-vols.html
 */
export const EBS_VOLUME_LIMITS: Record<EbsVolumeType, EbsVolumeTypeLimits> = {
  [EbsVolumeType.GP3]: {
    minSizeGiB: 1,
    maxSizeGiB: 65_536,
    iops: { min: 3_000, max: 80_000, maxPerGiB: 500, required: false },
    throughput: { min: 125, max: 2_000, maxPerIops: 0.25 },
    bootable: true,
  },
  [EbsVolumeType.GP2]: { minSizeGiB: 1, maxSizeGiB: 16_384, bootable: true },
  [EbsVolumeType.IO1]: { minSizeGiB: 4, maxSizeGiB: 16_384, iops: { min: 100, max: 64_000, maxPerGiB: 50, required: true }, bootable: true },
  [EbsVolumeType.IO2]: { minSizeGiB: 4, maxSizeGiB: 65_536, iops: { min: 100, max: 256_000, maxPerGiB: 1_000, required: true }, bootable: true },
  [EbsVolumeType.ST1]: { minSizeGiB: 125, maxSizeGiB: 16_384, bootable: false },
  [EbsVolumeType.SC1]: { minSizeGiB: 125, maxSizeGiB: 16_384, bootable: false },
  [EbsVolumeType.STANDARD]: { minSizeGiB: 1, maxSizeGiB: 1_024, bootable: true },
};

/** The gp3 baseline, included in the storage price whatever the size. */
const GP3_BASELINE_IOPS = 3_000;

/** One volume of an {@link EbsVolumeSet}. */
export interface EbsVolumeProfile {
  /** A name unique in the set: the volume's construct id and `Name` tag. */
  readonly name: string;
  /**
   * The volume type.
   *
   * @default EbsVolumeType.GP3
   */
  readonly type?: EbsVolumeType;
  /** The size, in whole GiB. */
  readonly size: Size;
  /**
   * Provisioned IOPS (gp3, io1, io2 only; required for io1 and io2).
   *
   * @default - 3,000 for gp3; gp2 derives its IOPS from its size; HDD types have none
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MiB/s (gp3 only), as `ec2.Volume`'s `throughput`.
   *
   * @default - 125 for gp3
   */
  readonly throughput?: number;
}

/** Properties of an {@link EbsVolumeSet}. */
export interface EbsVolumeSetProps extends DataRetentionProps {
  /**
   * The Availability Zone of the volumes (an instance can only attach volumes of its own AZ), such
   * as `us-east-1a`, in the stack's region. A literal zone is normal here: a volume lives in one.
   */
  readonly availabilityZone: string;
  /** The volumes. */
  readonly volumes: EbsVolumeProfile[];
  /**
   * The customer-managed key that encrypts the volumes.
   *
   * @default - a new rotating key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Typed, validated EBS volumes for training or notebook instances, encrypted with a
 * customer-managed key.
 *
 * EBS is block storage attached to one instance in one Availability Zone (io1/io2 can be
 * attached to several Nitro instances at once). SSD types are sized by IOPS (gp3 for almost
 * everything, io2 for sustained low-latency IOPS), HDD types by throughput (st1 for large
 * sequential scans, sc1 for cold data); neither HDD type can boot an instance. Each profile is
 * checked against the current limits of its type ({@link EBS_VOLUME_LIMITS}) when the
 * construct is created, so a volume EC2 would reject never reaches CloudFormation.
 *
 * Choices: gp3 by default (20 % cheaper per GiB than gp2 and its performance does not depend on
 * size); every volume encrypted with one customer-managed key; data retained by default.
 *
 * Cost at idle: EBS bills for provisioned capacity whether or not a volume is attached, for
 * example (us-east-1) gp3 0.08 USD/GiB-month plus IOPS above 3,000 and MiB/s above 125, gp2
 * 0.10, io2 0.125 plus 0.065 per provisioned IOPS-month, st1 0.045, sc1 0.015 USD/GiB-month;
 * plus 1 USD a month for the key.
 */
export class EbsVolumeSet extends Construct {
  /** The volumes, by profile name. */
  public readonly volumes: Record<string, ec2.Volume> = {};
  /** The key that encrypts the volumes. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: EbsVolumeSetProps) {
    super(scope, id);
    check(props.volumes.length > 0, this, 'volumes', props.volumes, 'must name at least one volume');
    props.volumes.forEach((profile, index) => validateProfile(this, `volumes[${index}]`, profile));
    const names = props.volumes.map(profile => profile.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    check(duplicate === undefined, this, 'volumes[].name', duplicate, 'must be unique in the set');

    this.validateAvailabilityZone(props.availabilityZone);

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the EBS volumes of ${this.node.path}`, props);
    for (const profile of props.volumes) {
      const type = profile.type ?? EbsVolumeType.GP3;
      // The L2's own IOPS and throughput checks are stale (io2 capped at 500 IOPS per GiB, EBS
      // allows 1,000) and reject tokens: it gets the smallest IOPS its type requires, and the
      // volume the IOPS and throughput validated above.
      const limits = EBS_VOLUME_LIMITS[type];
      const volume = new ec2.Volume(this, profile.name, {
        availabilityZone: props.availabilityZone,
        size: Size.gibibytes(sizeInGiB(profile)),
        volumeType: type as string as ec2.EbsDeviceVolumeType,
        iops: limits.iops?.required ? limits.iops.min : undefined,
        encrypted: true,
        encryptionKey: this.encryptionKey,
        volumeName: profile.name,
        removalPolicy: dataRemovalPolicy(props),
      });
      const cfnVolume = volume.node.defaultChild as ec2.CfnVolume;
      cfnVolume.iops = profile.iops;
      cfnVolume.throughput = profile.throughput;
      if (!Token.isUnresolved(props.availabilityZone)) {
        Validations.of(volume).acknowledge({
          id: 'CloudFormation-Validate::W3010',
          reason: 'An EBS volume exists in one Availability Zone, which the caller names; the zone is checked against the stack\'s region',
        });
      }
      this.volumes[profile.name] = volume;
    }
  }

  /**
   * A zone name such as `us-east-1a` (or a Local Zone such as `us-west-2-lax-1a`) of the stack's
   * region, when the region is known at synth: EC2 rejects a volume in another region's zone.
   *
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
   */
  private validateAvailabilityZone(zone: string): void {
    if (Token.isUnresolved(zone)) {
      return;
    }
    check(/^[a-z]{2}(-[a-z]+)+-\d+[a-z0-9-]*[a-z0-9]$/.test(zone), this, 'availabilityZone', zone,
      'must be an Availability Zone name such as us-east-1a');
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      check(zone.startsWith(region) && /^([a-z]|-[a-z0-9-]+)$/.test(zone.slice(region.length)), this, 'availabilityZone', zone,
        `must be an Availability Zone of the stack's region ${region}, such as ${region}a`);
    }
  }

  /** The volume of the profile called `name`. */
  public volume(name: string): ec2.Volume {
    const volume = this.volumes[name];
    check(volume !== undefined, this, 'name', name, `must be one of the set's volumes (${Object.keys(this.volumes).join(', ')})`);
    return volume;
  }
}

function validateProfile(scope: Construct, prop: string, profile: EbsVolumeProfile): void {
  check(/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(profile.name), scope, `${prop}.name`, profile.name,
    'must be 1 to 64 letters, digits or hyphens, starting with a letter');
  const type = profile.type ?? EbsVolumeType.GP3;
  const limits = EBS_VOLUME_LIMITS[type];
  check(limits !== undefined, scope, `${prop}.type`, profile.type, `must be one of ${Object.values(EbsVolumeType).join(', ')}`);
  const sizeGiB = sizeInGiB(profile);
  checkInteger(scope, `${prop}.size`, sizeGiB, { min: limits.minSizeGiB, max: limits.maxSizeGiB, why: `whole GiB of ${type} volumes` });

  if (limits.iops) {
    check(!limits.iops.required || profile.iops !== undefined, scope, `${prop}.iops`, profile.iops, `must be given for ${type} (its IOPS are provisioned)`);
    const iops = profile.iops ?? GP3_BASELINE_IOPS;
    checkInteger(scope, `${prop}.iops`, iops, { min: limits.iops.min, max: limits.iops.max, why: `${type} provisioned IOPS` });
    // gp3 always has its 3,000-IOPS baseline; only IOPS above it depend on the size.
    // (The ratio is unknown until deployment when the size is a token.)
    const ratioApplies = !(type === EbsVolumeType.GP3 && iops <= GP3_BASELINE_IOPS) && !Token.isUnresolved(sizeGiB);
    check(!ratioApplies || iops <= limits.iops.maxPerGiB * sizeGiB, scope, `${prop}.iops`, iops,
      `must be at most ${limits.iops.maxPerGiB} IOPS per GiB for ${type}, that is ${limits.iops.maxPerGiB * sizeGiB} for ${sizeGiB} GiB`);
  } else {
    check(profile.iops === undefined, scope, `${prop}.iops`, profile.iops,
      `cannot be provisioned for ${type} (only gp3, io1 and io2 have provisioned IOPS)`);
  }

  if (limits.throughput) {
    const throughput = profile.throughput ?? limits.throughput.min;
    checkInteger(scope, `${prop}.throughput`, throughput, { min: limits.throughput.min, max: limits.throughput.max, why: `${type} provisioned throughput, MiB/s` });
    const iops = profile.iops ?? GP3_BASELINE_IOPS;
    check(Token.isUnresolved(iops) || throughput <= limits.throughput.maxPerIops * iops, scope, `${prop}.throughput`, throughput,
      `must be at most ${limits.throughput.maxPerIops} MiB/s per provisioned IOPS for ${type}, that is ${limits.throughput.maxPerIops * iops} for ${iops} IOPS`);
  } else {
    check(profile.throughput === undefined, scope, `${prop}.throughput`, profile.throughput,
      `cannot be provisioned for ${type} (only gp3 has provisioned throughput)`);
  }
}

/** The size of a profile in GiB, fractional if it is not a whole number of GiB (which the checks reject). */
function sizeInGiB(profile: EbsVolumeProfile): number {
  return profile.size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
}
