/**
 * # Redshift Spectrum: SQL on the lake from Redshift Serverless (notes part three)
 *
 * Read this stack top to bottom. A data lake's analytics zone holds the per-customer features
 * that the Spark engines of `SparkAtScaleDemo` write (Parquet, partitioned by `event_date`); its
 * Glue table describes them. A Redshift Serverless workgroup in a private network maps the
 * zone's Glue database as the external schema `analytics`, created when the stack deploys, and
 * queries the files in place: nothing is loaded into Redshift.
 *
 * Try it after `npx cdk deploy RedshiftSpectrumDemo`:
 *
 * 1. put Parquet features under `s3://<AnalyticsBucket>/features/customers/event_date=<date>/`
 *    (for example `aws s3 sync` the `features/emr-serverless/customers/` prefix of
 *    `SparkAtScaleDemo`'s analytics bucket);
 * 2. in the Redshift query editor v2, connect to the workgroup with the admin secret (Secrets
 *    Manager, `AdminSecretArn`) and register the partitions:
 *    `ALTER TABLE analytics.customer_features ADD IF NOT EXISTS PARTITION (event_date='2025-01-31')
 *    LOCATION 's3://<AnalyticsBucket>/features/customers/event_date=2025-01-31/';`
 * 3. query: `SELECT customer_id, amount_total FROM analytics.customer_features ORDER BY 2 DESC LIMIT 10;`
 *
 * Remove it: `npx cdk destroy RedshiftSpectrumDemo` (bucket emptied and deleted, namespace and
 * workgroup deleted, keys scheduled for deletion after 7 days).
 *
 * Why three Availability Zones, and which: every workgroup needs subnets in three AZs (with or
 * without enhanced VPC routing), and Redshift Serverless supports only some AZ *IDs* in each
 * Region (AZ names map to different IDs in each account). An environment-agnostic stack (no account or region at synth time) gets two AZs from
 * CDK, because CDK cannot know how many the Region has; this stack asks CloudFormation for the
 * first three (`Fn::GetAZs`), so it deploys in any Region where the account has at least three AZs
 * and Redshift Serverless supports the first three's IDs (in a Region with two, CloudFormation
 * rejects the third `Fn::Select`, before creating anything). If one of them is not supported
 * (the workgroup fails to create; the VPC console's Subnets page shows each AZ's ID), name three
 * supported AZs:
 *
 *     npx cdk deploy RedshiftSpectrumDemo -c redshift-azs=us-east-1a,us-east-1b,us-east-1d
 *
 * (see docs/redshift-spectrum.md and the Redshift page on Serverless considerations:
 * https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html).
 *
 * Cost at idle: about 26 USD a month: the Glue interface endpoint in three AZs (0.01 USD per
 * hour each, about 22 USD), which Spectrum needs with enhanced VPC routing; three KMS keys (the
 * lake's, the flow logs' and the namespace's, 3 USD) and the admin secret (0.40 USD). The
 * workgroup bills nothing while no query runs; a query bills at least 4 RPUs for 60 seconds
 * (about 0.025 USD in us-east-1). No NAT gateway.
 */
import { CfnOutput, Fn, RemovalPolicy, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { DataLake, PrivateNetwork, PropValidationError, RedshiftSpectrum } from '../../lib';

/** The columns `feature_engineering.py` writes per customer and day (its `customers/` output). */
const CUSTOMER_FEATURE_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'customer_id', type: 'string' },
  { name: 'transactions', type: 'bigint' },
  { name: 'amount_total', type: 'double' },
  { name: 'amount_mean', type: 'double' },
  { name: 'amount_stddev', type: 'double' },
  { name: 'amount_max', type: 'double' },
];

/** Properties of a {@link RedshiftSpectrumDemoStack}. */
export interface RedshiftSpectrumDemoStackProps extends StackProps {
  /**
   * Three Availability Zone names whose AZ IDs Redshift Serverless supports (the demo app reads
   * them from the context key `redshift-azs`, comma-separated).
   *
   * @default - the first three AZs of the Region, resolved at deployment
   */
  readonly availabilityZoneNames?: string[];
}

