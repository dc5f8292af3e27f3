import { Names, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct, IDependable } from 'constructs';
import { objectReadStatements, objectReadWriteStatements } from '../core/bucket-statements';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { SecureBucket } from '../core/secure-bucket';
import { check } from '../core/validation';
import { bucketRefusals } from '../rehearsal/common-calls';
import { Rehearsal } from '../rehearsal/expectations';
import { LakeFormationGovernance } from './lake-formation-governance';
import { StorageTiering } from './storage-tiering';

/** Glue actions that read the catalog entries of a zone (needed with or without Lake Formation). */
export const CATALOG_READ_ACTIONS = [
  'glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetTableVersion', 'glue:GetTableVersions',
  'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition',
];
/** Glue actions that create and change tables and partitions in a zone's database. */
export const CATALOG_WRITE_ACTIONS = [
  'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable', 'glue:BatchDeleteTable',
  'glue:CreatePartition', 'glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:BatchUpdatePartition',
  'glue:DeletePartition', 'glue:BatchDeletePartition',
];

/** Glue database names that every engine of the lake accepts (Athena rejects upper case and hyphens). */
const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;

/** Properties of a {@link DataLakeZone}. */
export interface DataLakeZoneProps extends DataRetentionProps {
  /** The zone's name, such as `raw`, `curated` or `analytics`. */
  readonly zoneName: string;
  /** The customer-managed key that encrypts the zone's objects. */
  readonly encryptionKey: kms.IKey;
  /** Where S3 writes the zone bucket's access logs. */
  readonly serverAccessLogsBucket: s3.IBucket;
  /** When and where the zone's objects move between storage classes. */
  readonly tiering: StorageTiering;
  /**
   * The name of the zone's Glue database: lower-case letters, digits and underscores.
   *
   * @default - derived from the construct path, unique in the account and region
   */
  readonly databaseName?: string;
  /**
   * The Lake Formation governance of the lake. When given, the zone's location is registered with
   * Lake Formation, its database does not grant `IAM_ALLOWED_PRINCIPALS` on new tables, and the
   * zone's grants are Lake Formation permissions.
   *
   * @default - access is controlled by IAM and the key policy alone
   */
  readonly governance?: LakeFormationGovernance;
  /**
   * LF-tags of the zone's database (key → value), inherited by its tables. Needs `governance`,
   * and each key and value must be one of its tags.
   *
   * @default - no LF-tags
   */
  readonly lfTags?: Record<string, string>;
}

/**
 * A zone of a data lake, as every consumer of the library takes it: a bucket for its objects, the
 * customer-managed key that encrypts them, and a Glue database for its tables. Make one with
 * `DataLake` (its `zones`), or bring an existing bucket, key and database with
 * {@link DataLakeZone.fromZoneAttributes}.
 */
export interface IDataLakeZone extends IConstruct {
  /** The zone's name, such as `raw`, `curated` or `analytics`. */
  readonly zoneName: string;
  /** The zone's bucket. */
  readonly bucket: s3.IBucket;
  /** The customer-managed KMS key that encrypts the zone's objects. */
  readonly encryptionKey: kms.IKey;
  /** The name of the zone's Glue database. */
  readonly databaseName: string;
  /** The ARNs of the zone's Glue database and of its tables. */
  readonly databaseArns: string[];
  /** The ARNs of the Glue Data Catalog, the zone's database and its tables. */
  readonly catalogArns: string[];
  /**
   * Whether the zone is governed by Lake Formation. Then `grantRead` and `grantReadWrite` give Lake
   * Formation permissions and no bucket permission: a service that reads or writes the bucket
   * directly with its own role (a Glue crawler or job, DMS) also needs bucket statements.
   */
  readonly lakeFormationGoverned: boolean;
  /** Lets `grantee` read the zone: its tables in the catalog and the objects behind them. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
  /** Lets `grantee` read and write the zone's objects and create and change its tables. */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant;
}

