import { createHash } from 'crypto';
import { OPAQUE, ServiceResult, serviceResultFor } from './service-results';

/**
 * A local interpreter of Amazon States Language (JSONPath), written for the rehearsal: it explores
 * every path of a definition, giving each Task each output its integration can return (see
 * `service-results.ts`) and, when the task can catch errors, its failure, and reports where a
 * path reaches a runtime error. `aws-local-stepfunctions` was evaluated and not used: it requires
 * Node.js 22, pulls the AWS SDK Lambda client into the library's dependencies, and lets
 * `States.ALL` catch `States.Runtime`, which Step Functions does not.
 *
 * Modelled as Step Functions does: `InputPath`, `Parameters` (with `.$` paths, the context object
 * `$$` and intrinsic functions), `ResultSelector`, `ResultPath`, `OutputPath`, `Choice` rules,
 * `Wait`, `Pass`, `Succeed`, `Fail` (`ErrorPath`, `CausePath`), `Retry`/`Catch`, `Parallel` and
 * `Map`. A path that names no field is a `States.Runtime` error, which no `Retry` or `Catch`
 * handles (not even `States.ALL`); a `ResultPath` that cannot be applied is
 * `States.ResultPathMatchFailure`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */

/** An error a state reports. */
export class StatesError extends Error {
  constructor(public readonly error: string, public readonly cause: string) {
    super(`${error}: ${cause}`);
  }
}

/** A Task whose integration the rehearsal has no result for. */
export class NotModelled extends Error {}

/** Errors that `States.ALL` does not match. */
const UNCATCHABLE = new Set(['States.Runtime', 'States.DataLimitExceeded']);

/** How an explored path ended. */
export interface PathEnd {
  readonly kind: 'succeeded' | 'failed' | 'runtime-error' | 'not-modelled' | 'cut';
  /** The states the path went through. */
  readonly trail: string[];
  /** For `failed` and `runtime-error`: the error and its cause; for `not-modelled`: why. */
  readonly error?: string;
  readonly cause?: string;
}

/** The result of exploring one state machine. */
export interface Exploration {
  readonly ends: PathEnd[];
  /** The integrations the Tasks called, with the source of their results. */
  readonly integrations: Map<string, string>;
}

type Json = unknown;
type Definition = { StartAt: string; States: Record<string, any>; QueryLanguage?: string };

/** Paths longer than this are cut (a polling loop whose data never changes). */
const MAX_TRANSITIONS = 200;
/** Explorations stop after this many paths. */
const MAX_PATHS = 2000;

/** Explores every path of a state machine definition, from an empty execution input. */
export function explore(definition: Definition, input: Json = {}): Exploration {
  const integrations = new Map<string, string>();
  const ends: PathEnd[] = [];
  const context = {
    Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:machine:rehearsal', Input: input, Name: 'rehearsal', RoleArn: 'arn:aws:iam::123456789012:role/machine', StartTime: '2026-01-01T00:00:00Z' },
    StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:machine', Name: 'machine' },
    State: { EnteredTime: '2026-01-01T00:00:00Z', Name: '', RetryCount: 0 },
    Task: { Token: 'token' },
  };
  runMachine(definition, input, context, integrations, (end) => ends.push(end), []);
  return { ends, integrations };
}

/**
 * Runs a (sub-)machine and reports each way it can end. `onEnd` receives the end of each path and,
 * for succeeded paths, the output is passed along through {@link PathEnd.cause} as JSON is not
 * needed by callers: sub-machines (Parallel/Map branches) use {@link runBranch}.
 */
function runMachine(definition: Definition, input: Json, context: Record<string, any>, integrations: Map<string, string>,
  onEnd: (end: PathEnd, output?: Json) => void, trailPrefix: string[]): void {
  if (definition.QueryLanguage === 'JSONata') {
    onEnd({ kind: 'not-modelled', trail: trailPrefix, error: 'JSONata', cause: 'the rehearsal interprets JSONPath definitions only' });
    return;
  }
  const visited = new Set<string>();
  let paths = 0;
  const step = (name: string, data: Json, trail: string[]): void => {
    if (paths >= MAX_PATHS) return;
    const key = `${name}|${stableJson(data)}`;
    if (visited.has(key)) {
      // The same state with the same data: the rest of this path was explored already.
      return;
    }
    visited.add(key);
    const path = [...trail, name];
    if (path.length > MAX_TRANSITIONS) {
      paths++;
      onEnd({ kind: 'cut', trail: path });
      return;
    }
    const state = definition.States[name];
    if (!state) {
      paths++;
      onEnd({ kind: 'runtime-error', trail: path, error: 'States.Runtime', cause: `the definition has no state ${name}` });
      return;
    }
    const ctx = { ...context, State: { ...context.State, Name: name } };
    for (const outcome of executeState(state, data, ctx, integrations, path)) {
      if (outcome.kind === 'next') {
        step(outcome.next, outcome.output, path);
      } else {
        paths++;
        onEnd({ kind: outcome.kind, trail: path, error: outcome.error, cause: outcome.cause }, outcome.output);
      }
    }
  };
  step(definition.StartAt, input, trailPrefix);
}

