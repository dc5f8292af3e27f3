/**
 * The committed diagrams and catalog are what `npm run diagrams` produces from the current
 * templates. They come from the run's shared synth of the demo app (test/demo-assembly.ts), done
 * in-process with the context the CDK CLI adds (construct paths in the template metadata), so no
 * stale cdk.out/ and no network are involved.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stackArchitecture } from '../../scripts/architecture-diagram';
import { SynthesizedStack, generatedDocs, readPatternPage } from '../../scripts/generated-docs';
import { demoAssembly } from '../demo-assembly';

const ROOT = path.join(__dirname, '..', '..');

describe('the generated documentation', () => {
  let stacks: SynthesizedStack[];
  let expected: Map<string, string>;
  beforeAll(() => {
    stacks = demoAssembly().assembly.stacks.map(stack => ({ name: stack.stackName, template: stack.template }));
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

  test('derives data flow from source and destination configurations, IAM policies and passed roles', () => {
    expect(mermaid).toContain('  Stream -->|read by| Delivery\n');
    expect(mermaid).toContain('  Delivery -->|writes| Bucket\n');
    expect(mermaid).toContain('  Key -.->|encrypts| Stream\n');
    expect(mermaid).toContain('JobRole["IAM role of a job<br/>JobRole"]');
    expect(mermaid).toContain('  Machine ==>|starts| JobRole\n');
    expect(mermaid).toContain('  Bucket -->|read by| JobRole\n');
    // s3:GetBucketLocation reads settings, not data.
    expect(mermaid).not.toContain('Bucket -->|read by| Delivery');
  });
});