/** An existing bucket, key and Glue database, to use as a zone: see {@link DataLakeZone.fromZoneAttributes}. */
export interface DataLakeZoneAttributes {
  /** The bucket of the zone's objects. */
  readonly bucket: s3.IBucket;
  /**
   * The customer-managed KMS key of the bucket's objects.
   *
   * @default - the bucket's own `encryptionKey`; required when the bucket has none
   */
  readonly encryptionKey?: kms.IKey;
  /** The name of the zone's Glue database (lower-case letters, digits and underscores). */
  readonly databaseName: string;
  /**
   * The zone's name, used in descriptions and external schema names.
   *
   * @default - the construct id, in lower case
   */
  readonly zoneName?: string;
}

/**
 * Whether `x` is a lake zone (any {@link IDataLakeZone}, from this copy of the library or another),
 * judged by its members rather than by its class.
 */
export function isDataLakeZone(x: unknown): x is IDataLakeZone {
  return typeof x === 'object' && x !== null && 'zoneName' in x && 'databaseName' in x && 'bucket' in x
    && typeof (x as IDataLakeZone).grantRead === 'function' && typeof (x as IDataLakeZone).grantReadWrite === 'function';
}

/** The grants every zone has, made or imported. */
export abstract class DataLakeZoneBase extends Construct implements IDataLakeZone {
  public abstract readonly zoneName: string;
  public abstract readonly bucket: s3.IBucket;
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly databaseName: string;
  /** The Lake Formation governance of the zone's lake, when it is governed. */
  public abstract readonly governance?: LakeFormationGovernance;

  public get lakeFormationGoverned(): boolean {
    return this.governance !== undefined;
  }

  public get catalogArns(): string[] {
    return [catalogArn(this), ...this.databaseArns];
  }

  public get databaseArns(): string[] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
    ];
  }

  /**
   * Lets `grantee` read the zone: its tables in the catalog and the objects behind them.
   *
   * Without Lake Formation: IAM permissions on the bucket's objects, the key and the catalog.
   * With Lake Formation: `DESCRIBE` on the database and `SELECT`/`DESCRIBE` on all its tables, plus
   * the IAM permissions Lake Formation still requires (`lakeformation:GetDataAccess` and the Glue
   * catalog reads); integrated engines then read the objects with credentials that Lake Formation
   * vends, and `grantee` needs no bucket permission. `grantee` must then be an IAM role or user.
   *
   * The IAM permissions go into a policy of their own (see `attachGrantPolicy`); the returned grant
   * also depends on the Lake Formation permissions, so that `grant.applyBefore(x)` waits for both.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const permissions = this.governance ? [
      this.governance.addDatabasePermissions(this, grantee, this.databaseName, ['DESCRIBE']),
      this.governance.addTablePermissions(this, grantee, this.databaseName, ['SELECT', 'DESCRIBE']),
    ] : [];
    return this.grantCatalogAndObjects(`Read${granteeId(this, grantee)}`, grantee, CATALOG_READ_ACTIONS,
      objectReadStatements(this.bucket, this.encryptionKey), permissions);
  }

  /**
   * Lets `grantee` read and write the zone's objects and create and change its tables.
   *
   * With Lake Formation: `CREATE_TABLE`, `ALTER` and `DESCRIBE` on the database, `SELECT`,
   * `INSERT`, `DELETE`, `ALTER` and `DESCRIBE` on all its tables, and `DATA_LOCATION_ACCESS` on the
   * zone's location (needed to create tables that point at it). Services that write objects
   * directly rather than through Lake Formation (Firehose, DMS) need `bucket` grants instead.
   */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    const permissions = this.governance ? [
      this.governance.addDatabasePermissions(this, grantee, this.databaseName, ['CREATE_TABLE', 'ALTER', 'DESCRIBE']),
      this.governance.addTablePermissions(this, grantee, this.databaseName, ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE']),
      this.governance.addDataLocationPermission(this, grantee, this.bucket),
    ] : [];
    return this.grantCatalogAndObjects(`Write${granteeId(this, grantee)}`, grantee, [...CATALOG_READ_ACTIONS, ...CATALOG_WRITE_ACTIONS],
      objectReadWriteStatements(this.bucket, this.encryptionKey), permissions);
  }

  private grantCatalogAndObjects(id: string, grantee: iam.IGrantable, catalogActions: string[], objectStatements: iam.PolicyStatement[],
    permissions: IDependable[]): iam.Grant {
    const catalog = new iam.PolicyStatement({ actions: catalogActions, resources: this.catalogArns });
    return attachGrantPolicy(this, id, {
      grantee,
      statements: this.governance ? [catalog, this.governance.dataAccessStatement()] : [catalog, ...objectStatements],
      dependables: permissions,
      wildcardReason: this.governance
        ? `all tables of the ${this.zoneName} zone's database (\`table/${this.databaseName}/*\`): crawlers and jobs create them after deployment; `
          + 'lakeformation:GetDataAccess only accepts `*`, and Lake Formation grants decide what it vends'
        : `all tables of the ${this.zoneName} zone's database and all objects of its bucket (\`table/${this.databaseName}/*\`, \`<bucket>/*\`): `
          + 'crawlers and jobs create them after deployment',
    });
  }
}

