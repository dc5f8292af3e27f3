/**
 * The main diagram of a pattern: its data flow, left to right, from the nodes its constructs
 * declare (lib/core/data-flow.ts) and the edges the synthesized template implies between them.
 *
 * Nodes are what the constructs declared: the resources on the data path (streams, zones, jobs)
 * and the run-time actors that are not CloudFormation resources (a producer, a training job, an
 * analyst). Keys, log buckets, VPC plumbing, alarms and custom-resource providers are never
 * declared, so they stay in the detailed diagram.
 *
 * Edges are derived, never declared, except the few the template cannot tell (data read over NFS):
 * - a node's resource refers to another node's resource in a source or destination property
 *   (data), a processing configuration, trigger action or rule target (control);
 * - a node's roles may write to, read from or start another node's resources (data, data, control),
 *   or pass the role of an actor (control: it starts the actor);
 * - a Lake Formation grant of one node names the role of another, or a registered location names
 *   another's bucket (permission, governance).
 * Each pair of nodes gets one edge per kind; where the template's configuration says which way
 * data moves (Firehose's source and destination), IAM does not add the reverse.
 *
 * A declared edge must be backed by the template: some resource or role of one of its nodes (or
 * of what starts it) refers to one of the other's. Otherwise the script fails, so a declaration
 * cannot outlive what it describes.
 */
import { DataFlowKind, DataFlowStage, RecordedDataFlowEdge, RecordedDataFlowNode } from '../lib/core/data-flow';
import {
  Template, TemplateResource, namedGlueTargets, references, referencesWithPaths, referenceMeaning, roleStatements, statementEffects,
} from './template-facts';

/** The stages, left to right, with the colours the diagram gives them. */
const STAGES: Record<DataFlowStage, { title: string; style: string }> = {
  [DataFlowStage.SOURCE]: { title: 'source', style: 'fill:#fdf2e9,stroke:#d35400' },
  [DataFlowStage.INGESTION]: { title: 'ingestion', style: 'fill:#eaf2f8,stroke:#2471a3' },
  [DataFlowStage.STORAGE]: { title: 'storage', style: 'fill:#e9f7ef,stroke:#1e8449' },
  [DataFlowStage.CATALOG]: { title: 'catalog and governance', style: 'fill:#f4ecf7,stroke:#7d3c98' },
  [DataFlowStage.ORCHESTRATION]: { title: 'orchestration', style: 'fill:#fef9e7,stroke:#b7950b' },
  [DataFlowStage.PROCESSING]: { title: 'processing', style: 'fill:#fdedec,stroke:#b03a2e' },
  [DataFlowStage.CONSUMER]: { title: 'consumer', style: 'fill:#eafaf1,stroke:#117a65' },
};

/** Resource types whose references to a role grant that role something. */
const GRANTS = /^AWS::LakeFormation::(PrincipalPermissions|Permissions)$/;
/** Resource types that put what they refer to under governance (Lake Formation registered locations). */
const GOVERNS = /^AWS::LakeFormation::(Resource|TagAssociation)$/;

/** One node of the diagram: declarations merged where they share resources. */
export interface FlowNode {
  readonly id: string;
  /** The ids of every declaration merged into the node. */
  readonly ids: Set<string>;
  label: string;
  detail?: string;
  stage: DataFlowStage;
  actor: boolean;
  readonly resources: Set<string>;
  /** Role logical IDs; undefined until derived. */
  readonly roles: Set<string>;
  declaredRoles: boolean;
}

export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: DataFlowKind;
  /** Data both ways (a job reading and writing the same bucket). */
  readonly both?: boolean;
}

/** The data flow of one stack. */
export interface DataFlowDiagram {
  readonly mermaid: string;
  readonly nodes: FlowNode[];
  readonly edges: FlowEdge[];
}

/**
 * The data-flow diagram of a stack from its template and its constructs' declarations; undefined
 * when nothing is declared.
 */
