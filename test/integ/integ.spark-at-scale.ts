/**
 * Sandbox test of SparkAtScaleDemo: the same PySpark script runs on the three engines and each
 * writes its features.
 *
 * 1. six JSON-lines transactions (two customers, one duplicate transaction, one without amount)
 *    land in the raw zone under `transactions/`;
 * 2. the three state machines start together: EMR Serverless (application starts on demand), EMR
 *    on EC2 (a transient cluster, terminated by the state machine) and SageMaker Processing;
 * 3. each execution SUCCEEDS within 50 minutes (EMR on EC2 is the slowest: cluster start, step,
 *    termination), and each engine's per-customer features are in the analytics zone as Parquet
 *    partitioned by day: `features/<engine>/customers/event_date=2025-01-31/`.
 *
 * Run: `npm run integ -- SparkAtScaleDemo` (about 40 minutes, about 1 USD: an EMR cluster of three
 * m5.xlarge for about 15 minutes, two ml.m5.xlarge for about 10, a few EMR Serverless vCPU-minutes).
 */
import { DataLake } from '../../lib';
import { SparkAtScaleDemoStack } from '../../examples/spark-at-scale/spark-at-scale-stack';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('SparkAtScaleDemo', (app, id) => new SparkAtScaleDemoStack(app, id));
const lake = test.stack.node.findChild('Lake') as DataLake;
const analyticsBucket = test.output('AnalyticsBucket');

const transactions = [
  { transaction_id: 't-1', customer_id: 'c-1', amount: 12.5, event_time: '2025-01-31T09:00:00Z' },
  { transaction_id: 't-2', customer_id: 'c-1', amount: 80, event_time: '2025-01-31T12:30:00Z' },
  { transaction_id: 't-2', customer_id: 'c-1', amount: 80, event_time: '2025-01-31T12:30:00Z' },
  { transaction_id: 't-3', customer_id: 'c-2', amount: 1500, event_time: '2025-01-31T18:45:00Z' },
  { transaction_id: 't-4', customer_id: 'c-2', amount: -20, event_time: '2025-01-31T19:00:00Z' },
  { transaction_id: 't-5', customer_id: 'c-2', event_time: '2025-01-31T19:05:00Z' },
].map(record => JSON.stringify(record)).join('\n') + '\n';
test.putObject(test.output('RawBucket'), 'transactions/2025-01-31.json', transactions, lake.encryptionKey.keyArn);

const engines = [
  { output: 'EmrServerlessStateMachine', prefix: 'emr-serverless' },
  { output: 'EmrClusterStateMachine', prefix: 'emr-on-ec2' },
  { output: 'SageMakerStateMachine', prefix: 'sagemaker' },
].map(engine => ({ ...engine, arn: test.output(engine.output) }));
const starts = engines.map(engine => test.startExecution(engine.arn));
engines.forEach((engine, index) => {
  test.expectExecutionSucceeded(starts[index], engine.arn, within(50, 60));
  test.expectObjects(analyticsBucket, `features/${engine.prefix}/customers/`, `^features/${engine.prefix}/customers/event_date=2025-01-31/`, within(2));
});

test.synth();
