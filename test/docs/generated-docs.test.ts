/**
 * The committed diagrams and catalog are what `npm run diagrams` produces from the current
 * templates. They come from the run's shared synth of the demo app (test/demo-assembly.ts), done
 * in-process with the context the CDK CLI adds (construct paths in the template metadata), as
 * `npm run diagrams` does, so no stale cdk.out/ and no network are involved.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataFlowKind, DataFlowStage } from '../../lib/core/data-flow';
import { stackArchitecture } from '../../scripts/architecture-diagram';
import { dataFlowDiagram } from '../../scripts/data-flow-diagram';
import { SynthesizedStack, generatedDocs, readPatternPage } from '../../scripts/generated-docs';
import { demoStacks } from '../demo-assembly';

const ROOT = path.join(__dirname, '..', '..');

describe('the generated documentation', () => {
  let stacks: SynthesizedStack[];
  let expected: Map<string, string>;
  beforeAll(() => {
    stacks = demoStacks();
    expected = generatedDocs(ROOT, stacks);
  });

  test('every demo stack has a committed diagram, and it is what `npm run diagrams` produces now', () => {
    const diagrams = fs.readdirSync(path.join(ROOT, 'docs', 'diagrams')).sort();
    expect(diagrams).toEqual(stacks.map(stack => `${stack.name}.md`).sort());
    for (const [file, content] of expected) {
      // On a mismatch: run `npm run diagrams` and commit what it changes.
      expect({ file, content: fs.readFileSync(path.join(ROOT, file), 'utf-8') }).toEqual({ file, content });
    }
  });

  test('every demo stack is in the README catalog, with a pattern page that shows its diagram and idle cost', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    const pages = fs.readdirSync(path.join(ROOT, 'docs')).filter(file => file.endsWith('.md'))
      .map(file => [file, fs.readFileSync(path.join(ROOT, 'docs', file), 'utf-8')] as const);
    for (const stack of stacks) {
      expect(readme).toContain(`| \`${stack.name}\` |`);
      const page = pages.find(([file, text]) => readPatternPage(file, text)?.stacks[stack.name] !== undefined);
      expect({ stack: stack.name, page: page?.[0] }).toEqual({ stack: stack.name, page: expect.stringMatching(/\.md$/) });
      expect(page![1]).toContain(`<!-- diagram:${stack.name} -->\n\`\`\`mermaid\nflowchart LR`);
      expect(page![1]).toContain(`npx cdk deploy ${stack.name}`);
      expect(page![1]).toContain(`npx cdk destroy ${stack.name}`);
    }
  });

  test('every construct a pattern page names is exported from the package root', () => {
    const exported = Object.keys(require('../../lib'));
    for (const file of fs.readdirSync(path.join(ROOT, 'docs')).filter(name => name.endsWith('.md'))) {
      const page = readPatternPage(file, fs.readFileSync(path.join(ROOT, 'docs', file), 'utf-8'));
      for (const construct of page?.constructs ?? []) expect({ file, construct, exported: exported.includes(construct) }).toEqual({ file, construct, exported: true });
    }
  });

  test('the README keeps the two set-up commands at its top', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    expect(readme.split('\n').slice(0, 6).join('\n')).toBe([
      '# ML data-engineering constructs for AWS CDK',
      '',
      '```sh',
      'npm ci && npx cdk synth   # synthesizes every demo stack: no AWS account, credentials or Docker needed',
      'npm test                  # type check, unit, snapshot, bad-input and quality-gate tests',
      '```',
    ].join('\n'));
  });
});

describe('the architecture diagram of a template', () => {
  const role = (service: string) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: service } }] } } });
  const template = {
    Resources: {
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { KeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } } },
      Key: { Type: 'AWS::KMS::Key' },
      Bucket: { Type: 'AWS::S3::Bucket', Metadata: { 'aws:cdk:path': 'Demo/Lake/Bucket/Resource' } },
      Delivery: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': ['Stream', 'Arn'] }, RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] } },
          ExtendedS3DestinationConfiguration: { BucketARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] } },
        },
      },
      DeliveryRole: role('firehose.amazonaws.com'),
      DeliveryPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'DeliveryRole' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetBucketLocation'], Resource: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }] }] },
        },
      },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: { 'Fn::GetAtt': ['MachineRole', 'Arn'] } } },
      MachineRole: role('states.amazonaws.com'),
      MachinePolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'MachineRole' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['JobRole', 'Arn'] } }] } },
      },
      JobRole: {
        ...role('emr-serverless.amazonaws.com'),
        Properties: { ...role('x').Properties, Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::GetAtt': ['Bucket', 'Arn'] } }] } }] },
      },
      Novel: { Type: 'AWS::NewService::Thing' },
      LogGroup: { Type: 'AWS::Logs::LogGroup' },
    },
  };
  const { mermaid, services } = stackArchitecture('Demo', template);

  test('draws resources grouped by role, labelled with their construct path, and leaves plumbing out', () => {
    expect(mermaid).toContain('  subgraph ingestion["Ingestion"]\n    Delivery["Firehose stream<br/>Delivery"]\n    Stream["Kinesis data stream<br/>Stream"]\n  end');
    expect(mermaid).toContain('Bucket["S3 bucket<br/>Lake/Bucket"]');
    expect(mermaid).toContain('  subgraph other["Other"]\n    Novel["AWS::NewService::Thing<br/>Novel"]\n  end');
    expect(mermaid).not.toContain('LogGroup');
    expect(mermaid).not.toContain('DeliveryRole');
    expect(services).toEqual(['Amazon Data Firehose', 'IAM', 'Kinesis Data Streams', 'KMS', 'NewService', 'S3', 'Step Functions']);
  });

  test('derives data flow from source and destination configurations, IAM policies and passed roles, one edge per pair', () => {
    expect(mermaid).toContain('  Stream -->|data| Delivery\n');
    expect(mermaid).toContain('  Delivery -->|data| Bucket\n');
    expect(mermaid).toContain('  Key -.->|encrypts| Stream\n');
    expect(mermaid).toContain('JobRole["IAM role passed to a job<br/>JobRole"]');
    expect(mermaid).toContain('  Machine -.->|passes role| JobRole\n');
    expect(mermaid).toContain('  Bucket -->|data| JobRole\n');
    // s3:GetBucketLocation reads settings, not data; and no reverse "read by" next to a write.
    expect(mermaid).not.toContain('Bucket -->|data| Delivery');
    expect(mermaid).not.toMatch(/Machine ==>\|starts\| JobRole/);
  });
});

describe('the data-flow diagram of a stack', () => {
  const role = (service: string, extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: service } }] }, ...extra },
  });
  const policy = (roleId: string, statements: unknown[]) => ({
    Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: roleId }], PolicyDocument: { Statement: statements } },
  });
  const template = {
    Resources: {
      Stream: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { KeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } } },
      Key: { Type: 'AWS::KMS::Key' },
      Raw: { Type: 'AWS::S3::Bucket' },
      Delivery: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': ['Stream', 'Arn'] }, RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] } },
          ExtendedS3DestinationConfiguration: { BucketARN: { 'Fn::GetAtt': ['Raw', 'Arn'] }, RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] } },
        },
      },
      DeliveryRole: role('firehose.amazonaws.com'),
      // Firehose may read the bucket and the stream: the configuration says which way data moves.
      DeliveryPolicy: policy('DeliveryRole', [
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: { 'Fn::GetAtt': ['Raw', 'Arn'] } },
        { Effect: 'Allow', Action: ['kinesis:GetRecords', 'kinesis:DescribeStream'], Resource: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } },
      ]),
      ProducerRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { AWS: 'arn:aws:iam::1:root' } }] } } },
      ProducerPolicy: policy('ProducerRole', [
        { Effect: 'Allow', Action: ['kinesis:PutRecords', 'kinesis:DescribeStream', 'kinesis:GetDataEndpoint'], Resource: { 'Fn::GetAtt': ['Stream', 'Arn'] } },
      ]),
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: { 'Fn::GetAtt': ['MachineRole', 'Arn'] } } },
      MachineRole: role('states.amazonaws.com'),
      MachinePolicy: policy('MachineRole', [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['JobRole', 'Arn'] } }]),
      JobRole: role('sagemaker.amazonaws.com', {
        Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::GetAtt': ['Raw', 'Arn'] } }] } }],
      }),
      Files: { Type: 'AWS::EFS::FileSystem' },
      Lonely: { Type: 'AWS::S3::Bucket' },
    },
  };
  const node = (id: string, label: string, stage: DataFlowStage, resources: string[], roles?: string[]) => ({
    order: 0, node: { id, label, stage, actor: resources.length === 0, resources, roles: roles?.map(r => ({ 'Fn::GetAtt': [r, 'Arn'] }) as unknown as string) },
  });
  const declarations = [
    node('Demo/Producer', 'Producer', DataFlowStage.SOURCE, [], ['ProducerRole']),
    node('Demo/Stream', 'Kinesis data stream', DataFlowStage.INGESTION, ['Stream']),
    node('Demo/Delivery', 'Firehose stream', DataFlowStage.INGESTION, ['Delivery']),
    node('Demo/Raw', 'raw zone', DataFlowStage.STORAGE, ['Raw']),
    node('Demo/Lake/Raw', 'raw zone again', DataFlowStage.STORAGE, ['Raw']),
    node('Demo/Files', 'EFS', DataFlowStage.STORAGE, ['Files']),
    node('Demo/Lonely', 'unused bucket', DataFlowStage.STORAGE, ['Lonely']),
    node('Demo/Machine', 'Step Functions', DataFlowStage.ORCHESTRATION, ['Machine']),
    node('Demo/Job', 'Training job', DataFlowStage.CONSUMER, [], ['JobRole']),
    { order: 1, edge: { from: 'Files', to: 'Demo/Job', kind: DataFlowKind.DATA, description: 'the job mounts the file system' } },
  ];

  test('draws the declared nodes, actors as such, and one edge per pair and kind, in the direction data moves', () => {
    // The machine's definition names the file system, so the declared NFS edge has a reference behind it.
    const withDefinition = { Resources: { ...template.Resources, Machine: { ...template.Resources.Machine, Properties: { ...template.Resources.Machine.Properties, Definition: { Ref: 'Files' } } } } };
    const flow = dataFlowDiagram('Demo', withDefinition, declarations)!;
    expect(flow.mermaid).toContain('  Producer(["Producer"]):::source\n');
    expect(flow.mermaid).toContain('  Raw[("raw zone again")]:::storage\n');
    expect(flow.mermaid).toContain('  Job(["Training job"]):::consumer\n');
    expect(flow.edges).toEqual(expect.arrayContaining([
      { from: 'Demo/Producer', to: 'Demo/Stream', kind: DataFlowKind.DATA },
      { from: 'Demo/Stream', to: 'Demo/Delivery', kind: DataFlowKind.DATA },
      { from: 'Demo/Delivery', to: 'Demo/Raw', kind: DataFlowKind.DATA },
      { from: 'Demo/Machine', to: 'Demo/Job', kind: DataFlowKind.CONTROL },
      { from: 'Demo/Files', to: 'Demo/Job', kind: DataFlowKind.DATA },
      { from: 'Demo/Job', to: 'Demo/Raw', kind: DataFlowKind.DATA, both: true },
    ]));
    expect(flow.edges).toHaveLength(6);
    // Keys and unused resources stay out; the producer does not read its own stream.
    expect(flow.mermaid).not.toMatch(/Key|Lonely|Stream ==> Producer/);
  });

  test('refuses a declared edge that no reference in the template backs', () => {
    expect(() => dataFlowDiagram('Demo', template, declarations)).toThrow(
      'Demo: the data-flow edge "the job mounts the file system" (EFS → Training job) has no reference behind it in the template');
  });

  test('refuses a node that names a resource the template does not have', () => {
    expect(() => dataFlowDiagram('Demo', template, [node('Demo/Gone', 'gone', DataFlowStage.STORAGE, ['Gone'])])).toThrow(
      'Demo: the data-flow node "gone" names Gone, which is not in the template');
  });

  test('constructs record their declarations as construct metadata, outside the deployed template', () => {
    const stack = demoStacks().find(candidate => candidate.name === 'StreamingIngestionDemo')!;
    expect(JSON.stringify(stack.template)).not.toContain('data-flow');
    expect(stack.dataFlow.filter(declaration => 'node' in declaration).map(declaration => (declaration as any).node.label))
      .toEqual(expect.arrayContaining(['Kinesis data stream', 'Firehose stream', 'Producer', 'Analyst']));
  });
});
