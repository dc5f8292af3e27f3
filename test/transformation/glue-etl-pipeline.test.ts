import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataLake, DataLakeProps, GlueEtlPipeline, GlueEtlPipelineProps, WorkflowStart } from '../../lib';
import { declared, metricFacts, newStack, recordedAttr, rehearsalOf } from '../helpers';

const SCRIPTS = path.join(__dirname, '..', '..', 'examples', 'glue-etl', 'scripts');

function pipeline(props: Partial<GlueEtlPipelineProps> = {}, lakeProps: DataLakeProps = {}) {
  const stack = newStack('Etl');
  const lake = new DataLake(stack, 'Lake', lakeProps);
  const etl = new GlueEtlPipeline(stack, 'Etl', {
    source: lake.zone('raw'),
    sourcePrefix: 'orders/',
    target: lake.zone('curated'),
    targetTableName: 'orders',
    script: path.join(SCRIPTS, 'curate_orders.py'),
    pythonModules: path.join(SCRIPTS, 'modules'),
    ...props,
  });
  return { etl, template: Template.fromStack(Stack.of(etl)) };
}

describe('rehearsal declarations', () => {
  test('Glue assumes the crawler and job roles; the job reads raw and writes curated files through the zone keys; EventBridge starts the workflow; the crawler never writes data', () => {
    const { etl, template } = pipeline();
    const recorded = rehearsalOf(template);
    const [crawler, job] = [recordedAttr(etl.crawlerRole), recordedAttr(etl.jobRole)];
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:glue.amazonaws.com', action: 'sts:AssumeRole', resource: crawler }),
      declared({ principal: 'service:glue.amazonaws.com', action: 'sts:AssumeRole', resource: job }),
      declared({ principal: 'service:events.amazonaws.com', action: 'sts:AssumeRole' }),
      declared({ action: 'glue:NotifyEvent', resource: /:workflow\/\$\{EtlWorkflow/ }),
      declared({ principal: job, action: 's3:GetObject', resource: /^\$\{LakeRawBucket.*\.Arn\}\/orders\// }),
      declared({ principal: job, action: 's3:PutObject', resource: /^\$\{LakeCuratedBucket.*\.Arn\}\/orders\// }),
      declared({ principal: job, action: 'kms:GenerateDataKey', context: { 'kms:ViaService': 's3.${AWS::Region}.${AWS::URLSuffix}' } }),
      declared({ principal: crawler, action: 'glue:CreateTable' }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: crawler, action: 's3:PutObject' }),
      declared({ action: 's3:GetObject', context: { 'aws:SecureTransport': 'false' } }),
    ]));
  });
});

describe('the Spark job', () => {
  test('runs the script on Glue 5.0 with G.1X workers, auto scaling, bookmarks, continuous logs and the security configuration', () => {
    const { template } = pipeline();
    template.hasResourceProperties('AWS::Glue::Job', {
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.anyValue() },
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 10,
      Timeout: 60,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      SecurityConfiguration: { Ref: Match.stringLikeRegexp('^EtlSecurityConfiguration') },
      DefaultArguments: Match.objectLike({
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-auto-scaling': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-metrics': 'true',
        '--extra-py-files': { 'Fn::Sub': Match.stringLikeRegexp('\\.zip$') },
        '--source_format': 'json',
        '--target_table': 'orders',
        '--source_path': { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeRawBucket') }, '/orders/']] },
        '--target_path': { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeCuratedBucket') }, '/orders/']] },
      }),
    });
  });

  test('takes the Glue version, worker type, size, timeout and retries it is given', () => {
    const { template } = pipeline({ glueVersion: '4.0', workerType: 'G.2X', maxWorkers: 4, timeout: Duration.hours(3), maxRetries: 2 });
    template.hasResourceProperties('AWS::Glue::Job', { GlueVersion: '4.0', WorkerType: 'G.2X', NumberOfWorkers: 4, Timeout: 180, MaxRetries: 2 });
  });
});

describe('encryption', () => {
  test('the security configuration encrypts S3 output with the lake key, logs and bookmarks with the pipeline key', () => {
    const { template } = pipeline();
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] } }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EtlLogsKey'), 'Arn'] } },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EtlLogsKey'), 'Arn'] } },
      },
    });
  });

  test('the pipeline key rotates and lets CloudWatch Logs use it', () => {
    const { template } = pipeline();
    const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('job bookmarks') } });
    const [key] = Object.values(keys);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } },
    })]));
  });

  test('both crawlers use the security configuration', () => {
    const { template } = pipeline();
    const crawlers = Object.values(template.findResources('AWS::Glue::Crawler'));
    expect(crawlers).toHaveLength(2);
    crawlers.forEach(crawler => expect(crawler.Properties.CrawlerSecurityConfiguration).toEqual({ Ref: expect.stringMatching(/^EtlSecurityConfiguration/) }));
  });
});

