import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataRetentionProps } from '../core/data-retention';
import { AccessLogBucket } from '../core/access-log-bucket';
import { createDataKey } from '../core/secure-bucket';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { PropValidationError, check, checkCount, checkInteger } from '../core/validation';
import { CATALOG_READ_ACTIONS, DataLakeZone, catalogArn } from './data-lake-zone';
import { LakeFormationGovernance, LakeFormationGovernanceProps, TagGrant } from './lake-formation-governance';
import { StorageTiering } from './storage-tiering';

/** One zone of a {@link DataLake}. */
export interface DataLakeZoneOptions {
  /** The zone's name: a lower-case letter, then up to 31 lower-case letters, digits or hyphens. */
  readonly name: string;
  /**
   * The zone's lifecycle tiering.
   *
   * @default - by name: `raw` → `StorageTiering.rawLandingThenArchive()`, `analytics` →
   * `StorageTiering.frequentlyRead()`, any other zone → `StorageTiering.intelligentTiering()`
   */
  readonly tiering?: StorageTiering;
  /**
   * The name of the zone's Glue database.
   *
   * @default - derived from the construct path, unique in the account and region
   */
  readonly databaseName?: string;
  /**
   * LF-tags of the zone's database (key → value). Needs Lake Formation (`lakeFormation` or
   * `governance`) with these tags.
   *
   * @default - no LF-tags
   */
  readonly lfTags?: Record<string, string>;
}

/** Properties of a {@link DataLake}. */
export interface DataLakeProps extends DataRetentionProps {
  /**
   * The zones, each with its own bucket and Glue database.
   *
   * @default - `raw`, `curated` and `analytics`, tiered by name (see {@link DataLakeZoneOptions.tiering})
   */
  readonly zones?: DataLakeZoneOptions[];
  /**
   * The customer-managed KMS key that encrypts every zone.
   *
   * @default - a new key with yearly automatic rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Where S3 writes the server access logs of the zones. An existing bucket must admit the S3
   * logging service (`logging.s3.amazonaws.com`) and use SSE-S3 without Object Lock.
   *
   * @default - a new access-log bucket (SSE-S3, no Object Lock), logs kept `accessLogsRetention`
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * How long S3 server access logs of the zones are kept, in the access-log bucket the lake
   * creates (not with `serverAccessLogsBucket`).
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
  /**
   * Govern the lake with AWS Lake Formation: administrators, registered locations, Lake Formation
   * grants and LF-tags. Omit it to control access with IAM and the key policy alone.
   *
   * @default - no Lake Formation governance
   */
  readonly lakeFormation?: LakeFormationGovernanceProps;
  /**
   * An existing Lake Formation governance of this stack to govern the lake with, shared with other
   * lakes, instead of a new one (`lakeFormation`). Lake Formation settings and LF-tags exist once
   * per account and Region, so two lakes of one stack cannot each create them: create one
   * `LakeFormationGovernance` (with the administrators and every lake's LF-tags) and pass it to
   * each lake. For a lake in another stack, use `lakeFormation: { settingsFrom: governance }`.
   *
   * @default - governed as `lakeFormation` says
   */
  readonly governance?: LakeFormationGovernance;
}

/** The zones a lake has when none are named. */
const DEFAULT_ZONES = ['raw', 'curated', 'analytics'];
const ZONE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * An S3 data lake: zones of encrypted, versioned, access-logged buckets, each with a Glue
 * database and a lifecycle tiering suited to how it is read, optionally governed by AWS Lake
 * Formation.
 *
 * A data lake keeps structured and unstructured data, at any scale, in its original format, and
 * lets many engines (Athena, Glue, EMR, Redshift Spectrum, SageMaker) read it in place through a
 * shared catalog. On AWS it is S3 plus the Glue Data Catalog; Lake Formation is the governance
 * layer on top, not the storage itself (the notes blur the two).
 *
 * The choices made here:
 * - Three zones by default, raw → curated → analytics, each a bucket of its own, so that each has
 *   its own tiering and grants: raw data is archived after it has been processed, curated data is
 *   intelligently tiered, analytics data stays in STANDARD because it is read daily.
 * - One customer-managed KMS key for all zones, rotated yearly: one key to grant, audit and share.
 *   S3 Bucket Keys keep the KMS request cost low.
 * - One access-log bucket for the zones (SSE-S3, because S3 cannot deliver access logs to an
 *   SSE-KMS bucket), with logs expiring after a year.
 * - Versioning with Object Lock, TLS only, public access blocked, ACLs disabled, EventBridge
 *   notifications, data retained on stack deletion (see `SecureBucket`).
 *
 * Cost at idle: about 1 USD a month for the KMS key; everything else bills by stored GB and
 * requests.
 */