/**
 * One zone of a data lake: a bucket for its objects and a Glue database for its tables.
 *
 * Zones separate data by how refined it is. The raw zone keeps what the sources sent, unchanged,
 * so that any later step can be re-run; the curated zone holds cleaned, deduplicated, typed data
 * (usually Parquet, partitioned); the analytics zone holds aggregates and features built for one
 * use. Each zone has its own bucket, so that it can have its own lifecycle tiering and its own
 * grants, and its own Glue database, so that crawlers, Athena, Spark and SageMaker see its tables.
 *
 * Cost at idle: nothing beyond storage (S3 bills per GB-month and per request; the Glue Data
 * Catalog is free for the first million objects).
 */
export class DataLakeZone extends DataLakeZoneBase {
  /**
   * An existing bucket, its KMS key and a Glue database, as a zone that every construct of the
   * library accepts. Its grants are IAM grants (bucket, key and catalog); a database that Lake
   * Formation governs also needs Lake Formation permissions, which you grant where the lake is
   * governed.
   */
  public static fromZoneAttributes(scope: Construct, id: string, attrs: DataLakeZoneAttributes): IDataLakeZone {
    return new ImportedDataLakeZone(scope, id, attrs);
  }

  /** The zone's name. */
  public readonly zoneName: string;
  /** The zone's bucket. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts the zone's objects. */
  public readonly encryptionKey: kms.IKey;
  /** The zone's Glue database. */
  public readonly database: glue.CfnDatabase;
  /** The name of the zone's Glue database. */
  public readonly databaseName: string;
  /** The zone's lifecycle tiering. */
  public readonly tiering: StorageTiering;
  /** The Lake Formation governance of the zone's lake, when it is governed. */
  public readonly governance?: LakeFormationGovernance;

