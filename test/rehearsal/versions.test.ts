import { Aws } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { REHEARSAL_RULES } from '../../lib/rehearsal/rehearse';
import { KNOWN_VERSIONS } from '../../lib/rehearsal/versions';
import { bareStack, findingsOf, rehearseStack } from './helpers';

/** A state machine that runs a Spark processing job on the prebuilt image with this tag. */
async function sparkImageFindings(tag: string) {
  const stack = bareStack();
  new sfn.CfnStateMachine(stack, 'Machine', {
    roleArn: 'arn:aws:iam::123456789012:role/machine',
    definitionString: stack.toJsonString({
      StartAt: 'Process',
      States: {
        Process: {
          Type: 'Task', Resource: 'arn:aws:states:::sagemaker:createProcessingJob.sync', End: true,
          Parameters: { AppSpecification: { ImageUri: `173754725891.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/sagemaker-spark-processing:${tag}` } },
        },
      },
    }),
  });
  return findingsOf(await rehearseStack(stack), REHEARSAL_RULES.VERSION);
}

describe('versions', () => {
  test('(8) a SageMaker Spark image tag that is not in the table is a finding; a published tag passes', async () => {
    const [finding] = await sparkImageFindings('3.5-cpu-py310-v1.0');
    expect(finding.resourceLogicalId).toBe('Machine');
    expect(finding.description).toMatch(/^sagemaker-image sagemaker-spark-processing:3\.5-cpu-py310-v1\.0 \(an image URI\) is not in the rehearsal's table of known versions/);
    expect(await sparkImageFindings('3.5-cpu-py312-v1.0')).toEqual([]);
  });

  test('checks Lambda runtimes and the other pinned versions against the table', async () => {
    const stack = bareStack();
    new lambda.CfnFunction(stack, 'Old', { role: 'arn:aws:iam::123456789012:role/f', runtime: 'nodejs16.x', code: { zipFile: 'x' }, handler: 'index.handler' });
    new lambda.CfnFunction(stack, 'Current', { role: 'arn:aws:iam::123456789012:role/f', runtime: 'nodejs24.x', code: { zipFile: 'x' }, handler: 'index.handler' });
    const result = await rehearseStack(stack);
    expect(findingsOf(result, REHEARSAL_RULES.VERSION).map(f => [f.resourceLogicalId, f.location])).toEqual([['Old', 'Properties.Runtime']]);
    expect(result.counts.versions).toBe(2);
  });

  test('every row of the table names its source page and the day it was read', () => {
    for (const row of KNOWN_VERSIONS) {
      expect(row).toEqual({ kind: row.kind, value: row.value, source: expect.stringMatching(/^https:\/\//), read: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    }
  });
});
