import { Construct } from 'constructs';
import { HIVE_TIME_PARTITIONS } from '../../lib/ingestion/lake-delivery';
import { PrefixContext, javaDateTimePatternError, validateFirehosePrefix } from '../../lib/ingestion/firehose-prefix';
import { newStack } from '../helpers';

const scope = new Construct(newStack('Prefix'), 'Delivery');
const DATA: PrefixContext = { errorPrefix: false, dynamicPartitioning: false, queryKeys: [], transform: false };
const ERRORS: PrefixContext = { ...DATA, errorPrefix: true };
const PARTITIONED: PrefixContext = { ...DATA, dynamicPartitioning: true, queryKeys: ['type'], transform: true };

describe('Firehose S3 prefixes, parsed with the service grammar', () => {
  test.each([
    ['the Hive-style default', HIVE_TIME_PARTITIONS, DATA],
    ['a quoted literal in a timestamp', "dt=!{timestamp:yyyy'-'MM'-'dd}/", DATA],
    ['an escaped quote and optional sections', "!{timestamp:yyyy[''MM]}/!{timestamp:HH:mm:ss.SSS}/", DATA],
    ['every count a pattern letter allows', '!{timestamp:GGGGG uuuu DDD MMMMM dd QQQQQ ww W EEEEE F a hh KK kk HH mm ss SSSSSSSSS VV zzzz O OOOO XXXXX xxxxx ZZZZZ}', DATA],
    ['a random string in either prefix', 'r=!{firehose:random-string}/', DATA],
    ['the error type in the error prefix', 'e/!{firehose:error-output-type}/!{timestamp:yyyy}/', ERRORS],
    ['query and Lambda keys with dynamic partitioning', 'd/!{partitionKeyFromQuery:type}/!{partitionKeyFromLambda:day}/', PARTITIONED],
    ['literal braces without !{', 'a}b{c/', DATA],
    ['exactly 1,024 characters with 512 of literal text', `${'a'.repeat(512)}${'!{timestamp:yyyy}'.repeat(28)}${'!{timestamp:yyyyy}'.repeat(2)}`, DATA],
  ])('accepts %s', (_, prefix, context) => {
    expect(prefix.length).toBeLessThanOrEqual(1024);
    expect(() => validateFirehosePrefix(scope, 'prefix', prefix, context)).not.toThrow();
  });

  test.each([
    ['an unknown namespace', 'd/!{time:yyyy}/', DATA, 'must use only the Firehose namespaces timestamp, firehose, partitionKeyFromQuery, partitionKeyFromLambda (!{time:yyyy} is not one)'],
    ['an unclosed expression', 'd/!{timestamp:yyyy/', DATA, 'must use `!{` only to open a !{namespace:value} expression (the expression at character 3 is not closed with `}`)'],
    ['an expression without a namespace', 'd/!{yyyy}/', DATA, 'must use `!{` only to open a !{namespace:value} expression (!{yyyy} is not of the form !{namespace:value})'],
    ['an unknown pattern letter', 'd/!{timestamp:yyyy-MM-ddTHH}/', DATA, "must use a valid Java DateTimeFormatter pattern in !{timestamp:yyyy-MM-ddTHH} (unknown pattern letter 'T' (quote literal text, as in 'T'))"],
    ['too many pattern letters', 'd/!{timestamp:ddd}/', DATA, "must use a valid Java DateTimeFormatter pattern in !{timestamp:ddd} ('ddd' is not a valid count of the pattern letter 'd')"],
    ['an unterminated quote', "d/!{timestamp:yyyy'x}/", DATA, 'must use a valid Java DateTimeFormatter pattern in !{timestamp:yyyy\'x} (the pattern ends inside a quoted literal)'],
    ['a reserved character', 'd/!{timestamp:yyyy#}/', DATA, "('#' is reserved for future use)"],
    ['a closing bracket without an opening one', 'd/!{timestamp:yyyy]}/', DATA, "(']' without a previous '[')"],
    ['an empty pattern', 'd/!{timestamp:}/', DATA, '(the pattern is empty)'],
    ['an unknown firehose value', 'd/!{firehose:uuid}/', DATA, 'must use !{firehose:random-string} or !{firehose:error-output-type}, not !{firehose:uuid}'],
    ['the error type in the data prefix', 'd/!{firehose:error-output-type}/', DATA, 'must not use !{firehose:error-output-type}: it is only evaluated in the error output prefix'],
    ['a partition key in the error prefix', 'e/!{firehose:error-output-type}/!{partitionKeyFromLambda:x}/', { ...PARTITIONED, errorPrefix: true },
      'must not use partition keys such as !{partitionKeyFromLambda:x} (records that fail partitioning have none)'],
    ['a partition key without dynamic partitioning', 'd/!{partitionKeyFromLambda:x}/', DATA, 'may use partition keys such as !{partitionKeyFromLambda:x} only with dynamic partitioning (`partitionKeys`)'],
    ['a key without a name', 'd/!{partitionKeyFromLambda:}/', PARTITIONED, 'must name the key in !{partitionKeyFromLambda:}'],
    ['an undefined query key', 'd/!{partitionKeyFromQuery:kind}/', PARTITIONED, 'uses !{partitionKeyFromQuery:kind}, a key that `partitionKeys` does not define (type)'],
    ['a Lambda key without a transform', 'd/!{partitionKeyFromLambda:day}/', { ...PARTITIONED, transform: false }, 'uses !{partitionKeyFromLambda:day}, which needs a `transform` that returns the keys'],
    ['more than 1,024 characters', 'a'.repeat(1025), DATA, 'must be at most 1024 characters long (Firehose S3 prefixes)'],
    ['more than 512 characters once evaluated', `${'a'.repeat(502)}!{firehose:random-string}`, DATA, 'must be at most 512 characters once Firehose evaluates it (its literal text alone has 513)'],
  ])('rejects %s', (_, prefix, context, message) => {
    expect(() => validateFirehosePrefix(scope, 'prefix', prefix, context)).toThrow(message);
  });

  test('names the prefix it rejects', () => {
    expect(() => validateFirehosePrefix(scope, 'errorOutputPrefix', 'e/!{firehose:uuid}/', ERRORS))
      .toThrow("Prefix/Delivery: `errorOutputPrefix` must use !{firehose:random-string} or !{firehose:error-output-type}, not !{firehose:uuid}, got 'e/!{firehose:uuid}/'");
  });

  test.each([
    ['yyyy/MM/dd/HH', undefined], ["'year='yyyy", undefined], ['pppH', undefined], ['cccc', undefined], ['B', undefined],
    ['cc', "'cc' is not a valid count of the pattern letter 'c'"], ['VVV', "'VVV' is not a valid count of the pattern letter 'V'"],
    ['aa', "'aa' is not a valid count of the pattern letter 'a'"], ['SSSSSSSSSS', "'SSSSSSSSSS' is not a valid count of the pattern letter 'S'"],
    ['p/', "pad letter 'p' must be followed by a pattern letter"], ['b', "unknown pattern letter 'b' (quote literal text, as in 'T')"],
  ])('Java DateTimeFormatter pattern %p', (pattern, error) => {
    expect(javaDateTimePatternError(pattern)).toBe(error);
  });
});
