/**
 * # Training storage: S3, EFS, EBS and FSx for Lustre as training input (notes part one, e–g)
 *
 * Read this stack top to bottom. It puts training data where a SageMaker training job can read
 * it (an S3 bucket, an EFS file system and, in the Lustre variant, an FSx for Lustre file system
 * linked to the bucket), adds EBS volumes of several types for notebook or training instances,
 * and builds one state machine per storage option that trains the built-in XGBoost algorithm on
 * the same data and records how long each phase took.
 *
 * Two stacks are built from this class:
 * - `TrainingStorageDemo`: S3 (File and FastFile modes), EFS and EBS. Cost at idle: about
 *   4 USD a month (two KMS keys at 1 USD; the sc1 volume, whose minimum is 125 GiB, 1.9 USD; the
 *   1-GiB gp3 and gp2 volumes 0.18 USD; EFS and S3 bill only what they store).
 * - `TrainingStorageLustreDemo`: the same plus FSx for Lustre (SCRATCH_2, 1.2 TiB, the
 *   smallest). FSx bills its capacity every hour it exists: about 0.23 USD an hour, 168 USD a
 *   month (us-east-1). Deploy it for the comparison and destroy it right after (in your own
 *   stacks the linked bucket keeps the data: FSx only caches it).
 *
 * Deploy: `npx cdk deploy TrainingStorageDemo` (or `TrainingStorageLustreDemo`).
 * Remove: `npx cdk destroy <stack>` (buckets emptied, file systems and volumes deleted, keys
 * scheduled for deletion after 7 days).
 *
 * ## Comparing the file systems (the notes' load-speed table)
 *
 * The notes rank load speed S3 < EFS < EBS < FSx for Lustre. To measure it on your data:
 * 1. Upload a CSV training set (label in the first column, no header) to
 *    `s3://<TrainingDataBucket>/train/`.
 * 2. EFS: copy the same files to `/training` on the file system, for example with an AWS
 *    DataSync S3 → EFS task, or from a notebook that carries `NotebookSecurityGroup`.
 *    FSx for Lustre needs no copy: it lists the bucket's `train/` prefix at creation and
 *    lazy-loads each file on first read (auto-import keeps the listing current).
 * 3. Start each state machine (the stack's outputs name them) with `{}` and wait:
 *    `aws stepfunctions start-execution --state-machine-arn <arn>`.
 * 4. Read each execution's output (`aws stepfunctions describe-execution --execution-arn <arn>
 *    --query output`): `training.SecondaryStatusTransitions` lists Starting, Downloading,
 *    Training, Uploading with their start and end times. Downloading is the load time the notes
 *    compare (S3 File copies everything first; FastFile, EFS and FSx start at once and pay on
 *    first read, inside Training); `training.TrainingTimeInSeconds` and
 *    `BillableTimeInSeconds` give the totals. Run each twice: FSx's second run reads from the
 *    file system, not S3.
 * EBS is not a SageMaker training input: the job's own ML storage volume is EBS, which is where
 * S3 File mode copies the data; the EBS volumes here are for notebook or EC2 training instances.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { Construct } from 'constructs';
import { AccessLogBucket, DataFlow, DataFlowStage, EbsVolumeSet, EbsVolumeType, EfsTrainingStorage, LustreTrainingStorage, PrivateNetwork, S3InputMode, SecureBucket, TrainingInput, TrainingInputs, TrainingJobLauncher, allowLogsToUse, createDataKey, xgboostImageUri } from '../../lib';

/** Properties of a {@link TrainingStorageDemoStack}. */
export interface TrainingStorageDemoStackProps extends StackProps {
  /**
   * Whether to add FSx for Lustre (about 0.23 USD an hour while it exists).
   *
   * @default false
   */
  readonly withLustre?: boolean;
}

export class TrainingStorageDemoStack extends Stack {
  /** One launcher per storage option, by its label. */
  public readonly launchers: Record<string, TrainingJobLauncher> = {};

