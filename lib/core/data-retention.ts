import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The removal rule every data-bearing construct in this library follows.
 *
 * Data is kept by default: buckets, keys and catalogs are `RETAIN`ed when a stack is deleted, so
 * `cdk destroy` of a production stack can never delete a lake. Demo stacks opt in to `DESTROY`,
 * which also empties buckets, because a sandbox must be removable without leaving anything that
 * bills.
 */
export interface DataRetentionProps {
  /**
   * What happens to the data-bearing resources when they leave the stack.
   *
   * `RemovalPolicy.DESTROY` also empties buckets (all object versions) so that CloudFormation can
   * delete them. Use it for sandboxes and demos only.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The removal policy to apply, with the library default (RETAIN) filled in. */
export function dataRemovalPolicy(props: DataRetentionProps): RemovalPolicy {
  return props.removalPolicy ?? RemovalPolicy.RETAIN;
}

/** Whether the construct may delete its data on removal (and must therefore empty its buckets). */
export function destroysData(props: DataRetentionProps): boolean {
  return dataRemovalPolicy(props) === RemovalPolicy.DESTROY;
}
