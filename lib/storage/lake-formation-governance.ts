import { createHash } from 'crypto';
import { CfnResource, DefaultStackSynthesizer, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DataFlow, DataFlowNode, DataFlowStage } from '../core/data-flow';
import { granteeId, principalArn } from '../core/grant-policy';
import { objectReadWriteStatements } from '../core/bucket-statements';
import { PropValidationError, check, checkCount } from '../core/validation';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { S3_KMS_SOURCE, serviceAssumesRole, viaS3 } from '../rehearsal/common-calls';
import { Rehearsal } from '../rehearsal/expectations';

/** Permissions Lake Formation grants on a database. */
export type DatabasePermission = 'ALL' | 'ALTER' | 'CREATE_TABLE' | 'DESCRIBE' | 'DROP';
/** Permissions Lake Formation grants on a table. */
export type TablePermission = 'ALL' | 'ALTER' | 'DELETE' | 'DESCRIBE' | 'DROP' | 'INSERT' | 'SELECT';

/** Properties of a {@link LakeFormationGovernance}. */
export interface LakeFormationGovernanceProps {
  /**
   * IAM roles to add as data lake administrators (for example the data platform team's role).
   *
   * @default - no other administrators
   */
  readonly admins?: iam.IRole[];
  /**
   * Add the CloudFormation execution role of the CDK bootstrap (`cdk-<qualifier>-cfn-exec-role-…`)
   * as a data lake administrator. CloudFormation creates the grants of this construct with that
   * role, and only an administrator (or a holder of the grant option) can grant.
   *
   * @default true
   */
  readonly includeDeploymentRole?: boolean;
  /**
   * LF-tags to create, each key with its allowed values. Tag databases with them (the zones'
   * `lfTags`) and grant on tag expressions with `grantOnTags`.
   *
   * @default - no LF-tags
   */
  readonly tags?: Record<string, string[]>;
  /**
   * The governance, in another stack of the app, that manages the account's Lake Formation
   * settings and LF-tags. Lake Formation keeps one set of settings (administrators) per account and
   * Region, and LF-tag keys are unique in the account: only one stack may create them (see the
   * class doc). With `settingsFrom`, this governance creates neither: it registers its own lake's
   * locations and makes its grants, validates LF-tags against that governance's `tags`, and its
   * stack depends on that one's, so `cdk deploy` creates the settings first. Both stacks must deploy
   * with the same CloudFormation execution role (the CDK bootstrap's, by default), the
   * administrator that the settings name; `admins`, `includeDeploymentRole` and `tags` belong to
   * that governance. In the same stack, share the governance itself instead (`DataLake`'s
   * `governance`).
   *
   * @default - this governance creates the account's settings and its `tags`
   */
  readonly settingsFrom?: LakeFormationGovernance;
}

/** A grant on the databases or tables whose LF-tags match an expression. */
export interface TagGrant {
  /** Tag keys with the values that match (all keys must match; any listed value of a key matches): at least one key, 1 to 50 values each. */
  readonly expression: Record<string, string[]>;
  /** Whether the grant covers the matching databases or the tables in them. */
  readonly resourceType: 'DATABASE' | 'TABLE';
  /**
   * What the grantee may do with the matching resources: for `DATABASE`, `ALL`, `ALTER`,
   * `CREATE_TABLE`, `DESCRIBE` or `DROP`; for `TABLE`, `ALL`, `ALTER`, `DELETE`, `DESCRIBE`,
   * `DROP`, `INSERT` or `SELECT` (Lake Formation rejects the others).
   */
  readonly permissions: Array<DatabasePermission | TablePermission>;
}

/**
 * The permissions Lake Formation accepts on an LF-tag policy, per resource type.
 *
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
 */
const TAG_POLICY_PERMISSIONS: Record<TagGrant['resourceType'], string[]> = {
  DATABASE: ['ALL', 'ALTER', 'CREATE_TABLE', 'DESCRIBE', 'DROP'],
  TABLE: ['ALL', 'ALTER', 'DELETE', 'DESCRIBE', 'DROP', 'INSERT', 'SELECT'],
};