  constructor(scope: Construct, id: string, props: TrainingStorageDemoStackProps = {}) {
    super(scope, id, {
      description: 'ML data engineering demo: training input from S3, EFS'
        + (props.withLustre ? ' and FSx for Lustre' : '') + ', EBS volume types, SageMaker training launchers',
      ...props,
    });
    const removalPolicy = RemovalPolicy.DESTROY; // sandbox only: the library keeps data by default

    // 1. A private network: isolated subnets, no NAT gateway. Training jobs reach S3 through the
    //    free gateway endpoint; no interface endpoint is needed (SageMaker pulls the built-in
    //    image and writes the job's logs itself), so the network costs nothing at idle.
    const network = new PrivateNetwork(this, 'Network', { removalPolicy });

    // 2. One key for the demo's data: bucket, file systems, volumes and logs (1 USD a month).
    const key = createDataKey(this, 'DataKey', 'Encrypts the training data, volumes and logs of the training-storage demo', { removalPolicy });
    allowLogsToUse(key);

    // 3. The training data in S3: any bucket works, a DataLake zone's bucket (`zone.bucket`) too.
    //    Overwritten training sets and old model versions expire 30 days after being replaced.
    const bucket = new SecureBucket(this, 'TrainingData', {
      encryptionKey: key,
      serverAccessLogsBucket: new AccessLogBucket(this, 'AccessLogs', { removalPolicy }),
      lifecycleRules: [{ id: 'expire-replaced-versions', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    });

    DataFlow.node(this, 'TrainingDataNode', { label: 'training data', detail: 'S3 bucket', stage: DataFlowStage.STORAGE, resources: [bucket] });

    // 4. EFS for the notes' notebook scenario: each data scientist (or team) gets a directory
    //    through an access point that forces their POSIX identity; training jobs read /training.
    const efs = new EfsTrainingStorage(this, 'Efs', {
      vpc: network.vpc,
      encryptionKey: key,
      removalPolicy,
      workspaces: [
        { name: 'alice', uid: 2001, gid: 2000 },
        { name: 'fraud-team', uid: 3000, gid: 3000, path: '/teams/fraud' },
      ],
    });

    // 5. EBS volumes of several types for notebook or EC2 training instances, in the AZ of the
    //    first subnet. Sizes are the smallest each type allows (st1/sc1: 125 GiB); try
    //    `iops: 20_000` on the 1-GiB gp3 volume: synth stops at 500 IOPS per GiB.
    new EbsVolumeSet(this, 'Volumes', {
      availabilityZone: network.vpc.isolatedSubnets[0].availabilityZone,
      encryptionKey: key,
      removalPolicy,
      volumes: [
        { name: 'scratch-gp3', type: EbsVolumeType.GP3, sizeGiB: 1 },
        { name: 'legacy-gp2', type: EbsVolumeType.GP2, sizeGiB: 1 },
        { name: 'archive-sc1', type: EbsVolumeType.SC1, sizeGiB: 125 },
      ],
    });

    // 6. The same XGBoost training on each input. The image URI is resolved per region from
    //    the published registry accounts, pinned to 1.7-1.
    const inputs: TrainingInput[] = [
      TrainingInputs.fromS3(this, bucket, { prefix: 'train/', inputMode: S3InputMode.FILE }),
      TrainingInputs.fromS3(this, bucket, { prefix: 'train/', inputMode: S3InputMode.FAST_FILE }),
      efs.trainingInput(),
    ];

    // 7. FSx for Lustre (opt-in stack): SCRATCH_2, linked to the bucket's train/ prefix.
    if (props.withLustre) {
      const lustre = new LustreTrainingStorage(this, 'Lustre', {
        vpc: network.vpc,
        deploymentType: fsx.LustreDeploymentType.SCRATCH_2,
        storageCapacityGiB: 1200,
        dataRepositories: [{ bucket, prefix: 'train/' }],
        removalPolicy,
      });
      inputs.push(lustre.trainingInput());
    }

    new CfnOutput(this, 'TrainingDataBucket', { value: bucket.bucketName, description: 'Put the CSV training set under train/' });
    for (const input of inputs) {
      const name = input.storageLabel.replace(/[^A-Za-z0-9]/g, '');
      const launcher = new TrainingJobLauncher(this, `Train${name}`, {
        vpc: network.vpc,
        trainingImage: xgboostImageUri(this, '1.7-1'),
        inputs: [input],
        outputBucket: bucket,
        outputPrefix: `models/${name.toLowerCase()}/`,
        jobNamePrefix: `xgb-${name.toLowerCase()}`,
        hyperparameters: { objective: 'binary:logistic', num_round: '50' },
        volumeEncryptionKey: key,
        logEncryptionKey: key,
        removalPolicy,
      });
      this.launchers[input.storageLabel] = launcher;
      new CfnOutput(this, `${name}StateMachine`, { value: launcher.stateMachine.stateMachineArn, description: `Trains on ${input.storageLabel}` });
    }
  }
}