export class DataLake extends Construct {
  /** The key that encrypts every zone. */
  public readonly encryptionKey: kms.IKey;
  /** Where S3 writes the zones' server access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The zones, in the order they were given. */
  public readonly zones: DataLakeZone[];
  /** The Lake Formation governance, when `lakeFormation` or `governance` was given. */
  public readonly governance?: LakeFormationGovernance;

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    const zoneOptions: DataLakeZoneOptions[] = props.zones ?? DEFAULT_ZONES.map(name => ({ name }));
    this.validateZones(zoneOptions);
    if (props.accessLogsRetention) {
      checkInteger(this, 'accessLogsRetention', props.accessLogsRetention.toDays({ integral: false }), { min: 1, why: 'in days: S3 expires objects by whole days' });
    }

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the zones of the data lake ${this.node.path}`, props);
    check(!(props.serverAccessLogsBucket && props.accessLogsRetention), this, 'accessLogsRetention', props.accessLogsRetention?.toDays({ integral: false }),
      'must not be given with `serverAccessLogsBucket` (the retention of a given log bucket is its own)');
    this.accessLogsBucket = props.serverAccessLogsBucket ?? new AccessLogBucket(this, 'AccessLogs', {
      retention: props.accessLogsRetention,
      removalPolicy: props.removalPolicy,
    });
    if (props.governance) {
      check(props.lakeFormation === undefined, this, 'lakeFormation', props.lakeFormation,
        'must not be set with `governance`, which already governs the lake');
      check(Stack.of(props.governance) === Stack.of(this), this, 'governance', props.governance.node.path,
        'must be in the lake\'s stack (it registers the lake\'s locations and creates its grants); for a lake in another stack, '
        + 'set `lakeFormation: { settingsFrom: <governance> }`');
      this.governance = props.governance;
    } else if (props.lakeFormation) {
      this.governance = new LakeFormationGovernance(this, 'Governance', props.lakeFormation);
    }

    this.zones = zoneOptions.map(zone => new DataLakeZone(this, zoneConstructId(zone.name), {
      zoneName: zone.name,
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: this.accessLogsBucket,
      tiering: zone.tiering ?? defaultTiering(zone.name),
      databaseName: zone.databaseName,
      lfTags: zone.lfTags,
      governance: this.governance,
      removalPolicy: props.removalPolicy,
    }));
  }

  /** The zone named `name`. */
  public zone(name: string): DataLakeZone {
    const found = this.zones.find(zone => zone.zoneName === name);
    if (!found) {
      throw new PropValidationError(this, 'zone name', name, `must be one of the lake's zones (${this.zones.map(z => z.zoneName).join(', ')})`);
    }
    return found;
  }

  /**
   * Grants `grantee` Lake Formation permissions on every database or table of the lake whose
   * LF-tags match `grant.expression`, plus the IAM permissions to read the lake's catalog and get
   * data credentials (in a policy of their own). Needs `lakeFormation`. The returned grant depends
   * on the Lake Formation permission too.
   */
  public grantOnTags(grantee: iam.IGrantable, grant: TagGrant): iam.Grant {
    if (!this.governance) {
      throw new PropValidationError(this, 'lakeFormation', undefined, 'must be set to grant on LF-tags');
    }
    const permission = this.governance.addTagPermissions(this, grantee, grant);
    return attachGrantPolicy(this, `TagGrants${granteeId(this, grantee)}`, {
      grantee,
      statements: [
        new iam.PolicyStatement({ actions: CATALOG_READ_ACTIONS, resources: [catalogArn(this), ...this.zones.flatMap(zone => zone.databaseArns)] }),
        this.governance.dataAccessStatement(),
      ],
      dependables: [permission],
      wildcardReason: 'tag grants cover all tables of the lake\'s databases (`table/<database>/*`), created after deployment; '
        + 'lakeformation:GetDataAccess only accepts `*`, and Lake Formation grants decide what it vends',
    });
  }

  private validateZones(zones: DataLakeZoneOptions[]): void {
    checkCount(this, 'zones', zones.length, { min: 1 }, 'zones');
    const seen = new Set<string>();
    zones.forEach((zone, index) => {
      check(ZONE_NAME.test(zone.name), this, `zones[${index}].name`, zone.name,
        'must be a lower-case letter followed by up to 31 lower-case letters, digits or hyphens');
      check(!seen.has(zone.name), this, `zones[${index}].name`, zone.name, 'must be unique within the lake');
      seen.add(zone.name);
    });
  }
}

/** The tiering a zone gets when none is given, chosen by how such a zone is read. */
function defaultTiering(zoneName: string): StorageTiering {
  switch (zoneName) {
    case 'raw':
      return StorageTiering.rawLandingThenArchive();
    case 'analytics':
      return StorageTiering.frequentlyRead();
    default:
      return StorageTiering.intelligentTiering();
  }
}

/** `raw` → `Raw`, `feature-store` → `FeatureStore`. */
function zoneConstructId(zoneName: string): string {
  return zoneName.split('-').map(part => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