/** Lake Formation changes one permission at a time: concurrent changes fail (ConcurrentModificationException). */
const CHAIN_SOURCE = 'https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html';
/** The role that registers a location must trust Lake Formation and Glue. */
const REGISTRATION_ROLE_SOURCE = 'https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html';

/**
 * LF-tag keys (1 to 128 characters) and values (0 to 256): letters, digits, spaces and
 * `_ . : / = + - @ %` (values may also use `*`).
 *
 * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_LFTag.html
 */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@%]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@%*]{0,256}$/u;
/**
 * Values per LF-tag in a template: `AWS::LakeFormation::Tag` takes 1 to 50 (`CreateLFTag` takes 50
 * per call; the 1,000 an LF-tag may have need later `UpdateLFTag` calls, which CloudFormation does not make).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lakeformation-tag.html
 */
const MAX_TAG_VALUES = 50;
/** @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakeSettings.html (DataLakeAdmins: at most 30) */
const MAX_ADMINS = 30;
/** @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html (LFTags: 1 to 50) */
const MAX_TAGS_PER_RESOURCE = 50;

/**
 * AWS Lake Formation governance for a data lake: administrators, registered locations, grants and
 * LF-tags.
 *
 * Without Lake Formation, access to a lake is the sum of IAM policies, bucket policies and key
 * policies, at the granularity of S3 prefixes. Lake Formation adds one place to grant access to
 * catalog databases, tables and columns (like a database's GRANT), and vends temporary S3
 * credentials to integrated engines (Athena, Glue, EMR, Redshift Spectrum) for the locations it
 * governs, so that analysts need no bucket permissions at all.
 *
 * The choices made here:
 * - `AWS::LakeFormation::DataLakeSettings` with `MutationType: APPEND`: the stack adds its
 *   administrators and never replaces the account's existing ones (the default `REPLACE` would
 *   overwrite them, and locking out the admins is a common way to lose control of a lake).
 * - Each location is registered with a dedicated data-access role, not the service-linked role:
 *   only a role of your own can use a customer-managed KMS key and be audited per lake. The role
 *   trusts `lakeformation.amazonaws.com` and `glue.amazonaws.com`, as Lake Formation requires of a
 *   registration role.
 * - Every Lake Formation resource depends on the one created before it: CloudFormation would
 *   otherwise create grants in parallel, and concurrent grants fail with
 *   `ConcurrentModificationException`.
 *
 * Account-wide singletons: Lake Formation keeps one set of settings per account and Region, and an
 * LF-tag key exists once in an account. A second governance that created them (for another lake
 * of the same stack, or in another stack of the same environment) would fail at deploy (the LF-tag
 * exists) or take the administrators away from the first when its stack is deleted. So one
 * governance creates them, and it is refused at synth when another one of the app already does
 * for the same account and Region (environment-agnostic stacks count as one environment: they
 * deploy wherever the CLI's credentials point). Several lakes of a stack share one governance
 * (`DataLake`'s `governance`); a governance in another stack takes the settings from the first
 * (`settingsFrom`).
 *
 * Cost: Lake Formation permissions are free; the data-access role and registrations cost nothing.
 *
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/what-is-lake-formation.html
 * @see https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html
 */
export class LakeFormationGovernance extends Construct {
  /** The data lake settings resource (APPEND mode): this governance's, or that of `settingsFrom`. */
  public readonly settings: lakeformation.CfnDataLakeSettings;
  /** The role Lake Formation assumes to read and write the registered locations. */
  public readonly dataAccessRole: iam.Role;
  /** The LF-tags of the account, by key: created by this construct, or by that of `settingsFrom`. */
  public readonly tags: Record<string, lakeformation.CfnTag> = {};
  /** The governance that manages the account's settings and LF-tags: this one, or `settingsFrom`. */
  public readonly settingsOwner: LakeFormationGovernance;
  private readonly tagValues: Record<string, string[]>;
  private readonly grantsByKey = new Map<string, lakeformation.CfnPrincipalPermissions>();
  private last?: CfnResource;
  /** The one data-flow node of the governance: Lake Formation grants, it stores nothing. */
  private readonly flowNode: DataFlowNode;