/** The context key that names the demo's three AZs: `-c redshift-azs=us-east-1a,us-east-1b,us-east-1d`. */
export const REDSHIFT_AZS_CONTEXT = 'redshift-azs';

export class RedshiftSpectrumDemoStack extends Stack {
  /** The Redshift Serverless workgroup and its external schema. */
  public readonly spectrum: RedshiftSpectrum;
  private readonly azNames?: string[];

  constructor(scope: Construct, id: string, props: RedshiftSpectrumDemoStackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: Redshift Serverless queries the lake in place through a Spectrum external schema',
      ...props,
    });
    const names = props.availabilityZoneNames;
    if (names !== undefined) {
      const valid = names.length === 3 && new Set(names).size === 3 && names.every(name => /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(name) || Token.isUnresolved(name));
      if (!valid) {
        throw new PropValidationError(this, 'availabilityZoneNames', names, `must be three distinct Availability Zone names such as us-east-1a (context \`${REDSHIFT_AZS_CONTEXT}\`)`);
      }
    }
    this.azNames = names;

    // 1. The lake. IAM-governed here: the Spectrum role gets plain S3, KMS and Glue read
    //    permissions on the analytics zone (with `lakeFormation: {}` it would get Lake Formation
    //    SELECT/DESCRIBE grants instead).
    const lake = new DataLake(this, 'Lake', { removalPolicy: RemovalPolicy.DESTROY, zones: [{ name: 'analytics' }] });
    const analytics = lake.zone('analytics');

    // 2. The table Spectrum will see: the per-customer features as Parquet, one partition per day.
    const table = new glue.CfnTable(this, 'CustomerFeatures', {
      catalogId: this.account,
      databaseName: analytics.databaseName,
      tableInput: {
        name: 'customer_features',
        description: 'Per-customer daily transaction features written by feature_engineering.py',
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet' },
        partitionKeys: [{ name: 'event_date', type: 'date' }],
        storageDescriptor: {
          location: analytics.bucket.s3UrlForObject('features/customers/'),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: CUSTOMER_FEATURE_COLUMNS,
        },
      },
    });
    table.node.addDependency(analytics.database);

    // 3. A private network in three AZs (see the header), no NAT, with a Glue interface endpoint
    //    (Spectrum reads the catalog through it); S3 is reached through the free gateway endpoint.
    const network = new PrivateNetwork(this, 'Network', { maxAzs: 3, removalPolicy: RemovalPolicy.DESTROY });
    if (this.azNames) {
      Validations.of(network.vpc).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason: `The AZs are named on purpose (context \`${REDSHIFT_AZS_CONTEXT}\`): Redshift Serverless supports only some AZ IDs, and the Region's first three include one it does not`,
      });
    }

    // 4. Redshift Serverless with the smallest base capacity (4 RPUs), encrypted, private, with
    //    enhanced VPC routing, in the network's three subnets; the external schema `analytics` is
    //    created at deployment through the Redshift Data API, and the deployment fails if the role
    //    cannot read the catalog.
    this.spectrum = new RedshiftSpectrum(this, 'Spectrum', {
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      glueEndpoint: network.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.GLUE),
      zones: [analytics],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.spectrum.externalSchemas.forEach(schema => schema.node.addDependency(table));

    new CfnOutput(this, 'WorkgroupName', { value: this.spectrum.workgroupName });
    new CfnOutput(this, 'AdminSecretArn', { value: this.spectrum.adminSecretArn });
    new CfnOutput(this, 'AnalyticsBucket', { value: analytics.bucket.bucketName });
    new CfnOutput(this, 'ExternalTablesFound', { value: this.spectrum.externalSchemas[0].getAttString('TableCount') });
  }

  /**
   * The AZs named by `availabilityZoneNames`, or else the first three of the Region, resolved at
   * deployment. CDK gives an environment-agnostic stack two; Redshift Serverless needs three.
   */
  public get availabilityZones(): string[] {
    return this.azNames ?? [0, 1, 2].map(index => Fn.select(index, Fn.getAzs()));
  }
}
