/**
 * Checks the events the handlers receive, with errors that name the field.
 *
 * Why by hand: the events are small and internal; a clear "field X must be Y, got Z" is what
 * an operator reading a failed execution needs, without a schema library in every bundle.
 */
import { REQUEST_FIELDS, type RequestField } from '../probe/request';
import { SPOKEN_PROTOCOL_VERSIONS } from '../probe/types';
import { describeValue, printable } from '../shared/printable';

/** A malformed event: the state machine (or a person) sent something the handler cannot use. */
export class InvalidEventError extends Error {
  public constructor(handler: string, field: string, expected: string, got: unknown) {
    // A field may be named by the event itself (an unknown key of a closed object): bounded and printable, as the value is.
    super(`${handler} event: field "${printable(field, 200)}" must be ${expected}, got ${describeValue(got)}`);
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
  /** An array; with `maxItems`, of 1 to that many entries (an event from outside is bounded). */
  const array = (item: Check, maxItems?: number): Check => (value, field) => {
    if (maxItems === undefined && !Array.isArray(value)) fail(field, 'an array', value);
    if (maxItems !== undefined && !(Array.isArray(value) && value.length >= 1 && value.length <= maxItems)) fail(field, `an array of 1 to ${maxItems} entries`, value);
    (value as unknown[]).forEach((entry, i) => item(entry, `${field}[${i}]`));
  };
  /** An object of these fields; with `closed`, no other field (a misspelt option is an error, not ignored). */
  const fields = (shape: Record<string, Check>, optional: readonly string[] = [], closed = false): Check => (value, field) => {
    const record = object(value, field);
    const unknown = closed ? Object.keys(record).find((name) => !(name in shape)) : undefined;
    if (unknown !== undefined) fail(field === '' ? unknown : `${field}.${unknown}`, `absent: accepted fields are ${Object.keys(shape).join(', ')}`, record[unknown]);
    for (const [name, check] of Object.entries(shape)) {
      if (record[name] === undefined && optional.includes(name)) continue;
      check(record[name], field === '' ? name : `${field}.${name}`);
    }
  };
  /** Exactly one of these fields, each checked by its own check. */
  const oneOf = (shape: Record<string, Check>): Check => (value, field) => {
    const record = object(value, field);
    const given = Object.keys(record);
    if (given.length !== 1 || !(given[0] in shape)) fail(field, `an object with exactly one of ${Object.keys(shape).join(', ')}`, value);
    shape[given[0]](record[given[0]], `${field}.${given[0]}`);
  };
  /** A target's field that reaches the request, by the rules every front door shares: never a CR or LF. */
  const requestField = (name: RequestField): Check => matching(REQUEST_FIELDS[name].pattern, REQUEST_FIELDS[name].expected);
  /** A target's HTTP version: one the probe speaks, so that no target is ever probed in another. */
  const protocolVersion: Check = (value, field) => void (SPOKEN_PROTOCOL_VERSIONS.some((version) => version === value) ? value : fail(field, `one of ${SPOKEN_PROTOCOL_VERSIONS.join(', ')}`, value));
  return { fail, object, string, integer, number, boolean, matching, array, fields, oneOf, requestField, protocolVersion };
}