  constructor(scope: Construct, id: string, props: LakeFormationGovernanceProps = {}) {
    super(scope, id);
    if (props.settingsFrom) {
      this.validateSettingsFrom(props);
      this.settingsOwner = props.settingsFrom.settingsOwner;
      this.settings = this.settingsOwner.settings;
      Object.assign(this.tags, this.settingsOwner.tags);
      this.tagValues = this.settingsOwner.tagValues;
      Stack.of(this).addStackDependency(Stack.of(this.settingsOwner), 'Lake Formation settings and LF-tags of the account');
    } else {
      this.settingsOwner = this;
      this.settings = this.createSettings(props);
      this.last = this.settings;
      this.tagValues = props.tags ?? {};
    }
    // No roles on the diagram: the data-access role moves data for the principals Lake Formation
    // grants, so the grants (permission edges) are what the diagram shows.
    this.flowNode = DataFlow.node(this, 'LakeFormation', {
      label: 'Lake Formation', detail: 'grants, LF-tags', stage: DataFlowStage.CATALOG, resources: this.last ? [this.last] : [], roles: [], actor: false,
    });

    this.dataAccessRole = new iam.Role(this, 'DataAccessRole', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lakeformation.amazonaws.com'), new iam.ServicePrincipal('glue.amazonaws.com')),
      description: 'Lake Formation reads and writes the registered locations of the data lake with this role',
    });
    Rehearsal.of(this).allows(
      serviceAssumesRole('lakeformation.amazonaws.com', this.dataAccessRole, 'Lake Formation assumes the data-access role to vend credentials for registered locations', REGISTRATION_ROLE_SOURCE),
      serviceAssumesRole('glue.amazonaws.com', this.dataAccessRole, 'Glue assumes the data-access role of the registered locations', REGISTRATION_ROLE_SOURCE),
    );
    acknowledgeWildcards(this.dataAccessRole, 'Lake Formation reads and writes any object of the registered zone buckets '
      + '(`<bucket>/*`) on behalf of the principals it has granted; the role has no other permission');

