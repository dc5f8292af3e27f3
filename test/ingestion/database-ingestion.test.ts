import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DataLake, DatabaseIngestion, DatabaseIngestionProps, DatabaseSource, DmsAccountRoles, PrivateNetwork } from '../../lib';
import { aslErrors, stateMachineDefinition } from '../asl';
import { declared, newStack, recordedAttr, rehearsalOf } from '../helpers';

function ingestion(props: Partial<DatabaseIngestionProps> = {}, source: Partial<DatabaseSource> = {}, stack = newStack('Dms')) {
  const network = new PrivateNetwork(stack, 'Network');
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
  const sourceSecurityGroup = new ec2.SecurityGroup(stack, 'SourceSg', { vpc: network.vpc });
  const dms = new DatabaseIngestion(stack, 'Ingestion', {
    vpc: network.vpc,
    source: {
      engine: 'postgres',
      secret: new secretsmanager.Secret(stack, 'Secret'),
      databaseName: 'shop',
      connections: sourceSecurityGroup,
      ...source,
    },
    target: lake.zone('raw'),
    ...props,
  });
  return { dms, stack, get template() { return Template.fromStack(Stack.of(dms)); } };
}

function definitionOf(template: Template): Record<string, any> {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  return stateMachineDefinition(machine);
}

