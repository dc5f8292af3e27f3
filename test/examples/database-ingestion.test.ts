import { aslErrors, stateMachineDefinition } from '../asl';
import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the database-ingestion demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('DatabaseIngestionDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
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

  test('creates dms-vpc-role before the subnet group', () => {
    const roles = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Properties?.RoleName === 'dms-vpc-role');
    expect(roles).toHaveLength(1);
    expect(ofType('AWS::DMS::ReplicationSubnetGroup')[0].DependsOn).toEqual([roles[0][0]]);
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
    expect(ofType('AWS::Logs::LogGroup').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete']);
  });
});
