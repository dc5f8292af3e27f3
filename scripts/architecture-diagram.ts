/**
 * Architecture diagrams as Mermaid, derived from synthesized CloudFormation templates.
 *
 * Nothing here knows a demo stack: the nodes are the template's resources (grouped by role from
 * their CloudFormation type), and the edges come from the template itself:
 *
 * - references (`Ref`, `Fn::GetAtt`) between resources: a Firehose source configuration naming a
 *   stream, a destination naming a bucket, an alarm action naming a topic, a key encrypting a resource;
 * - IAM: a resource that uses a role (its `Role`/`RoleArn`/... property) reads from or writes to
 *   whatever the role's policies name, and starts what they let it start. A role that no resource
 *   uses but that a policy passes (`iam:PassRole`, e.g. the job role of an EMR or SageMaker job a
 *   state machine starts) becomes a node of its own, as does a role that people or applications
 *   assume (a producer, an analyst).
 *
 * Plumbing that says nothing about the architecture (policies, subnets, routes, log streams,
 * CDK's own custom-resource providers) is left out; resource types this file does not know are
 * drawn in an "other" group under their type name, so a new stack needs no code change.
 */

import {
  Template, pathOf, referenceMeaning, references, referencesWithPaths, roleStatements, statementEffects,
} from './template-facts';

/** The groups of the diagram, in the order they are drawn. */
const GROUPS: Record<string, string> = {
  sources: 'Sources and users',
  ingestion: 'Ingestion',
  storage: 'Storage',
  processing: 'Processing',
  orchestration: 'Orchestration',
  catalog: 'Catalog and governance',
  security: 'Security',
  network: 'Network',
  monitoring: 'Monitoring',
  other: 'Other',
};

/** Group and label of the resource types drawn, by CloudFormation type. */
const KNOWN_TYPES: Record<string, [group: string, label: string]> = {
  'AWS::RDS::DBCluster': ['sources', 'Aurora cluster'],
  'AWS::RDS::DBInstance': ['sources', 'RDS instance'],
  'AWS::Kinesis::Stream': ['ingestion', 'Kinesis data stream'],
  'AWS::KinesisFirehose::DeliveryStream': ['ingestion', 'Firehose stream'],
  'AWS::KinesisVideo::Stream': ['ingestion', 'Kinesis video stream'],
  'AWS::KinesisAnalyticsV2::Application': ['processing', 'Managed Flink application'],
  'AWS::MSK::Cluster': ['ingestion', 'MSK cluster'],
  'AWS::MSK::ServerlessCluster': ['ingestion', 'MSK Serverless cluster'],
  'AWS::DMS::ReplicationInstance': ['ingestion', 'DMS replication instance'],
  'AWS::DMS::ReplicationTask': ['ingestion', 'DMS task'],
  'AWS::DMS::Endpoint': ['ingestion', 'DMS endpoint'],
  'AWS::S3::Bucket': ['storage', 'S3 bucket'],
  'AWS::EFS::FileSystem': ['storage', 'EFS file system'],
  'AWS::FSx::FileSystem': ['storage', 'FSx file system'],
  'AWS::EC2::Volume': ['storage', 'EBS volume'],
  'AWS::DynamoDB::Table': ['storage', 'DynamoDB table'],
  'AWS::Lambda::Function': ['processing', 'Lambda function'],
  'AWS::Glue::Job': ['processing', 'Glue job'],
  'AWS::EMRServerless::Application': ['processing', 'EMR Serverless application'],
  'AWS::EMR::Cluster': ['processing', 'EMR cluster'],
  'AWS::Athena::WorkGroup': ['processing', 'Athena workgroup'],
  'AWS::Athena::NamedQuery': ['processing', 'Athena named query'],
  'AWS::RedshiftServerless::Workgroup': ['processing', 'Redshift Serverless workgroup'],
  'AWS::RedshiftServerless::Namespace': ['processing', 'Redshift Serverless namespace'],
  'AWS::Redshift::Cluster': ['processing', 'Redshift cluster'],
  'AWS::SageMaker::NotebookInstance': ['processing', 'SageMaker notebook'],
  'AWS::StepFunctions::StateMachine': ['orchestration', 'Step Functions state machine'],
  'AWS::Glue::Workflow': ['orchestration', 'Glue workflow'],
  'AWS::Glue::Trigger': ['orchestration', 'Glue triggers'],
  'AWS::Events::Rule': ['orchestration', 'EventBridge rule'],
  'AWS::Glue::Database': ['catalog', 'Glue database'],
  'AWS::Glue::Table': ['catalog', 'Glue table'],
  'AWS::Glue::Crawler': ['catalog', 'Glue crawler'],
  'AWS::LakeFormation::DataLakeSettings': ['catalog', 'Lake Formation settings'],
  'AWS::LakeFormation::Resource': ['catalog', 'Lake Formation registered locations'],
  'AWS::LakeFormation::Permissions': ['catalog', 'Lake Formation grants'],
  'AWS::LakeFormation::PrincipalPermissions': ['catalog', 'Lake Formation grants'],
  'AWS::LakeFormation::Tag': ['catalog', 'LF-tags'],
  'AWS::LakeFormation::TagAssociation': ['catalog', 'LF-tag associations'],
  'AWS::KMS::Key': ['security', 'KMS key'],
  'AWS::SecretsManager::Secret': ['security', 'Secrets Manager secret'],
  'AWS::EMR::SecurityConfiguration': ['security', 'EMR security configuration'],
  'AWS::EC2::VPC': ['network', 'VPC'],
  'AWS::EC2::VPCEndpoint': ['network', 'VPC endpoint'],
  'AWS::CloudWatch::Alarm': ['monitoring', 'CloudWatch alarms'],
  'AWS::SNS::Topic': ['monitoring', 'SNS topic'],
  'AWS::IAM::Role': ['sources', 'IAM role'],
};

