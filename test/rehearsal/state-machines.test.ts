import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { explore } from '../../lib/rehearsal/state-machine-runner';
import { SERVICE_RESULTS } from '../../lib/rehearsal/service-results';
import { bareStack, findingsOf, rehearseStack } from './helpers';

/** A state machine with one Spark job on EMR Serverless and a catcher. */
function emrServerlessMachine(resultSelector: Record<string, string>): Record<string, unknown> {
  return {
    StartAt: 'RunSparkJob',
    States: {
      RunSparkJob: {
        Type: 'Task', Resource: 'arn:aws:states:::emr-serverless:startJobRun.sync', End: true,
        Parameters: { 'ApplicationId': 'app', 'ExecutionRoleArn': 'arn:aws:iam::123456789012:role/job', 'Name.$': '$$.Execution.Name', 'JobDriver': {} },
        ResultSelector: resultSelector,
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'SparkJobFailed' }],
      },
      SparkJobFailed: { Type: 'Fail', Error: 'SparkJobFailed', CausePath: '$.Cause' },
    },
  };
}

describe('state machines', () => {
  test('a ResultSelector that reads a field the startJobRun.sync result does not have fails with States.Runtime, which States.ALL does not catch', async () => {
    const stack = bareStack();
    const definition = emrServerlessMachine({ 'JobRunId.$': '$.JobRunId', 'State.$': '$.JobRun.State' });
    new sfn.CfnStateMachine(stack, 'Machine', { roleArn: 'arn:aws:iam::123456789012:role/machine', definitionString: JSON.stringify(definition) });
    const result = await rehearseStack(stack);
    const [finding] = findingsOf(result, REHEARSAL_RULES.SFN);
    expect(finding.resourceLogicalId).toBe('Machine');
    expect(finding.description).toMatch(/^Machine, path RunSparkJob: States\.Runtime: the field State\.\$: the JSONPath \$\.JobRun\.State could not be found in the input/);
    expect(finding.description).toContain('no Retry or Catch handles States.Runtime (not even States.ALL)');
    expect(finding.description).toContain(SERVICE_RESULTS['arn:aws:states:::emr-serverless:startJobRun.sync'].source);
    expect(result.counts.stateMachines).toBe(1);
  });

  test('a ResultSelector that reads only what the result has runs, on its success and on its failure path', async () => {
    const stack = bareStack();
    const definition = emrServerlessMachine({ 'JobRunId.$': '$.JobRunId', 'ApplicationId.$': '$.ApplicationId' });
    new sfn.CfnStateMachine(stack, 'Machine', { roleArn: 'arn:aws:iam::123456789012:role/machine', definitionString: JSON.stringify(definition) });
    const result = await rehearseStack(stack);
    expect(result.findings).toEqual([]);
    expect(result.counts.stateMachinePaths).toBe(2);
  });

  test('explores each result of a polling integration and cuts loops on repeated data', () => {
    const describe = 'arn:aws:states:::aws-sdk:databasemigration:describeReplicationTasks';
    const exploration = explore({
      StartAt: 'Describe',
      States: {
        Describe: { Type: 'Task', Resource: describe, Parameters: {}, ResultSelector: { 'task.$': '$.ReplicationTasks[0]' }, ResultPath: '$.dms', Next: 'Done?' },
        'Done?': {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.dms.task.Status', StringEquals: 'stopped' }, { Variable: '$.dms.task.StopReason', StringMatches: '*FULL_LOAD_ONLY_FINISHED*' }], Next: 'Loaded' },
            { Variable: '$.dms.task.Status', StringEquals: 'failed', Next: 'Failed' },
          ],
          Default: 'Wait',
        },
        Wait: { Type: 'Wait', Seconds: 60, Next: 'Describe' },
        Loaded: { Type: 'Succeed' },
        Failed: { Type: 'Fail', Error: 'DMS.TaskFailed', CausePath: '$.dms.task.LastFailureMessage' },
      },
    });
    const kinds = exploration.ends.map(end => `${end.kind}:${end.trail[end.trail.length - 1]}`);
    expect(kinds).toEqual(expect.arrayContaining(['succeeded:Loaded', 'failed:Failed', 'failed:Describe']));
    expect(exploration.ends.filter(end => end.kind === 'runtime-error')).toEqual([]);
    expect(exploration.integrations.get(describe)).toMatch(/API_DescribeReplicationTasks/);
  });

  test('a Choice on a field the result may lack is a runtime error unless guarded by IsPresent; a CausePath likewise', () => {
    const base = {
      StartAt: 'Describe',
      States: {
        Describe: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:databasemigration:describeReplicationTasks', ResultSelector: { 'task.$': '$.ReplicationTasks[0]' }, Next: 'Why?' },
        'Why?': { Type: 'Choice', Choices: [{ Variable: '$.task.StopReason', StringEquals: 'x', Next: 'End' }], Default: 'End' },
        End: { Type: 'Succeed' },
      },
    };
    const unguarded = explore(base).ends.filter(end => end.kind === 'runtime-error');
    expect(unguarded[0].cause).toMatch(/the Choice rule on \$\.task\.StopReason: the JSONPath \$\.task\.StopReason could not be found in the input \(\$\.task\.StopReason does not exist; the object has .*Status/);
    const guarded = JSON.parse(JSON.stringify(base));
    guarded.States['Why?'].Choices[0] = { And: [{ Variable: '$.task.StopReason', IsPresent: true }, { Variable: '$.task.StopReason', StringEquals: 'x' }], Next: 'End' };
    expect(explore(guarded).ends.filter(end => end.kind === 'runtime-error')).toEqual([]);
  });

  test('runs intrinsic functions, ResultPath, OutputPath, Pass, Parallel and Map', () => {
    const exploration = explore({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Parameters: { 'name.$': "States.Format('job-{}', States.UUID())", 'items.$': 'States.Array(1, 2, 3)', 'n.$': 'States.ArrayLength(States.Array(1, 2))' }, ResultPath: '$.init', Next: 'Fan' },
        Fan: {
          Type: 'Parallel', ResultPath: '$.branches', Next: 'Each',
          Branches: [{ StartAt: 'Publish', States: { Publish: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { 'Message.$': '$.init.name' }, End: true } } }],
        },
        Each: { Type: 'Map', ItemsPath: '$.init.items', ResultPath: null, ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } }, Next: 'Out' },
        Out: { Type: 'Pass', OutputPath: '$.branches[0].MessageId', End: true },
      },
    });
    expect(exploration.ends.filter(end => end.kind === 'runtime-error' || end.kind === 'not-modelled')).toEqual([]);
    expect(exploration.ends.some(end => end.kind === 'succeeded')).toBe(true);
  });

  test('a task whose integration has no result shape is reported as not modelled, not as passing', async () => {
    const stack = bareStack();
    new sfn.CfnStateMachine(stack, 'Machine', {
      roleArn: 'arn:aws:iam::123456789012:role/machine',
      definitionString: JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:listBuckets', End: true } } }),
    });
    const result = await rehearseStack(stack);
    expect(result.findings).toEqual([]);
    expect(result.notModelled).toEqual([expect.stringMatching(/no result shape for arn:aws:states:::aws-sdk:s3:listBuckets: add it to service-results\.ts/)]);
  });

  test('every result in the table cites the API page it copies', () => {
    for (const [resource, result] of Object.entries(SERVICE_RESULTS)) {
      expect({ resource, source: result.source }).toEqual({ resource, source: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//) });
      expect(result.outputs.length).toBeGreaterThan(0);
    }
  });
});
