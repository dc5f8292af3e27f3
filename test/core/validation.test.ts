import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PropValidationError, check, checkInteger } from '../../lib';
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
});
