/**
 * Checks the events the handlers receive, with errors that name the field.
 *
 * Why by hand: the events are small and internal; a clear "field X must be Y, got Z" is what
 * an operator reading a failed execution needs, without a schema library in every bundle.
 */
import { printable } from '../shared/printable';

/** A malformed event: the state machine (or a person) sent something the handler cannot use. */
export class InvalidEventError extends Error {
  public constructor(handler: string, field: string, expected: string, got: unknown) {
    super(`${handler} event: field "${field}" must be ${expected}, got ${describe(got)}`);
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

/** How much of a bad value an error shows: a few levels, a few entries, one short line. */
const PREVIEW = { depth: 2, entries: 3, stringLength: 40, length: 60 } as const;

/**
 * A short one-line picture of any value, whatever its depth or size.
 *
 * Why not `JSON.stringify`: a value nested 5,000 deep overflows its stack, and a large one
 * costs its whole size to describe; here the work is bounded by `PREVIEW`.
 */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return printable(preview(value, PREVIEW.depth), PREVIEW.length);
}

function preview(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > PREVIEW.stringLength ? `${value.slice(0, PREVIEW.stringLength)}...` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (depth === 0) return '[...]';
    const items = value.slice(0, PREVIEW.entries).map((item) => preview(item, depth - 1));
    return `[${items.join(',')}${value.length > PREVIEW.entries ? ',...' : ''}]`;
  }
  if (depth === 0) return '{...}';
  const entries: string[] = [];
  for (const key in value) {
    if (entries.length === PREVIEW.entries) {
      entries.push('...');
      break;
    }
    entries.push(`${preview(key, 0)}:${preview((value as Record<string, unknown>)[key], depth - 1)}`);
  }
  return `{${entries.join(',')}}`;
}
