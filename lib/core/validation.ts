import { IConstruct } from 'constructs';

/**
 * The error every construct in this library throws for bad input.
 *
 * Its message always names four things, so that a reader can fix the input without opening the
 * construct: the construct path, the prop, the value given and what is allowed, for example
 *
 *     DataLakeDemo/Lake/Raw: `tiering.rules[0].transitions[0].days` must be at least 30 for
 *     STANDARD_IA (S3 rejects earlier transitions to an infrequent-access class), got 10
 *
 * The error is thrown while the construct is created, so `cdk synth` stops before a template that
 * CloudFormation would reject can be written.
 */
export class PropValidationError extends Error {
  /** The path of the construct whose input is invalid. */
  public readonly constructPath: string;
  /** The prop, with its path inside the props object (for example `zones[1].name`). */
  public readonly prop: string;
  /** The value that was given. */
  public readonly value: unknown;
  /** What the prop allows. */
  public readonly allowed: string;

  constructor(scope: IConstruct, prop: string, value: unknown, allowed: string) {
    // The app itself has an empty path (for example for a context value): then the message starts with the prop.
    super(`${scope.node.path ? `${scope.node.path}: ` : ''}\`${prop}\` ${allowed}, got ${describeValue(value)}`);
    this.name = 'PropValidationError';
    this.constructPath = scope.node.path;
    this.prop = prop;
    this.value = value;
    this.allowed = allowed;
  }
}

/**
 * Throws a {@link PropValidationError} unless `valid` holds.
 *
 * @param allowed what the prop allows, phrased to follow the prop name: "must be at least 30"
 */
export function check(valid: boolean, scope: IConstruct, prop: string, value: unknown, allowed: string): void {
  if (!valid) {
    throw new PropValidationError(scope, prop, value, allowed);
  }
}

/** Checks that `value` is a whole number within `[min, max]` (either bound may be omitted). */
export function checkInteger(
  scope: IConstruct,
  prop: string,
  value: number,
  bounds: { readonly min?: number; readonly max?: number; readonly why?: string } = {},
): void {
  const { min, max, why } = bounds;
  const range = min !== undefined && max !== undefined
    ? `a whole number from ${min} to ${max}`
    : min !== undefined ? `a whole number of at least ${min}` : max !== undefined ? `a whole number of at most ${max}` : 'a whole number';
  const ok = Number.isInteger(value) && (min === undefined || value >= min) && (max === undefined || value <= max);
  check(ok, scope, prop, value, `must be ${range}${why ? ` (${why})` : ''}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return 'nothing';
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
