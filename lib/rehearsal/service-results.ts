/**
 * What a Task state's integration returns, shaped like the real API's output, so that a
 * `ResultSelector`, `ResultPath`, `OutputPath` or `Choice` naming a field the API does not return
 * fails in the rehearsal as it would in AWS. Each entry copies the response syntax of the API
 * reference page it cites (field names and nesting; the values are made up), and for `.sync`
 * integrations the Step Functions page that says which API's output the task returns.
 *
 * A value the rehearsal cannot know (a Lambda function's payload, an execution's output) is
 * {@link OPAQUE}: paths into it are not checked.
 */
export interface ServiceResult {
  /** The API reference page(s) whose response syntax the result copies. */
  readonly source: string;
  /**
   * The outputs the integration can return, in the order the rehearsal tries them (a job that
   * succeeds, a task that stopped, …); each is one branch of the exploration.
   */
  readonly outputs: readonly unknown[];
  /** The error the task reports when the call or the job fails, and its cause (the failed job's description). */
  readonly failure: { readonly error: string; readonly cause: unknown };
}

/** A value whose content the rehearsal cannot know: every path into it resolves, to another opaque value. */
export const OPAQUE: unique symbol = Symbol('opaque');

const TIME = '2026-01-01T00:00:00.000Z';

const trainingJob = (status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  TrainingJobName: 'job', TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/job',
  ModelArtifacts: { S3ModelArtifacts: 's3://bucket/models/job/output/model.tar.gz' },
  TrainingJobStatus: status, SecondaryStatus: status === 'Completed' ? 'Completed' : 'Failed',
  HyperParameters: {}, AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
  RoleArn: 'arn:aws:iam::123456789012:role/role', InputDataConfig: [], OutputDataConfig: { S3OutputPath: 's3://bucket/models/' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 }, StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  CreationTime: TIME, TrainingStartTime: TIME, TrainingEndTime: TIME, LastModifiedTime: TIME,
  SecondaryStatusTransitions: [{ Status: 'Starting', StartTime: TIME, EndTime: TIME, StatusMessage: 'Preparing the instances for training' }],
  EnableNetworkIsolation: false, EnableInterContainerTrafficEncryption: true, EnableManagedSpotTraining: false,
  TrainingTimeInSeconds: 120, BillableTimeInSeconds: 120,
  ...extra,
});

const processingJob = (status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ProcessingInputs: [], ProcessingOutputConfig: { Outputs: [] },
  ProcessingJobName: 'job', ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 }, AppSpecification: { ImageUri: 'image' }, NetworkConfig: {},
  RoleArn: 'arn:aws:iam::123456789012:role/role', ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/job',
  ProcessingJobStatus: status, ProcessingEndTime: TIME, ProcessingStartTime: TIME, LastModifiedTime: TIME, CreationTime: TIME,
  ...extra,
});

const replicationTask = (status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ReplicationTaskIdentifier: 'task', SourceEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:SOURCE',
  TargetEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:TARGET', ReplicationInstanceArn: 'arn:aws:dms:us-east-1:123456789012:rep:INSTANCE',
  MigrationType: 'full-load', TableMappings: '{}', Status: status, ReplicationTaskCreationDate: TIME,
  ReplicationTaskArn: 'arn:aws:dms:us-east-1:123456789012:task:TASK',
  ReplicationTaskStats: { FullLoadProgressPercent: 100, ElapsedTimeMillis: 1000, TablesLoaded: 1, TablesLoading: 0, TablesQueued: 0, TablesErrored: 0 },
  ...extra,
});

const DESCRIBE_REPLICATION_TASKS = 'https://docs.aws.amazon.com/dms/latest/APIReference/API_DescribeReplicationTasks.html, '
  + 'https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTask.html';

/**
 * Results by the `Resource` of a Task state, with the partition written as `aws` (the rehearsal
 * resolves definitions in the `aws` partition).
 */