/** Types drawn as one node per stack (with a count), because one by one they say nothing more. */
const AGGREGATED = new Set([
  'AWS::CloudWatch::Alarm', 'AWS::Glue::Trigger', 'AWS::LakeFormation::Resource', 'AWS::LakeFormation::Permissions',
  'AWS::LakeFormation::PrincipalPermissions', 'AWS::LakeFormation::TagAssociation', 'AWS::Athena::NamedQuery',
]);

/** Plumbing: never drawn (roles are drawn only when assumed by people or passed to jobs). */
const PLUMBING = /^(AWS::IAM::(Policy|ManagedPolicy|InstanceProfile|ServiceLinkedRole)|AWS::S3::BucketPolicy|AWS::SNS::TopicPolicy|AWS::SQS::QueuePolicy|AWS::Logs::.*|AWS::Lambda::(Permission|EventInvokeConfig|Version|Alias|LayerVersion)|AWS::CDK::Metadata|AWS::EC2::(Subnet.*|RouteTable|Route|SecurityGroup.*|FlowLog|InternetGateway|VPCGatewayAttachment|NetworkAcl.*)|AWS::KMS::Alias|AWS::DMS::ReplicationSubnetGroup|AWS::RDS::DBSubnetGroup|AWS::SecretsManager::SecretTargetAttachment|AWS::EFS::(MountTarget|AccessPoint)|AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption|Custom::.*|AWS::CloudFormation::CustomResource)$/;

interface Node {
  readonly id: string;
  readonly group: string;
  label: string;
  count: number;
}

type Edge = {
  from: string;
  to: string;
  kind: 'writes' | 'reads' | 'starts' | 'passes' | 'uses' | 'encrypts' | 'notifies' | 'watches';
  /** From a source or destination property: says which way data moves, over what IAM allows. */
  structural?: boolean;
};

/** What the diagram of a stack shows. */
export interface StackArchitecture {
  /** The Mermaid flowchart. */
  readonly mermaid: string;
  /** The AWS services drawn, by name, sorted. */
  readonly services: string[];
}

