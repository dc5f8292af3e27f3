import { CfnResource, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The construct-metadata type under which constructs record their part of a pattern's data flow.
 * Construct metadata goes to the cloud assembly (`<Stack>.metadata.json`), never into the deployed
 * template; `npm run diagrams` reads it from the synthesized construct tree.
 */
const DATA_FLOW_METADATA_TYPE = 'ml-data-engineering:data-flow';

/** Declarations are merged in the order they were made (the construct tree's order is not it). */
let declarationCount = 0;

/** Where a node of a data flow sits, from left to right. */
export enum DataFlowStage {
  /** Where data comes from: devices, producers, operational databases. */
  SOURCE = 'source',
  /** What takes data in: streams, delivery streams, replication tasks. */
  INGESTION = 'ingestion',
  /** Where data rests: lake zones, file systems. */
  STORAGE = 'storage',
  /** What describes or governs the data: the Glue Data Catalog, Lake Formation. */
  CATALOG = 'catalog',
  /** What starts work: state machines, workflows, schedules. */
  ORCHESTRATION = 'orchestration',
  /** What transforms data: jobs, functions, applications. */
  PROCESSING = 'processing',
  /** Who uses the result: analysts, query engines, training jobs. */
  CONSUMER = 'consumer',
}

/** What flows along an edge. */
export enum DataFlowKind {
  /** Data (records, files, metadata), drawn in the direction it moves. */
  DATA = 'data',
  /** Control: one node starts, invokes or triggers another. */
  CONTROL = 'control',
  /** Permission: one node grants another access. */
  PERMISSION = 'permission',
}

/** A node of a data flow: resources of the template, or a run-time actor. */
export interface DataFlowNodeOptions {
  /** What readers call it, short: `Kinesis data stream`, `raw zone`, `Producer`. */
  readonly label: string;
  /**
   * A second line: which one (`Events`, `producer.ts`).
   *
   * @default - none
   */
  readonly detail?: string;
  /** Where it sits in the flow. */
  readonly stage: DataFlowStage;
  /**
   * The CloudFormation resources the node stands for (L1s, or L2s whose default child is one).
   * Declaring the same resources again (from another construct) adds nothing.
   *
   * @default - none: a run-time actor, which is not a CloudFormation resource (a producer, a
   * training job, a Spark job run, an analyst)
   */
  readonly resources?: IConstruct[];
  /**
   * The roles the node calls AWS with: what their policies allow becomes the node's edges. An
   * actor's roles are also how the diagram finds who starts it (whoever may pass the role).
   *
   * @default - the roles that the resources' properties name
   */
  readonly roles?: iam.IRole[];
  /**
   * Drawn as a run-time actor: something that runs (a job run, an analyst's queries) rather than
   * the resources that define it.
   *
   * @default - true when the node has no resources
   */
  readonly actor?: boolean;
}

/** A node of a data flow, declared with {@link DataFlow.node} or named with {@link DataFlow.nodeOf}. */
export class DataFlowNode {
  private readonly resources: CfnResource[] = [];

  /**
   * @param ref how an edge names the node: its id (`<scope path>/<id>`), or the logical ID of a
   *   resource it stands for
   */
  constructor(public readonly ref: string, resources: IConstruct[] = []) {
    this.addResources(...resources);
  }

  /** Adds resources created after the node was declared (grants, associations). */
  public addResources(...resources: IConstruct[]): void {
    this.resources.push(...resources.map(resource => cfnResourceOf(resource)));
  }

  /** @internal */
  public _logicalIds(): string[] {
    return this.resources.map(resource => resource.logicalId);
  }
}

/** An edge that the template alone cannot tell (for example, data that moves over NFS). */
export interface DataFlowEdgeOptions {
  readonly from: DataFlowNode;
  readonly to: DataFlowNode;
  readonly kind: DataFlowKind;
  /**
   * Why it is there, for the reader of the code. The diagram script checks that the template
   * links the two nodes (a reference between their resources, roles or starters), so a declared
   * edge cannot outlive the resources it connects.
   */
  readonly description: string;
}

/** The recorded form of a node (construct metadata). */
export interface RecordedDataFlowNode {
  /** The order of the declaration in the app. */
  readonly order: number;
  readonly node: {
    readonly id: string;
    readonly label: string;
    readonly detail?: string;
    readonly stage: DataFlowStage;
    readonly actor: boolean;
    /** Logical IDs. */
    readonly resources: string[];
    /** Role ARNs, as the template writes them (`{ "Fn::GetAtt": [id, "Arn"] }`); absent: derived. */
    readonly roles?: string[];
  };
}

/** The recorded form of an edge (construct metadata). */
export interface RecordedDataFlowEdge {
  /** The order of the declaration in the app. */
  readonly order: number;
  /** `from` and `to`: a node id, or the logical ID of a resource a node stands for. */
  readonly edge: { readonly from: string; readonly to: string; readonly kind: DataFlowKind; readonly description: string };
}

/**
 * Declares which resources form a pattern's data path, the run-time actors that are not
 * CloudFormation resources, and the rare edge the template cannot show. Constructs call it next to
 * the resources they create; `npm run diagrams` draws each stack's data flow from these nodes and
 * derives the edges from the synthesized template (references between the nodes' resources, and
 * what the nodes' roles may do), so the diagram cannot drift from what is deployed.
 */
export class DataFlow {
  /**
   * Declares a node, with id `<scope path>/<id>`. Declarations with the same id, or that share a
   * resource, are one node (the last one declared names it), so the zones of a lake can each add
   * their database to one "Glue Data Catalog" node declared on the stack, and an app can re-label
   * a node a construct declared.
   */
  public static node(scope: IConstruct, id: string, options: DataFlowNodeOptions): DataFlowNode {
    // Imported resources (`fromXxx`) are another stack's: they are not drawn here.
    const resources = (options.resources ?? []).filter(resource => tryCfnResourceOf(resource) !== undefined);
    const node = new DataFlowNode(`${scope.node.path}/${id}`, resources);
    if (options.resources !== undefined && options.resources.length > 0 && resources.length === 0) return node;
    const recorded: RecordedDataFlowNode = {
      order: declarationCount++,
      node: {
        id: node.ref,
        label: options.label,
        detail: options.detail,
        stage: options.stage,
        actor: options.actor ?? resources.length === 0,
        resources: Lazy.list({ produce: () => node._logicalIds() }),
        roles: options.roles?.map(role => role.roleArn),
      },
    };
    scope.node.addMetadata(DATA_FLOW_METADATA_TYPE, recorded);
    return node;
  }

  /**
   * The node that stands for `resource`, to name it in an edge without declaring it again (its
   * declaration, elsewhere, gives its label and stage).
   */
  public static nodeOf(resource: IConstruct): DataFlowNode {
    return new DataFlowNode(cfnResourceOf(resource).logicalId);
  }

  /**
   * The node of `resource`, or `undefined` when it is no CloudFormation resource of the app (an
   * imported bucket, say), which the diagram cannot draw.
   */
  public static tryNodeOf(resource: IConstruct): DataFlowNode | undefined {
    const cfn = tryCfnResourceOf(resource);
    return cfn ? new DataFlowNode(cfn.logicalId) : undefined;
  }

  /** Declares an edge between two declared nodes. */
  public static edge(scope: IConstruct, options: DataFlowEdgeOptions): void {
    const recorded: RecordedDataFlowEdge = {
      order: declarationCount++,
      edge: { from: options.from.ref, to: options.to.ref, kind: options.kind, description: options.description },
    };
    scope.node.addMetadata(DATA_FLOW_METADATA_TYPE, recorded);
  }

  /**
   * The declarations of a stack, resolved (logical IDs and role ARNs as the template writes them).
   * Call it after synthesis, or at least after every construct of the stack exists.
   */
  public static declarationsOf(stack: Stack): Array<RecordedDataFlowNode | RecordedDataFlowEdge> {
    return stack.node.findAll()
      .filter(construct => Stack.of(construct) === stack)
      .flatMap(construct => construct.node.metadata.filter(entry => entry.type === DATA_FLOW_METADATA_TYPE))
      .map(entry => stack.resolve(entry.data))
      .sort((a, b) => a.order - b.order);
  }

  private constructor() {}
}

function tryCfnResourceOf(construct: IConstruct): CfnResource | undefined {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  return resource && CfnResource.isCfnResource(resource) ? resource : undefined;
}

function cfnResourceOf(construct: IConstruct): CfnResource {
  const resource = tryCfnResourceOf(construct);
  if (!resource) {
    throw new Error(`A data-flow node stands for CloudFormation resources; ${construct.node.path} is not one and has no default child that is`);
  }
  return resource;
}
