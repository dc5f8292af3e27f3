import { Construct } from 'constructs';
import { validateGlueCron } from '../../lib/transformation/glue-cron';
import { newStack } from '../helpers';

const scope = new Construct(newStack('Cron'), 'Pipeline');
const validate = (expression: string) => () => validateGlueCron(scope, 'start.schedule', expression);

describe('Glue cron schedules, parsed with the grammar Glue documents', () => {
  test.each([
    'cron(15 2 * * ? *)', 'cron(0/5 * * * ? *)', 'cron(0 12 ? * MON-FRI *)', 'cron(0,30 * * * ? *)',
    // Every field at both ends of its range, names in either case, wrapping ranges.
    'cron(0 0 1 1 ? 1970)', 'cron(59 23 31 12 ? 2199)', 'cron(0 0 ? JAN-DEC SUN *)', 'cron(0 0 ? dec sat-mon 2030-2040)',
    'cron(0 22-2 ? * FRI-MON *)', 'cron(5/55 1 * * ? *)', 'cron(0 0 1/31 */12 ? */230)',
    // The day wildcards: last day, weekday nearest a day, last weekday, last given weekday.
    'cron(0 8 L * ? *)', 'cron(0 8 LW * ? *)', 'cron(0 8 15W * ? *)', 'cron(0 8 ? * L *)', 'cron(0 8 ? * 6L *)',
    // Runs 5 minutes apart across the hour (55, then 0 of the next hour).
    'cron(0,55 * * * ? *)',
  ])('accepts %s', expression => {
    expect(validate(expression)).not.toThrow();
  });

  test.each([
    ['cron(60 * * * ? *)', "Minutes '60' must use values from 0 to 59"],
    ['cron(0 24 * * ? *)', "Hours '24' must use values from 0 to 23"],
    ['cron(0 0 0 * ? *)', "Day-of-month '0' must use values from 1 to 31"],
    ['cron(0 0 32 * ? *)', "Day-of-month '32' must use values from 1 to 31"],
    ['cron(0 0 1 13 ? *)', "Month '13' must use values from 1 to 12 or JAN to DEC"],
    ['cron(0 0 ? * 8 *)', "Day-of-week '8' must use values from 1 to 7 or SUN to SAT"],
    ['cron(0 0 ? * SUNDAY *)', "Day-of-week 'SUNDAY' must use values from 1 to 7 or SUN to SAT"],
    ['cron(0 0 1 * ? 1969)', "Year '1969' must use values from 1970 to 2199"],
    ['cron(0 0 1 * ? 2200)', "Year '2200' must use values from 1970 to 2199"],
    ['cron(0 0 1-2-3 * ? *)', "Day-of-month '1-2-3' must use values from 1 to 31"],
    ['cron(0/0 0 * * ? *)', "Minutes '0/0' must be a value, a range or an increment from 1 to 60"],
    ['cron(0/61 0 * * ? *)', "Minutes '0/61' must be a value, a range or an increment from 1 to 60"],
    ['cron(0 0/x * * ? *)', "Hours '0/x' must be a value, a range or an increment from 1 to 24"],
    ['cron(? 0 * * ? *)', 'Minutes cannot be `?` (only day-of-month and day-of-week can)'],
    ['cron(0 L * * ? *)', 'Hours cannot use L or W (only day-of-month and day-of-week can)'],
    ['cron(0 0 ? * 2W *)', "Day-of-week '2W' is not a valid use of L (L, or a day followed by L)"],
    ['cron(0 0 6L * ? *)', "Day-of-month '6L' is not a valid use of L or W (L, LW, or a day followed by W)"],
    ['cron(0 0 32W * ? *)', "Day-of-month '32W' must name a day from 1 to 31"],
    ['cron(0 0 ? * 8L *)', "Day-of-week '8L' must name a day from 1 to 7"],
    ['cron(0 0 ? * 2#1 *)', "Day-of-week '2#1' must use values from 1 to 7 or SUN to SAT"],
  ])('rejects %s: %s', (expression, reason) => {
    expect(validate(expression)).toThrow(`Cron/Pipeline: \`start.schedule\` must be a valid Glue cron expression: ${reason}, got '${expression}'`);
  });

  test.each([
    ['cron(0 0 * * * *)', 'must leave exactly one of day-of-month and day-of-week as `?`'],
    ['cron(0 0 ? * ? *)', 'must leave exactly one of day-of-month and day-of-week as `?`'],
    ['cron(0-4 0 * * ? *)', 'must not run more often than every 5 minutes'],
    ['cron(0,56 * * * ? *)', 'must not run more often than every 5 minutes'],
    ['cron(2,58 0,23 * * ? *)', 'must not run more often than every 5 minutes'],
    ['cron(0/4 * * * ? *)', 'must not run more often than every 5 minutes'],
  ])('rejects %s', (expression, message) => {
    expect(validate(expression)).toThrow(message);
  });
});