/** The architecture of one stack, from its template. */
export function stackArchitecture(stackName: string, template: Template): StackArchitecture {
  const resources = template.Resources ?? {};
  const nodes = new Map<string, Node>();
  /** Logical ID of a resource → the ID of the node that draws it. */
  const nodeOf = new Map<string, string>();

  const roles = Object.keys(resources).filter(id => resources[id].Type === 'AWS::IAM::Role');
  const customResourceFunctions = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (/^(Custom::|AWS::CloudFormation::CustomResource$)/.test(resource.Type)) {
      for (const target of references(resource.Properties?.ServiceToken)) customResourceFunctions.add(target);
    }
  }
  // Functions of CDK's own providers (custom resources, log retention, bucket notifications).
  const isProviderFunction = (id: string): boolean => customResourceFunctions.has(id)
    || /(CustomResourceProvider|\/Provider\/framework|LogRetention|BucketNotificationsHandler|AWS679f53fac002430cb0da5b7982bd2287)/.test(pathOf(stackName, id, resources[id]));

  for (const [id, resource] of Object.entries(resources)) {
    if (PLUMBING.test(resource.Type) || resource.Type === 'AWS::IAM::Role') continue;
    if (resource.Type === 'AWS::Lambda::Function' && isProviderFunction(id)) continue;
    const [group, label] = KNOWN_TYPES[resource.Type] ?? ['other', resource.Type];
    if (AGGREGATED.has(resource.Type)) {
      const aggregateId = `all_${resource.Type.replace(/[^A-Za-z0-9]/g, '_')}`;
      const node = nodes.get(aggregateId) ?? { id: aggregateId, group, label, count: 0 };
      node.count += 1;
      nodes.set(aggregateId, node);
      nodeOf.set(id, aggregateId);
    } else {
      nodes.set(id, { id, group, label: `${label}<br/>${pathOf(stackName, id, resource)}`, count: 1 });
      nodeOf.set(id, id);
    }
  }

  // Which drawn resources use each role (a `Role`/`RoleArn`/`ExecutionRoleArn`... property).
  const roleUsers = new Map<string, Set<string>>(roles.map(role => [role, new Set<string>()]));
  for (const [id, resource] of Object.entries(resources)) {
    if (!nodeOf.has(id)) continue;
    for (const [propertyPath, target] of referencesWithPaths(resource.Properties, '')) {
      if (/Role/.test(propertyPath)) roleUsers.get(target)?.add(nodeOf.get(id)!);
    }
  }
  const statements = roleStatements(resources);
  // Roles passed to jobs, and roles assumed by people or applications, become nodes of their own.
  const passed = new Set<string>();
  for (const list of statements.values()) {
    for (const statement of list) {
      if (statementEffects(statement).passesRole) {
        for (const target of references(statement.Resource)) passed.add(target);
      }
    }
  }
  for (const role of roles) {
    if (roleUsers.get(role)!.size > 0) continue;
    const assumedByPeople = references(resources[role].Properties?.AssumeRolePolicyDocument).length === 0
      && JSON.stringify(resources[role].Properties?.AssumeRolePolicyDocument ?? {}).includes('"AWS"');
    if (!passed.has(role) && !assumedByPeople) continue;
    nodes.set(role, { id: role, group: assumedByPeople ? 'sources' : 'processing', label: `${assumedByPeople ? 'IAM role (assumed by people or apps)' : 'IAM role passed to a job'}<br/>${pathOf(stackName, role, resources[role])}`, count: 1 });
    nodeOf.set(role, role);
    roleUsers.get(role)!.add(role);
  }

  const edges: Edge[] = [];
  // References between drawn resources.
  for (const [id, resource] of Object.entries(resources)) {
    const from = nodeOf.get(id);
    if (!from) continue;
    // A reference to plumbing (a secret attachment, a subnet group) counts as a reference to what
    // the plumbing references, one step further.
    const direct = referencesWithPaths(resource.Properties, '');
    const throughPlumbing = direct.filter(([, target]) => !nodeOf.has(target) && resources[target] !== undefined
      && PLUMBING.test(resources[target].Type) && !/^(AWS::IAM::|AWS::EC2::|Custom::|AWS::CloudFormation::)/.test(resources[target].Type))
      .flatMap(([propertyPath, target]) => references(resources[target].Properties).map(next => [propertyPath, next] as [string, string]));
    for (const [propertyPath, target] of [...direct, ...throughPlumbing]) {
      const to = nodeOf.get(target);
      if (!to || to === from) continue;
      const targetType = resources[target].Type;
      const meaning = referenceMeaning(propertyPath);
      if (targetType === 'AWS::KMS::Key') edges.push({ from: to, to: from, kind: 'encrypts' });
      else if (meaning === 'alarm-action') edges.push({ from, to, kind: 'notifies' });
      else if (resource.Type === 'AWS::CloudWatch::Alarm') edges.push({ from: to, to: from, kind: 'watches' });
      else if (meaning === 'reads-from') edges.push({ from: to, to: from, kind: 'reads', structural: true });
      else if (meaning === 'writes-to') edges.push({ from, to, kind: 'writes', structural: true });
      else if (meaning === 'invokes' || meaning === 'starts') edges.push({ from, to, kind: 'starts' });
      else if (targetType === 'AWS::EC2::VPC') continue;
      else edges.push({ from, to, kind: 'uses' });
    }
  }
  // What each role lets its users do.
  for (const role of roles) {
    for (const statement of statements.get(role)!) {
      const effects = statementEffects(statement);
      const kinds: Array<Edge['kind']> = [];
      if (effects.writes) kinds.push('writes');
      if (effects.reads) kinds.push('reads');
      if (effects.starts) kinds.push('starts');
      if (effects.passesRole) kinds.push('passes');
      for (const target of references(statement.Resource)) {
        const to = nodeOf.get(target);
        if (!to || resources[target].Type === 'AWS::KMS::Key') continue;
        for (const user of roleUsers.get(role)!) {
          if (user === to) continue;
          for (const kind of kinds) edges.push(kind === 'reads' ? { from: to, to: user, kind } : { from: user, to, kind });
        }
      }
    }
  }
  const services = new Set<string>();
  for (const [id, node] of nodeOf) if (nodes.has(node)) services.add(serviceOf(resources[id].Type));
  return { mermaid: render(nodes, edges), services: [...services].sort((a, b) => a.localeCompare(b)) };
}

