import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Match } from '@aws-cdk/integ-tests-alpha';
import { SandboxTest, within } from './sandbox-test';

/**
 * A training set for the built-in XGBoost algorithm (CSV, label in the first column, no header):
 * 60 rows of two features, the label 1 when their sum passes 1. Deterministic, so that the
 * snapshot is stable.
 */
export function trainingCsv(): string {
  const rows: string[] = [];
  for (let i = 0; i < 60; i++) {
    const a = ((i * 37) % 100) / 100;
    const b = ((i * 61) % 100) / 100;
    rows.push(`${a + b > 1 ? 1 : 0},${a.toFixed(2)},${b.toFixed(2)}`);
  }
  return rows.join('\n') + '\n';
}

/**
 * Puts the training set under `train/` of the demo's bucket, starts the named launchers (stack
 * outputs) together, and expects each execution to succeed with the timings the launcher records.
 */
export function expectTrainingRuns(test: SandboxTest, launcherOutputs: string[]): void {
  const key = Stack.of(test.stack).node.findChild('DataKey') as kms.IKey;
  test.putObject(test.output('TrainingDataBucket'), 'train/train.csv', trainingCsv(), key.keyArn);
  const launchers = launcherOutputs.map(output => test.output(output));
  const starts = launchers.map(arn => test.startExecution(arn));
  launchers.forEach((arn, index) => test.expectExecutionSucceeded(starts[index], arn, within(30, 60), {
    training: Match.objectLike({
      SecondaryStatusTransitions: Match.arrayWith([Match.objectLike({ Status: 'Training' }), Match.objectLike({ Status: 'Completed' })]),
      ModelArtifacts: Match.stringLikeRegexp('^s3://.+/output/model\\.tar\\.gz$'),
    }),
  }));
}