type Outcome =
  | { kind: 'next'; next: string; output: Json }
  | { kind: 'succeeded'; output: Json; error?: undefined; cause?: undefined }
  | { kind: 'failed' | 'runtime-error' | 'not-modelled'; error: string; cause: string; output?: undefined };

/** Every way one state can go on, given its input. */
function executeState(state: Record<string, any>, input: Json, context: Record<string, any>, integrations: Map<string, string>, trail: string[]): Outcome[] {
  const proceed = (output: Json): Outcome => (state.End === true || state.Next === undefined
    ? { kind: 'succeeded', output }
    : { kind: 'next', next: state.Next, output });
  try {
    switch (state.Type) {
      case 'Succeed':
        return [{ kind: 'succeeded', output: applyPath(applyPath(input, state.InputPath, context, 'InputPath'), state.OutputPath, context, 'OutputPath') }];
      case 'Fail': {
        const error = state.ErrorPath !== undefined ? String(readPath(input, state.ErrorPath, context, 'ErrorPath')) : state.Error ?? 'States.Fail';
        const cause = state.CausePath !== undefined ? stringOf(readPath(input, state.CausePath, context, 'CausePath')) : state.Cause ?? '';
        return [{ kind: 'failed', error, cause }];
      }
      case 'Pass': {
        const effective = applyPath(input, state.InputPath, context, 'InputPath');
        const result = state.Result !== undefined ? state.Result : state.Parameters !== undefined ? payload(state.Parameters, effective, context) : effective;
        return [proceed(applyPath(applyResultPath(input, state.ResultPath, result), state.OutputPath, context, 'OutputPath'))];
      }
      case 'Wait': {
        const effective = applyPath(input, state.InputPath, context, 'InputPath');
        if (state.SecondsPath !== undefined) {
          const seconds = readPath(effective, state.SecondsPath, context, 'SecondsPath');
          if (typeof seconds !== 'number' && seconds !== OPAQUE) throw new StatesError('States.Runtime', `SecondsPath ${state.SecondsPath} is not a number`);
        }
        if (state.TimestampPath !== undefined) readPath(effective, state.TimestampPath, context, 'TimestampPath');
        return [proceed(applyPath(input, state.OutputPath, context, 'OutputPath'))];
      }
      case 'Choice': {
        const effective = applyPath(input, state.InputPath, context, 'InputPath');
        const output = applyPath(effective, state.OutputPath, context, 'OutputPath');
        for (const rule of state.Choices ?? []) {
          if (evaluateRule(rule, effective, context)) return [{ kind: 'next', next: rule.Next, output }];
        }
        if (state.Default !== undefined) return [{ kind: 'next', next: state.Default, output }];
        throw new StatesError('States.NoChoiceMatched', 'no Choice rule matched and there is no Default');
      }
      case 'Task':
        return taskOutcomes(state, input, context, integrations, proceed);
      case 'Parallel':
        return branchOutcomes(state, input, context, integrations, trail, proceed, 'Parallel');
      case 'Map':
        return branchOutcomes(state, input, context, integrations, trail, proceed, 'Map');
      default:
        return [{ kind: 'not-modelled', error: String(state.Type), cause: `the rehearsal does not interpret ${state.Type} states` }];
    }
  } catch (error) {
    return [failure(state, input, error)];
  }
}

