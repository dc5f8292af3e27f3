/**
 * Sandbox test of TrainingStorageDemo (S3 File, S3 FastFile and EFS inputs): the same XGBoost
 * training runs from each input and records how long each phase took.
 *
 * 1. a small CSV training set (label first, no header) lands in the training bucket under `train/`,
 *    and the same file in the EFS training-data directory (`/training`), written by a test-only
 *    function that mounts it ({@link EfsTrainingData}): no AWS API writes a file on EFS;
 * 2. the S3 File, S3 FastFile and EFS state machines start together;
 * 3. each execution SUCCEEDS within 30 minutes, and its output has the job's timings: Completed,
 *    `SecondaryStatusTransitions` with the Downloading and Training phases (S3 File copies the data
 *    in Downloading; FastFile and EFS read it during Training), `TrainingTimeInSeconds` and the model.
 *
 * Run: `npm run integ -- TrainingStorageDemo` (about 25 minutes, about 0.06 USD: three ml.m5.large
 * jobs of a few minutes each, which need a quota of 3 concurrent ml.m5.large training instances).
 */
import * as kms from 'aws-cdk-lib/aws-kms';
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { EfsTrainingStorage, PrivateNetwork } from '../../lib';
import { TrainingStorageDemoStack } from '../../examples/training-storage/training-storage-stack';
import { EfsTrainingData } from './efs-training-data';
import { expectTrainingRuns, trainingCsv } from './training-runs';
import { SandboxTest } from './sandbox-test';

const test = new SandboxTest('TrainingStorageDemo', (app, id) => new TrainingStorageDemoStack(app, id));
const demo = test.stack;
const efsData = new EfsTrainingData(demo, 'IntegEfsTrainingData', {
  storage: demo.node.findChild('Efs') as EfsTrainingStorage,
  vpc: (demo.node.findChild('Network') as PrivateNetwork).vpc,
  logEncryptionKey: demo.node.findChild('DataKey') as kms.IKey,
});
test.call('Lambda', 'Invoke', { FunctionName: efsData.function.functionName, Payload: JSON.stringify({ files: { 'train.csv': trainingCsv() } }) },
  [efsData.function.functionArn], { actions: ['lambda:InvokeFunction'] })
  .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.serializedJson({ written: ['train.csv'] }) }));
expectTrainingRuns(test, ['S3FileStateMachine', 'S3FastFileStateMachine', 'EFSStateMachine']);
test.synth();