export function dataFlowDiagram(stackName: string, template: Template,
  declarations: Array<RecordedDataFlowNode | RecordedDataFlowEdge>): DataFlowDiagram | undefined {
  const resources = template.Resources ?? {};
  const nodes = mergeNodes(stackName, declarations, resources);
  if (nodes.length === 0) return undefined;
  const byId = new Map(nodes.map(node => [node.id, node]));
  const ownerOf = new Map<string, FlowNode>();
  for (const node of nodes) for (const resource of node.resources) ownerOf.set(resource, node);

  // The roles of each node: declared, or those its resources' properties name.
  for (const node of nodes) {
    if (node.declaredRoles) continue;
    for (const id of node.resources) {
      for (const [propertyPath, target] of referencesWithPaths(resources[id].Properties, '')) {
        if (resources[target]?.Type === 'AWS::IAM::Role' && referenceMeaning(propertyPath) === 'uses-role') node.roles.add(target);
      }
    }
  }
  const nodesOfRole = new Map<string, FlowNode[]>();
  for (const node of nodes) for (const role of node.roles) nodesOfRole.set(role, [...nodesOfRole.get(role) ?? [], node]);

  const structural: FlowEdge[] = [];
  const derived: FlowEdge[] = [];
  // References between the nodes' resources.
  for (const node of nodes) {
    for (const id of node.resources) {
      for (const [propertyPath, target] of referencesWithPaths(resources[id].Properties, '')) {
        const other = ownerOf.get(target);
        if (other && other !== node) {
          const meaning = referenceMeaning(propertyPath);
          if (meaning === 'reads-from') structural.push({ from: other.id, to: node.id, kind: DataFlowKind.DATA });
          else if (meaning === 'writes-to') structural.push({ from: node.id, to: other.id, kind: DataFlowKind.DATA });
          else if (meaning === 'invokes' || meaning === 'starts') structural.push({ from: node.id, to: other.id, kind: DataFlowKind.CONTROL });
          else if (GOVERNS.test(resources[id].Type)) structural.push({ from: node.id, to: other.id, kind: DataFlowKind.PERMISSION });
        }
        if (GRANTS.test(resources[id].Type)) {
          for (const grantee of nodesOfRole.get(target) ?? []) {
            if (grantee !== node) structural.push({ from: node.id, to: grantee.id, kind: DataFlowKind.PERMISSION });
          }
        }
      }
    }
  }
  // What the nodes' roles may do to other nodes.
  const statements = roleStatements(resources);
  for (const node of nodes) {
    for (const role of node.roles) {
      for (const statement of statements.get(role) ?? []) {
        const effects = statementEffects(statement);
        for (const target of [...references(statement.Resource), ...namedGlueTargets(resources, statement.Resource)]) {
          const other = ownerOf.get(target);
          if (other && other !== node) {
            if (effects.writes) derived.push({ from: node.id, to: other.id, kind: DataFlowKind.DATA });
            if (effects.reads) derived.push({ from: other.id, to: node.id, kind: DataFlowKind.DATA });
            if (effects.starts) derived.push({ from: node.id, to: other.id, kind: DataFlowKind.CONTROL });
          }
          if (effects.passesRole) {
            for (const started of nodesOfRole.get(target) ?? []) {
              if (started !== node && started.actor) derived.push({ from: node.id, to: started.id, kind: DataFlowKind.CONTROL });
            }
          }
        }
      }
    }
  }

  // Declared edges, each backed by a reference in the template.
  const declared: FlowEdge[] = [];
  const startersOf = (node: FlowNode): FlowNode[] => [...structural, ...derived]
    .filter(edge => edge.to === node.id && edge.kind === DataFlowKind.CONTROL).map(edge => byId.get(edge.from)!);
  for (const declaration of declarations) {
    if (!('edge' in declaration)) continue;
    const { from, to, kind, description } = declaration.edge;
    const [source, target] = [from, to].map(id => {
      const node = nodes.find(candidate => candidate.ids.has(id)) ?? ownerOf.get(id);
      if (!node) throw new Error(`${stackName}: the data-flow edge "${description}" names ${id}, which no data-flow node declares`);
      return node;
    });
    // What stands for a node in the template: its resources and roles, what starts an actor, and
    // the Glue databases located in a storage node (Lake Formation grants name databases).
    const evidence = (node: FlowNode): Set<string> => {
      const members = [node, ...(node.actor ? startersOf(node) : [])].flatMap(member => [...member.resources, ...member.roles]);
      const databases = Object.keys(resources).filter(id => resources[id].Type === 'AWS::Glue::Database'
        && references(resources[id].Properties).some(target => node.resources.has(target)));
      return new Set([...members, ...databases]);
    };
    if (!linked(resources, evidence(source), evidence(target))) {
      throw new Error(`${stackName}: the data-flow edge "${description}" (${source.label} → ${target.label}) has no reference behind it in the template`);
    }
    declared.push({ from: source.id, to: target.id, kind });
  }

  const edges = mergeEdges(declared, structural, derived);
  // A node with no edge says nothing about the flow (a lake zone this demo does not use).
  const connected = nodes.filter(node => edges.some(edge => edge.from === node.id || edge.to === node.id));
  return { mermaid: render(stackName, connected, edges), nodes: connected, edges };
}

/** Merges declarations that share resources into one node; later declarations name it. */
function mergeNodes(stackName: string, declarations: Array<RecordedDataFlowNode | RecordedDataFlowEdge>,
  resources: Record<string, TemplateResource>): FlowNode[] {
  const nodes: FlowNode[] = [];
  for (const declaration of declarations) {
    if (!('node' in declaration)) continue;
    const declared = declaration.node;
    for (const id of declared.resources) {
      if (!resources[id]) throw new Error(`${stackName}: the data-flow node "${declared.label}" names ${id}, which is not in the template`);
    }
    const roles = (declared.roles ?? []).flatMap(arn => references(arn)).filter(id => resources[id]?.Type === 'AWS::IAM::Role');
    const existing = nodes.find(node => node.ids.has(declared.id) || declared.resources.some(id => node.resources.has(id)));
    if (existing) {
      existing.ids.add(declared.id);
      existing.label = declared.label;
      existing.detail = declared.detail;
      existing.stage = declared.stage;
      existing.actor = declared.actor;
      declared.resources.forEach(id => existing.resources.add(id));
      roles.forEach(id => existing.roles.add(id));
      existing.declaredRoles ||= declared.roles !== undefined;
      continue;
    }
    nodes.push({
      id: declared.id,
      ids: new Set([declared.id]),
      label: declared.label,
      detail: declared.detail,
      stage: declared.stage,
      actor: declared.actor,
      resources: new Set(declared.resources),
      roles: new Set(roles),
      declaredRoles: declared.roles !== undefined,
    });
  }
  return nodes;
}

