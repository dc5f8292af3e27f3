import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { check, checkLength } from '../core/validation';

/** One `!{namespace:value}` expression of a Firehose S3 prefix. */
export interface PrefixExpression {
  readonly namespace: string;
  readonly value: string;
}

/** What a prefix is made of: its expressions and the length of its literal text. */
export interface ParsedPrefix {
  readonly expressions: PrefixExpression[];
  readonly literalLength: number;
}

/** The namespaces Firehose evaluates in S3 prefixes. */
const NAMESPACES = ['timestamp', 'firehose', 'partitionKeyFromQuery', 'partitionKeyFromLambda'];
/** The two values of the `firehose` namespace. */
const FIREHOSE_VALUES = ['random-string', 'error-output-type'];
/** `!{firehose:random-string}` evaluates to 11 characters. */
const RANDOM_STRING_LENGTH = 11;

/** What decides which expressions a prefix may use. */
export interface PrefixContext {
  /** Whether the prefix is the error output prefix (`ErrorOutputPrefix`) rather than `Prefix`. */
  readonly errorPrefix: boolean;
  /** Whether dynamic partitioning is enabled. */
  readonly dynamicPartitioning: boolean;
  /** The keys that inline parsing (`partitionKeys`) defines. */
  readonly queryKeys: string[];
  /** Whether a Lambda transform can return `partitionKeys`. */
  readonly transform: boolean;
}

/**
 * Checks a Firehose S3 prefix with the service's grammar: at most 1,024 characters; `!{` only
 * in `!{namespace:value}` expressions of the namespaces `timestamp` (a valid Java
 * `DateTimeFormatter` pattern), `firehose` (`random-string`, or `error-output-type` in the error
 * prefix only), `partitionKeyFromQuery` (a key `partitionKeys` defines) and
 * `partitionKeyFromLambda` (keys a transform returns), the last two only with dynamic
 * partitioning and never in the error prefix; and at most 512 characters once evaluated.
 *
 * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html (namespaces and semantic rules)
 * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-s3bucketprefix.html (partition keys in prefixes)
 * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html (1,024 characters)
 */
export function validateFirehosePrefix(scope: IConstruct, prop: string, prefix: string, context: PrefixContext): ParsedPrefix {
  if (Token.isUnresolved(prefix)) {
    return { expressions: [], literalLength: 0 };
  }
  checkLength(scope, prop, prefix, { max: 1024, why: 'Firehose S3 prefixes' });
  const parsed = parseFirehosePrefix(prefix);
  check(typeof parsed !== 'string', scope, prop, prefix, `must use \`!{\` only to open a !{namespace:value} expression (${parsed})`);
  const { expressions, literalLength } = parsed as ParsedPrefix;
  for (const { namespace, value } of expressions) {
    const expression = `!{${namespace}:${value}}`;
    check(NAMESPACES.includes(namespace), scope, prop, prefix,
      `must use only the Firehose namespaces ${NAMESPACES.join(', ')} (${expression} is not one)`);
    if (namespace === 'timestamp') {
      const error = javaDateTimePatternError(value);
      check(error === undefined, scope, prop, prefix, `must use a valid Java DateTimeFormatter pattern in ${expression} (${error})`);
    } else if (namespace === 'firehose') {
      check(FIREHOSE_VALUES.includes(value), scope, prop, prefix,
        `must use !{firehose:random-string} or !{firehose:error-output-type}, not ${expression}`);
      check(value !== 'error-output-type' || context.errorPrefix, scope, prop, prefix,
        `must not use ${expression}: it is only evaluated in the error output prefix`);
    } else {
      check(!context.errorPrefix, scope, prop, prefix, `must not use partition keys such as ${expression} (records that fail partitioning have none)`);
      check(context.dynamicPartitioning, scope, prop, prefix,
        `may use partition keys such as ${expression} only with dynamic partitioning (\`partitionKeys\`)`);
      check(value.length > 0, scope, prop, prefix, `must name the key in ${expression}`);
      if (namespace === 'partitionKeyFromQuery') {
        check(context.queryKeys.includes(value), scope, prop, prefix,
          `uses ${expression}, a key that \`partitionKeys\` does not define (${context.queryKeys.join(', ') || 'none'})`);
      } else {
        check(context.transform, scope, prop, prefix, `uses ${expression}, which needs a \`transform\` that returns the keys`);
      }
    }
  }
  // Expressions evaluate to at least nothing, random strings to 11 characters: a lower bound.
  const shortest = literalLength + RANDOM_STRING_LENGTH * expressions.filter(e => e.namespace === 'firehose' && e.value === 'random-string').length;
  check(shortest <= 512, scope, prop, prefix, `must be at most 512 characters once Firehose evaluates it (its literal text alone has ${shortest})`);
  return parsed as ParsedPrefix;
}

