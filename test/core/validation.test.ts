import { CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PropValidationError } from '../../lib';
import { check, checkCount, checkInteger, checkLength, checkMap } from '../../lib/core/validation';
import { newStack } from '../helpers';

describe('PropValidationError', () => {
  let scope: Construct;
  beforeEach(() => {
    scope = new Construct(newStack('Errors'), 'Thing');
  });

  test('names the construct path, the prop, the value and what is allowed', () => {
    const error = new PropValidationError(scope, 'zones[0].name', 'Raw', 'must be lower case');
    expect(error.message).toBe("Errors/Thing: `zones[0].name` must be lower case, got 'Raw'");
    expect(error).toMatchObject({ constructPath: 'Errors/Thing', prop: 'zones[0].name', value: 'Raw', allowed: 'must be lower case' });
  });

  test('shows numbers, objects and missing values as a reader would type them', () => {
    expect(new PropValidationError(scope, 'days', 10, 'must be at least 30').message).toBe('Errors/Thing: `days` must be at least 30, got 10');
    expect(new PropValidationError(scope, 'tags', { a: 'b' }, 'must be empty').message).toBe('Errors/Thing: `tags` must be empty, got {"a":"b"}');
    expect(new PropValidationError(scope, 'admins', undefined, 'must be set').message).toBe('Errors/Thing: `admins` must be set, got nothing');
  });

  test('check throws only when the condition fails', () => {
    expect(() => check(true, scope, 'x', 1, 'must be true')).not.toThrow();
    expect(() => check(false, scope, 'x', 1, 'must be true')).toThrow(PropValidationError);
  });

  test.each([
    [1.5, {}, 'must be a whole number'],
    [0, { min: 1 }, 'must be a whole number of at least 1'],
    [101, { max: 100 }, 'must be a whole number of at most 100'],
    [0, { min: 1, max: 100, why: 'S3 keeps at most 100' }, 'must be a whole number from 1 to 100 (S3 keeps at most 100)'],
  ])('checkInteger(%p, %p) says "%s"', (value, bounds, allowed) => {
    expect(() => checkInteger(scope, 'n', value, bounds)).toThrow(`Errors/Thing: \`n\` ${allowed}, got ${value}`);
  });

  test('checkInteger accepts the bounds themselves', () => {
    expect(() => checkInteger(scope, 'n', 1, { min: 1, max: 100 })).not.toThrow();
    expect(() => checkInteger(scope, 'n', 100, { min: 1, max: 100 })).not.toThrow();
    expect(Stack.of(scope).node.path).toBe('Errors');
  });

  test('a token is never rejected: its value is only known at deployment', () => {
    const parameter = new CfnParameter(Stack.of(scope), 'Count', { type: 'Number' });
    // valueAsNumber is a huge negative number that stands for the parameter until synthesis.
    expect(parameter.valueAsNumber).toBeLessThan(-1e200);
    expect(() => checkInteger(scope, 'n', parameter.valueAsNumber, { min: 1, max: 100 })).not.toThrow();
    expect(() => check(false, scope, 'n', parameter.valueAsNumber, 'must be small')).not.toThrow();
    expect(() => check(false, scope, 'name', parameter.valueAsString, 'must be short')).not.toThrow();
    expect(() => checkLength(scope, 'name', `prefix-${parameter.valueAsString}`, { max: 3 })).not.toThrow();
    expect(() => checkMap(scope, 'tags', Token.asAny({ resolve: () => ({}) }) as unknown as Record<string, string>,
      { entries: { max: 0 }, keyLength: {}, valueLength: {} })).not.toThrow();
    expect(() => checkInteger(scope, 'n', 0, { min: 1 })).toThrow('must be a whole number of at least 1, got 0');
  });

  test.each([
    ['abcd', { min: 1, max: 3 }, 'must be 1 to 3 characters long'],
    ['', { min: 1 }, 'must not be empty'],
    ['ab', { min: 3 }, 'must be at least 3 characters long'],
    ['abcd', { max: 3, why: 'API limit' }, 'must be at most 3 characters long (API limit)'],
  ])('checkLength(%p, %p) says "%s"', (value, bounds, allowed) => {
    expect(() => checkLength(scope, 's', value, bounds)).toThrow(`Errors/Thing: \`s\` ${allowed}, got '${value}'`);
  });

  test('checkLength, checkCount and checkMap accept their exact limits', () => {
    expect(() => checkLength(scope, 's', 'abc', { min: 3, max: 3 })).not.toThrow();
    expect(() => checkCount(scope, 'l', 20, { min: 1, max: 20 }, 'channels')).not.toThrow();
    expect(() => checkCount(scope, 'l', 21, { min: 1, max: 20 }, 'channels')).toThrow('`l` must have 1 to 20 channels, got 21');
    const limits = { entries: { max: 2 }, keyLength: { min: 1, max: 3 }, valueLength: { max: 4 } };
    expect(() => checkMap(scope, 'm', { abc: 'abcd', b: '' }, limits)).not.toThrow();
    expect(() => checkMap(scope, 'm', { a: '', b: '', c: '' }, limits)).toThrow('`m` must have at most 2 entries, got 3');
    expect(() => checkMap(scope, 'm', { abcd: '' }, limits)).toThrow("`m key` must be 1 to 3 characters long, got 'abcd'");
    expect(() => checkMap(scope, 'm', { a: 'abcde' }, limits)).toThrow("`m.a` must be at most 4 characters long, got 'abcde'");
  });

  test('long values are shortened in messages', () => {
    expect(() => checkLength(scope, 's', 'x'.repeat(3000), { max: 2500 }))
      .toThrow(`\`s\` must be at most 2500 characters long, got '${'x'.repeat(60)}…' (3000 characters)`);
  });
});

