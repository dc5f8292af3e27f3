import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { maskAssetHashes, resourcesOfType } from '../helpers';
import { demoTemplate } from '../demo-assembly';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPTS = path.join(ROOT, 'examples', 'glue-etl', 'scripts');

describe('the glue-etl demo stack', () => {
  let template: Record<string, any>;
  const ofType = (type: string) => resourcesOfType(template, type);
  beforeAll(() => {
    template = demoTemplate('GlueEtlDemo');
  });

  test('matches its snapshot (asset hashes masked)', () => {
    expect(maskAssetHashes(template)).toMatchSnapshot();
  });

  test('has a crawler per zone, a job, a workflow with three triggers and a security configuration', () => {
    expect(ofType('AWS::Glue::Crawler')).toHaveLength(2);
    expect(ofType('AWS::Glue::Job')).toHaveLength(1);
    expect(ofType('AWS::Glue::Workflow')).toHaveLength(1);
    expect(ofType('AWS::Glue::Trigger').map(t => t.Properties.Type)).toEqual(['EVENT', 'CONDITIONAL', 'CONDITIONAL']);
    expect(ofType('AWS::Glue::SecurityConfiguration')).toHaveLength(1);
    expect(ofType('AWS::Events::Rule')).toHaveLength(1);
  });

  test('has an Athena workgroup with enforced settings, a 100 MB scan limit and two named queries', () => {
    const [workgroup] = ofType('AWS::Athena::WorkGroup');
    expect(workgroup.Properties.WorkGroupConfiguration).toMatchObject({ EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 100_000_000 });
    expect(ofType('AWS::Athena::NamedQuery').map(q => q.Properties.Name)).toEqual(['orders by status', 'orders per country and day']);
  });

  test('leaves nothing behind that bills on destroy', () => {
    expect(ofType('AWS::S3::Bucket').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
    expect(ofType('AWS::KMS::Key').map(r => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    expect(ofType('AWS::Athena::WorkGroup').map(r => r.DeletionPolicy)).toEqual(['Delete']);
  });
});

describe('the PySpark script', () => {
  test('compiles with python3', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pycache-'));
    for (const script of ['curate_orders.py', path.join('modules', 'order_transforms.py')]) {
      expect(() => execFileSync('python3', ['-m', 'py_compile', path.join(SCRIPTS, script)], {
        env: { ...process.env, PYTHONPYCACHEPREFIX: cache }, stdio: 'pipe',
      })).not.toThrow();
    }
  });

  test('its transformation rules pass their unit tests', () => {
    const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', path.join(__dirname, 'glue-etl'), '-p', 'test_*.py'], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, encoding: 'utf-8',
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/Ran (\d{2,}) tests[\s\S]*\nOK\s*$/) });
  });
});