/** Splits a prefix into its expressions and literal text; returns why it cannot, as a string. */
function parseFirehosePrefix(prefix: string): ParsedPrefix | string {
  const expressions: PrefixExpression[] = [];
  let literalLength = 0;
  let i = 0;
  while (i < prefix.length) {
    const open = prefix.indexOf('!{', i);
    if (open < 0) {
      literalLength += prefix.length - i;
      break;
    }
    literalLength += open - i;
    const close = prefix.indexOf('}', open);
    if (close < 0) {
      return `the expression at character ${open + 1} is not closed with \`}\``;
    }
    const body = prefix.slice(open + 2, close);
    const colon = body.indexOf(':');
    if (colon < 0 || body.includes('!{')) {
      return `!{${body}} is not of the form !{namespace:value}`;
    }
    expressions.push({ namespace: body.slice(0, colon), value: body.slice(colon + 1) });
    i = close + 1;
  }
  return { expressions, literalLength };
}

/**
 * The pattern letters of `java.time.format.DateTimeFormatter` and how many times each may repeat
 * (`DateTimeFormatterBuilder.appendPattern`): a letter outside this table, or a count it does not
 * allow, makes the formatter throw `IllegalArgumentException`, and Firehose rejects the prefix.
 * Java 9 added `v` and `g`, Java 16 `B`; they are accepted so that no valid pattern is refused.
 *
 * @see https://docs.oracle.com/javase/8/docs/api/java/time/format/DateTimeFormatter.html (Patterns for Formatting and Parsing)
 */
const PATTERN_LETTER_COUNTS: Record<string, (count: number) => boolean> = {
  G: n => n <= 5, u: n => n <= 19, y: n => n <= 19, Y: n => n <= 19, D: n => n <= 3, M: n => n <= 5, L: n => n <= 5,
  d: n => n <= 2, Q: n => n <= 5, q: n => n <= 5, w: n => n <= 2, W: n => n === 1, E: n => n <= 5,
  e: n => n <= 5, c: n => n !== 2 && n <= 5, F: n => n === 1, a: n => n === 1, h: n => n <= 2, K: n => n <= 2,
  k: n => n <= 2, H: n => n <= 2, m: n => n <= 2, s: n => n <= 2, S: n => n <= 9, A: n => n <= 19, n: n => n <= 19,
  N: n => n <= 19, V: n => n === 2, z: n => n <= 4, O: n => n === 1 || n === 4, X: n => n <= 5, x: n => n <= 5, Z: n => n <= 5,
  v: n => n === 1 || n === 4, g: n => n <= 19, B: n => n === 1 || n === 4 || n === 5,
};

/** Why `pattern` is not a valid Java `DateTimeFormatter` pattern, or undefined when it is. */
export function javaDateTimePatternError(pattern: string): string | undefined {
  if (pattern.length === 0) {
    return 'the pattern is empty';
  }
  let optionalDepth = 0;
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) {
        count++;
      }
      if (c === 'p') {
        // `p` pads the field that follows it.
        if (!/[A-Za-z]/.test(pattern[i + count] ?? '')) {
          return "pad letter 'p' must be followed by a pattern letter";
        }
      } else if (!(c in PATTERN_LETTER_COUNTS)) {
        return `unknown pattern letter '${c}' (quote literal text, as in 'T')`;
      } else if (!PATTERN_LETTER_COUNTS[c](count)) {
        return `'${c.repeat(count)}' is not a valid count of the pattern letter '${c}'`;
      }
      i += count;
    } else if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) {
        return 'the pattern ends inside a quoted literal';
      }
      i = end + 1;
    } else if (c === '[') {
      optionalDepth++;
      i++;
    } else if (c === ']') {
      if (--optionalDepth < 0) {
        return "']' without a previous '['";
      }
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      return `'${c}' is reserved for future use`;
    } else {
      i++;
    }
  }
  return undefined;
}
