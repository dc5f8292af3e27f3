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
 * Run: `npm run integ -- DatabaseIngestionDemo`, or `DMS_ACCOUNT_ROLES=existing npm run integ --
 * DatabaseIngestionDemo` in an account that already has `dms-vpc-role` and `dms-cloudwatch-logs-role`
 * (about 45 minutes: Aurora and the replication instance take most of the deployment; about 0.30 USD).
 */
import { DatabaseIngestionDemoStack } from '../../examples/database-ingestion/database-ingestion-stack';
import { DmsAccountRolesDemoStack } from '../../examples/database-ingestion/dms-account-roles-stack';
import { SandboxTest, within } from './sandbox-test';

// DMS needs its two account-wide roles before the replication subnet group: the test deploys them
// in a stack of their own first, as the demo does, unless the account already has them
// (DMS_ACCOUNT_ROLES=existing, like the demo app's `-c dms-account-roles=existing`).
const test = new SandboxTest('DatabaseIngestionDemo', (app, id) => {
  const existing = process.env.DMS_ACCOUNT_ROLES === 'existing';
  const accountRoles = existing ? undefined : new DmsAccountRolesDemoStack(app, 'DmsAccountRolesDemoInteg').roles;
  return new DatabaseIngestionDemoStack(app, id, { accountRoles });
});
const stateMachine = test.output('StateMachineArn');
const load = test.startExecution(stateMachine);
test.expectExecutionSucceeded(load, stateMachine, within(40, 60));
test.expectObjects(test.output('RawBucket'), 'shop/public/orders/', '^shop/public/orders/.*\\.parquet$', within(2));
test.synth();
