/**
 * Sandbox test of DatabaseIngestionDemo: a full load copies the seeded `orders` table of Aurora
 * PostgreSQL into the raw zone as Parquet.
 *
 * 1. the stack deploys and seeds the source (the seed custom resources run the SQL through the
 *    RDS Data API);
 * 2. the state machine starts the DMS task and waits for the full load: the execution SUCCEEDS
 *    within 40 minutes (the Aurora writer resumes from zero capacity, the replication instance
 *    connects through the private network, DMS reads the credentials through the Secrets Manager
 *    endpoint);
 * 3. Parquet files of the table are in the raw zone under `shop/public/orders/`.
 *
 * Run: `npm run integ -- DatabaseIngestionDemo` (about 45 minutes: Aurora and the replication
 * instance take most of the deployment; about 0.30 USD).
 */
import { DatabaseIngestionDemoStack } from '../../examples/database-ingestion/database-ingestion-stack';
import { SandboxTest, within } from './sandbox-test';

const test = new SandboxTest('DatabaseIngestionDemo', (app, id) => new DatabaseIngestionDemoStack(app, id));
const stateMachine = test.output('StateMachineArn');
const load = test.startExecution(stateMachine);
test.expectExecutionSucceeded(load, stateMachine, within(40, 60));
test.expectObjects(test.output('RawBucket'), 'shop/public/orders/', '^shop/public/orders/.*\\.parquet$', within(2));
test.synth();