describe('the dms-vpc-role trap: the account roles live in a stack of their own, deployed first', () => {
  test('DmsAccountRoles creates both roles DMS looks up by name, with their AWS managed policies', () => {
    const stack = newStack('Roles');
    const roles = new DmsAccountRoles(stack, 'DmsRoles');
    const template = Template.fromStack(stack);
    expect(rehearsalOf(template).allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:dms.amazonaws.com', action: 'sts:AssumeRole', resource: recordedAttr(roles.vpcRole) }),
      declared({ principal: 'service:dms.amazonaws.com', action: 'sts:AssumeRole', resource: recordedAttr(roles.cloudWatchLogsRole) }),
      declared({ principal: recordedAttr(roles.vpcRole), action: 'ec2:CreateNetworkInterface' }),
    ]));
    for (const [name, policy] of [['dms-vpc-role', 'AmazonDMSVPCManagementRole'], ['dms-cloudwatch-logs-role', 'AmazonDMSCloudWatchLogsRole']]) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: name,
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'dms.amazonaws.com' } })] },
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/service-role/${policy}`]] }],
      });
    }
  });

  test('the ingestion creates no account role, and its stack depends on the roles\' stack so that cdk deploy creates them first', () => {
    const app = newStack('Roles').node.root as App;
    const roles = new DmsAccountRoles(Stack.of(app.node.findChild('Roles')), 'DmsRoles');
    const { template, stack } = ingestion({ accountRoles: roles }, {}, new Stack(app, 'Dms'));
    template.resourcePropertiesCountIs('AWS::IAM::Role', { RoleName: 'dms-vpc-role' }, 0);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { RoleName: 'dms-cloudwatch-logs-role' }, 0);
    expect(stack.dependencies.map(dependency => dependency.stackName)).toEqual(['Roles']);
  });

  test('roles in the ingestion\'s own stack are refused: DMS could read dms-vpc-role before IAM propagated it', () => {
    const stack = newStack('Dms');
    const roles = new DmsAccountRoles(stack, 'DmsRoles');
    expect(() => ingestion({ accountRoles: roles }, {}, stack)).toThrow(
      "Dms/Ingestion: `accountRoles` must be in a stack of its own, deployed before this one (in the same stack, DMS may read dms-vpc-role before IAM has propagated it, even with a DependsOn), got 'Dms/DmsRoles'");
  });
});

describe('task logging', () => {
  test('the task logs its components to the log group DMS names after the instance, created before the task, encrypted and kept a year', () => {
    const { template } = ingestion();
    const [[instanceId, instance]] = Object.entries(template.findResources('AWS::DMS::ReplicationInstance'));
    const identifier = instance.Properties.ReplicationInstanceIdentifier;
    expect(identifier).toMatch(/^dms-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(identifier.length).toBeLessThanOrEqual(63);
    const [[logGroupId, logGroup]] = Object.entries(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: `dms-tasks-${identifier}` } }));
    expect(logGroup.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^IngestionLogKey/), 'Arn'] }, RetentionInDays: 365 });
    const [task] = Object.values(template.findResources('AWS::DMS::ReplicationTask'));
    expect(task.DependsOn).toEqual([logGroupId]);
    const logging = JSON.parse(task.Properties.ReplicationTaskSettings).Logging;
    expect(logging.EnableLogging).toBe(true);
    expect(logging.LogComponents.map((c: any) => c.Id)).toEqual(['SOURCE_UNLOAD', 'SOURCE_CAPTURE', 'TARGET_LOAD', 'TARGET_APPLY', 'TASK_MANAGER']);
    expect(instanceId).toMatch(/^IngestionInstance/);
  });

  test('the failure the state machine reports names the log group the task writes', () => {
    const { template } = ingestion();
    const [instance] = Object.values(template.findResources('AWS::DMS::ReplicationInstance'));
    expect(definitionOf(template).States.TaskStopped.Cause).toContain(`log group dms-tasks-${instance.Properties.ReplicationInstanceIdentifier}`);
  });
});

describe('rehearsal declarations', () => {
  test('DMS assumes its roles, reads the secret, writes under its prefix only; the state machine starts the task; the instance reaches the source; logs exist before the task', () => {
    const { dms, template } = ingestion();
    const recorded = rehearsalOf(template);
    const target = recordedAttr(dms.targetRole);
    expect(recorded.allows).toEqual(expect.arrayContaining([
      declared({ principal: 'service:dms.amazonaws.com', action: 'sts:AssumeRole', resource: target }),
      declared({ principal: 'service:dms.${AWS::Region}.${AWS::URLSuffix}', action: 'sts:AssumeRole', resource: recordedAttr(dms.secretAccessRole) }),
      declared({ principal: recordedAttr(dms.secretAccessRole), action: 'secretsmanager:GetSecretValue' }),
      declared({ principal: target, action: 's3:PutObject', resource: /\/shop\/public\/orders\/LOAD00000001\.parquet$/ }),
      declared({ principal: recordedAttr(dms.stateMachine.role), action: 'dms:DescribeReplicationTasks', resource: '*' }),
      declared({ principal: 'service:states.amazonaws.com', action: 'sts:AssumeRole' }),
    ]));
    expect(recorded.denies).toEqual(expect.arrayContaining([
      declared({ principal: target, action: 's3:PutObject', resource: /\/elsewhere\/file\.parquet$/ }),
      declared({ principal: /:iam::111122223333:root$/, action: 's3:GetObject' }),
    ]));
    expect(recorded.connects).toEqual([declared({ from: [recordedAttr(dms.securityGroup, 'GroupId')], to: [/^\$\{SourceSg.*\.GroupId\}$/], protocol: 'tcp', fromPort: 5432 })]);
    expect(recorded.createsBefore).toEqual(expect.arrayContaining([declared({ first: /^IngestionTaskLogs/, then: /^IngestionTask[0-9A-F]{8}$/ })]));
  });
});

describe('endpoints and task', () => {
  test('the source endpoint reads its credentials from Secrets Manager through a role DMS assumes', () => {
    const { template } = ingestion();
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'source',
      EngineName: 'postgres',
      DatabaseName: 'shop',
      SslMode: 'require',
      PostgreSqlSettings: {
        SecretsManagerAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionSecretAccessRole'), 'Arn'] },
        SecretsManagerSecretId: { Ref: Match.stringLikeRegexp('^Secret') },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: Match.stringLikeRegexp('^Secret') } })] },
      Roles: [{ Ref: Match.stringLikeRegexp('^IngestionSecretAccessRole') }],
    });
  });

  test('a MySQL source uses MySQL settings and port 3306', () => {
    const { template } = ingestion({}, { engine: 'mysql' });
    template.hasResourceProperties('AWS::DMS::Endpoint', { EngineName: 'mysql', MySqlSettings: Match.objectLike({ SecretsManagerSecretId: Match.anyValue() }) });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 3306, ToPort: 3306 });
  });

  test('the target endpoint writes date-partitioned Parquet under the prefix with SSE-KMS and the lake key', () => {
    const { template } = ingestion();
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'target',
      EngineName: 's3',
      S3Settings: Match.objectLike({
        BucketName: { Ref: Match.stringLikeRegexp('^LakeRawBucket') },
        BucketFolder: 'shop',
        DataFormat: 'parquet',
        DatePartitionEnabled: true,
        DatePartitionSequence: 'YYYYMMDD',
        EncryptionMode: 'SSE_KMS',
        ServerSideEncryptionKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
        ServiceAccessRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionTargetRole'), 'Arn'] },
      }),
    });
  });

  test('the target role may write only under the prefix and use only the lake key', () => {
    const { template } = ingestion();
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^IngestionTargetRole') }] } }));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^LakeRawBucket/), 'Arn'] }, '/shop/*']] } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LakeRawBucket/), 'Arn'] } },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LakeKey/), 'Arn'] } },
    ]);
  });

  test('the replication instance is private, encrypted and small; the source admits it on its port', () => {
    const { template } = ingestion();
    template.hasResourceProperties('AWS::DMS::ReplicationInstance', {
      ReplicationInstanceClass: 'dms.t3.micro', AllocatedStorage: 20, PubliclyAccessible: false,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LakeKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionSecurityGroup'), 'GroupId'] },
    });
  });

  test('the task copies the public schema once by default, or keeps replicating changes', () => {
    const { template } = ingestion();
    const [task] = Object.values(template.findResources('AWS::DMS::ReplicationTask'));
    expect(task.Properties.MigrationType).toBe('full-load');
    expect(JSON.parse(task.Properties.TableMappings).rules[0]['object-locator']).toEqual({ 'schema-name': 'public', 'table-name': '%' });
    ingestion({ migrationType: 'full-load-and-cdc' }).template.hasResourceProperties('AWS::DMS::ReplicationTask', { MigrationType: 'full-load-and-cdc' });
  });
});

describe('the state machine', () => {
  test('is valid Amazon States Language, for both migration types', () => {
    for (const migrationType of ['full-load', 'full-load-and-cdc'] as const) {
      expect(aslErrors(definitionOf(ingestion({ migrationType }).template))).toEqual([]);
    }
  });

  test('starts the task, polls it, succeeds when the full load finished and fails with DMS\'s message', () => {
    const states = definitionOf(ingestion().template).States;
    expect(states.StartReplication.Parameters.StartReplicationTaskType).toBe('start-replication');
    expect(states.ReloadTarget.Parameters.StartReplicationTaskType).toBe('reload-target');
    expect(states.WaitForTask.Seconds).toBe(60);
    expect(states['LoadFinished?'].Choices[0].And).toEqual(expect.arrayContaining([{ Variable: '$.dms.task.StopReason', StringMatches: '*FULL_LOAD_ONLY_FINISHED*' }]));
    expect(states['LoadFinished?'].Default).toBe('WaitForTask');
    expect(states.TaskFailed).toEqual({ Type: 'Fail', Error: 'DMS.TaskFailed', CausePath: '$.dms.task.LastFailureMessage' });
    expect(states.TaskStopped.Type).toBe('Fail');
  });

  test('with CDC, succeeds once the full load reaches 100 % while the task keeps running', () => {
    const choices = definitionOf(ingestion({ migrationType: 'full-load-and-cdc' }).template).States['LoadFinished?'].Choices;
    expect(choices[choices.length - 1].And).toEqual(expect.arrayContaining([
      { Variable: '$.dms.task.Status', StringEquals: 'running' },
      { Variable: '$.dms.task.ReplicationTaskStats.FullLoadProgressPercent', NumericEquals: 100 },
    ]));
  });

  test('logs everything to an encrypted log group, traces, times out, and may only start its own task', () => {
    const { template } = ingestion({ timeout: Duration.hours(2) });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definitionOf(template).TimeoutSeconds).toBe(7200);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.absent(), KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngestionLogKey'), 'Arn'] }, RetentionInDays: 365 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'dms:StartReplicationTask', Resource: { Ref: Match.stringLikeRegexp('^IngestionTask') } }]) },
    });
  });

  test('a schedule starts it through EventBridge', () => {
    const { template } = ingestion({ schedule: events.Schedule.cron({ minute: '0', hour: '3' }) });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^IngestionStateMachine') } })],
    });
  });
});

describe('bad input', () => {
  test.each<[Partial<DatabaseIngestionProps>, Partial<DatabaseSource>, string]>([
    [{}, { engine: 'oracle' as any }, "`source.engine` must be one of postgres, aurora-postgresql, mysql, mariadb, aurora, got 'oracle'"],
    [{}, { databaseName: 'my-db' }, "`source.databaseName` must be 1 to 63 letters, digits, underscores or $, starting with a letter or underscore, got 'my-db'"],
    [{}, { port: 70000 }, '`source.port` must be a whole number from 1 to 65535, got 70000'],
    [{ targetPrefix: 'shop' }, {}, "`targetPrefix` must be one or more folders of letters, digits and !_.*'()- each ending with `/`, with no leading `/`, got 'shop'"],
    [{ migrationType: 'cdc' as any }, {}, "`migrationType` must be full-load or full-load-and-cdc, got 'cdc'"],
    [{ replicationInstanceClass: 't3.micro' }, {}, "`replicationInstanceClass` must be a DMS instance class, dms.<family>.<size>, such as dms.t3.micro, dms.c5.large or dms.r5.large, got 't3.micro'"],
    [{ allocatedStorage: Size.gibibytes(2) }, {}, '`allocatedStorage` must be a whole number from 5 to 6144 (whole GiB), got 2'],
    [{ pollInterval: Duration.seconds(5) }, {}, '`pollInterval` must be a whole number from 10 to 3600 (in seconds: DMS tasks take minutes to start), got 5'],
    [{ timeout: Duration.seconds(30) }, {}, '`timeout` must be a whole number from 60 to 31536000 (in seconds, at least one poll interval and at most a year), got 30'],
  ])('%p %p is rejected', (props, source, message) => {
    expect(() => ingestion(props, source)).toThrow(`Dms/Ingestion: ${message}`);
  });

  test('a subnet group in one Availability Zone is rejected, as its doc says', () => {
    const stack = newStack('Dms');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'OneAz', {
      vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], isolatedSubnetIds: ['subnet-1'], isolatedSubnetRouteTableIds: ['rtb-1'],
    });
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
    expect(() => new DatabaseIngestion(stack, 'Ingestion', {
      vpc, target: lake.zone('raw'), source: { engine: 'postgres', secret: new secretsmanager.Secret(stack, 'Secret'), databaseName: 'shop' },
    })).toThrow("Dms/Ingestion: `vpcSubnets` must select subnets in at least two Availability Zones (a DMS replication subnet group must cover two), got '1 subnet(s) in 1 Availability Zone(s)'");
  });
});

describe('DatabaseIngestion with a log key of your own', () => {
  test('the task and state machine log groups are encrypted with it; no key is created', () => {
    const stack = newStack('OwnKey');
    const key = new kms.Key(stack, 'Logs', { enableKeyRotation: true });
    const { template } = ingestion({ logEncryptionKey: key }, {}, stack);
    const arn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] };
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).map(group => group.Properties);
    expect(groups.filter(group => JSON.stringify(group.KmsKeyId) === JSON.stringify(arn))).toHaveLength(2);
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter(id => id.startsWith('IngestionLogKey'))).toEqual([]);
  });
});