/** Service names where the type's own is not what readers know it by. */
const SERVICE_NAMES: Record<string, string> = {
  KinesisFirehose: 'Amazon Data Firehose', Kinesis: 'Kinesis Data Streams', KinesisVideo: 'Kinesis Video Streams',
  KinesisAnalyticsV2: 'Managed Service for Apache Flink', Glue: 'Glue', EMRServerless: 'EMR Serverless', EMR: 'EMR',
  StepFunctions: 'Step Functions', LakeFormation: 'Lake Formation', RDS: 'Aurora/RDS', EC2: 'VPC/EC2', Events: 'EventBridge',
  SecretsManager: 'Secrets Manager', CloudWatch: 'CloudWatch', FSx: 'FSx for Lustre', EFS: 'EFS', MSK: 'MSK',
  RedshiftServerless: 'Redshift Serverless',
};

function serviceOf(type: string): string {
  const service = type.split('::')[1] ?? type;
  if (type === 'AWS::EC2::Volume') return 'EBS';
  if (type === 'AWS::EC2::VPCEndpoint' || type === 'AWS::EC2::VPC') return 'VPC';
  return SERVICE_NAMES[service] ?? service;
}

function render(nodes: Map<string, Node>, edges: Edge[]): string {
  const lines = ['flowchart LR'];
  for (const [group, title] of Object.entries(GROUPS)) {
    const members = [...nodes.values()].filter(node => node.group === group).sort((a, b) => a.id.localeCompare(b.id));
    if (members.length === 0) continue;
    lines.push(`  subgraph ${group}["${title}"]`);
    for (const node of members) {
      const label = node.id.startsWith('all_') ? `${node.label} ×${node.count}` : node.label;
      lines.push(`    ${node.id}["${label.replace(/"/g, '#quot;')}"]`);
    }
    lines.push('  end');
  }
  // A plain reference adds nothing where the pair is already linked by what flows between them.
  const linked = new Set(edges.filter(edge => edge.kind !== 'uses').flatMap(edge => [`${edge.from} ${edge.to}`, `${edge.to} ${edge.from}`]));
  edges = edges.filter(edge => edge.kind !== 'uses' || !linked.has(`${edge.from} ${edge.to}`));
  // Data between a pair is drawn once: the direction a source or destination property gives, else
  // what IAM allows (both ways as one two-headed edge); never a write and a reverse "read by".
  const dataOf = new Map<string, Edge[]>();
  for (const edge of edges.filter(candidate => candidate.kind === 'reads' || candidate.kind === 'writes')) {
    const key = [edge.from, edge.to].sort().join(' ');
    dataOf.set(key, [...dataOf.get(key) ?? [], edge]);
  }
  const data = [...dataOf.values()].map(pairEdges => {
    const chosen = pairEdges.some(edge => edge.structural) ? pairEdges.filter(edge => edge.structural) : pairEdges;
    const directions = [...new Set(chosen.map(edge => `${edge.from} ${edge.to}`))];
    const [from, to] = directions[0].split(' ');
    return directions.length > 1 ? `  ${from} <-->|reads, writes| ${to}` : `  ${from} -->|data| ${to}`;
  });
  const labels: Record<Exclude<Edge['kind'], 'reads' | 'writes'>, string> = {
    starts: ' ==>|starts| ', passes: ' -.->|passes role| ', uses: ' --- ', encrypts: ' -.->|encrypts| ',
    notifies: ' -->|notifies| ', watches: ' -.->|alarms on| ',
  };
  const other = edges.filter(edge => edge.kind !== 'reads' && edge.kind !== 'writes')
    .map(edge => `  ${edge.from}${labels[edge.kind as keyof typeof labels]}${edge.to}`);
  const seen = new Set<string>();
  const rendered = [...data, ...other].filter(line => !seen.has(line) && seen.add(line)).sort();
  return [...lines, ...rendered].join('\n') + '\n';
}
