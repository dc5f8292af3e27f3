import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { DataLake, EmrServerlessSpark, PrivateNetwork, StateMachineJob, TrainingInput, TrainingJobLauncher, xgboostImageUri } from '../../lib';
import { grantStatements, metricFacts, newStack } from '../helpers';

const SCRIPT = path.join(__dirname, '..', '..', 'examples', 'spark-at-scale', 'feature_engineering.py');

/** Two of the five constructs that run a job with a state machine: a training launcher and an EMR Serverless job. */
function jobs(stack: Stack): StateMachineJob[] {
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
  const network = new PrivateNetwork(stack, 'Network');
  const workspace = { bucket: new s3.Bucket(stack, 'Workspace'), encryptionKey: new kms.Key(stack, 'Key') };
  return [
    new TrainingJobLauncher(stack, 'Train', {
      vpc: network.vpc, trainingImage: xgboostImageUri(stack), inputs: [TrainingInput.fromS3(lake.zone('raw'))], output: lake.zone('raw'), jobNamePrefix: 'xgb',
    }),
    new EmrServerlessSpark(stack, 'Spark', { scriptPath: SCRIPT, inputs: [lake.zone('raw')], workspace }),
  ];
}

describe('StateMachineJob', () => {
  test('failed and timed-out executions, by StateMachineArn, summed over 5 minutes', () => {
    const stack = newStack();
    for (const job of jobs(stack)) {
      const arn = { Ref: stack.getLogicalId(job.stateMachine.node.defaultChild as sfn.CfnStateMachine) };
      const facts = (metricName: string) => ({ namespace: 'AWS/States', metricName, dimensions: { StateMachineArn: arn }, statistic: 'Sum', period: 300 });
      expect(metricFacts(stack, job.metricFailed())).toEqual(facts('ExecutionsFailed'));
      expect(metricFacts(stack, job.metricTimedOut())).toEqual(facts('ExecutionsTimedOut'));
    }
  });

  test('grantStartExecution lets a principal start the state machine and nothing else', () => {
    const stack = newStack();
    const [launcher] = jobs(stack);
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = launcher.grantStartExecution(operator);
    expect(grantStatements(stack, grant)).toEqual([{
      Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(launcher.stateMachine.node.defaultChild as sfn.CfnStateMachine) },
    }]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: stack.getLogicalId(operator.node.defaultChild as iam.CfnRole) }] });
  });

  test('every state machine is standard, logs ALL events with execution data to an encrypted log group, traces with X-Ray and times out', () => {
    const stack = newStack();
    jobs(stack);
    const machines = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine')).map(machine => machine.Properties);
    expect(machines).toHaveLength(2);
    for (const machine of machines) {
      expect(machine).toMatchObject({
        StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      expect(JSON.stringify(machine.DefinitionString)).toContain('TimeoutSeconds');
    }
    for (const group of Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    }
  });
});