/** What a state's error leads to: its catcher, or the end of the execution. */
function failure(state: Record<string, any>, input: Json, error: unknown): Outcome {
  if (error instanceof NotModelled) return { kind: 'not-modelled', error: 'not modelled', cause: error.message };
  if (!(error instanceof StatesError)) throw error;
  if (!UNCATCHABLE.has(error.error)) {
    const catcher = (state.Catch ?? []).find((c: { ErrorEquals: string[] }) => c.ErrorEquals.includes(error.error) || c.ErrorEquals.includes('States.ALL')
      || (c.ErrorEquals.includes('States.TaskFailed') && !error.error.startsWith('States.')));
    if (catcher) {
      try {
        return { kind: 'next', next: catcher.Next, output: applyResultPath(input, catcher.ResultPath, { Error: error.error, Cause: error.cause }) };
      } catch (nested) {
        if (nested instanceof StatesError) return { kind: 'runtime-error', error: nested.error, cause: nested.cause };
        throw nested;
      }
    }
  }
  return { kind: UNCATCHABLE.has(error.error) ? 'runtime-error' : 'failed', error: error.error, cause: error.cause };
}

function taskOutcomes(state: Record<string, any>, input: Json, context: Record<string, any>, integrations: Map<string, string>,
  proceed: (output: Json) => Outcome): Outcome[] {
  const effective = applyPath(input, state.InputPath, context, 'InputPath');
  if (state.Parameters !== undefined) payload(state.Parameters, effective, context);
  const resource = String(state.Resource);
  const result: ServiceResult | undefined = serviceResultFor(resource);
  if (!result) {
    throw new NotModelled(`the rehearsal has no result shape for ${resource}: add it to service-results.ts with the API page it copies`);
  }
  integrations.set(resource, result.source);
  const outcomes: Outcome[] = result.outputs.map(raw => {
    try {
      const selected = state.ResultSelector !== undefined ? payload(state.ResultSelector, raw, context) : raw;
      return proceed(applyPath(applyResultPath(input, state.ResultPath, selected), state.OutputPath, context, 'OutputPath'));
    } catch (error) {
      return failure(state, input, error);
    }
  });
  // The failure path: after its retriers, the task reports the integration's error.
  const cause = typeof result.failure.cause === 'string' ? result.failure.cause : JSON.stringify(result.failure.cause);
  outcomes.push(failure(state, input, new StatesError(result.failure.error, cause)));
  return outcomes;
}

/** Parallel and Map: each branch (or the item processor, on each item) runs on its first-success data; any failure fails the state. */
function branchOutcomes(state: Record<string, any>, input: Json, context: Record<string, any>, integrations: Map<string, string>, trail: string[],
  proceed: (output: Json) => Outcome, kind: 'Parallel' | 'Map'): Outcome[] {
  const effective = applyPath(input, state.InputPath, context, 'InputPath');
  const runs: Array<{ definition: Definition; input: Json }> = [];
  if (kind === 'Parallel') {
    const branchInput = state.Parameters !== undefined ? payload(state.Parameters, effective, context) : effective;
    for (const branch of state.Branches ?? []) runs.push({ definition: branch, input: branchInput });
  } else {
    const items = state.ItemsPath !== undefined ? readPath(effective, state.ItemsPath, context, 'ItemsPath') : effective;
    if (items !== OPAQUE && !Array.isArray(items)) throw new StatesError('States.Runtime', `the Map state's items (${state.ItemsPath ?? '$'}) are not an array`);
    const sample = Array.isArray(items) && items.length > 0 ? items[0] : OPAQUE;
    const selector = state.ItemSelector ?? state.Parameters;
    const itemInput = selector !== undefined ? payload(selector, effective, { ...context, Map: { Item: { Index: 0, Value: sample } } }) : sample;
    runs.push({ definition: state.ItemProcessor ?? state.Iterator, input: itemInput });
  }
  const outputs: Json[] = [];
  const problems: Outcome[] = [];
  for (const run of runs) {
    let succeeded: Json | undefined;
    runMachine(run.definition, run.input, context, integrations, (end, output) => {
      if (end.kind === 'succeeded' && succeeded === undefined) succeeded = output;
      else if (end.kind === 'runtime-error' || end.kind === 'not-modelled') {
        problems.push({ kind: end.kind, error: end.error ?? '', cause: `${kind} branch (${end.trail.join(' → ')}): ${end.cause ?? ''}` });
      }
    }, trail);
    outputs.push(succeeded === undefined ? OPAQUE : succeeded);
  }
  const outcomes: Outcome[] = [...problems];
  try {
    const raw = kind === 'Parallel' ? outputs : outputs;
    const selected = state.ResultSelector !== undefined ? payload(state.ResultSelector, raw, context) : raw;
    outcomes.push(proceed(applyPath(applyResultPath(input, state.ResultPath, selected), state.OutputPath, context, 'OutputPath')));
  } catch (error) {
    outcomes.push(failure(state, input, error));
  }
  outcomes.push(failure(state, input, new StatesError(kind === 'Parallel' ? 'States.BranchFailed' : 'States.TaskFailed', `a ${kind} branch failed`)));
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Reads a reference path (`$.a.b[0]`, `$['a']`, `$$.Execution.Name`); a missing field is `States.Runtime`. */
export function readPath(data: Json, path: string, context: Record<string, any>, field: string): Json {
  const [root, segments] = parsePath(path);
  let value: Json = root === '$$' ? context : data;
  const walked: string[] = [root];
  for (const segment of segments) {
    if (value === OPAQUE) return OPAQUE;
    if (segment === '*') {
      if (Array.isArray(value)) return value;
      if (value !== null && typeof value === 'object') return Object.values(value);
      throw new StatesError('States.Runtime', `${field}: the path ${path} does not point to an array or object at ${walked.join('')}`);
    }
    const next = typeof segment === 'number'
      ? (Array.isArray(value) ? value[segment] : undefined)
      : (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, segment) ? (value as Record<string, Json>)[segment] : undefined);
    walked.push(typeof segment === 'number' ? `[${segment}]` : `.${segment}`);
    if (next === undefined) {
      const available = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value as object) : [];
      throw new StatesError('States.Runtime', `${field}: the JSONPath ${path} could not be found in the input (${walked.join('')} does not exist`
        + `${available.length > 0 ? `; the object has ${available.join(', ')}` : ''})`);
    }
    value = next;
  }
  return value;
}