/**
 * Whether the template links two sets of resources: a resource of one refers to the other, or a
 * third resource (a policy, a grant) refers to both.
 */
function linked(resources: Record<string, TemplateResource>, a: Set<string>, b: Set<string>): boolean {
  return Object.entries(resources).some(([id, resource]) => {
    const touched = new Set([id, ...references(resource.Properties), ...namedGlueTargets(resources, resource.Properties)]);
    return [...a].some(member => touched.has(member)) && [...b].some(member => touched.has(member));
  });
}

/**
 * One edge per pair of nodes and kind. A declared edge decides its pair; a data edge from the
 * template's configuration wins over IAM's; IAM data both ways becomes one two-headed edge.
 */
function mergeEdges(declared: FlowEdge[], structural: FlowEdge[], derived: FlowEdge[]): FlowEdge[] {
  const pair = (edge: FlowEdge): string => [edge.from, edge.to].sort().join(' ') + ` ${edge.kind}`;
  const result = new Map<string, FlowEdge>();
  for (const edge of declared) result.set(pair(edge), edge);
  for (const edge of structural) if (!result.has(pair(edge))) result.set(pair(edge), edge);
  const fromIam = new Map<string, FlowEdge[]>();
  for (const edge of derived) {
    if (result.has(pair(edge)) && !fromIam.has(pair(edge))) continue;
    fromIam.set(pair(edge), [...fromIam.get(pair(edge)) ?? [], edge]);
  }
  for (const [key, edges] of fromIam) {
    const directions = new Set(edges.map(edge => `${edge.from} ${edge.to}`));
    result.set(key, directions.size > 1 && edges[0].kind === DataFlowKind.DATA ? { ...edges[0], both: true } : edges[0]);
  }
  return [...result.values()];
}

/** The Mermaid flowchart; node ids are the node's path below the stack, in letters, digits and underscores. */
function render(stackName: string, nodes: FlowNode[], edges: FlowEdge[]): string {
  const order = Object.keys(STAGES);
  const sorted = [...nodes].sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage) || a.id.localeCompare(b.id));
  const lines = ['flowchart LR'];
  const mermaidId = (id: string): string => id.replace(new RegExp(`^${stackName}/`), '').replace(/[^A-Za-z0-9]/g, '_');
  for (const node of sorted) {
    const text = (node.detail ? `${node.label}<br/>${node.detail}` : node.label).replace(/"/g, '#quot;');
    const [open, close] = node.actor ? ['(["', '"])'] : node.stage === DataFlowStage.STORAGE ? ['[("', '")]'] : ['["', '"]'];
    lines.push(`  ${mermaidId(node.id)}${open}${text}${close}:::${node.stage}`);
  }
  const arrows: Record<DataFlowKind, string> = { [DataFlowKind.DATA]: '==>', [DataFlowKind.CONTROL]: '-.->', [DataFlowKind.PERMISSION]: '-.-o' };
  const index = new Map(sorted.map((node, position) => [node.id, position]));
  const drawn = edges.map(edge => ({ edge, line: `  ${mermaidId(edge.from)} ${edge.both ? '<==>' : arrows[edge.kind]} ${mermaidId(edge.to)}` }))
    .sort((a, b) => index.get(a.edge.from)! - index.get(b.edge.from)! || index.get(a.edge.to)! - index.get(b.edge.to)! || a.line.localeCompare(b.line));
  lines.push(...drawn.map(({ line }) => line));
  for (const stage of order) {
    if (sorted.some(node => node.stage === stage)) lines.push(`  classDef ${stage} ${STAGES[stage as DataFlowStage].style}`);
  }
  return lines.join('\n') + '\n';
}

/** The legend under every data-flow diagram: shapes, colours and arrows. */
export function dataFlowLegend(nodes: FlowNode[]): string {
  const order = Object.keys(STAGES) as DataFlowStage[];
  const stages = order.filter(stage => nodes.some(node => node.stage === stage)).map(stage => STAGES[stage].title);
  return `Left to right: ${stages.join(' → ')} (one colour each). Rounded ends: a run-time actor, not a CloudFormation `
    + 'resource; cylinders: storage. Thick arrows carry data, in the direction it moves (`<==>` both ways); dotted arrows '
    + 'are control (starts, invokes, triggers); a line ending in a circle is a permission grant.';
}
