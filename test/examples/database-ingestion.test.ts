import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { aslErrors, stateMachineDefinition } from '../asl';
import { demoAssembly, demoTemplate } from '../demo-assembly';
import { maskAssetHashes, resourcesOfType } from '../helpers';

describe('the database-ingestion demo stack', () => {
  let template: Record<string, any>;
  let rolesTemplate: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('DatabaseIngestionDemo');
    rolesTemplate = demoTemplate('DmsAccountRolesDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('the account roles stack matches its snapshot', () => {
    expect(rolesTemplate).toMatchSnapshot();
  });

  test('has DMS source and target endpoints, a replication instance and task, and a state machine', () => {
    expect(ofType('AWS::DMS::Endpoint').map(e => e.Properties.EndpointType).sort()).toEqual(['source', 'target']);
    expect(ofType('AWS::DMS::ReplicationInstance')).toHaveLength(1);
    expect(ofType('AWS::DMS::ReplicationTask')).toHaveLength(1);
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
  });

  test('its state machine definition is valid Amazon States Language', () => {
    const [machine] = ofType('AWS::StepFunctions::StateMachine');
    expect(aslErrors(stateMachineDefinition(machine))).toEqual([]);
  });

  test('creates no account role itself: dms-vpc-role and dms-cloudwatch-logs-role come from a stack it depends on, deployed first', () => {
    expect(ofType('AWS::IAM::Role').filter(r => typeof r.Properties.RoleName === 'string' && r.Properties.RoleName.startsWith('dms-'))).toEqual([]);
    const demo = demoAssembly().assembly.getStackByName('DatabaseIngestionDemo');
    expect(demo.dependencies.filter(artifact => artifact instanceof CloudFormationStackArtifact).map(artifact => artifact.id)).toEqual(['DmsAccountRolesDemo']);
    expect(resourcesOfType(rolesTemplate, 'AWS::IAM::Role').map(r => r.Properties.RoleName).sort()).toEqual(['dms-cloudwatch-logs-role', 'dms-vpc-role']);
  });

  test('the replication task logs to an encrypted log group that exists before it', () => {
    const [task] = ofType('AWS::DMS::ReplicationTask');
    expect(JSON.parse(task.Properties.ReplicationTaskSettings).Logging.EnableLogging).toBe(true);
    const [logGroupId] = task.DependsOn;
    expect(template.Resources[logGroupId].Properties.LogGroupName).toMatch(/^dms-tasks-/);
    expect(template.Resources[logGroupId].Properties.KmsKeyId).toBeDefined();
  });

  test('has no NAT gateway: S3 through the gateway endpoint, Secrets Manager through an interface endpoint', () => {
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(0);
    expect(ofType('AWS::EC2::InternetGateway')).toHaveLength(0);
    const services = ofType('AWS::EC2::VPCEndpoint').map(e => JSON.stringify(e.Properties.ServiceName));
    expect(services.some(s => s.includes('.s3'))).toBe(true);
    expect(services.some(s => s.includes('secretsmanager'))).toBe(true);
  });

  test('the source database scales to zero, is private and encrypted, and is seeded through the Data API', () => {
    const [cluster] = ofType('AWS::RDS::DBCluster');
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-postgresql', StorageEncrypted: true, EnableHttpEndpoint: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 1, SecondsUntilAutoPause: 300 },
    });
    expect(ofType('AWS::RDS::DBInstance')[0].Properties.PubliclyAccessible).toBe(false);
    expect(ofType('Custom::AWS')).toHaveLength(2);
  });

  test('leaves nothing behind that bills on destroy', () => {
    expect(ofType('AWS::RDS::DBCluster').map(r => r.DeletionPolicy)).toEqual(['Delete']);
    expect(ofType('AWS::S3::Bucket').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    expect(ofType('AWS::KMS::Key').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
    expect(ofType('AWS::Logs::LogGroup').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
  });
});
