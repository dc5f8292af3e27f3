import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';
import { aslErrors, stateMachineDefinition } from '../asl';

describe.each([
  ['TrainingStorageDemo', false],
  ['TrainingStorageLustreDemo', true],
])('the %s demo stack', (stackName, withLustre) => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate(stackName);
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('every state machine definition is valid Amazon States Language', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(withLustre ? 4 : 3);
    for (const machine of machines) {
      expect(aslErrors(stateMachineDefinition(machine))).toEqual([]);
    }
  });

  test('trains on S3 (File and FastFile), EFS' + (withLustre ? ' and FSx for Lustre' : ''), () => {
    const channels = ofType('AWS::StepFunctions::StateMachine').map(machine => stateMachineDefinition(machine).States.Train.Parameters.InputDataConfig[0]);
    const kinds = channels.map(channel => channel.DataSource.FileSystemDataSource?.FileSystemType ?? `S3 ${channel.InputMode}`).sort();
    expect(kinds).toEqual(['EFS', ...(withLustre ? ['FSxLustre'] : []), 'S3 FastFile', 'S3 File']);
  });

  test('has an EFS file system with access points and EBS volumes of several types, and no NAT gateway', () => {
    expect(ofType('AWS::EFS::FileSystem')).toHaveLength(1);
    expect(ofType('AWS::EFS::AccessPoint')).toHaveLength(2);
    expect(ofType('AWS::EC2::Volume').map(volume => volume.Properties.VolumeType).sort()).toEqual(['gp2', 'gp3', 'sc1']);
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(0);
    expect(ofType('AWS::EC2::VPCEndpoint').map(endpoint => endpoint.Properties.VpcEndpointType)).toEqual(['Gateway', 'Gateway']);
  });

  test(withLustre ? 'has an FSx for Lustre file system linked to the training bucket' : 'has no FSx for Lustre file system (it bills by the hour)', () => {
    const fileSystems = ofType('AWS::FSx::FileSystem');
    expect(fileSystems).toHaveLength(withLustre ? 1 : 0);
    if (withLustre) {
      expect(fileSystems[0].Properties.LustreConfiguration).toEqual({
        DeploymentType: 'SCRATCH_2',
        AutoImportPolicy: 'NEW_CHANGED_DELETED',
        ImportPath: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^TrainingData/) }, '/train/']] },
      });
    }
  });

  test('leaves nothing behind on destroy', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::EFS::FileSystem', 'AWS::EC2::Volume', 'AWS::KMS::Key', 'AWS::FSx::FileSystem', 'AWS::Logs::LogGroup']) {
      expect(ofType(type).every(resource => resource.DeletionPolicy === 'Delete')).toBe(true);
    }
  });
});
