/**
 * The deployments of `npm run integ` (scripts/integ.ts), planned without AWS: one deployment of a
 * test's stacks, or first the demo stack alone with other context (KafkaIngestionDemo), and the
 * test apps synthesized with that context.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIRST_DEPLOYMENTS, deploymentPlan, readIntegCases, testsByDemo } from '../../scripts/integ';
import { synthIntegTest } from '../../scripts/sandbox/integ-snapshots';

const cases = { stacks: ['KafkaIngestionDemoInteg'], assertionStacks: ['KafkaIngestionDemoIntegAssertions'] };

describe('deploymentPlan', () => {
  test('a demo without a first deployment deploys its stacks and assertions once, with no context', () => {
    const plan = deploymentPlan('StreamingIngestionDemo', { stacks: ['StreamingIngestionDemoInteg'], assertionStacks: ['StreamingIngestionDemoIntegAssertions'] });
    expect(plan).toEqual([{
      context: {}, stacks: ['StreamingIngestionDemoInteg', 'StreamingIngestionDemoIntegAssertions'], description: expect.stringContaining('assertions'),
    }]);
  });

  test('KafkaIngestionDemo first deploys its demo stack alone with kafka-stage=CLUSTER, then everything with no context', () => {
    const plan = deploymentPlan('KafkaIngestionDemo', cases);
    expect(plan.map(({ context, stacks }) => ({ context, stacks }))).toEqual([
      { context: { 'kafka-stage': 'CLUSTER' }, stacks: ['KafkaIngestionDemoInteg'] },
      { context: {}, stacks: ['KafkaIngestionDemoInteg', 'KafkaIngestionDemoIntegAssertions'] },
    ]);
    expect(plan[0].description).toContain('-c kafka-stage=CLUSTER first: MSK turns on multi-VPC private connectivity');
  });

  test('a first deployment comes from the table it is given', () => {
    const plan = deploymentPlan('X', { stacks: ['XInteg', 'YInteg'], assertionStacks: ['XIntegAssertions'] }, { X: { context: { a: 'b' }, why: 'because' } });
    expect(plan.map(deployment => deployment.stacks)).toEqual([['XInteg', 'YInteg'], ['XInteg', 'YInteg', 'XIntegAssertions']]);
    expect(plan[0].description).toBe('XInteg, YInteg with -c a=b first: because');
  });

  test('every demo with a first deployment has a sandbox test', () => {
    const tested = testsByDemo();
    for (const demo of Object.keys(FIRST_DEPLOYMENTS)) {
      expect([demo, tested.has(demo)]).toEqual([demo, true]);
    }
  });
});

describe('the Kafka test app, synthesized with each deployment\'s context', () => {
  const file = testsByDemo().get('KafkaIngestionDemo')!;
  const resourceTypes = (context: Record<string, string>) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-plan-'));
    // jest keeps its own module registry: each synth runs the test file in a fresh one.
    jest.isolateModules(() => synthIntegTest(file, outdir, context));
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'KafkaIngestionDemoInteg.template.json'), 'utf-8'));
    const cluster = Object.values(template.Resources as Record<string, any>).find(r => r.Type === 'AWS::MSK::Cluster');
    return {
      stacks: readIntegCases(outdir).stacks,
      types: new Set(Object.values(template.Resources as Record<string, any>).map(r => r.Type as string)),
      producer: Object.keys(template.Resources).some(id => id.startsWith('IntegProducerFunction')),
      multiVpcIam: cluster.Properties.BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Sasl.Iam.Enabled,
    };
  };

  test('first (kafka-stage=CLUSTER): the cluster and topic, without multi-VPC connectivity, Firehose or the producer', () => {
    const first = resourceTypes(FIRST_DEPLOYMENTS.KafkaIngestionDemo.context);
    expect(first.stacks).toEqual(['KafkaIngestionDemoInteg']);
    expect(first.types.has('AWS::MSK::Topic')).toBe(true);
    expect(first.multiVpcIam).toBe(false);
    expect(first.types.has('AWS::KinesisFirehose::DeliveryStream')).toBe(false);
    expect(first.producer).toBe(false);
  });

  test('then (no context, as the snapshot): multi-VPC connectivity, Firehose and the producer', () => {
    const final = resourceTypes({});
    expect(final.multiVpcIam).toBe(true);
    expect(final.types.has('AWS::KinesisFirehose::DeliveryStream')).toBe(true);
    expect(final.producer).toBe(true);
  });
});
