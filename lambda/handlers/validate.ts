/**
 * Checks the events the handlers receive, with errors that name the field.
 *
 * Why by hand: the events are small and internal; a clear "field X must be Y, got Z" is what
 * an operator reading a failed execution needs, without a schema library in every bundle.
 */
import { describeValue } from '../shared/printable';

/** A malformed event: the state machine (or a person) sent something the handler cannot use. */
export class InvalidEventError extends Error {
  public constructor(handler: string, field: string, expected: string, got: unknown) {
    super(`${handler} event: field "${field}" must be ${expected}, got ${describeValue(got)}`);
    this.name = 'InvalidEventError';
  }
}

type Check = (value: unknown, field: string) => void;

/** Builds checks for one handler's events. */
export function validator(handler: string) {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new InvalidEventError(handler, field, expected, got);
  };
  const object = (value: unknown, field: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(field, 'an object', value);
  const string: Check = (value, field) => void (typeof value === 'string' && value !== '' ? value : fail(field, 'a non-empty string', value));
  const integer = (min: number, max: number): Check => (value, field) => void (Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? value : fail(field, `a whole number from ${min} to ${max}`, value));
  const number = (min: number, max: number): Check => (value, field) => void (typeof value === 'number' && value >= min && value <= max ? value : fail(field, `a number from ${min} to ${max}`, value));
  const boolean: Check = (value, field) => void (typeof value === 'boolean' ? value : fail(field, 'true or false', value));
  const matching = (pattern: RegExp, expected: string): Check => (value, field) => void (typeof value === 'string' && pattern.test(value) ? value : fail(field, expected, value));
  const array = (item: Check): Check => (value, field) => {
    if (!Array.isArray(value)) fail(field, 'an array', value);
    (value as unknown[]).forEach((entry, i) => item(entry, `${field}[${i}]`));
  };
  const fields = (shape: Record<string, Check>, optional: readonly string[] = []): Check => (value, field) => {
    const record = object(value, field);
    for (const [name, check] of Object.entries(shape)) {
      if (record[name] === undefined && optional.includes(name)) continue;
      check(record[name], field === '' ? name : `${field}.${name}`);
    }
  };
  return { fail, object, string, integer, number, boolean, matching, array, fields };
}
