/**
 * Every consumer of a lake zone takes the `IDataLakeZone` interface: a zone made from an existing
 * bucket, key and Glue database (`DataLakeZone.fromZoneAttributes`), and a zone that another copy
 * of the library (or the user) implements, with no class of ours behind it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  AthenaWorkgroup, DataLakeZone, DatabaseIngestion, EmrServerlessSpark, GlueEtlPipeline, IDataLakeZone, LustreTrainingStorage, PrivateNetwork,
  RedshiftSpectrum, SageMakerSparkProcessing, StreamingIngestion, TrainingInput, TrainingJobLauncher, xgboostImageUri,
} from '../../lib';
import { isDataLakeZone } from '../../lib/storage/data-lake-zone';
import { CDK_CONTEXT, grantStatements, newStack } from '../helpers';

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'spark-at-scale', 'feature_engineering.py');
const GLUE_SCRIPT = path.join(__dirname, '..', '..', 'examples', 'glue-etl', 'scripts', 'curate_orders.py');
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';

/** A zone implemented outside the library: the same members, no class of ours. */
class ForeignZone extends Construct implements IDataLakeZone {
  public readonly zoneName = 'foreign';
  public readonly databaseName = 'foreign_db';
  public readonly lakeFormationGoverned = false;
  public readonly bucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.encryptionKey = kms.Key.fromKeyArn(this, 'Key', KEY_ARN);
    this.bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', { bucketName: 'foreign-bucket', encryptionKey: this.encryptionKey });
  }

  public get databaseArns(): string[] {
    return [Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName })];
  }

  public get catalogArns(): string[] {
    return [Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' }), ...this.databaseArns];
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantRead(grantee);
  }

  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.bucket.grantReadWrite(grantee);
  }
}

/** An environment-agnostic stack with three AZs, for Redshift Serverless. */
class ThreeAzStack extends Stack {
  public get availabilityZones(): string[] {
    return [0, 1, 2].map(index => Fn.select(index, Fn.getAzs()));
  }
}

function imported(stack: Stack, id = 'Imported'): IDataLakeZone {
  const encryptionKey = kms.Key.fromKeyArn(stack, `${id}Key`, KEY_ARN);
  return DataLakeZone.fromZoneAttributes(stack, id, {
    bucket: s3.Bucket.fromBucketAttributes(stack, `${id}Bucket`, { bucketName: `${id.toLowerCase()}-bucket`, encryptionKey }),
    databaseName: `${id.toLowerCase()}_db`,
  });
}

describe('DataLakeZone.fromZoneAttributes', () => {
  test('an existing bucket, key and database make a zone whose grants are IAM grants on them', () => {
    const stack = newStack();
    const zone = imported(stack, 'Sales');
    expect([zone.zoneName, zone.databaseName, zone.lakeFormationGoverned]).toEqual(['sales', 'sales_db', false]);
    expect(zone.encryptionKey.keyArn).toBe(KEY_ARN);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const statements = grantStatements(stack, zone.grantRead(role));
    expect(statements.map(statement => statement.Action)).toEqual([
      expect.arrayContaining(['glue:GetTable', 'glue:GetPartitions']), ['s3:ListBucket', 's3:GetBucketLocation'], ['s3:GetObject', 's3:GetObjectVersion'], 'kms:Decrypt',
    ]);
    expect(JSON.stringify(statements)).toContain(':table/sales_db/*');
    expect(JSON.stringify(statements)).toContain('arn:", {"Ref":"AWS::Partition"}, ":s3:::sales-bucket/*'.replace(/ /g, ''));
    expect(statements[3].Resource).toBe(KEY_ARN);
    expect(isDataLakeZone(zone)).toBe(true);
    expect(isDataLakeZone(zone.bucket)).toBe(false);
  });

  test('the key defaults to the bucket\'s own; a bucket without one, or a database name Athena rejects, fails', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const zone = DataLakeZone.fromZoneAttributes(stack, 'Own', { bucket: new s3.Bucket(stack, 'B', { encryptionKey: key }), databaseName: 'own', zoneName: 'landing' });
    expect(zone.encryptionKey).toBe(key);
    expect(zone.zoneName).toBe('landing');
    expect(() => DataLakeZone.fromZoneAttributes(stack, 'NoKey', { bucket: s3.Bucket.fromBucketName(stack, 'Plain', 'plain'), databaseName: 'plain' }))
      .toThrow('Test/NoKey: `encryptionKey` must be given when the bucket has no KMS key of its own (`bucket.encryptionKey`): every zone is encrypted with a customer-managed key, got nothing');
    expect(() => DataLakeZone.fromZoneAttributes(stack, 'Upper', { bucket: new s3.Bucket(stack, 'C', { encryptionKey: key }), databaseName: 'Sales-EU' }))
      .toThrow('Test/Upper: `databaseName` must be 1 to 255 lower-case letters, digits or underscores (Athena cannot query databases with other names), got \'Sales-EU\'');
  });
});