function parsePath(path: string): ['$' | '$$', Array<string | number>] {
  const root = path.startsWith('$$') ? '$$' : '$';
  if (!path.startsWith('$')) throw new StatesError('States.Runtime', `${path} is not a path`);
  const segments: Array<string | number> = [];
  const rest = path.slice(root.length);
  const pattern = /\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]|\[\*\]|\.\*/gy;
  let index = 0;
  while (index < rest.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(rest);
    if (!match) throw new NotModelled(`the rehearsal cannot read the JSONPath ${path}`);
    if (match[1] !== undefined) segments.push(match[1] === '*' ? '*' : match[1]);
    else if (match[2] !== undefined) segments.push(match[2]);
    else if (match[3] !== undefined) segments.push(Number(match[3]));
    else segments.push('*');
    index = pattern.lastIndex;
  }
  return [root, segments];
}

function applyPath(data: Json, path: string | null | undefined, context: Record<string, any>, field: string): Json {
  if (path === undefined) return data;
  if (path === null) return {};
  return readPath(data, path, context, field);
}

/** `ResultPath`: where the result goes in the state's input (`null` discards it). */
function applyResultPath(input: Json, path: string | null | undefined, result: Json): Json {
  if (path === undefined || path === '$') return result;
  if (path === null) return input;
  const [root, segments] = parsePath(path);
  if (root !== '$' || segments.some(s => typeof s !== 'string' || s === '*')) {
    throw new StatesError('States.ResultPathMatchFailure', `ResultPath ${path} is not a path of object fields`);
  }
  const output = copy(input);
  if (output === null || typeof output !== 'object' || Array.isArray(output)) {
    throw new StatesError('States.ResultPathMatchFailure', `ResultPath ${path} cannot be applied to an input that is not an object`);
  }
  let target = output as Record<string, Json>;
  for (const segment of segments.slice(0, -1) as string[]) {
    const next = target[segment];
    if (next === undefined) {
      target[segment] = {};
    } else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      throw new StatesError('States.ResultPathMatchFailure', `ResultPath ${path}: ${segment} is not an object`);
    }
    target = target[segment] as Record<string, Json>;
  }
  target[segments[segments.length - 1] as string] = result;
  return output;
}

