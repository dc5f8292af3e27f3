/**
 * Sandbox test of TrainingStorageDemo (S3 File, S3 FastFile and EFS inputs): the same XGBoost
 * training runs from S3 in both input modes and records how long each phase took.
 *
 * 1. a small CSV training set (label first, no header) lands in the training bucket under `train/`;
 * 2. the S3 File and S3 FastFile state machines start together;
 * 3. each execution SUCCEEDS within 30 minutes, and its output has the job's timings: Completed,
 *    `SecondaryStatusTransitions` with the Downloading and Training phases (S3 File copies the data
 *    in Downloading; FastFile streams it during Training), `TrainingTimeInSeconds` and the model.
 *
 * Not run: the EFS launcher, whose data must first be copied onto the file system (DataSync or a
 * mounted client); no AWS API call writes a file on EFS. The stack's EFS and its access points
 * deploy (and are destroyed) with the test.
 *
 * Run: `npm run integ -- TrainingStorageDemo` (about 25 minutes, about 0.10 USD: two ml.m5.large
 * jobs of a few minutes each).
 */
import { TrainingStorageDemoStack } from '../../examples/training-storage/training-storage-stack';
import { expectTrainingRuns } from './training-runs';
import { SandboxTest } from './sandbox-test';

const test = new SandboxTest('TrainingStorageDemo', (app, id) => new TrainingStorageDemoStack(app, id));
expectTrainingRuns(test, ['S3FileStateMachine', 'S3FastFileStateMachine']);
test.synth();
