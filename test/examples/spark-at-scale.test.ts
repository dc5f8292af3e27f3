import { execFileSync } from 'child_process';
import * as path from 'path';
import { FEATURE_SCRIPT } from '../../examples/spark-at-scale/spark-at-scale-stack';
import { aslErrors, stateMachineDefinitions } from '../asl';
import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the spark-at-scale demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('SparkAtScaleDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('has an EMR Serverless application that stops itself when idle', () => {
    expect(ofType('AWS::EMRServerless::Application').map(app => app.Properties.AutoStopConfiguration)).toEqual([{ Enabled: true, IdleTimeoutMinutes: 15 }]);
  });

  test('every state machine definition is valid Amazon States Language and waits for its job', () => {
    const definitions = stateMachineDefinitions(template);
    expect(definitions).toHaveLength(3);
    for (const definition of definitions) {
      expect(aslErrors(definition)).toEqual([]);
    }
    const resources = definitions.flatMap(d => Object.values<any>(d.States).map(s => s.Resource).filter(Boolean));
    expect(resources).toEqual(expect.arrayContaining([
      'arn:aws:states:::emr-serverless:startJobRun.sync',
      'arn:aws:states:::sagemaker:createProcessingJob.sync',
      'arn:aws:states:::elasticmapreduce:createCluster.sync',
    ]));
  });

  test('every engine runs the same script', () => {
    const text = JSON.stringify(template);
    const scripts = new Set(text.match(/[0-9a-f]{64}\.py/g));
    expect(scripts.size).toBe(1);
  });

  test('has no NAT gateway and leaves nothing behind on destroy', () => {
    expect(ofType('AWS::EC2::NatGateway')).toHaveLength(0);
    expect(ofType('AWS::S3::Bucket').every(bucket => bucket.DeletionPolicy === 'Delete')).toBe(true);
    expect(ofType('AWS::KMS::Key').every(key => key.DeletionPolicy === 'Delete')).toBe(true);
    expect(ofType('AWS::Logs::LogGroup').every(group => group.DeletionPolicy === 'Delete')).toBe(true);
  });
});

describe('the shared PySpark script', () => {
  test('compiles', () => {
    expect(() => execFileSync('python3', ['-m', 'py_compile', FEATURE_SCRIPT], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: '/tmp/pycache-spark-at-scale' } })).not.toThrow();
  });

  test('its pure functions pass their unit tests', () => {
    // unittest exits non-zero (execFileSync throws) when a test fails; it reports on stderr.
    const run = () => execFileSync('python3', ['-m', 'unittest', 'test_feature_engineering'], {
      cwd: path.dirname(FEATURE_SCRIPT),
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run).not.toThrow();
  });
});
