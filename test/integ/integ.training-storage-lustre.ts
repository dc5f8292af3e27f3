/**
 * Sandbox test of TrainingStorageLustreDemo: as TrainingStorageDemo, plus FSx for Lustre linked to
 * the bucket's `train/` prefix. The training set is put before the FSx launcher runs; the file
 * system imports it (auto-import of new objects) and lazy-loads it on first read.
 *
 * 1. the CSV training set lands under `train/`;
 * 2. the S3 File, S3 FastFile and FSx for Lustre state machines start together;
 * 3. each execution SUCCEEDS within 30 minutes with the job's recorded timings.
 *
 * The EFS launcher runs in integ.training-storage.ts.
 *
 * Run: `npm run integ -- TrainingStorageLustreDemo` (about 40 minutes with the file system's
 * creation, about 0.30 USD: FSx at 0.23 USD an hour while it exists, three short jobs).
 */
import { TrainingStorageDemoStack } from '../../examples/training-storage/training-storage-stack';
import { expectTrainingRuns } from './training-runs';
import { SandboxTest } from './sandbox-test';

const test = new SandboxTest('TrainingStorageLustreDemo', (app, id) => new TrainingStorageDemoStack(app, id, { withLustre: true }));
expectTrainingRuns(test, ['S3FileStateMachine', 'S3FastFileStateMachine', 'FSxforLustreStateMachine']);
test.synth();
