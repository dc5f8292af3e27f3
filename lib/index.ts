export * from './core/data-retention';
export * from './core/secure-bucket';
export * from './core/access-log-bucket';
export * from './core/validation';
export * from './core/data-flow';
export * from './core/state-machine-job';
export { acknowledgeWildcards } from './core/wildcard-acknowledgements';
export * from './storage/data-lake';
export * from './storage/data-lake-zone';
export * from './storage/lake-formation-governance';
export * from './storage/storage-tiering';
export * from './core/private-network';
export * from './ingestion/lake-delivery';
export * from './ingestion/firehose-ingestion';
export * from './ingestion/streaming-ingestion';
export * from './ingestion/video-ingestion';
export * from './storage/ebs-volume-set';
export * from './storage/lustre-training-storage';
export * from './storage/efs-training-storage';
export * from './training/training-input';
export * from './training/built-in-algorithm-image';
export * from './training/training-job-launcher';
export * from './transformation/spark-data';
export * from './transformation/spark-script-asset';
export * from './transformation/emr-serverless-spark';
export * from './transformation/sagemaker-spark-processing';
export * from './transformation/emr-spark-cluster';
export * from './transformation/glue-etl-pipeline';
export * from './transformation/glue-cron';
export * from './transformation/athena-workgroup';
export * from './ingestion/database-ingestion';
export * from './ingestion/dms-account-roles';
export * from './ingestion/kafka-ingestion';
export * from './ingestion/stream-analytics';
export * from './transformation/redshift-spectrum';
export {
  Rehearsal, REHEARSAL_METADATA_KEY, REHEARSAL_FORMAT_VERSION, referenceText,
  type RuntimeCall, type PortFlow, type CreationOrder,
  type RecordedExpectations, type RecordedCall, type RecordedPortFlow, type RecordedCreationOrder,
} from './rehearsal/expectations';
export { DeployRehearsalPlugin } from './rehearsal/plugin';
export {
  rehearse, rehearseTemplate, formatRehearsal, templatesOf, REHEARSAL_RULES,
  type RehearsalFinding, type RehearsalCounts, type StackRehearsal, type RehearsalOptions,
} from './rehearsal/rehearse';
export { runRehearsalCli } from './rehearsal/cli';
export { TemplateResolver, UNRESOLVED, type RehearsalEnvironment, type CloudFormationTemplate, type TemplateResource } from './rehearsal/template-resolver';
export { KNOWN_VERSIONS, knownVersion, type KnownVersion, type VersionKind } from './rehearsal/versions';
export { SERVICE_RESULTS, serviceResultFor, OPAQUE, type ServiceResult } from './rehearsal/service-results';
export { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './rehearsal/aws-managed-policies';