export const SERVICE_RESULTS: Record<string, ServiceResult> = {
  'arn:aws:states:::sagemaker:createTrainingJob.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html (the task returns DescribeTrainingJob), '
      + 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html',
    outputs: [trainingJob('Completed')],
    failure: { error: 'States.TaskFailed', cause: trainingJob('Failed', { FailureReason: 'AlgorithmError: see the job logs' }) },
  },
  'arn:aws:states:::sagemaker:createTrainingJob': {
    source: 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html',
    outputs: [{ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/job' }],
    failure: { error: 'SageMaker.AmazonSageMakerException', cause: 'ValidationException' },
  },
  'arn:aws:states:::sagemaker:createProcessingJob.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html (the task returns DescribeProcessingJob), '
      + 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeProcessingJob.html',
    outputs: [processingJob('Completed', { ExitMessage: '' })],
    failure: { error: 'States.TaskFailed', cause: processingJob('Failed', { FailureReason: 'AlgorithmError: see the job logs', ExitMessage: 'exit code 1' }) },
  },
  'arn:aws:states:::sagemaker:createProcessingJob': {
    source: 'https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateProcessingJob.html',
    outputs: [{ ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/job' }],
    failure: { error: 'SageMaker.AmazonSageMakerException', cause: 'ValidationException' },
  },
  'arn:aws:states:::emr-serverless:startJobRun.sync': {
    // The optimized integration returns the StartJobRun response; `.sync` waits for the run to end.
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html, '
      + 'https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html',
    outputs: [{ ApplicationId: '00fabcdefghijklm', JobRunId: '00fjobrunid00001', Arn: 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcdefghijklm/jobruns/00fjobrunid00001' }],
    failure: { error: 'States.TaskFailed', cause: 'Job run 00fjobrunid00001 failed: see the job run logs' },
  },
  'arn:aws:states:::emr-serverless:startJobRun': {
    source: 'https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html',
    outputs: [{ ApplicationId: '00fabcdefghijklm', JobRunId: '00fjobrunid00001', Arn: 'arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcdefghijklm/jobruns/00fjobrunid00001' }],
    failure: { error: 'EMRServerless.ValidationException', cause: 'ValidationException' },
  },
  'arn:aws:states:::elasticmapreduce:createCluster.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html (createCluster returns the cluster id as ClusterId), '
      + 'https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html',
    outputs: [{ ClusterId: 'j-2AXXXXXXGAPLF', ClusterArn: 'arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-2AXXXXXXGAPLF' }],
    failure: { error: 'States.TaskFailed', cause: 'Cluster j-2AXXXXXXGAPLF terminated with errors: VALIDATION_ERROR' },
  },
  'arn:aws:states:::elasticmapreduce:addStep.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html (addStep returns StepId), '
      + 'https://docs.aws.amazon.com/emr/latest/APIReference/API_AddJobFlowSteps.html',
    outputs: [{ StepId: 's-1XXXXXXXXXXXA' }],
    failure: { error: 'States.TaskFailed', cause: 'Step s-1XXXXXXXXXXXA failed' },
  },
  'arn:aws:states:::elasticmapreduce:terminateCluster.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html, https://docs.aws.amazon.com/emr/latest/APIReference/API_TerminateJobFlows.html',
    outputs: [{}],
    failure: { error: 'States.TaskFailed', cause: 'ValidationException' },
  },
  'arn:aws:states:::glue:startJobRun.sync': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html (the task returns the job run), '
      + 'https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-runs.html#aws-glue-api-jobs-runs-JobRun',
    outputs: [{
      Id: 'jr_0123', Attempt: 0, JobName: 'job', StartedOn: TIME, LastModifiedOn: TIME, CompletedOn: TIME, JobRunState: 'SUCCEEDED',
      Arguments: {}, PredecessorRuns: [], AllocatedCapacity: 2, ExecutionTime: 60, Timeout: 60, MaxCapacity: 2, WorkerType: 'G.1X',
      NumberOfWorkers: 2, GlueVersion: '5.0',
    }],
    failure: { error: 'States.TaskFailed', cause: { JobRunState: 'FAILED', ErrorMessage: 'see the job run logs' } },
  },
  'arn:aws:states:::glue:startJobRun': {
    source: 'https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-runs.html#aws-glue-api-jobs-runs-StartJobRun',
    outputs: [{ JobRunId: 'jr_0123' }],
    failure: { error: 'Glue.ConcurrentRunsExceededException', cause: 'ConcurrentRunsExceededException' },
  },
  'arn:aws:states:::glue:startCrawler': {
    source: 'https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html#aws-glue-api-crawler-crawling-StartCrawler',
    outputs: [{}],
    failure: { error: 'Glue.CrawlerRunningException', cause: 'CrawlerRunningException' },
  },
  'arn:aws:states:::aws-sdk:databasemigration:describeReplicationTasks': {
    source: DESCRIBE_REPLICATION_TASKS,
    outputs: [
      { ReplicationTasks: [replicationTask('ready')] },
      { ReplicationTasks: [replicationTask('running')] },
      { ReplicationTasks: [replicationTask('stopped', { StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' })] },
      { ReplicationTasks: [replicationTask('stopped', { StopReason: 'Stop Reason STOPPED_BY_USER' })] },
      { ReplicationTasks: [replicationTask('failed', { StopReason: 'Stop Reason FATAL_ERROR', LastFailureMessage: 'Error connecting to the source endpoint' })] },
    ],
    failure: { error: 'DatabaseMigration.ResourceNotFoundException', cause: 'No replication task found' },
  },
  'arn:aws:states:::aws-sdk:databasemigration:startReplicationTask': {
    source: 'https://docs.aws.amazon.com/dms/latest/APIReference/API_StartReplicationTask.html',
    outputs: [{ ReplicationTask: replicationTask('starting') }],
    failure: { error: 'DatabaseMigration.InvalidResourceStateException', cause: 'The replication task is not in a state that allows this operation' },
  },
  'arn:aws:states:::lambda:invoke': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html, https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html',
    outputs: [{ ExecutedVersion: '$LATEST', Payload: OPAQUE, SdkHttpMetadata: OPAQUE, SdkResponseMetadata: OPAQUE, StatusCode: 200 }],
    failure: { error: 'Lambda.ServiceException', cause: 'The function failed' },
  },
  'arn:aws:states:::sns:publish': {
    source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html',
    outputs: [{ MessageId: '00000000-0000-0000-0000-000000000000', SdkHttpMetadata: OPAQUE, SdkResponseMetadata: OPAQUE }],
    failure: { error: 'SNS.AmazonSnsException', cause: 'AuthorizationError' },
  },
  'arn:aws:states:::sqs:sendMessage': {
    source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html',
    outputs: [{ MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e', MessageId: '00000000-0000-0000-0000-000000000000', SdkHttpMetadata: OPAQUE, SdkResponseMetadata: OPAQUE }],
    failure: { error: 'SQS.AmazonSQSException', cause: 'AccessDenied' },
  },
  'arn:aws:states:::states:startExecution.sync:2': {
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html, https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html',
    outputs: [{ ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:e', Input: OPAQUE, InputDetails: OPAQUE, Name: 'e', Output: OPAQUE, OutputDetails: OPAQUE, StartDate: TIME, StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', Status: 'SUCCEEDED', StopDate: TIME }],
    failure: { error: 'States.TaskFailed', cause: 'The child execution failed' },
  },
};

/** The result table entry for a Task's `Resource`, in any partition. */
export function serviceResultFor(resource: string): ServiceResult | undefined {
  return SERVICE_RESULTS[resource.replace(/^arn:[^:]+:/, 'arn:aws:')];
}
