/**
 * What a version in a template is: the property it comes from decides which list it must be on.
 */
export type VersionKind =
  | 'lambda-runtime'
  | 'emr-release'
  | 'emr-serverless-release'
  | 'sagemaker-image'
  | 'rds-engine'
  | 'msk-kafka'
  | 'flink-runtime'
  | 'glue-version'
  | 'lustre-version'
  | 'dms-engine';

/** One known version, with the page it was read from and when. */
export interface KnownVersion {
  readonly kind: VersionKind;
  /** The value as the template writes it (`nodejs24.x`, `emr-7.12.0`, `sagemaker-xgboost:1.7-1`, `aurora-postgresql 16.6`). */
  readonly value: string;
  /** The page that lists it. */
  readonly source: string;
  /** The day the page was read (YYYY-MM-DD). */
  readonly read: string;
}

const READ = '2026-11-29';

const rows = (kind: VersionKind, source: string, values: string[]): KnownVersion[] => values.map(value => ({ kind, value, source, read: READ }));

/**
 * The versions the deploy rehearsal accepts. A release label, image tag, runtime or engine version
 * that is not here is a finding: read the source, add the row with its page and the day, and the
 * rehearsal accepts it. Keep rows to what the source lists as available for new resources.
 */
export const KNOWN_VERSIONS: readonly KnownVersion[] = [
  ...rows('lambda-runtime', 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html',
    ['nodejs24.x', 'nodejs22.x', 'python3.14', 'python3.13']),
  ...rows('emr-release', 'https://docs.aws.amazon.com/emr/latest/ReleaseGuide/Spark-release-history.html (emr-7.12.0: Spark 3.5.6-amzn-1)',
    ['emr-7.13.0', 'emr-7.12.0', 'emr-7.11.0', 'emr-7.10.0']),
  ...rows('emr-serverless-release', 'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-versions.html',
    ['emr-7.12.0']),
  ...rows('sagemaker-image', 'https://github.com/aws/sagemaker-spark-container (spark/processing/3.5/py3/docker/py39 and py312 builds; '
    + 'tags <spark>-cpu-<python>-v<release>, see its releases page)', [
    'sagemaker-spark-processing:3.5-cpu-py39-v1.0',
    'sagemaker-spark-processing:3.5-cpu-py312-v1.0',
    'sagemaker-spark-processing:3.5-cpu-py312-v1.4',
  ]),
  ...rows('sagemaker-image', 'https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-core/src/sagemaker/core/image_uri_config/spark.json '
    + '(Spark 3.5: py39, py312) with the tag the SDK composes for container version v1 '
    + '(sagemaker-mlops/src/sagemaker/mlops/feature_store/feature_processor/_image_resolver.py)', [
    'sagemaker-spark-processing:3.5-cpu-py39-v1',
    'sagemaker-spark-processing:3.5-cpu-py312-v1',
  ]),
  ...rows('sagemaker-image', 'https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/image_uri_config/xgboost.json, '
    + 'https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost.html', [
    'sagemaker-xgboost:1.7-1',
  ]),
  ...rows('rds-engine', 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/AuroraPostgreSQL.Updates.html '
    + '(as aws-cdk-lib 2.276.0 lists it: AuroraPostgresEngineVersion.VER_16_6)', ['aurora-postgresql 16.6']),
  ...rows('msk-kafka', 'https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html (no end of support date)',
    ['3.6.0', '3.7.x', '3.8.x', '3.9.x', '4.0.x']),
  ...rows('flink-runtime', 'https://docs.aws.amazon.com/managed-flink/latest/java/flink-1-20.html', ['FLINK-1_20']),
  ...rows('glue-version', 'https://docs.aws.amazon.com/glue/latest/dg/release-notes.html', ['5.1', '5.0', '4.0']),
  ...rows('lustre-version', 'https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-lustre-version.html', ['2.15', '2.12']),
];

/** The known version of a kind, if the table has it. */
export function knownVersion(kind: VersionKind, value: string): KnownVersion | undefined {
  return KNOWN_VERSIONS.find(row => row.kind === kind && row.value === value);
}