describe('crawlers', () => {
  test('the source crawler catalogs only new folders of the prefix into the raw database', () => {
    const { template } = pipeline();
    template.hasResourceProperties('AWS::Glue::Crawler', {
      DatabaseName: Match.stringLikeRegexp('_raw_'),
      Targets: { S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeRawBucket') }, '/orders/']] } }] },
      RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    });
  });

  test('the target crawler catalogs the curated table', () => {
    const { template } = pipeline();
    template.hasResourceProperties('AWS::Glue::Crawler', {
      DatabaseName: Match.stringLikeRegexp('_curated_'),
      Targets: { S3Targets: [{ Path: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeCuratedBucket') }, '/orders/']] } }] },
      SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' },
    });
  });

  test('without Lake Formation the crawler role may read the zone buckets but never write them', () => {
    const { template } = pipeline();
    const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^EtlCrawlerRole') }] } }));
    const actions = policies.flatMap(policy => policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'glue:CreateTable', 'glue:BatchCreatePartition', 'logs:AssociateKmsKey']));
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('s3:DeleteObject');
  });
});

describe('the workflow', () => {
  test('chains start → source crawler → job → target crawler', () => {
    const { template } = pipeline();
    template.resourceCountIs('AWS::Glue::Workflow', 1);
    const triggers = Object.values(template.findResources('AWS::Glue::Trigger')).map(t => t.Properties);
    expect(triggers.map(t => t.Type)).toEqual(['EVENT', 'CONDITIONAL', 'CONDITIONAL']);
    expect(triggers[0].Actions).toEqual([{ CrawlerName: { Ref: expect.stringMatching(/^EtlSourceCrawler/) } }]);
    expect(triggers[1].Predicate.Conditions).toEqual([{ LogicalOperator: 'EQUALS', CrawlerName: { Ref: expect.stringMatching(/^EtlSourceCrawler/) }, CrawlState: 'SUCCEEDED' }]);
    expect(triggers[1].Actions).toEqual([{ JobName: { Ref: expect.stringMatching(/^EtlJob/) } }]);
    expect(triggers[2].Predicate.Conditions).toEqual([{ LogicalOperator: 'EQUALS', JobName: { Ref: expect.stringMatching(/^EtlJob/) }, State: 'SUCCEEDED' }]);
    expect(triggers[2].Actions).toEqual([{ CrawlerName: { Ref: expect.stringMatching(/^EtlTargetCrawler/) } }]);
    triggers.forEach(t => expect(t.WorkflowName).toEqual({ Ref: expect.stringMatching(/^EtlWorkflow/) }));
  });

  test('by default, new objects under the prefix start it through EventBridge, in batches', () => {
    const { template } = pipeline();
    template.hasResourceProperties('AWS::Glue::Trigger', { Type: 'EVENT', EventBatchingCondition: { BatchSize: 10, BatchWindow: 900 } });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: Match.stringLikeRegexp('^LakeRawBucket') }] }, object: { key: [{ prefix: 'orders/' }] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([':workflow/', { Ref: Match.stringLikeRegexp('^EtlWorkflow') }])] } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'glue:notifyEvent' })] },
      Roles: [{ Ref: Match.stringLikeRegexp('^EtlStartRole') }],
    });
  });

  test('a schedule starts it with a SCHEDULED trigger and no EventBridge rule', () => {
    const { template } = pipeline({ start: WorkflowStart.schedule('cron(15 2 * * ? *)') });
    template.hasResourceProperties('AWS::Glue::Trigger', { Type: 'SCHEDULED', Schedule: 'cron(15 2 * * ? *)', StartOnCreation: true });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('on demand, the first trigger is ON_DEMAND', () => {
    const { template } = pipeline({ start: WorkflowStart.onDemand() });
    template.hasResourceProperties('AWS::Glue::Trigger', { Type: 'ON_DEMAND' });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('under Lake Formation', () => {
  test('the crawler and job roles receive Lake Formation grants and direct file access', () => {
    const { template } = pipeline({}, { lakeFormation: {} });
    const grants = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions')).map(g => g.Properties);
    const grantsTo = (role: RegExp) => grants.filter(g => JSON.stringify(g.Principal).match(role));
    expect(grantsTo(/EtlCrawlerRole/).flatMap(g => g.Permissions)).toEqual(expect.arrayContaining(['CREATE_TABLE', 'DATA_LOCATION_ACCESS']));
    expect(grantsTo(/EtlJobRole/).flatMap(g => g.Permissions)).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'CREATE_TABLE']));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']) })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('^EtlJobRole') }],
    });
  });
});

