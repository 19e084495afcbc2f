import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The days a `YYYY-MM-DD` field may name. PostgreSQL has no year 0 (`0000-01-01` failed the query
 * with a 500), and the reports' month arithmetic needs four-digit years on both sides of a month.
 */
export const FIRST_DAY = '1000-01-01';
export const LAST_DAY = '9998-12-31';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a `YYYY-MM-DD` string names a day of the calendar (Date.parse rolls 02-30 over). */
export function isCalendarDay(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * A `YYYY-MM-DD` field names a real day from FIRST_DAY to LAST_DAY (`2026-13-45`, `2026-02-30`
 * and `0000-01-01` are refused). Its format is the field's own `@Matches` check: a value not in
 * that format passes this one, so a field gets one problem, not two.
 */
export function IsCalendarDay(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDay',
      target: target.constructor,
      propertyName,
      options: {
        message: ({ value }) =>
          typeof value === 'string' && isCalendarDay(value)
            ? `must be a day from ${FIRST_DAY} to ${LAST_DAY}`
            : 'must be a real YYYY-MM-DD date',
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value !== 'string' ||
          !DAY.test(value) ||
          (isCalendarDay(value) && value >= FIRST_DAY && value <= LAST_DAY),
      },
    });
}
