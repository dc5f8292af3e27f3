import * as path from 'path';
import { ArnFormat, CustomResource, Duration, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, Dependable } from 'constructs';
import { DataFlow, DataFlowStage } from '../core/data-flow';
import { DataRetentionProps, dataRemovalPolicy } from '../core/data-retention';
import { allowLogsToUse } from '../core/private-network';
import { createDataKey } from '../core/secure-bucket';
import { check } from '../core/validation';
import { acknowledgeWildcards } from '../core/wildcard-acknowledgements';
import { S3_KMS_SOURCE, serviceAssumesRole, viaS3 } from '../rehearsal/common-calls';
import { viaService } from '../rehearsal/declarations';
import { Rehearsal, RuntimeCall } from '../rehearsal/expectations';
import { IDataLakeZone } from '../storage/data-lake-zone';
import { isRedshiftReservedWord } from './redshift-identifiers';

/** Properties of a {@link RedshiftSpectrum}. */
export interface RedshiftSpectrumProps extends DataRetentionProps {
  /** The VPC of the workgroup (a `PrivateNetwork`'s `vpc`, or your own). */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the workgroup: at least three, in at least three Availability Zones (in US West
   * (N. California), three subnets in two AZs, one AZ holding two of them), each in an AZ whose
   * *AZ ID* Redshift Serverless supports. AZ IDs are not known at synth (AZ names map to different
   * IDs in each account): check them in the VPC console (Subnets, "Availability Zone ID") and choose
   * subnets in supported AZs when the Region's first AZs include an unsupported one.
   *
   * @default - the isolated subnets of `vpc`, or else its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The AWS Glue interface endpoint of `vpc`, which Spectrum needs with enhanced VPC routing when the
   * subnets have no route to the internet. The workgroup is admitted to it on HTTPS. A VPC has at
   * most one Glue endpoint with private DNS: pass yours if `vpc` has one (for a `PrivateNetwork`,
   * `network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.GLUE)`).
   *
   * @default - a new Glue interface endpoint with private DNS in the workgroup's subnets
   */
  readonly glueEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * The lake zones to query: each gets an external schema, named after the zone (hyphens become
   * underscores), over its Glue
   * database, and the Spectrum role may read it (with Lake Formation permissions when the lake is
   * governed).
   */
  readonly zones: IDataLakeZone[];
  /**
   * The base capacity of the workgroup in Redshift Processing Units (RPUs): 4, a multiple of 8
   * from 8 to 512, or a multiple of 32 from 512 to 1024 (above 512 only in some Regions).
   * Redshift bills RPU-seconds only while queries run, so the base capacity sets the price of a
   * running query, not of idle time.
   *
   * @default 4, the smallest
   */
  readonly baseCapacity?: number;
  /**
   * The name of the database in the namespace: 1 to 64 lower-case letters, digits or underscores,
   * not a Redshift reserved word.
   *
   * @default 'dev'
   */
  readonly databaseName?: string;
  /**
   * The name of the admin user: a lower-case letter, then up to 127 lower-case letters, digits or
   * `_ + . @ -`, neither a reserved word nor `public`. Its password is generated and kept by
   * Redshift in AWS Secrets Manager; it never appears in the template.
   *
   * @default 'admin'
   */
  readonly adminUsername?: string;
  /**
   * The key that encrypts the namespace's data, its admin secret and the logs of the schema
   * custom resource.
   *
   * @default - a new key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * External schema names: lower-case standard identifiers of at most 127 characters (the SQL quotes
 * them, so reserved words such as `raw` work too).
 *
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}$/;
const IDENTIFIER_RULE = 'must be 1 to 127 lower-case letters, digits or underscores, starting with a letter or underscore';
/**
 * The database a namespace creates: 1 to 64 lower-case letters, digits or underscores, not a reserved word.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/amazon-redshift-limits.html#amazon-redshift-limits-name
 */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,63}$/;
/**
 * The admin user: 1 to 128 characters, a lower-case letter first, then lower-case letters, digits
 * or `_ + . @ -`, neither a reserved word nor `public`.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html (MasterUsername)
 */