describe('bad input', () => {
  test.each<[Partial<GlueEtlPipelineProps>, string]>([
    [{ sourcePrefix: '/orders' }, "`sourcePrefix` must be empty or folders of letters, digits and !_.*'()- each ending with `/`, with no leading `/`, got '/orders'"],
    [{ sourcePrefix: `${'o'.repeat(1024)}/` }, '`sourcePrefix` must be at most 1024 characters long (an S3 key prefix)'],
    [{ targetTableName: 'Orders-2024' }, '`targetTableName` must be a lower-case letter followed by up to 254 lower-case letters, digits or underscores (Athena cannot query other table names), got \'Orders-2024\''],
    [{ sourceFormat: 'xml' as any }, "`sourceFormat` must be json or csv, got 'xml'"],
    [{ glueVersion: '3.0' as any }, "`glueVersion` must be one of 4.0, 5.0, 5.1 (earlier versions are past end of support for new jobs), got '3.0'"],
    [{ workerType: 'G.025X' as any }, "`workerType` must be one of G.1X, G.2X, G.4X, G.8X (G.025X is for streaming jobs only), got 'G.025X'"],
    [{ maxWorkers: 1 }, '`maxWorkers` must be a whole number of at least 2 (a Spark job needs a driver and at least one executor), got 1'],
    [{ timeout: Duration.days(8) }, '`timeout` must be a whole number from 1 to 10080 (in minutes: Glue batch jobs run for 1 minute to 7 days), got 11520'],
    [{ timeout: Duration.seconds(30) }, '`timeout` must be a whole number from 1 to 10080 (in minutes: Glue batch jobs run for 1 minute to 7 days), got 0.5'],
    [{ maxRetries: -1 }, '`maxRetries` must be a whole number of at least 0, got -1'],
    [{ pythonModules: path.join(SCRIPTS, 'curate_orders.py') }, '`pythonModules` must be a local directory of Python modules (Glue imports them from the zip made of it), got'],
    [{ start: WorkflowStart.schedule('rate(1 hour)') }, "`start.schedule` must be a Glue cron expression with six fields, such as `cron(15 2 * * ? *)` (Glue schedules have no rate()), got 'rate(1 hour)'"],
    [{ start: WorkflowStart.schedule('cron(0 2 * * *)') }, "`start.schedule` must be a Glue cron expression with six fields, such as `cron(15 2 * * ? *)` (Glue schedules have no rate()), got 'cron(0 2 * * *)'"],
    [{ start: WorkflowStart.schedule('cron(0 2 * * MON *)') }, "`start.schedule` must leave exactly one of day-of-month and day-of-week as `?` (Glue does not accept values in both), got 'cron(0 2 * * MON *)'"],
    [{ start: WorkflowStart.schedule('cron(0/2 * * * ? *)') }, "`start.schedule` must not run more often than every 5 minutes (Glue's minimum schedule precision), got 'cron(0/2 * * * ? *)'"],
    [{ start: WorkflowStart.schedule('cron(* 2 * * ? *)') }, "`start.schedule` must not run more often than every 5 minutes (Glue's minimum schedule precision), got 'cron(* 2 * * ? *)'"],
    [{ start: WorkflowStart.schedule('cron(0,3 2 * * ? *)') }, "`start.schedule` must not run more often than every 5 minutes (Glue's minimum schedule precision), got 'cron(0,3 2 * * ? *)'"],
    [{ start: WorkflowStart.onNewObjects({ batchSize: 101 }) }, '`start.batchSize` must be a whole number from 1 to 100 (events per Glue EVENT trigger batch), got 101'],
    [{ start: WorkflowStart.onNewObjects({ batchWindow: Duration.minutes(16) }) }, '`start.batchWindow` must be a whole number from 1 to 900 (in seconds), got 960'],
  ])('%p is rejected', (props, message) => {
    expect(() => pipeline(props)).toThrow(`Etl/Etl: ${message}`);
  });

  test('valid schedules are accepted', () => {
    for (const expression of ['cron(15 2 * * ? *)', 'cron(0/5 * * * ? *)', 'cron(0 12 ? * MON-FRI *)', 'cron(0,30 * * * ? *)']) {
      expect(() => pipeline({ start: WorkflowStart.schedule(expression) })).not.toThrow();
    }
  });
});

