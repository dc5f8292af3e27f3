import { Token } from 'aws-cdk-lib';
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
 * A `value` that is an unresolved token (a CloudFormation parameter, an attribute of another
 * resource) is never rejected: its value is only known at deployment, so the rule cannot be
 * decided at synth (aws-cdk-lib's own rule). Pass the value the rule is about, or a literal that
 * describes it when the rule is about something else.
 *
 * @param allowed what the prop allows, phrased to follow the prop name: "must be at least 30"
 */
export function check(valid: boolean, scope: IConstruct, prop: string, value: unknown, allowed: string): void {
  if (!valid && !Token.isUnresolved(value)) {
    throw new PropValidationError(scope, prop, value, allowed);
  }
}

/** Bounds of a number, a length or a count: either may be omitted, `why` says where they come from. */
export interface Bounds {
  readonly min?: number;
  readonly max?: number;
  readonly why?: string;
}

/** Checks that `value` is a whole number within `[min, max]` (either bound may be omitted); tokens pass. */
export function checkInteger(scope: IConstruct, prop: string, value: number, bounds: Bounds = {}): void {
  const { min, max } = bounds;
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}`
    : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
  check(Number.isInteger(value) && within(value, bounds), scope, prop, value, `must be a whole number${range}${because(bounds)}`);
}

/**
 * Checks the length of a string within `[min, max]` characters (UTF-16 code units, as the AWS
 * APIs count them); tokens, and strings that contain tokens, pass.
 */
export function checkLength(scope: IConstruct, prop: string, value: string, bounds: Bounds): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const allowed = bounds.min === 1 && bounds.max === undefined ? 'must not be empty' : `must be ${span(bounds)} characters long`;
  check(within(value.length, bounds), scope, prop, value, `${allowed}${because(bounds)}`);
}

/**
 * Checks how many items a list or map has, such as "must have 1 to 20 channels, got 21"; a token
 * list passes.
 *
 * @param noun what is counted, plural: "entries", "channels"
 */
export function checkCount(scope: IConstruct, prop: string, count: number, bounds: Bounds, noun = 'entries'): void {
  check(within(count, bounds), scope, prop, count, `must have ${span(bounds)} ${noun}${because(bounds)}`);
}

/** The limits of a free-form string map (tags, hyperparameters, properties). */
export interface MapLimits {
  /** How many entries the map may have. */
  readonly entries: Bounds;
  /** The length of each key. */
  readonly keyLength: Bounds;
  /** The length of each value. */
  readonly valueLength: Bounds;
}

/** Checks the number of entries of a string map and the length of each key and value; tokens pass. */
export function checkMap(scope: IConstruct, prop: string, map: Record<string, string>, limits: MapLimits): void {
  if (Token.isUnresolved(map)) {
    return;
  }
  const entries = Object.entries(map);
  checkCount(scope, prop, entries.length, limits.entries);
  for (const [key, value] of entries) {
    checkLength(scope, `${prop} key`, key, limits.keyLength);
    checkLength(scope, `${prop}.${key}`, value, limits.valueLength);
  }
}

function within(n: number, { min, max }: Bounds): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

/** "1 to 20", "at least 1", "at most 20". */
function span({ min, max }: Bounds): string {
  return min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
}

function because({ why }: Bounds): string {
  return why ? ` (${why})` : '';
}

/** Long strings are shortened in messages: the reader needs the start and the length, not 3,000 characters. */
const LONGEST_SHOWN = 120;

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > LONGEST_SHOWN ? `'${value.slice(0, 60)}…' (${value.length} characters)` : `'${value}'`;
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
