/**
 * # A governed S3 data lake (notes part one, sections a–d)
 *
 * Read this stack top to bottom. It builds the storage every later pattern writes into:
 * three zones (raw → curated → analytics), each a bucket with its own lifecycle tiering and a
 * Glue database, encrypted with one customer-managed KMS key, governed by AWS Lake Formation with
 * named grants and LF-tag grants.
 *
 * Deploy to a sandbox: `npx cdk deploy DataLakeDemo`. Remove it: `npx cdk destroy DataLakeDemo`
 * (the buckets are emptied and deleted, the key is scheduled for deletion after 7 days).
 *
 * Cost at idle: about 1 USD a month (the KMS key); S3 storage and requests bill per use, Lake
 * Formation and the Glue Data Catalog (first million objects) are free.
 */
import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DataFlow, DataFlowKind, DataFlowStage, DataLake } from '../../lib';

export class DataLakeDemoStack extends Stack {
  /** The lake, for stacks that build on it. */
  public readonly lake: DataLake;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: an S3 data lake with zones, lifecycle tiering and Lake Formation governance',
      ...props,
    });

    // 1. Who will use the lake. In a real account these roles exist already (for example roles
    //    from your identity provider); the demo makes two that anyone in the account with
    //    sts:AssumeRole permission can assume.
    const analyst = new iam.Role(this, 'AnalystRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo analyst: reads tables tagged classification=public through Lake Formation',
    });
    const dataEngineer = new iam.Role(this, 'DataEngineerRole', {
      assumedBy: new iam.AccountPrincipal(this.account),
      description: 'Demo data engineer: writes the raw and curated zones',
    });

    // 2. The lake. Three zones with their default tiering, chosen by how each zone is read:
    //    - raw: STANDARD 30 days (the first ETL runs) → STANDARD_IA → GLACIER_IR at 90 days →
    //      DEEP_ARCHIVE at 180 days, kept to be reprocessed;
    //    - curated: INTELLIGENT_TIERING from day 0 (irregular reads by training jobs);
    //    - analytics: STANDARD, read daily; only old noncurrent versions move to STANDARD_IA.
    //    Five storage classes in all. Try changing a tier to 10 days in STANDARD_IA: `cdk synth`
    //    stops with the rule S3 would have rejected at deploy time.
    //
    //    `removalPolicy: DESTROY` is for sandboxes only: the library keeps data by default.
    this.lake = new DataLake(this, 'Lake', {
      removalPolicy: RemovalPolicy.DESTROY,
      zones: [
        { name: 'raw', lfTags: { classification: 'confidential' } },
        { name: 'curated', lfTags: { classification: 'public' } },
        { name: 'analytics', lfTags: { classification: 'public' } },
      ],
      // 3. Lake Formation governance. APPEND mode adds this stack's deployment role as an
      //    administrator without touching the admins your account already has; each zone is
      //    registered with a dedicated data-access role that can use the lake's KMS key.
      lakeFormation: {
        tags: { classification: ['public', 'confidential'] },
      },
    });

    // 4. Named grants: the data engineer writes raw and curated (database, tables, location).
    this.lake.zone('raw').grantWrite(dataEngineer);
    this.lake.zone('curated').grantWrite(dataEngineer);

    // 5. Tag-based grants: the analyst reads whatever is tagged classification=public, today the
    //    curated and analytics zones, tomorrow any database tagged the same way, with no new grant.
    this.lake.grantOnTags(analyst, { expression: { classification: ['public'] }, resourceType: 'DATABASE', permissions: ['DESCRIBE'] });
    this.lake.grantOnTags(analyst, { expression: { classification: ['public'] }, resourceType: 'TABLE', permissions: ['SELECT', 'DESCRIBE'] });

    // 6. On the data-flow diagram (docs/data-lake.md): the two people, who are not resources.
    //    Under Lake Formation the engineer's writes go through Lake Formation's data-location
    //    grants, not through IAM on the buckets, so the diagram is told that data flows there.
    const engineerNode = DataFlow.node(this, 'DataEngineer', { label: 'Data engineer', detail: 'DataEngineerRole', stage: DataFlowStage.SOURCE, roles: [dataEngineer] });
    for (const zone of ['raw', 'curated']) {
      DataFlow.edge(this, {
        from: engineerNode, to: DataFlow.nodeOf(this.lake.zone(zone).bucket), kind: DataFlowKind.DATA,
        description: `the data engineer writes the ${zone} zone (Lake Formation data-location grant)`,
      });
    }
    DataFlow.node(this, 'Analyst', { label: 'Analyst', detail: 'AnalystRole', stage: DataFlowStage.CONSUMER, roles: [analyst] });

    // What "see it work" (docs/data-lake.md) needs.
    new CfnOutput(this, 'RawBucket', { value: this.lake.zone('raw').bucket.bucketName });
    // Each zone's bucket, which `npm run integ` checks is registered with Lake Formation.
    new CfnOutput(this, 'CuratedBucket', { value: this.lake.zone('curated').bucket.bucketName });
    new CfnOutput(this, 'AnalyticsBucket', { value: this.lake.zone('analytics').bucket.bucketName });
    new CfnOutput(this, 'CuratedDatabase', { value: this.lake.zone('curated').databaseName });
    new CfnOutput(this, 'AnalystRoleArn', { value: analyst.roleArn });
    new CfnOutput(this, 'DataEngineerRoleArn', { value: dataEngineer.roleArn });
  }
}