const ADMIN_USERNAME = /^[a-z][a-z0-9_+.@-]{0,127}$/;
/** The name of a zone's external schema: the zone name, with hyphens replaced by underscores. */
function externalSchemaName(zone: IDataLakeZone): string {
  return zone.zoneName.replace(/-/g, '_');
}

/**
 * Redshift Serverless needs at least three subnets in three Availability Zones; in US West
 * (N. California), three subnets in two.
 *
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html
 */
const MIN_SUBNETS = 3;
const TWO_AZ_REGIONS = ['us-west-1'];
const USAGE_CONSIDERATIONS = 'https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html';
/** The role of a namespace must trust both Redshift service principals. */
const ROLE_TRUST_SOURCE = 'https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-security-other-services.html';
/** Spectrum reads the Glue Data Catalog and the S3 objects with the role. */
const SPECTRUM_ROLE_SOURCE = 'https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-iam-policies.html';
/** Redshift Spectrum under Lake Formation: data credentials vended per query. */
const SPECTRUM_LF_SOURCE = 'https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-lake-formation.html';
/** The Data API reads the secret with the caller's credentials. */
const DATA_API_SOURCE = 'https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html';

/**
 * Redshift Spectrum over a data lake, on Amazon Redshift Serverless: SQL in Redshift on the
 * Parquet and JSON files of the lake, through the tables of the Glue Data Catalog, without
 * loading them.
 *
 * Spectrum is the part of Redshift that reads S3 directly. An *external schema* maps a Glue
 * database into a Redshift database; its tables are then queried like any other and can be
 * joined with tables stored in Redshift. Redshift Serverless runs the queries with no cluster to
 * size: a *namespace* holds the database objects and users, a *workgroup* the compute and network.
 *
 * The notes list Spectrum among the ETL tools without saying what it is: it transforms nothing by
 * itself. It is a query engine over S3 that writes only when you ask it to (`INSERT INTO` an
 * external table, `UNLOAD`), so in a pipeline it reads what Glue, EMR or Spark have written.
 *
 * The choices made here:
 * - Namespace encrypted with a customer-managed key; the admin password generated and kept by
 *   Redshift in Secrets Manager (`manageAdminPassword`), encrypted with the same key, so no
 *   password is ever in the template. User, connection and user-activity logs exported.
 * - Workgroup in the subnets the caller chooses (by default the private ones), which must span
 *   three AZs with AZ IDs that Redshift Serverless supports (see `vpcSubnets`), not publicly
 *   accessible, with enhanced VPC routing (the
 *   workgroup's own traffic to S3 and Glue goes through the VPC: S3 through the network's
 *   gateway endpoint, Glue through an interface endpoint this construct adds, as Spectrum requires
 *   with enhanced VPC routing; Spectrum's scan of the S3 objects itself runs on an AWS-managed
 *   fleet outside the VPC, authorized by the Spectrum role), a security group that admits nobody
 *   and sends only HTTPS, TLS required for connections, and the smallest base capacity, 4 RPUs.
 * - One IAM role for Spectrum, the namespace's default role, trusted by `redshift-serverless` and
 *   `redshift` (both, as the Redshift Serverless guide asks), allowed to read exactly the given
 *   zones: their catalog entries and objects, or, under Lake Formation, `SELECT`/`DESCRIBE`
 *   grants (see `IDataLakeZone.grantRead`), which the external schemas wait for.
 * - The external schemas are created when the stack deploys, by a custom resource that calls the
 *   Redshift Data API (`ExecuteStatement`, then `DescribeStatement` until Redshift has finished)
 *   with the admin secret, and then lists the schema's tables, which proves the role can read the
 *   catalog. The Data API is an AWS API: the function needs no network path to the workgroup
 *   and runs outside the VPC, with no endpoint to pay for.
 *
 * Cost at idle: compute costs nothing (Redshift Serverless bills RPU-hours, per second with a
 * 60-second minimum, only while queries run); Redshift managed storage bills per GB-month (an
 * external schema stores nothing); the Glue interface endpoint bills about 0.01 USD per hour in
 * each of the three AZs (about 22 USD a month); a key 1 USD a month; the admin secret 0.40 USD a
 * month. The custom resource runs only during deployments. A query on the smallest workgroup
 * bills at least 4 RPUs for 60 seconds (4 × 0.375 USD per RPU-hour in us-east-1 / 60 = 0.025 USD).
 *
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c-using-spectrum.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-considerations.html (Glue and S3 endpoints with enhanced VPC routing)
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html (subnets, AZ IDs)
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-security-other-services.html (role trust)
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing.html
 * @see https://aws.amazon.com/redshift/pricing/ (RPU-hours billed per second, 60-second minimum)
 */
