import { Duration, Names, Size, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { objectReadWriteStatements } from '../core/bucket-statements';
import { DataRetentionProps, dataRemovalPolicy, destroysData } from '../core/data-retention';
import { attachGrantPolicy, granteeId } from '../core/grant-policy';
import { AccessLogBucket } from '../core/access-log-bucket';
import { SecureBucket, createDataKey } from '../core/secure-bucket';
import { check, checkInteger, checkLength } from '../core/validation';
import { bucketRefusals } from '../rehearsal/common-calls';
import { Rehearsal } from '../rehearsal/expectations';
import { IDataLakeZone } from '../storage/data-lake-zone';

/** Athena engine versions a workgroup may select. */
export type AthenaEngineVersion = 'Athena engine version 3' | 'AUTO';

/** A saved query of the workgroup. */
export interface NamedQueryOptions {
  /** The query's name, as the console lists it (1 to 128 characters). */
  readonly name: string;
  /** The SQL (1 to 262,144 characters). */
  readonly query: string;
  /** The database the query runs in. */
  readonly database: string;
  /**
   * What the query answers (1 to 1,024 characters).
   *
   * @default - none
   */
  readonly description?: string;
}

/** Properties of an {@link AthenaWorkgroup}. */
export interface AthenaWorkgroupProps extends DataRetentionProps {
  /**
   * The workgroup's name (1 to 128 letters, digits, `.`, `_` or `-`).
   *
   * @default - derived from the construct path, unique in the account and region
   */
  readonly workgroupName?: string;
  /**
   * The most one query may scan; Athena cancels a query that would scan more. At least
   * 10,000,000 bytes (10 MB, also the minimum Athena bills per query).
   *
   * @default Size.gibibytes(1) (about 0.005 USD at 5 USD per TB)
   */
  readonly bytesScannedCutoffPerQuery?: Size;
  /**
   * How long query results are kept.
   *
   * @default Duration.days(30)
   */
  readonly resultsExpiration?: Duration;
  /**
   * The key that encrypts query results.
   *
   * @default - a new key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Where S3 writes the results bucket's access logs.
   *
   * @default - a new access-log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * The Athena engine version.
   *
   * @default 'Athena engine version 3'
   */
  readonly engineVersion?: AthenaEngineVersion;
  /**
   * Saved queries, for example the demo tables' first questions.
   *
   * @default - none
   */
  readonly namedQueries?: NamedQueryOptions[];
  /**
   * The lake zones the workgroup's users query: `grantQuery` also grants reading them (with
   * Lake Formation permissions when the lake uses Lake Formation).
   *
   * @default - none
   */
  readonly zones?: IDataLakeZone[];
}

const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
/** Running queries in one workgroup, from the console or a driver: the example policy of the Athena guide. */
const QUERY_POLICY_SOURCE = 'https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html';
/** What the Athena console and drivers list before a query: workgroups, catalogs, engine versions (these take no resource). */
const LIST_ACTIONS = ['athena:ListWorkGroups', 'athena:ListDataCatalogs', 'athena:ListEngineVersions'];
/** What they read of the account's Glue Data Catalog through Athena (resource: `datacatalog/AwsDataCatalog`). */
const CATALOG_ACTIONS = ['athena:GetDataCatalog', 'athena:ListDatabases', 'athena:GetDatabase', 'athena:ListTableMetadata', 'athena:GetTableMetadata'];
const ENGINE_VERSIONS: AthenaEngineVersion[] = ['Athena engine version 3', 'AUTO'];

/**
 * An Amazon Athena workgroup for querying a data lake: serverless SQL over the Glue Data Catalog,
 * billed per byte scanned, with its settings enforced and a scan limit on every query.
 *
 * Athena runs SQL (Trino) directly on the files in S3, through the table definitions in the Glue
 * Data Catalog; there is no cluster to size or to stop. A workgroup separates users, their query
 * history, their result location and their cost controls.
 *
 * The choices made here:
 * - Enforced workgroup configuration: clients cannot send results elsewhere or turn off their
 *   encryption.
 * - Results in a bucket of their own, encrypted with SSE-KMS, versioned and access-logged like
 *   every bucket of the library, expiring after `resultsExpiration`: results are caches, and
 *   queries return data that the lake's grants protect.
 * - A per-query scan limit (1 GiB by default): a query that forgets its partition filter is
 *   cancelled instead of scanning the whole lake. Partitioned Parquet (see `GlueEtlPipeline`)
 *   keeps real queries far below it.
 * - CloudWatch metrics on, engine version 3 pinned (AUTO would let Athena upgrade it).
 * - `grantQuery` gives an analyst the workgroup, its results, and read access to the zones
 *   (Lake Formation permissions when the lake is governed), plus what the Athena console and
 *   drivers list before a query runs (workgroups, data catalogs, engine versions, and the
 *   databases and tables of the account's `AwsDataCatalog`), as the Athena guide's policy for
 *   running queries in a workgroup has it.
 *
 * @see https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html
 *
 * Cost at idle: nothing for the workgroup and named queries; about 1 USD a month if the
 * workgroup creates its own key. Queries bill 5 USD per TB scanned, 10 MB minimum per query.
 */
export class AthenaWorkgroup extends Construct {
  /** The workgroup. */
  public readonly workgroup: athena.CfnWorkGroup;
  /** The workgroup's name. */
  public readonly workgroupName: string;
  /** Where query results go. */
  public readonly resultsBucket: s3.Bucket;
  /** The key that encrypts query results. */
  public readonly encryptionKey: kms.IKey;
  /** The named queries, in the order given. */
  public readonly namedQueries: athena.CfnNamedQuery[];
  private readonly zones: IDataLakeZone[];

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps = {}) {
    super(scope, id);
    this.zones = props.zones ?? [];
    this.workgroupName = props.workgroupName ?? Names.uniqueResourceName(this, { maxLength: 128 });
    const cutoff = (props.bytesScannedCutoffPerQuery ?? Size.gibibytes(1)).toBytes();
    const expiration = props.resultsExpiration ?? Duration.days(30);
    const engineVersion = props.engineVersion ?? 'Athena engine version 3';
    this.validate(props, cutoff, expiration, engineVersion);

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the Athena query results of ${this.node.path}`, props);
    this.resultsBucket = new SecureBucket(this, 'Results', {
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: props.serverAccessLogsBucket ?? new AccessLogBucket(this, 'AccessLogs', { removalPolicy: props.removalPolicy }),
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{
        id: 'expire-query-results',
        expiration,
        noncurrentVersionExpiration: Duration.days(1),
        // Cancelled queries leave incomplete multipart uploads behind.
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workgroupName,
      description: `Queries the data lake; results expire after ${expiration.toDays()} days`,
      state: 'ENABLED',
      // With DESTROY, CloudFormation may delete the workgroup with its named queries and history.
      recursiveDeleteOption: destroysData(props),
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: engineVersion },
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject('results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.encryptionKey.keyArn },
          expectedBucketOwner: Stack.of(this).account,
        },
      },
    });
    this.workgroup.applyRemovalPolicy(dataRemovalPolicy(props));
    Rehearsal.of(this).denies(...bucketRefusals(this, this.resultsBucket, new iam.AccountRootPrincipal(), 'query results'));

    DataFlow.node(this, 'WorkGroupNode', { label: 'Athena workgroup', detail: this.node.id, stage: DataFlowStage.CONSUMER, resources: [this.workgroup] });

    this.namedQueries = (props.namedQueries ?? []).map((query, index) => {
      const named = new athena.CfnNamedQuery(this, `Query${index}`, {
        name: query.name,
        description: query.description,
        database: query.database,
        queryString: query.query,
        workGroup: this.workgroup.ref,
      });
      return named;
    });
  }

  /**
   * Lets `grantee` run queries in the workgroup, read their results, and read the workgroup's
   * zones (Lake Formation permissions when the lake is governed). The Athena and results
   * permissions go into a policy of their own; the returned grant combines it with the zones' grants.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const zoneGrants = this.zones.map(zone => zone.grantRead(grantee));
    const stack = Stack.of(this);
    const workgroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroup.ref });
    const dataCatalogArn = stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' });
    const analyst = grantee.grantPrincipal;
    if ('roleArn' in analyst || 'userArn' in analyst) {
      Rehearsal.of(this).allows(
        { description: 'the analyst lists the workgroups (console, drivers)', principal: analyst, action: 'athena:ListWorkGroups', resource: '*', source: QUERY_POLICY_SOURCE },
        { description: 'the analyst lists the tables of the data catalog', principal: analyst, action: 'athena:ListTableMetadata', resource: dataCatalogArn, source: QUERY_POLICY_SOURCE },
        { description: 'the analyst runs a query in the workgroup', principal: analyst, action: 'athena:StartQueryExecution', resource: workgroupArn, source: QUERY_POLICY_SOURCE },
      );
    }
    const grant = attachGrantPolicy(this, `Query${granteeId(this, grantee)}`, {
      grantee,
      statements: [
        new iam.PolicyStatement({ actions: LIST_ACTIONS, resources: ['*'] }),
        new iam.PolicyStatement({ actions: CATALOG_ACTIONS, resources: [dataCatalogArn] }),
        new iam.PolicyStatement({
          actions: [
            'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
            'athena:GetQueryResultsStream', 'athena:GetQueryRuntimeStatistics', 'athena:ListQueryExecutions', 'athena:BatchGetQueryExecution',
            'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery', 'athena:BatchGetNamedQuery',
          ],
          resources: [workgroupArn],
        }),
        ...objectReadWriteStatements(this.resultsBucket, this.encryptionKey),
      ],
      wildcardReason: 'Athena writes each query\'s results under a new object name in the results bucket (`<bucket>/*`); '
        + 'athena:ListWorkGroups, ListDataCatalogs and ListEngineVersions accept only `*`',
    });
    return zoneGrants.reduce((all, zoneGrant) => all.combine(zoneGrant), grant);
  }

  private validate(props: AthenaWorkgroupProps, cutoff: number, expiration: Duration, engineVersion: string): void {
    check(WORKGROUP_NAME.test(this.workgroupName), this, 'workgroupName', this.workgroupName,
      'must be 1 to 128 letters, digits, periods, underscores or hyphens');
    // @see https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
    checkInteger(this, 'bytesScannedCutoffPerQuery', cutoff, { min: 10_000_000, why: 'bytes: Athena\'s smallest per-query limit is 10 MB' });
    checkInteger(this, 'resultsExpiration', expiration.toDays({ integral: false }), { min: 1, why: 'in days: S3 expires objects by whole days' });
    check(ENGINE_VERSIONS.includes(engineVersion as AthenaEngineVersion), this, 'engineVersion', engineVersion,
      `must be one of ${ENGINE_VERSIONS.map(v => `'${v}'`).join(', ')} (engine version 2 is retired)`);
    // @see https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateNamedQuery.html
    (props.namedQueries ?? []).forEach((query, index) => {
      check(query.name.length >= 1 && query.name.length <= 128, this, `namedQueries[${index}].name`, query.name, 'must be 1 to 128 characters');
      check(query.query.trim().length >= 1 && query.query.length <= 262_144, this, `namedQueries[${index}].query`, query.query,
        'must be 1 to 262,144 characters of SQL');
      check(query.database.length >= 1 && query.database.length <= 255, this, `namedQueries[${index}].database`, query.database,
        'must be 1 to 255 characters');
      if (query.description !== undefined) {
        checkLength(this, `namedQueries[${index}].description`, query.description, { min: 1, max: 1024, why: 'Athena named query descriptions' });
      }
    });
  }
}