    if (!props.settingsFrom) {
      this.createTags(this.tagValues);
    }
  }

  /** The account's administrators: the deployment role, unless left out, and `admins`. */
  private createSettings(props: LakeFormationGovernanceProps): lakeformation.CfnDataLakeSettings {
    const admins = (props.admins ?? []).map(role => role.roleArn);
    if (props.includeDeploymentRole ?? true) {
      admins.unshift(this.deploymentRoleArn());
    }
    check(admins.length > 0, this, 'admins', props.admins,
      'must name at least one role when `includeDeploymentRole` is false (someone must be able to grant)');
    checkCount(this, 'admins', admins.length, { max: MAX_ADMINS, why: 'Lake Formation data lake administrators, the deployment role included' }, 'roles');
    claimAccountSettings(this);
    return new lakeformation.CfnDataLakeSettings(this, 'Settings', {
      mutationType: 'APPEND',
      admins: admins.map(arn => ({ dataLakePrincipalIdentifier: arn })),
    });
  }

  private createTags(tags: Record<string, string[]>): void {
    Object.entries(tags).forEach(([key, values], index) => {
      check(TAG_KEY.test(key), this, `tags[${index}] key`, key,
        'must be 1 to 128 letters, digits, spaces or _ . : / = + - @ %');
      checkCount(this, `tags.${key}`, values.length, { min: 1, max: MAX_TAG_VALUES, why: 'AWS::LakeFormation::Tag takes 1 to 50 values' }, 'values');
      values.forEach(value => check(TAG_VALUE.test(value), this, `tags.${key}`, value,
        'values must be 0 to 256 letters, digits, spaces or _ . : / = + - @ % *'));
      check(new Set(values).size === values.length, this, `tags.${key}`, values, 'must not repeat a value');
      const tag = new lakeformation.CfnTag(this, `Tag${index}`, { tagKey: key, tagValues: values });
      this.chain(tag);
      this.tags[key] = tag;
    });
  }

  /** `settingsFrom` replaces the props that create the settings, and is for another stack. */
  private validateSettingsFrom(props: LakeFormationGovernanceProps): void {
    const owner = props.settingsFrom!;
    const given = (['admins', 'includeDeploymentRole', 'tags'] as const).filter(prop => props[prop] !== undefined);
    check(given.length === 0, this, given[0] ?? 'settingsFrom', props[given[0]],
      `must not be set with \`settingsFrom\`: the administrators and LF-tags of the account are those of ${owner.settingsOwner.node.path}`);
    check(Stack.of(owner) !== Stack.of(this), this, 'settingsFrom', owner.node.path,
      'must be a governance of another stack; in the same stack, share that governance itself (`DataLake`\'s `governance`)');
  }

  /** Orders a Glue database after the settings, so the deployment role is an administrator first. */
  public governDatabase(database: glue.CfnDatabase): void {
    this.chain(database);
  }

  /**
   * Registers `bucket` as a data lake location, read and written through the data-access role.
   */
  public registerLocation(bucket: s3.IBucket, key: kms.IKey): lakeformation.CfnResource {
    objectReadWriteStatements(bucket, key).forEach(statement => this.dataAccessRole.addToPrincipalPolicy(statement));
    const location = new lakeformation.CfnResource(this, `Location${Names.nodeUniqueId(bucket.node)}`, {
      resourceArn: bucket.bucketArn,
      useServiceLinkedRole: false,
      roleArn: this.dataAccessRole.roleArn,
    });
    // The role's policy must exist before Lake Formation uses the role.
    location.node.addDependency(this.dataAccessRole);
    this.chain(location);
    const role = this.dataAccessRole;
    const objects = bucket.arnForObjects('rehearsal/object');
    Rehearsal.of(this).allows(
      { description: 'the data-access role lists a registered location', principal: role, action: 's3:ListBucket', resource: bucket.bucketArn, source: REGISTRATION_ROLE_SOURCE },
      ...['s3:GetObject', 's3:PutObject'].map(action => ({
        description: `the data-access role ${action === 's3:GetObject' ? 'reads' : 'writes'} objects of a registered location`, principal: role, action, resource: objects, source: REGISTRATION_ROLE_SOURCE,
      })),
      ...['kms:Decrypt', 'kms:GenerateDataKey'].map(action => ({
        description: `the data-access role uses the location's key through S3 (${action})`, principal: role, action, resource: key.keyArn, context: viaS3(this), source: S3_KMS_SOURCE,
      })),
    );
    return location;
  }

  /**
   * The IAM permission every Lake Formation principal needs to receive data credentials.
   * `lakeformation:GetDataAccess` has no resource type: it can only be granted on `*`; what the
   * principal may read is decided by the Lake Formation grants.
   */
  public dataAccessStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] });
  }

  /**
   * Gives `grantee` the Lake Formation `permissions` on the database `databaseName`. (A building
   * block of the zones' `grantRead` and `grantReadWrite`, which add the IAM side.)
   */
  public addDatabasePermissions(scope: IConstruct, grantee: iam.IGrantable, databaseName: string,
    permissions: DatabasePermission[]): lakeformation.CfnPrincipalPermissions {
    return this.grant(scope, grantee, `Database${databaseName}`, { database: { catalogId: this.catalogId, name: databaseName } }, permissions);
  }

  /** Gives `grantee` the Lake Formation `permissions` on all tables, present and future, of the database `databaseName`. */
  public addTablePermissions(scope: IConstruct, grantee: iam.IGrantable, databaseName: string,
    permissions: TablePermission[]): lakeformation.CfnPrincipalPermissions {
    return this.grant(scope, grantee, `Tables${databaseName}`, {
      table: { catalogId: this.catalogId, databaseName, tableWildcard: {} },
    }, permissions);
  }

  /** Gives `grantee` `DATA_LOCATION_ACCESS` on a registered bucket: the right to create tables that point at it. */
  public addDataLocationPermission(scope: IConstruct, grantee: iam.IGrantable, bucket: s3.IBucket): lakeformation.CfnPrincipalPermissions {
    return this.grant(scope, grantee, `Location${Names.nodeUniqueId(bucket.node)}`, {
      dataLocation: { catalogId: this.catalogId, resourceArn: bucket.bucketArn },
    }, ['DATA_LOCATION_ACCESS']);
  }

  /** Attaches LF-tags (key → one value) to a database; its tables inherit them. */
  public tagDatabase(scope: IConstruct, databaseName: string, tags: Record<string, string>): void {
    checkCount(scope, 'lfTags', Object.keys(tags).length, { max: MAX_TAGS_PER_RESOURCE, why: 'LF-tags on one resource' });
    Object.entries(tags).forEach(([key, value]) => this.checkTag(scope, `lfTags.${key}`, key, [value]));
    const association = new lakeformation.CfnTagAssociation(scope, 'TagAssociation', {
      resource: { database: { catalogId: this.catalogId, name: databaseName } },
      lfTags: Object.entries(tags).map(([tagKey, value]) => ({ catalogId: this.catalogId, tagKey, tagValues: [value] })),
    });
    this.chain(association);
  }

  /**
   * Gives `grantee` the Lake Formation permissions of `grant` on every database or table whose
   * LF-tags match `grant.expression`: new databases tagged the same way are covered without a new
   * grant. (A building block of `DataLake.grantOnTags`, which adds the IAM side.)
   */
  public addTagPermissions(scope: IConstruct, grantee: iam.IGrantable, grant: TagGrant): lakeformation.CfnPrincipalPermissions {
    const keys = Object.keys(grant.expression);
    checkCount(scope, 'expression', keys.length, { min: 1, why: 'an LF-tag expression matches on at least one LF-tag' }, 'LF-tags');
    keys.forEach(key => {
      checkCount(scope, `expression.${key}`, grant.expression[key].length, { min: 1, max: MAX_TAG_VALUES, why: 'values of one LF-tag in an expression' }, 'values');
      this.checkTag(scope, `expression.${key}`, key, grant.expression[key]);
    });
    checkCount(scope, 'permissions', grant.permissions.length, { min: 1 }, 'permissions');
    const allowed = TAG_POLICY_PERMISSIONS[grant.resourceType];
    grant.permissions.forEach(permission => check(allowed.includes(permission), scope, 'permissions', permission,
      `must be one of ${allowed.join(', ')} for resourceType ${grant.resourceType} (the permissions Lake Formation accepts on an LF-tag policy of that type)`));
    const description = keys.map(key => `${key}${grant.expression[key].join('')}`).join('');
    return this.grant(scope, grantee, `${grant.resourceType}Tags${description}`, {
      lfTagPolicy: {
        catalogId: this.catalogId,
        resourceType: grant.resourceType,
        expression: keys.map(tagKey => ({ tagKey, tagValues: grant.expression[tagKey] })),
      },
    }, grant.permissions);
  }

  private checkTag(scope: IConstruct, prop: string, key: string, values: string[]): void {
    const declared = this.tagValues[key];
    check(declared !== undefined, scope, prop, key, `must be an LF-tag of the lake (${Object.keys(this.tagValues).join(', ') || 'none declared'})`);
    values.forEach(value => check(declared.includes(value), scope, prop, value, `must be a value of LF-tag ${key} (${declared.join(', ')})`));
  }

  /**
   * One `CfnPrincipalPermissions` per grantee and resource: a second grant on the same resource adds
   * its permissions to the first. `what` names the resource in the construct id (letters and digits
   * only); the resource itself, resolved (stable token-free JSON), identifies it exactly.
   */
  private grant(scope: IConstruct, grantee: iam.IGrantable, what: string,
    resource: lakeformation.CfnPrincipalPermissions.ResourceProperty, permissions: string[]): lakeformation.CfnPrincipalPermissions {
    const principal = principalArn(scope, grantee);
    const grantKey = JSON.stringify([Stack.of(this).resolve(resource), granteeId(this, grantee)]);
    const existing = this.grantsByKey.get(grantKey);
    if (existing) {
      existing.permissions = [...new Set([...existing.permissions, ...permissions])];
      return existing;
    }
    const permission = new lakeformation.CfnPrincipalPermissions(this, this.grantId(what, grantKey, grantee), {
      catalog: this.catalogId,
      principal: { dataLakePrincipalIdentifier: principal },
      resource,
      permissions,
      permissionsWithGrantOption: [],
    });
    this.chain(permission);
    this.grantsByKey.set(grantKey, permission);
    return permission;
  }

  /**
   * The construct id of a new grant: `Grant<what><grantee>` with letters and digits only, as it has
   * always been (a new id would make CloudFormation replace a deployed grant, and a replacement
   * revokes what it re-grants). Only when that id is already taken by a grant on another resource
   * (`sales_eu` and `saleseu` both read `saleseu`) does the later one get a hash of its exact key.
   */
  private grantId(what: string, grantKey: string, grantee: iam.IGrantable): string {
    const id = `Grant${what}${granteeId(this, grantee)}`.replace(/[^A-Za-z0-9]/g, '');
    if (!this.node.tryFindChild(id)) {
      return id;
    }
    return `${id}${createHash('sha256').update(grantKey).digest('hex').slice(0, 8)}`;
  }

  private chain(resource: CfnResource): void {
    if (resource.cfnResourceType.startsWith('AWS::LakeFormation::')) this.flowNode.addResources(resource);
    if (!this.last) {
      this.last = resource;
    } else if (resource !== this.last) {
      resource.addResourceDependency(this.last);
      Rehearsal.of(this).createsBefore({
        description: 'Lake Formation resources one at a time, after the settings that make the deployment role an administrator',
        first: this.last, then: resource, source: CHAIN_SOURCE,
      });
      this.last = resource;
    }
  }

  private get catalogId(): string {
    return Stack.of(this).account;
  }

  private deploymentRoleArn(): string {
    const synthesizer = Stack.of(this).synthesizer;
    if (!(synthesizer instanceof DefaultStackSynthesizer)) {
      throw new PropValidationError(this, 'includeDeploymentRole', true,
        `needs the DefaultStackSynthesizer, which names the CloudFormation execution role (this stack uses ${synthesizer.constructor.name}); `
        + 'set it to false and name an administrator in `admins`');
    }
    return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
  }
}