  constructor(scope: Construct, id: string, props: DataLakeZoneProps) {
    super(scope, id);
    this.zoneName = props.zoneName;
    this.tiering = props.tiering;
    this.governance = props.governance;
    this.encryptionKey = props.encryptionKey;
    this.databaseName = props.databaseName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '_' }).toLowerCase().replace(/[^a-z0-9_]/g, '_');
    checkDatabaseName(this, this.databaseName);
    const tiering = props.tiering.render(this, 'tiering');
    this.bucket = new SecureBucket(this, 'Bucket', {
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      lifecycleRules: tiering.lifecycleRules,
      transitionDefaultMinimumObjectSize: tiering.transitionDefaultMinimumObjectSize,
      removalPolicy: props.removalPolicy,
    });

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: this.databaseName,
        description: `The ${this.zoneName} zone of the data lake`,
        locationUri: this.bucket.s3UrlForObject(),
        // Under Lake Formation, tables created in this database grant nothing to
        // IAM_ALLOWED_PRINCIPALS: access comes from Lake Formation grants only.
        createTableDefaultPermissions: props.governance ? [] : undefined,
      },
    });
    this.database.applyRemovalPolicy(dataRemovalPolicy(props));
    // On the data-flow diagram: the zone's bucket, and its database in the stack's one catalog node.
    DataFlow.node(this, 'Zone', { label: `${this.zoneName} zone`, detail: 'S3 bucket', stage: DataFlowStage.STORAGE, resources: [this.bucket] });
    DataFlow.node(Stack.of(this), 'GlueDataCatalog', {
      label: 'Glue Data Catalog', detail: 'databases and tables', stage: DataFlowStage.CATALOG, resources: [this.database], roles: [],
    });
    props.governance?.governDatabase(this.database);
    props.governance?.registerLocation(this.bucket, props.encryptionKey);
    if (props.lfTags && Object.keys(props.lfTags).length > 0) {
      check(props.governance !== undefined, this, 'lfTags', props.lfTags, 'need Lake Formation governance (LF-tags are Lake Formation resources)');
      props.governance?.tagDatabase(this, this.databaseName, props.lfTags);
    }
    // The bucket policy refuses plain HTTP even to the lake's own reader; nobody without a grant reads.
    const reader = props.governance?.dataAccessRole ?? new iam.AccountRootPrincipal();
    Rehearsal.of(this).denies(...bucketRefusals(this, this.bucket, reader, `the ${this.zoneName} zone's objects`));
  }
}

/** A zone made of an existing bucket, key and Glue database. */
class ImportedDataLakeZone extends DataLakeZoneBase {
  public readonly zoneName: string;
  public readonly bucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  public readonly databaseName: string;
  public readonly governance = undefined;

  constructor(scope: Construct, id: string, attrs: DataLakeZoneAttributes) {
    super(scope, id);
    this.zoneName = attrs.zoneName ?? id.toLowerCase();
    this.bucket = attrs.bucket;
    const key = attrs.encryptionKey ?? attrs.bucket.encryptionKey;
    check(key !== undefined, this, 'encryptionKey', undefined,
      'must be given when the bucket has no KMS key of its own (`bucket.encryptionKey`): every zone is encrypted with a customer-managed key');
    this.encryptionKey = key!;
    this.databaseName = attrs.databaseName;
    checkDatabaseName(this, this.databaseName);
  }
}

/** Athena, Glue and Spark accept database names of lower-case letters, digits and underscores. */
function checkDatabaseName(scope: IConstruct, databaseName: string): void {
  if (!Token.isUnresolved(databaseName)) {
    check(DATABASE_NAME.test(databaseName), scope, 'databaseName', databaseName,
      'must be 1 to 255 lower-case letters, digits or underscores (Athena cannot query databases with other names)');
  }
}

/** The ARN of the Glue Data Catalog of the account and region of `scope`. */
export function catalogArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'glue', resource: 'catalog' });
}

/** The bucket of a zone or of a bucket, with the key of its objects (a bucket's own key, if it has one). */
export interface ObjectLocation {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /**
   * The KMS key of its objects.
   *
   * @default - none known (an imported bucket without `encryptionKey`)
   */
  readonly encryptionKey?: kms.IKey;
}

/** The bucket and key of `location`: a lake zone's, or a bucket's own. */
export function objectLocation(location: IDataLakeZone | s3.IBucket): ObjectLocation {
  return isDataLakeZone(location)
    ? { bucket: location.bucket, encryptionKey: location.encryptionKey }
    : { bucket: location, encryptionKey: location.encryptionKey };
}
