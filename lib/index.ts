/**
 * The public API of the package, by name. What is not listed here is internal: helpers may change
 * in any release. API.md reports every name with its declaration (`npm run api`), and a test fails
 * while it differs from what this file exports.
 */

// What every construct shares: errors, retention, buckets, keys, the private network, diagrams,
// grants and the base of the constructs that run a job with a state machine.
export { PropValidationError } from './core/validation';
export type { DataRetentionProps } from './core/data-retention';
export { SecureBucket, createDataKey, type SecureBucketProps } from './core/secure-bucket';
export { AccessLogBucket, type AccessLogBucketProps } from './core/access-log-bucket';
export { PrivateNetwork, allowLogsToUse, keepOutboundClosed, type PrivateNetworkProps } from './core/private-network';
export {
  DataFlow, DataFlowNode, DataFlowStage, DataFlowKind, type DataFlowNodeOptions, type DataFlowEdgeOptions, type RecordedDataFlowNode, type RecordedDataFlowEdge,
} from './core/data-flow';
export { acknowledgeWildcards } from './core/wildcard-acknowledgements';
export { acknowledgeProviderOutsideVpc } from './core/cdk-providers';
export { StateMachineJob, type JobStateMachineOptions } from './core/state-machine-job';

// Storage (notes part one): the data lake, its governance and tiering; training storage.
export { DataLake, type DataLakeProps, type DataLakeZoneOptions } from './storage/data-lake';
export {
  DataLakeZone, DataLakeZoneBase, type IDataLakeZone, type DataLakeZoneProps, type DataLakeZoneAttributes, type ObjectLocation,
} from './storage/data-lake-zone';
export {
  LakeFormationGovernance, type LakeFormationGovernanceProps, type TagGrant, type DatabasePermission, type TablePermission,
} from './storage/lake-formation-governance';
export {
  StorageTiering, type StorageTieringOptions, type Tier, type TieringRule, type RenderedTiering,
  type RawLandingThenArchiveOptions, type ComplianceArchiveOptions,
} from './storage/storage-tiering';
export { EbsVolumeSet, EbsVolumeType, EBS_VOLUME_LIMITS, type EbsVolumeSetProps, type EbsVolumeProfile, type EbsVolumeTypeLimits } from './storage/ebs-volume-set';
export { EfsTrainingStorage, type IEfsTrainingStorage, type EfsTrainingStorageProps, type EfsWorkspace } from './storage/efs-training-storage';
export {
  LustreTrainingStorage, LustreRepositoryEvent, type ILustreTrainingStorage, type LustreTrainingStorageProps, type LustreDataRepository,
} from './storage/lustre-training-storage';

// Training: SageMaker training jobs that read the training storage.
export {
  TrainingInput, S3InputMode, type TrainingInputConfig, type TrainingDataSource, type TrainingS3DataSource, type TrainingFileSystemDataSource,
  type S3TrainingInputOptions, type FileSystemTrainingInputOptions,
} from './training/training-input';
export { xgboostImageUri, XGBOOST_VERSIONS } from './training/built-in-algorithm-image';
export { TrainingJobLauncher, type TrainingJobLauncherProps } from './training/training-job-launcher';

// Ingestion (notes part two): streams, Firehose, Flink, video, Kafka, databases.
export { LakeDataFormat, HIVE_TIME_PARTITIONS, type LakeDeliveryOptions, type ResolvedLakeDelivery } from './ingestion/lake-delivery';
export { FirehoseIngestion } from './ingestion/firehose-ingestion';
export { StreamingIngestion, type StreamingIngestionProps } from './ingestion/streaming-ingestion';
export {
  StreamAnalytics, StreamAnalyticsCode, FLINK_RUNTIMES, type FlinkRuntime, type StreamAnalyticsProps, type StreamAnalyticsCodeConfig,
} from './ingestion/stream-analytics';
export { VideoIngestion, type VideoIngestionProps } from './ingestion/video-ingestion';
export { KafkaIngestion, KafkaDeploymentStage, type KafkaIngestionProps } from './ingestion/kafka-ingestion';
export {
  DatabaseIngestion, type DatabaseIngestionProps, type DatabaseSource, type SourceEngine, type MigrationType,
} from './ingestion/database-ingestion';
export { DmsAccountRoles } from './ingestion/dms-account-roles';

// Transformation (notes part three): Glue, Athena, Spark on EMR and SageMaker, Redshift Spectrum.
export {
  GlueEtlPipeline, WorkflowStart, type GlueEtlPipelineProps, type NewObjectsOptions, type GlueVersion, type GlueWorkerType, type RawFormat,
} from './transformation/glue-etl-pipeline';
export { AthenaWorkgroup, type AthenaWorkgroupProps, type NamedQueryOptions, type AthenaEngineVersion } from './transformation/athena-workgroup';
export type { SparkData, SparkJobProps, EncryptedBucket } from './transformation/spark-data';
export { SparkScriptAsset } from './transformation/spark-script-asset';
export {
  EmrServerlessSpark, EmrServerlessArchitecture, type EmrServerlessSparkProps, type EmrServerlessWorkerSize,
  type EmrServerlessInitialWorkers, type EmrServerlessInitialCapacity, type EmrServerlessMaximumCapacity,
} from './transformation/emr-serverless-spark';
export { EmrSparkCluster, type EmrSparkClusterProps } from './transformation/emr-spark-cluster';
export { SageMakerSparkProcessing, type SageMakerSparkProcessingProps } from './transformation/sagemaker-spark-processing';
export { RedshiftSpectrum, type RedshiftSpectrumProps } from './transformation/redshift-spectrum';

// The deploy rehearsal: a validation plugin that checks templates as AWS will meet them.
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