export class RedshiftSpectrum extends Construct {
  /** The namespace: database, users, encryption. */
  public readonly namespace: redshiftserverless.CfnNamespace;
  /** The workgroup: compute and network. */
  public readonly workgroup: redshiftserverless.CfnWorkgroup;
  /** The workgroup's name. */
  public readonly workgroupName: string;
  /** The role Redshift Spectrum reads the lake with (the namespace's default IAM role). */
  public readonly spectrumRole: iam.Role;
  /** The security group of the workgroup. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The AWS Glue interface endpoint the workgroup reaches the Data Catalog through. */
  public readonly glueEndpoint: ec2.IInterfaceVpcEndpoint;
  /** The key that encrypts the namespace and its admin secret. */
  public readonly encryptionKey: kms.IKey;
  /**
   * The ARN of the admin secret that Redshift manages in Secrets Manager (a deploy-time value,
   * read from the namespace by the schema custom resource).
   */
  public readonly adminSecretArn: string;
  /** The external schemas, one per zone, in the order of `zones`. */
  public readonly externalSchemas: CustomResource[];
  /** The names of the external schemas, in the order of `zones`. */
  public readonly externalSchemaNames: string[];

  constructor(scope: Construct, id: string, props: RedshiftSpectrumProps) {
    super(scope, id);
    const baseCapacity = props.baseCapacity ?? 4;
    const databaseName = props.databaseName ?? 'dev';
    const adminUsername = props.adminUsername ?? 'admin';
    const selection = props.vpcSubnets ?? {
      subnetType: props.vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };
    const subnets = props.vpc.selectSubnets(selection);
    this.externalSchemaNames = props.zones.map(zone => externalSchemaName(zone));
    this.validate(props, baseCapacity, databaseName, adminUsername, subnets);

    this.encryptionKey = props.encryptionKey ?? createDataKey(this, 'Key', `Encrypts the Redshift Serverless namespace of ${this.node.path}`, props);

    // Spectrum's role: Redshift assumes it to read the catalog and the objects of the zones.
    this.spectrumRole = new iam.Role(this, 'SpectrumRole', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('redshift-serverless.amazonaws.com'), new iam.ServicePrincipal('redshift.amazonaws.com')),
      description: `Lets Redshift Spectrum of ${this.node.path} read the Glue catalog and objects of the lake zones it queries`,
    });
    const readGrants = props.zones.map(zone => zone.grantRead(this.spectrumRole));

    const name = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).toLowerCase();
    this.namespace = new redshiftserverless.CfnNamespace(this, 'Namespace', {
      namespaceName: name,
      dbName: databaseName,
      adminUsername,
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: this.encryptionKey.keyArn,
      kmsKeyId: this.encryptionKey.keyArn,
      iamRoles: [this.spectrumRole.roleArn],
      defaultIamRoleArn: this.spectrumRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.namespace.applyRemovalPolicy(dataRemovalPolicy(props));

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Redshift Serverless workgroup of ${this.node.path}: no inbound rule, HTTPS out to the VPC endpoints`,
      allowAllOutbound: false,
    });
    // The subnets have no route but to the VPC endpoints: HTTPS reaches S3 (gateway) and Glue.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints (S3 gateway, Glue)');
    this.glueEndpoint = props.glueEndpoint ?? new ec2.InterfaceVpcEndpoint(this, 'GlueEndpoint', {
      vpc: props.vpc,
      service: ec2.InterfaceVpcEndpointAwsService.GLUE,
      subnets: selection,
      privateDnsEnabled: true,
      open: false,
    });
    this.glueEndpoint.connections.allowDefaultPortFrom(this.securityGroup, 'HTTPS from the Redshift Serverless workgroup');

    this.workgroupName = name;
    this.workgroup = new redshiftserverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: name,
      namespaceName: this.namespace.ref,
      baseCapacity,
      enhancedVpcRouting: true,
      publiclyAccessible: false,
      subnetIds: subnets.subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      configParameters: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
    });

    DataFlow.node(this, 'WarehouseNode', {
      label: 'Redshift Serverless', detail: 'Spectrum external schemas', stage: DataFlowStage.CONSUMER,
      resources: [this.workgroup, this.namespace], roles: [this.spectrumRole],
    });
    this.externalSchemas = this.createExternalSchemas(props, databaseName, readGrants);
    // CloudFormation does not return the ARN of the secret Redshift creates; the schema handler
    // reads it from the namespace and returns it.
    this.adminSecretArn = this.externalSchemas[0].getAttString('AdminSecretArn');
    this.declareExpectations(props);
  }

  /**
   * The Redshift Processing Units the workgroup runs queries with (`AWS/Redshift-Serverless`
   * `ComputeCapacity`, by `Workgroup`): 0 when idle, the base capacity or more while queries run;
   * RPU-seconds are what it bills.
   *
   * @default - average over 5 minutes
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html (Amazon Redshift Serverless metrics)
   */
  public metricComputeCapacity(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Redshift-Serverless', metricName: 'ComputeCapacity', dimensionsMap: { Workgroup: this.workgroupName },
      statistic: 'Average', period: Duration.minutes(5), ...props,
    });
  }

  /**
   * Redshift assumes the Spectrum role and reads the zones' catalog and objects with it (or gets
   * data credentials from Lake Formation); the schema function runs statements with the admin
   * secret; the workgroup reaches Glue through the endpoint.
   */
  private declareExpectations(props: RedshiftSpectrumProps): void {
    const stack = Stack.of(this);
    const role = this.spectrumRole;
    const calls: RuntimeCall[] = [
      serviceAssumesRole('redshift-serverless.amazonaws.com', role, 'Redshift Serverless assumes the Spectrum role', ROLE_TRUST_SOURCE),
      serviceAssumesRole('redshift.amazonaws.com', role, 'Redshift assumes the Spectrum role', ROLE_TRUST_SOURCE),
    ];
    props.zones.forEach(zone => {
      calls.push({
        description: `Spectrum reads the ${zone.zoneName} zone's tables in the Glue Data Catalog`, principal: role, action: 'glue:GetTable',
        resource: stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${zone.databaseName}/rehearsal` }), source: SPECTRUM_ROLE_SOURCE,
      });
      if (zone.lakeFormationGoverned) {
        calls.push({ description: `Spectrum gets Lake Formation data credentials for the ${zone.zoneName} zone`, principal: role, action: 'lakeformation:GetDataAccess', resource: '*', source: SPECTRUM_LF_SOURCE });
        return;
      }
      calls.push({ description: `Spectrum reads the ${zone.zoneName} zone's objects`, principal: role, action: 's3:GetObject', resource: zone.bucket.arnForObjects('rehearsal/part-0.parquet'), source: SPECTRUM_ROLE_SOURCE });
      calls.push({
        description: `Spectrum decrypts the ${zone.zoneName} zone's objects through S3`, principal: role, action: 'kms:Decrypt',
        resource: zone.encryptionKey.keyArn, context: viaS3(this), source: S3_KMS_SOURCE,
      });
    });
    const fn = this.node.findChild('SchemaFunction') as lambda.IFunction;
    calls.push(
      { description: 'the schema function runs statements on the workgroup', principal: fn.role as iam.IRole, action: 'redshift-data:ExecuteStatement', resource: this.workgroup.attrWorkgroupWorkgroupArn, source: DATA_API_SOURCE },
      {
        description: 'the Data API reads the admin secret with the schema function\'s credentials', principal: fn.role as iam.IRole, action: 'secretsmanager:GetSecretValue',
        resource: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'redshift!rehearsal-admin-AbCdEf', arnFormat: ArnFormat.COLON_RESOURCE_NAME }), source: DATA_API_SOURCE,
      },
    );
    const rehearsal = Rehearsal.of(this);
    rehearsal.allows(...calls);
    rehearsal.connects({
      description: 'the workgroup reads the Glue Data Catalog through the interface endpoint', from: this.securityGroup, to: this.glueEndpoint,
      port: ec2.Port.tcp(443), source: 'https://docs.aws.amazon.com/redshift/latest/mgmt/spectrum-enhanced-vpc.html',
    });
  }

  private validate(props: RedshiftSpectrumProps, baseCapacity: number, databaseName: string, adminUsername: string, subnets: ec2.SelectedSubnets): void {
    this.validateBaseCapacity(baseCapacity);
    this.validateSubnets(subnets, Stack.of(this).region);
    check(props.zones.length > 0, this, 'zones', [], 'must name at least one lake zone (each becomes an external schema)');
    this.externalSchemaNames.forEach((schemaName, index) => check(IDENTIFIER.test(schemaName), this, `zones[${index}].zoneName`,
      props.zones[index].zoneName, `${IDENTIFIER_RULE}, once hyphens become underscores (the zone name becomes the external schema's name)`));
    const names = this.externalSchemaNames;
    const duplicate = names.find((schemaName, index) => names.indexOf(schemaName) !== index);
    check(duplicate === undefined, this, 'zones', props.zones.map(zone => zone.zoneName),
      'must have distinct zone names (each zone becomes the external schema named after it, hyphens replaced by underscores)');
    check(DATABASE_NAME.test(databaseName), this, 'databaseName', databaseName,
      'must be 1 to 64 lower-case letters, digits or underscores, starting with a letter or underscore');
    check(!isRedshiftReservedWord(databaseName), this, 'databaseName', databaseName, 'must not be a Redshift reserved word');
    check(ADMIN_USERNAME.test(adminUsername), this, 'adminUsername', adminUsername,
      'must be 1 to 128 characters: a lower-case letter, then lower-case letters, digits or _ + . @ -');
    check(!isRedshiftReservedWord(adminUsername) && adminUsername !== 'public', this, 'adminUsername', adminUsername,
      'must be neither a Redshift reserved word nor public');
  }

  /**
   * Base capacity: 4 RPUs, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024.
   *
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
   */
  private validateBaseCapacity(baseCapacity: number): void {
    const valid = baseCapacity === 4
      || (Number.isInteger(baseCapacity / 8) && baseCapacity >= 8 && baseCapacity <= 512)
      || (Number.isInteger(baseCapacity / 32) && baseCapacity >= 512 && baseCapacity <= 1024);
    check(valid, this, 'baseCapacity', baseCapacity,
      'must be 4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024 RPUs (the base capacities Redshift Serverless accepts)');
  }

  /**
   * At least three subnets in three Availability Zones; in US West (N. California), three subnets
   * in two. An environment-agnostic stack gets two AZs unless it says otherwise (see the demo), and
   * a Region given as a token cannot be recognized, so it must span three. Whether the AZ IDs are
   * supported cannot be known at synth (see `vpcSubnets`).
   *
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html
   */
  private validateSubnets(subnets: ec2.SelectedSubnets, region: string): void {
    const zones = new Set(subnets.availabilityZones).size;
    const twoAzRegion = !Token.isUnresolved(region) && TWO_AZ_REGIONS.includes(region);
    const minZones = twoAzRegion ? 2 : 3;
    check(subnets.subnetIds.length >= MIN_SUBNETS && zones >= minZones, this, 'vpcSubnets', `${subnets.subnetIds.length} subnets in ${zones} AZs`,
      `must select at least ${MIN_SUBNETS} subnets in at least ${minZones} Availability Zones (Redshift Serverless requires 3 subnets in 3 AZs, `
      + 'or in 2 AZs in us-west-1; an environment-agnostic stack has only 2 AZs unless it overrides `availabilityZones`)');
  }

  /**
   * One custom resource per zone creates the external schema through the Data API, with the
   * admin secret, and waits for Redshift to finish (see external-schema-handler/index.js).
   */
  private createExternalSchemas(props: RedshiftSpectrumProps, databaseName: string, readGrants: iam.Grant[]): CustomResource[] {
    allowLogsToUse(this.encryptionKey);
    const logGroup = new logs.LogGroup(this, 'SchemaLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.encryptionKey,
      removalPolicy: dataRemovalPolicy(props),
    });
    const role = new iam.Role(this, 'SchemaFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Creates the external schemas of ${this.node.path} through the Redshift Data API`,
    });
    const stack = Stack.of(this);
    const policy = new iam.Policy(this, 'SchemaFunctionPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:log-stream:*`] }),
        new iam.PolicyStatement({ actions: ['redshift-serverless:GetNamespace'], resources: [this.namespace.attrNamespaceNamespaceArn] }),
        new iam.PolicyStatement({ actions: ['redshift-data:ExecuteStatement'], resources: [this.workgroup.attrWorkgroupWorkgroupArn] }),
        // These act only on the caller's own statements and accept no resource but `*`.
        new iam.PolicyStatement({ actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'], resources: ['*'] }),
        // The Data API reads the admin secret with the caller's credentials. Redshift names the
        // secrets it manages `redshift!...`; only this namespace's is encrypted with this key.
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'redshift!*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: viaService(this, 'secretsmanager') },
        }),
      ],
    });
    acknowledgeWildcards(policy, 'Lambda names the log streams of the function at run time, inside its one log group; '
      + 'redshift-data:DescribeStatement and GetStatementResult accept only `*` and act only on the caller\'s own statements; '
      + 'the admin secret\'s name has a random suffix, and of the `redshift!*` secrets only the one encrypted with this key can be decrypted');

    // Plain JavaScript that imports only the AWS SDK of the runtime: loaded as it is, from
    // lib/ in the repository and dist/ in the package, with no bundling (no esbuild, no Docker).
    const fn = new lambda.Function(this, 'SchemaFunction', {
      code: lambda.Code.fromAsset(path.join(__dirname, 'external-schema-handler')),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(10),
      role,
      logGroup,
      description: `Creates the Redshift Spectrum external schemas of ${this.node.path}`,
    });
    fn.node.addDependency(policy);
    Validations.of(fn).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'The function only calls the Redshift Data API, a public AWS API, while the stack deploys; inside the VPC it would need '
        + 'Data API, Redshift Serverless and Secrets Manager interface endpoints billed every hour, in a stack meant to cost nothing at idle',
    });

    // CDK's provider framework: a small function that relays CloudFormation's requests to the
    // handler and reports its result. Its own role and the same encrypted log group.
    const frameworkRole = new iam.Role(this, 'SchemaProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Relays the external-schema requests of ${this.node.path} to its handler function`,
    });
    frameworkRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}:log-stream:*`] }));
    acknowledgeWildcards(frameworkRole, 'The provider framework invokes any version of its one handler function (`<function ARN>:*`) '
      + 'and Lambda names its log streams at run time, inside its one log group');
    const provider = new cr.Provider(this, 'SchemaProvider', { onEventHandler: fn, frameworkOnEventRole: frameworkRole, logGroup });
    Validations.of(provider.node.findChild('framework-onEvent')).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'CDK\'s provider framework function only relays CloudFormation requests to the schema handler, through the Lambda API, '
        + 'while the stack deploys; a VPC would add hourly-billed endpoints to a stack meant to cost nothing at idle',
    });
    return props.zones.map((zone, index) => {
      const schema = new CustomResource(this, `Schema${index}`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::RedshiftExternalSchema',
        properties: {
          WorkgroupName: this.workgroup.attrWorkgroupWorkgroupName,
          NamespaceName: this.namespace.attrNamespaceNamespaceName,
          Database: databaseName,
          SchemaName: this.externalSchemaNames[index],
          GlueDatabase: zone.databaseName,
          IamRoleArn: this.spectrumRole.roleArn,
        },
      });
      // The role's read grant first: its IAM policy and, under Lake Formation, the permissions,
      // which the governance creates outside the zone (listing the tables needs them).
      const grant = readGrants[index];
      schema.node.addDependency(this.workgroup, policy, zone, grant);
      Rehearsal.of(this).createsBefore(
        { description: 'the schema is created on the workgroup', first: this.workgroup, then: schema, source: USAGE_CONSIDERATIONS },
        ...Dependable.of(grant).dependencyRoots.map(first => ({
          description: `the schema lists the ${zone.zoneName} zone's tables with the Spectrum role's grants`, first, then: schema,
          source: zone.lakeFormationGoverned ? SPECTRUM_LF_SOURCE : SPECTRUM_ROLE_SOURCE,
        })),
      );
      return schema;
    });
  }
}