/** `Parameters`, `ResultSelector`, `ItemSelector`: a template whose `<key>.$` values are paths or intrinsic functions. */
function payload(template: Json, data: Json, context: Record<string, any>): Json {
  if (Array.isArray(template)) return template.map(item => payload(item, data, context));
  if (template === null || typeof template !== 'object') return template;
  const result: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template as Record<string, Json>)) {
    if (key.endsWith('.$')) {
      const field = key.slice(0, -2);
      const expression = String(value);
      result[field] = expression.startsWith('States.') ? intrinsic(expression, data, context) : readPath(data, expression, context, `the field ${key}`);
    } else {
      result[key] = payload(value, data, context);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions

function intrinsic(expression: string, data: Json, context: Record<string, any>): Json {
  const parser = { text: expression, index: 0 };
  const value = parseCall(parser, data, context);
  if (parser.index !== expression.length) throw new StatesError('States.Runtime', `cannot parse ${expression}`);
  return value;
}

function parseCall(p: { text: string; index: number }, data: Json, context: Record<string, any>): Json {
  const name = /^States\.[A-Za-z0-9]+/.exec(p.text.slice(p.index))?.[0];
  if (!name) throw new StatesError('States.Runtime', `cannot parse ${p.text}`);
  p.index += name.length;
  expect(p, '(');
  const args: Json[] = [];
  skipSpaces(p);
  while (p.text[p.index] !== ')') {
    args.push(parseArgument(p, data, context));
    skipSpaces(p);
    if (p.text[p.index] === ',') {
      p.index++;
      skipSpaces(p);
    }
  }
  p.index++;
  return callIntrinsic(name, args);
}

function parseArgument(p: { text: string; index: number }, data: Json, context: Record<string, any>): Json {
  const rest = p.text.slice(p.index);
  if (rest.startsWith("'")) {
    let value = '';
    p.index++;
    while (p.index < p.text.length && p.text[p.index] !== "'") {
      if (p.text[p.index] === '\\') p.index++;
      value += p.text[p.index++];
    }
    p.index++;
    return value;
  }
  if (rest.startsWith('States.')) return parseCall(p, data, context);
  if (rest.startsWith('$')) {
    const path = /^\$\$?[^,)\s]*/.exec(rest)![0];
    p.index += path.length;
    return readPath(data, path, context, 'an intrinsic function argument');
  }
  const literal = /^(-?\d+(\.\d+)?|true|false|null)/.exec(rest);
  if (literal) {
    p.index += literal[0].length;
    return JSON.parse(literal[0]);
  }
  throw new StatesError('States.Runtime', `cannot parse the argument at ${rest}`);
}

function expect(p: { text: string; index: number }, char: string): void {
  if (p.text[p.index] !== char) throw new StatesError('States.Runtime', `expected ${char} at ${p.text.slice(p.index)}`);
  p.index++;
}

function skipSpaces(p: { text: string; index: number }): void {
  while (p.text[p.index] === ' ') p.index++;
}

function callIntrinsic(name: string, args: Json[]): Json {
  const bad = (why: string): never => {
    throw new StatesError('States.IntrinsicFailure', `${name}: ${why}`);
  };
  switch (name) {
    case 'States.Format': {
      const [template, ...values] = args;
      let i = 0;
      return String(template).replace(/\{\}/g, () => (i < values.length ? stringOf(values[i++]) : bad('fewer arguments than {} in the format string')));
    }
    case 'States.UUID': return '00000000-0000-4000-8000-000000000000';
    case 'States.StringToJson': return args[0] === OPAQUE ? OPAQUE : JSON.parse(String(args[0]));
    case 'States.JsonToString': return args[0] === OPAQUE ? '{}' : JSON.stringify(args[0]);
    case 'States.Array': return args;
    case 'States.ArrayGetItem': return Array.isArray(args[0]) ? args[0][Number(args[1])] ?? bad('index out of range') : OPAQUE;
    case 'States.ArrayLength': return Array.isArray(args[0]) ? args[0].length : OPAQUE;
    case 'States.ArrayContains': return Array.isArray(args[0]) ? args[0].some(item => stableJson(item) === stableJson(args[1])) : OPAQUE;
    case 'States.ArrayRange': {
      const [start, end, step] = args.map(Number);
      const range: number[] = [];
      for (let v = start; step > 0 ? v <= end : v >= end; v += step) range.push(v);
      return range;
    }
    case 'States.ArrayPartition': {
      const [array, size] = [args[0], Number(args[1])];
      if (!Array.isArray(array)) return OPAQUE;
      const chunks: Json[][] = [];
      for (let i = 0; i < array.length; i += size) chunks.push(array.slice(i, i + size));
      return chunks;
    }
    case 'States.ArrayUnique': return Array.isArray(args[0]) ? [...new Map(args[0].map(item => [stableJson(item), item])).values()] : OPAQUE;
    case 'States.MathAdd': return Number(args[0]) + Number(args[1]);
    case 'States.MathRandom': return Number(args[0]);
    case 'States.StringSplit': return String(args[0]).split(String(args[1]));
    case 'States.Base64Encode': return Buffer.from(String(args[0])).toString('base64');
    case 'States.Base64Decode': return Buffer.from(String(args[0]), 'base64').toString();
    case 'States.Hash': return createHash(String(args[1]).toLowerCase().replace('-', '')).update(stringOf(args[0])).digest('hex');
    case 'States.JsonMerge': return { ...(args[0] as object), ...(args[1] as object) };
    default: return bad('the rehearsal does not know this intrinsic function');
  }
}

// ---------------------------------------------------------------------------------------------
// Choice rules

function evaluateRule(rule: Record<string, any>, data: Json, context: Record<string, any>): boolean {
  if (rule.And) return (rule.And as Array<Record<string, any>>).every(r => evaluateRule(r, data, context));
  if (rule.Or) return (rule.Or as Array<Record<string, any>>).some(r => evaluateRule(r, data, context));
  if (rule.Not) return !evaluateRule(rule.Not, data, context);
  const variable = String(rule.Variable);
  if (rule.IsPresent !== undefined) {
    let present = true;
    try {
      readPath(data, variable, context, 'Variable');
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      present = false;
    }
    return present === rule.IsPresent;
  }
  const value = readPath(data, variable, context, `the Choice rule on ${variable}`);
  if (value === OPAQUE) return false;
  for (const [operator, operand] of Object.entries(rule)) {
    if (operator === 'Variable' || operator === 'Next') continue;
    const other = operator.endsWith('Path') ? readPath(data, String(operand), context, operator) : operand;
    const op = operator.endsWith('Path') ? operator.slice(0, -4) : operator;
    switch (op) {
      case 'IsNull': return (value === null) === other;
      case 'IsString': return (typeof value === 'string') === other;
      case 'IsNumeric': return (typeof value === 'number') === other;
      case 'IsBoolean': return (typeof value === 'boolean') === other;
      case 'IsTimestamp': return (typeof value === 'string' && !Number.isNaN(Date.parse(value))) === other;
      case 'StringEquals': return typeof value === 'string' && value === other;
      case 'StringLessThan': return typeof value === 'string' && value < String(other);
      case 'StringGreaterThan': return typeof value === 'string' && value > String(other);
      case 'StringLessThanEquals': return typeof value === 'string' && value <= String(other);
      case 'StringGreaterThanEquals': return typeof value === 'string' && value >= String(other);
      case 'StringMatches': return typeof value === 'string' && new RegExp(`^${String(other).split('*').map(escapeRegExp).join('.*')}$`).test(value);
      case 'NumericEquals': return typeof value === 'number' && value === Number(other);
      case 'NumericLessThan': return typeof value === 'number' && value < Number(other);
      case 'NumericGreaterThan': return typeof value === 'number' && value > Number(other);
      case 'NumericLessThanEquals': return typeof value === 'number' && value <= Number(other);
      case 'NumericGreaterThanEquals': return typeof value === 'number' && value >= Number(other);
      case 'BooleanEquals': return typeof value === 'boolean' && value === other;
      case 'TimestampEquals': return Date.parse(String(value)) === Date.parse(String(other));
      case 'TimestampLessThan': return Date.parse(String(value)) < Date.parse(String(other));
      case 'TimestampGreaterThan': return Date.parse(String(value)) > Date.parse(String(other));
      case 'TimestampLessThanEquals': return Date.parse(String(value)) <= Date.parse(String(other));
      case 'TimestampGreaterThanEquals': return Date.parse(String(value)) >= Date.parse(String(other));
      default: throw new NotModelled(`the rehearsal does not know the Choice operator ${operator}`);
    }
  }
  throw new StatesError('States.Runtime', `the Choice rule on ${variable} has no comparison`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------

function stringOf(value: Json): string {
  if (typeof value === 'string') return value;
  if (value === OPAQUE) return '<opaque>';
  return JSON.stringify(value, (_key, v) => (v === OPAQUE ? '<opaque>' : v));
}

function stableJson(value: Json): string {
  return JSON.stringify(value, (_key, v) => (v === OPAQUE ? '<opaque>' : v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]])) : v)) ?? 'undefined';
}

function copy(value: Json): Json {
  if (Array.isArray(value)) return value.map(copy);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}
