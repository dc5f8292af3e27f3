import { TemplateResolver, isUnresolved } from './template-resolver';
import { VersionKind, knownVersion } from './versions';

/** One version found in a template and whether the table knows it. */
export interface VersionOutcome {
  readonly logicalId: string;
  readonly kind: VersionKind;
  readonly value: string;
  /** Where in the resource the version is. */
  readonly location: string;
  readonly ok: boolean;
  readonly message: string;
}

/** `<registry>.dkr.ecr.<region>.<suffix>/<repository>:<tag>` of the images SageMaker publishes. */
const SAGEMAKER_IMAGE = /\b\d{12}\.dkr\.ecr\.[a-z0-9-]+\.[a-z.]+\/(sagemaker-[a-z0-9-]+:[A-Za-z0-9._-]+)/g;

/**
 * Finds the versions a template pins (Lambda runtimes, EMR release labels on EC2 and Serverless,
 * SageMaker image tags in any property or state machine definition, RDS engine versions, MSK Kafka
 * versions, Flink runtimes, Glue versions, Lustre versions, DMS engine versions) and checks each
 * against the table of `versions.ts`, whose rows name the page they come from.
 */
export function checkVersions(resolver: TemplateResolver): VersionOutcome[] {
  const outcomes: VersionOutcome[] = [];
  const check = (logicalId: string, kind: VersionKind, raw: unknown, location: string): void => {
    if (raw === undefined) return;
    const value = resolver.text(raw);
    if (isUnresolved(value)) return;
    const row = knownVersion(kind, value);
    outcomes.push({
      logicalId, kind, value, location, ok: row !== undefined,
      message: row ? `${kind} ${value}: listed by ${row.source} (read ${row.read})`
        : `${kind} ${value} (${location}) is not in the rehearsal's table of known versions (lib/rehearsal/versions.ts): `
          + 'check that it exists and is supported for new resources, and add its row with the page that lists it',
    });
  };
  for (const [id, resource] of Object.entries(resolver.resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::Lambda::Function':
        check(id, 'lambda-runtime', props.Runtime, 'Properties.Runtime');
        break;
      case 'AWS::EMR::Cluster':
        check(id, 'emr-release', props.ReleaseLabel, 'Properties.ReleaseLabel');
        break;
      case 'AWS::EMRServerless::Application':
        check(id, 'emr-serverless-release', props.ReleaseLabel, 'Properties.ReleaseLabel');
        break;
      case 'AWS::RDS::DBCluster':
      case 'AWS::RDS::DBInstance':
        if (props.EngineVersion !== undefined) {
          check(id, 'rds-engine', `${resolver.text(props.Engine)} ${resolver.text(props.EngineVersion)}`, 'Properties.EngineVersion');
        }
        break;
      case 'AWS::MSK::Cluster':
        check(id, 'msk-kafka', props.KafkaVersion, 'Properties.KafkaVersion');
        break;
      case 'AWS::KinesisAnalyticsV2::Application':
        check(id, 'flink-runtime', props.RuntimeEnvironment, 'Properties.RuntimeEnvironment');
        break;
      case 'AWS::Glue::Job':
        check(id, 'glue-version', props.GlueVersion, 'Properties.GlueVersion');
        break;
      case 'AWS::FSx::FileSystem':
        if (resolver.text(props.FileSystemType) === 'LUSTRE') check(id, 'lustre-version', props.FileSystemTypeVersion, 'Properties.FileSystemTypeVersion');
        break;
      case 'AWS::DMS::ReplicationInstance':
        check(id, 'dms-engine', props.EngineVersion, 'Properties.EngineVersion');
        break;
      case 'AWS::StepFunctions::StateMachine': {
        // EMR clusters created by a state machine carry their release label in the definition.
        const text = resolver.text(props.DefinitionString ?? JSON.stringify(props.Definition ?? {}));
        for (const match of text.matchAll(/"ReleaseLabel"\s*:\s*"([^"]+)"/g)) {
          check(id, 'emr-release', match[1], 'Properties.DefinitionString (ReleaseLabel)');
        }
        break;
      }
    }
    for (const match of new Set([...JSON.stringify(resolver.resolve(props)).matchAll(SAGEMAKER_IMAGE)].map(m => m[1]))) {
      check(id, 'sagemaker-image', match, 'an image URI');
    }
  }
  return outcomes;
}