describe('GlueEtlPipeline metrics', () => {
  test('failed Spark tasks of the job, by JobName, JobRunId ALL and Type count', () => {
    const { etl } = pipeline();
    const stack = Stack.of(etl);
    expect(metricFacts(stack, etl.metricNumFailedTasks())).toEqual({
      namespace: 'Glue', metricName: 'glue.driver.aggregate.numFailedTasks',
      dimensions: { JobName: { Ref: stack.getLogicalId(etl.job) }, JobRunId: 'ALL', Type: 'count' }, statistic: 'Sum', period: 300,
    });
  });

  test('failed and timed-out runs: the triggered count of one EventBridge rule on the job\'s state changes', () => {
    const stack = newStack('Runs');
    const lake = new DataLake(stack, 'Lake');
    const etl = new GlueEtlPipeline(stack, 'Etl', {
      source: lake.zone('raw'), target: lake.zone('curated'), targetTableName: 'orders', script: path.join(SCRIPTS, 'curate_orders.py'),
    });
    const first = metricFacts(stack, etl.metricJobRunFailures());
    const second = metricFacts(stack, etl.metricJobRunFailures({ statistic: 'Maximum' }));
    const template = Template.fromStack(stack);
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': ['Glue Job State Change'] } } });
    expect(Object.keys(rules)).toHaveLength(1);
    const [ruleId] = Object.keys(rules);
    expect(rules[ruleId].Properties.EventPattern).toEqual({
      'source': ['aws.glue'], 'detail-type': ['Glue Job State Change'], 'detail': { jobName: [{ Ref: stack.getLogicalId(etl.job) }], state: ['FAILED', 'TIMEOUT'] },
    });
    expect(first).toEqual({ namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensions: { RuleName: { Ref: ruleId } }, statistic: 'Sum', period: 300 });
    expect(second.statistic).toBe('Maximum');
  });
});

describe('GlueEtlPipeline with a log key of your own', () => {
  test('the security configuration encrypts logs and bookmarks with it, and creates no key', () => {
    const stack = newStack('OwnKey');
    const lake = new DataLake(stack, 'Lake');
    const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
    const etl = new GlueEtlPipeline(stack, 'Etl', {
      source: lake.zone('raw'), target: lake.zone('curated'), targetTableName: 'orders', script: path.join(SCRIPTS, 'curate_orders.py'), logEncryptionKey: key,
    });
    expect(etl.logEncryptionKey).toBe(key);
    const arn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: Match.objectLike({ CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: arn }, JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: arn } }),
    });
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::KMS::Key')).filter(id => id.startsWith('EtlLogsKey'))).toEqual([]);
  });
});
