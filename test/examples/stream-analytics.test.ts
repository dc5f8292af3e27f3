import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FLINK_APP_DIR } from '../../examples/stream-analytics/stream-analytics-stack';
import { demoEvent } from '../../examples/streaming-ingestion/producer';
import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

describe('the stream-analytics demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('StreamAnalyticsDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('a PyFlink application on FLINK-1_20 with the connector JAR named in its run options, one KPU, checkpoints and snapshots', () => {
    const [app] = ofType('AWS::KinesisAnalyticsV2::Application').map(a => a.Properties);
    expect(app.RuntimeEnvironment).toBe('FLINK-1_20');
    const config = app.ApplicationConfiguration;
    expect(config.ApplicationCodeConfiguration.CodeContentType).toBe('ZIPFILE');
    expect(config.EnvironmentProperties.PropertyGroups[0]).toEqual({
      PropertyGroupId: 'kinesis.analytics.flink.run.options',
      PropertyMap: { python: 'main.py', jarfile: 'lib/flink-sql-connector-kinesis-5.0.0-1.20.jar' },
    });
    expect(Object.keys(config.EnvironmentProperties.PropertyGroups[1].PropertyMap).sort())
      .toEqual(['aws.region', 'input.stream.arn', 'output.stream.arn', 'source.init.position', 'window.seconds']);
    expect(config.FlinkApplicationConfiguration.ParallelismConfiguration).toMatchObject({ Parallelism: 1, ParallelismPerKPU: 1, AutoScalingEnabled: false });
    expect(config.FlinkApplicationConfiguration.CheckpointConfiguration).toMatchObject({ CheckpointingEnabled: true, CheckpointInterval: 60000 });
    expect(config.ApplicationSnapshotConfiguration.SnapshotsEnabled).toBe(true);
    expect(ofType('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption')).toHaveLength(1);
  });

  test('two one-shard streams, each delivered into the lake', () => {
    expect(ofType('AWS::Kinesis::Stream').map(s => s.Properties.ShardCount)).toEqual([1, 1]);
    expect(ofType('AWS::KinesisFirehose::DeliveryStream')).toHaveLength(2);
  });

  test('leaves nothing behind on destroy', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Kinesis::Stream', 'AWS::Logs::LogGroup']) {
      expect(ofType(type).map(r => [type, r.DeletionPolicy])).toEqual(ofType(type).map(() => [type, 'Delete']));
    }
  });
});

describe('the PyFlink program', () => {
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPYCACHEPREFIX: '/tmp/pycache-stream-analytics' };

  test('compiles', () => {
    expect(() => execFileSync('python3', ['-m', 'py_compile', path.join(FLINK_APP_DIR, 'main.py')], { env })).not.toThrow();
  });

  test('its pure functions pass their unit tests, on the exact records the demo producer sends', () => {
    // The bodies producer.ts puts into the stream (one in ten malformed), for ProducerContractTest.
    const records = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flink-records-')), 'records.json');
    fs.writeFileSync(records, JSON.stringify(Array.from({ length: 40 }, (_, i) => Buffer.from(demoEvent(i).data).toString('utf-8'))));
    // unittest reports on stderr and exits non-zero when a test fails; none may be skipped.
    const run = spawnSync('python3', ['-m', 'unittest', '-v', 'test_main'], {
      cwd: path.dirname(FLINK_APP_DIR), env: { ...env, DEMO_RECORDS: records }, encoding: 'utf-8',
    });
    expect({ status: run.status, report: run.stderr }).toEqual({ status: 0, report: expect.stringMatching(/test_flink_reads_the_event_time_of_every_record_the_producer_sends .* ok\n[\s\S]*\nOK\n$/) });
    expect(run.stderr).not.toContain('skipped');
  });
});