/** The governances of each app that create account settings and LF-tags. */
const SETTINGS_OWNERS = new WeakMap<IConstruct, LakeFormationGovernance[]>();

/**
 * Records `governance` as the one that creates the account's Lake Formation settings and LF-tags
 * in its environment, or refuses it when another governance of the app already does: in the same
 * stack, or in a stack of the same account and Region (two environment-agnostic stacks deploy
 * wherever the CLI's credentials point, so they count as the same).
 */
function claimAccountSettings(governance: LakeFormationGovernance): void {
  const root = governance.node.root;
  const owners = SETTINGS_OWNERS.get(root) ?? [];
  const environment = environmentOf(Stack.of(governance));
  const other = owners.find(owner => environmentOf(Stack.of(owner)) === environment);
  if (other) {
    const sameStack = Stack.of(other) === Stack.of(governance);
    throw new PropValidationError(governance, 'settingsFrom', undefined,
      `must name the governance that already creates the Lake Formation settings and LF-tags of ${describeEnvironment(Stack.of(governance))}, `
      + `${other.node.path}: Lake Formation keeps one set per account and Region (a second LF-tag of the same key fails at deploy, `
      + 'and deleting either stack would remove the administrators the other relies on). '
      + (sameStack
        ? 'In the same stack, create one LakeFormationGovernance and pass it to each DataLake as `governance`'
        : 'In another stack, set `lakeFormation: { settingsFrom: <that governance> }`'));
  }
  SETTINGS_OWNERS.set(root, [...owners, governance]);
}

/** `123456789012/eu-west-1`, with `*` for an account or Region the stack leaves to the CLI. */
function environmentOf(stack: Stack): string {
  return [stack.account, stack.region].map(part => Token.isUnresolved(part) ? '*' : part).join('/');
}

function describeEnvironment(stack: Stack): string {
  const [account, region] = environmentOf(stack).split('/');
  return account === '*' && region === '*' ? 'the account and Region that environment-agnostic stacks deploy to'
    : `account ${account === '*' ? '(any)' : account}, Region ${region === '*' ? '(any)' : region}`;
}