describe('every consumer takes an imported zone and a foreign one', () => {
  test.each<[string, (stack: Stack, zone: IDataLakeZone, other: IDataLakeZone) => void]>([
    ['GlueEtlPipeline', (stack, zone, other) => new GlueEtlPipeline(stack, 'Etl', { source: zone, target: other, targetTableName: 'orders', script: GLUE_SCRIPT })],
    ['AthenaWorkgroup', (stack, zone, other) => new AthenaWorkgroup(stack, 'Athena', { zones: [zone, other] }).grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }))],
    ['StreamingIngestion', (stack, zone, other) => [zone, other].forEach((destination, i) => new StreamingIngestion(stack, `Stream${i}`, { destination }))],
    ['DatabaseIngestion', (stack, zone, other) => {
      const vpc = new PrivateNetwork(stack, 'Network').vpc;
      const secret = new secretsmanager.Secret(stack, 'Secret');
      [zone, other].forEach((target, i) => new DatabaseIngestion(stack, `Dms${i}`, { vpc, target, source: { engine: 'postgres', secret, databaseName: 'shop' } }));
    }],
    ['EmrServerlessSpark', (stack, zone, other) => new EmrServerlessSpark(stack, 'Spark', {
      scriptPath: SCRIPT, inputs: [zone], outputs: [other], workspace: { bucket: zone.bucket, encryptionKey: zone.encryptionKey },
    })],
    ['SageMakerSparkProcessing', (stack, zone, other) => new SageMakerSparkProcessing(stack, 'Processing', {
      scriptPath: SCRIPT, inputs: [zone], outputs: [other], workspace: { bucket: other.bucket, encryptionKey: other.encryptionKey },
    })],
    ['TrainingJobLauncher and LustreTrainingStorage', (stack, zone, other) => {
      const network = new PrivateNetwork(stack, 'Network');
      const lustre = new LustreTrainingStorage(stack, 'Lustre', { vpc: network.vpc, dataRepositories: [{ source: zone, prefix: 'train/' }] });
      // An imported key's policy is its owner's: the construct says what to add, and the gates report it.
      expect(lustre.node.metadata.map(entry => entry.data)).toContainEqual(expect.stringContaining(`The key ${KEY_ARN} of a linked bucket is not defined in this app`));
      Validations.of(lustre).acknowledge({ id: 'Annotation::@ml-data-engineering/lustre:imported-key', reason: 'the test key is imported' });
      new TrainingJobLauncher(stack, 'Launcher', {
        vpc: network.vpc, trainingImage: xgboostImageUri(stack), jobNamePrefix: 'xgb', output: other,
        inputs: [TrainingInput.fromS3(zone), TrainingInput.fromLustre(lustre, { channelName: 'lustre' })],
      });
    }],
    ['RedshiftSpectrum', (stack, zone, other) => new RedshiftSpectrum(stack, 'Spectrum', { vpc: new PrivateNetwork(stack, 'Network', { maxAzs: 3 }).vpc, zones: [zone, other] })],
  ])('%s', (_, build) => {
    const app = new App({ context: CDK_CONTEXT, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')) });
    const stack = new ThreeAzStack(app, 'Consumer');
    build(stack, imported(stack), new ForeignZone(stack, 'Foreign'));
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).toContain('imported-bucket');
    expect(template).toContain('foreign-bucket');
  });
});
