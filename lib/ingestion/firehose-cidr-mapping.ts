import { AspectPriority, Aspects, CfnElement, CfnMapping, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Where the `aws-kinesisfirehose` L2 keeps its mapping of Firehose CIDR blocks: one per stack. */
const MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';
/** The stacks that already drop the mapping when it is unused. */
const STACKS = new WeakSet<Stack>();

/**
 * Drops the mapping of Firehose CIDR blocks (`awscdkawskinesisfirehoseCidrBlocks`) that the
 * `aws-kinesisfirehose` L2 adds to the stack of every `DeliveryStream`, when nothing uses it.
 *
 * The mapping serves only `DeliveryStream.connections`: the addresses Firehose uses to reach a
 * destination in a VPC, which a security group admits. Our delivery streams write to S3 and need
 * none, yet in an environment-agnostic stack the L2 renders the mapping anyway, and the
 * CloudFormation Validate plugin reports it as unused (W7001). Acknowledging that finding is not
 * an option: the plugin reports every mapping on the stack, so an acknowledgement would also hide
 * the user's own unused mappings. So the mapping is removed instead, unless something references
 * it (a security group that admits `deliveryStream.connections`), in which case it is needed and
 * used, and no finding arises.
 *
 * The check runs as the last aspect (`AspectPriority.READONLY`), once every construct and every
 * other aspect has had its chance to reference the mapping: it renders the stack's elements, as
 * CDK itself does right after the aspects, and looks for `Fn::FindInMap` on the mapping.
 */
export function removeUnusedFirehoseCidrMapping(scope: IConstruct): void {
  const stack = Stack.of(scope);
  if (!STACKS.has(stack)) {
    STACKS.add(stack);
    Aspects.of(stack).add(new RemoveUnusedMapping(stack), { priority: AspectPriority.READONLY });
  }
}

class RemoveUnusedMapping implements IAspect {
  constructor(private readonly stack: Stack) {}

  public visit(node: IConstruct): void {
    if (node !== this.stack) {
      return;
    }
    const mapping = this.stack.node.tryFindChild(MAPPING_ID);
    if (!(mapping instanceof CfnMapping)) {
      return;
    }
    const reference = `{"Fn::FindInMap":["${this.stack.resolve(mapping.logicalId)}"`;
    const referenced = this.stack.node.findAll().some(element => element !== mapping && CfnElement.isCfnElement(element)
      && Stack.of(element) === this.stack && JSON.stringify(this.stack.resolve(rendered(element))).includes(reference));
    if (!referenced) {
      this.stack.node.tryRemoveChild(mapping.node.id);
    }
  }
}

/** An element as the template will hold it (the method CDK renders templates and finds references with). */
function rendered(element: CfnElement): unknown {
  return (element as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
}
