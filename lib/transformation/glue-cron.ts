import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { check } from '../core/validation';

/** One field of a Glue cron expression: its name, range, value names and the wildcards it takes. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  /** `?`, `L`, `W` (beyond `, - * /`, which every field takes). */
  readonly question?: boolean;
  readonly last?: boolean;
  readonly weekday?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The six fields, as Glue documents them: Minutes 0–59, Hours 0–23, Day-of-month 1–31 (`? L W`),
 * Month 1–12 or JAN–DEC, Day-of-week 1–7 or SUN–SAT (`? L`), Year 1970–2199.
 *
 * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
 */
const FIELDS: CronField[] = [
  { name: 'Minutes', min: 0, max: 59 },
  { name: 'Hours', min: 0, max: 23 },
  { name: 'Day-of-month', min: 1, max: 31, question: true, last: true, weekday: true },
  { name: 'Month', min: 1, max: 12, names: MONTHS },
  { name: 'Day-of-week', min: 1, max: 7, names: DAYS, question: true, last: true },
  { name: 'Year', min: 1970, max: 2199 },
];

/** Glue runs schedules at most every 5 minutes. */
const MIN_INTERVAL_MINUTES = 5;

/**
 * Checks a Glue cron expression with the grammar Glue documents: `cron(...)` with six fields,
 * each value within its field's range (names for months and days of the week), only the
 * wildcards the field takes (`? L W` only in the day fields, `W` only in day-of-month), exactly
 * one of day-of-month and day-of-week `?`, and no two runs less than 5 minutes apart.
 *
 * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
 */
export function validateGlueCron(scope: IConstruct, prop: string, expression: string): void {
  if (Token.isUnresolved(expression)) {
    return;
  }
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = match ? match[1].trim().split(/\s+/) : [];
  check(fields.length === 6, scope, prop, expression,
    'must be a Glue cron expression with six fields, such as `cron(15 2 * * ? *)` (Glue schedules have no rate())');
  const values = fields.map((field, index) => {
    const parsed = parseField(field, FIELDS[index]);
    check(typeof parsed !== 'string', scope, prop, expression, `must be a valid Glue cron expression: ${parsed}`);
    return parsed as Set<number>;
  });
  const [, , dayOfMonth, , dayOfWeek] = fields;
  check((dayOfMonth === '?') !== (dayOfWeek === '?'), scope, prop, expression,
    'must leave exactly one of day-of-month and day-of-week as `?` (Glue does not accept values in both)');
  check(shortestGapMinutes(values[0], values[1]) >= MIN_INTERVAL_MINUTES, scope, prop, expression,
    'must not run more often than every 5 minutes (Glue\'s minimum schedule precision)');
}

/** The values a field matches (empty for `?`, `L` and `W` forms), or why it is invalid. */
function parseField(text: string, field: CronField): Set<number> | string {
  const values = new Set<number>();
  if (text === '?') {
    return field.question ? values : `${field.name} cannot be \`?\` (only day-of-month and day-of-week can)`;
  }
  for (const item of text.split(',')) {
    const special = parseSpecial(item, field);
    if (special !== undefined) {
      if (typeof special === 'string') {
        return special;
      }
      continue;
    }
    const [base, stepText, extra] = item.split('/');
    const size = field.max - field.min + 1;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (extra !== undefined || (stepText !== undefined && !/^\d+$/.test(stepText)) || step < 1 || step > size) {
      return `${field.name} '${item}' must be a value, a range or an increment from 1 to ${size}`;
    }
    const parts = base.split('-');
    const first = base === '*' ? field.min : value(parts[0], field);
    const end = base === '*' ? field.max : parts.length === 2 ? value(parts[1], field) : stepText !== undefined ? field.max : first;
    if (parts.length > 2 || first === undefined || end === undefined) {
      return `${field.name} '${item}' must use values from ${describeRange(field)}`;
    }
    // A range may wrap around (FRI-MON, 22-2).
    const span = (end - first + size) % size;
    for (let offset = 0; offset <= span; offset += step) {
      values.add(field.min + ((first - field.min + offset) % size));
    }
  }
  return values;
}

/** `L`, `LW`, `nW` (day-of-month) and `L`, `nL` (day-of-week); undefined when `item` is none of them. */
function parseSpecial(item: string, field: CronField): true | string | undefined {
  const upper = item.toUpperCase();
  if (!/^(L|LW|\d+W|\d+L)$/.test(upper)) {
    return undefined;
  }
  if (!field.last) {
    return `${field.name} cannot use L or W (only day-of-month and day-of-week can)`;
  }
  const day = /^\d+/.test(upper) ? Number(upper.slice(0, -1)) : field.max;
  const allowed = upper === 'L' || (field.weekday ? /W$/.test(upper) : /^\d+L$/.test(upper));
  if (!allowed) {
    return `${field.name} '${item}' is not a valid use of ${field.weekday ? 'L or W (L, LW, or a day followed by W)' : 'L (L, or a day followed by L)'}`;
  }
  return day >= field.min && day <= field.max ? true : `${field.name} '${item}' must name a day from ${field.min} to ${field.max}`;
}

function value(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function describeRange(field: CronField): string {
  return `${field.min} to ${field.max}${field.names ? ` or ${field.names[0]} to ${field.names[field.names.length - 1]}` : ''}`;
}

/**
 * The shortest time between two runs within a day, in minutes: between two minutes of the same
 * hour, or from the last minute of an hour to the first of the next one when both hours run.
 */
function shortestGapMinutes(minutes: Set<number>, hours: Set<number>): number {
  const sorted = [...minutes].sort((a, b) => a - b);
  let shortest = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    shortest = Math.min(shortest, sorted[i] - sorted[i - 1]);
  }
  const consecutiveHours = [...hours].some(hour => hours.has((hour + 1) % 24));
  if (consecutiveHours && sorted.length > 0) {
    shortest = Math.min(shortest, 60 - sorted[sorted.length - 1] + sorted[0]);
  }
  return shortest;
}
