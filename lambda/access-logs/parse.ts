/**
 * Parses Classic ELB and ALB access log lines, field by field, as AWS documents them.
 *
 * Why strict: a line that does not follow the documented layout is counted as malformed
 * instead of being guessed at, so that a count of hang-ups is a count of real entries. Every
 * field up to the statuses and byte counts is checked, but an entry keeps only what counting
 * hang-ups reads. Fields AWS may append in the future are accepted, not rejected (the
 * documentation asks parsers to ignore unexpected trailing fields).
 */
import { loadBalancerDimension, type LoadBalancerIdentity } from '../metrics/names';
import { splitFields } from './fields';

/** Classic ELB fields, in order (docs: "Access logs for your Classic Load Balancer"). */
export const CLASSIC_FIELDS = [
  'timestamp', 'elb', 'client:port', 'backend:port', 'request_processing_time', 'backend_processing_time', 'response_processing_time',
  'elb_status_code', 'backend_status_code', 'received_bytes', 'sent_bytes', 'request', 'user_agent', 'ssl_cipher', 'ssl_protocol',
] as const;

/**
 * Field counts a Classic ELB line may have: up to `sent_bytes` (as some tools keep them), up
 * to `request` (the first layout, 2014), or the current layout; more when AWS adds fields.
 */
const CLASSIC_LAYOUTS = [11, 12, CLASSIC_FIELDS.length];

/** ALB fields, in order, each one appended to the end of the line when AWS introduced it. */
export const ALB_FIELDS = [
  'type', 'time', 'elb', 'client:port', 'target:port', 'request_processing_time', 'target_processing_time', 'response_processing_time',
  'elb_status_code', 'target_status_code', 'received_bytes', 'sent_bytes', 'request', 'user_agent', 'ssl_cipher', 'ssl_protocol',
  'target_group_arn', 'trace_id', 'domain_name', 'chosen_cert_arn', 'matched_rule_priority', 'request_creation_time', 'actions_executed',
  'redirect_url', 'error_reason', 'target:port_list', 'target_status_code_list', 'classification', 'classification_reason',
  'conn_trace_id', 'transformed_host', 'transformed_uri', 'request_transform_status',
] as const;

/** The first ALB layout (2016) ended with `target_group_arn`. */
const ALB_MIN_FIELDS = ALB_FIELDS.indexOf('target_group_arn') + 1;

export type AlbField = (typeof ALB_FIELDS)[number];

/** An address as logged: `host:port`, IPv6 hosts with or without brackets. */
export interface LoggedAddress {
  readonly host: string;
  readonly port: number;
}

/** What both kinds of load balancer log and counting hang-ups reads, under one set of names. */
interface CommonEntry {
  /** Milliseconds since the epoch of the entry's own time (Classic: request received; ALB: response sent). */
  readonly timeMs: number;
  /** The load balancer's name. */
  readonly loadBalancer: string;
  /** AWS's own identity of it, the value of the metrics' `LoadBalancer` dimension (`loadBalancerDimension`). */
  readonly dimension: string;
  /** The backend (Classic) or target (ALB) the request went to; `null` when logged as `-`. */
  readonly target: LoggedAddress | null;
  /** Seconds; `-1` when the load balancer could not dispatch the request or got no answer. */
  readonly requestProcessingS: number;
  readonly targetProcessingS: number;
  readonly responseProcessingS: number;
  /** `null` when logged as `-` (Classic TCP/SSL listeners). */
  readonly elbStatus: number | null;
  /** `null` when logged as `-`: no response came from the backend. */
  readonly targetStatus: number | null;
}

export interface ClassicEntry extends CommonEntry {
  readonly format: 'classic';
}

export interface AlbEntry extends CommonEntry {
  readonly format: 'alb';
  /** `error_reason`, when the line has it and it is not `-`. */
  readonly errorReason: string | null;
}

export type AccessLogEntry = ClassicEntry | AlbEntry;

export type ParsedLine = { readonly ok: true; readonly entry: AccessLogEntry } | { readonly ok: false; readonly reason: string };

/**
 * Parses one line of either kind: ALB lines start with their type, Classic lines with
 * their timestamp.
 *
 * @example
 * parseAccessLogLine('2018-12-04T21:46:54.679150Z my-elb 203.0.113.9:55555 - -1 -1 -1 504 0 0 0');
 * // { ok: true, entry: { format: 'classic', loadBalancer: 'my-elb', elbStatus: 504, targetStatus: 0, target: null, ... } }
 */
export function parseAccessLogLine(line: string): ParsedLine {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return malformed('an empty line');
  const fields = splitFields(text);
  if (fields === null) return malformed('a quoted field is not closed');
  try {
    return { ok: true, entry: isDigit(text.charCodeAt(0)) ? classicEntry(fields) : albEntry(fields) };
  } catch (error) {
    if (error instanceof FieldError) return malformed(error.message);
    throw error;
  }
}

/** A field that does not hold what its layout says. */
class FieldError extends Error {}

function malformed(reason: string): ParsedLine {
  return { ok: false, reason };
}

const ALB_INDEX = Object.fromEntries(ALB_FIELDS.map((field, i) => [field, i])) as Readonly<Record<AlbField, number>>;

function classicEntry(fields: string[]): ClassicEntry {
  if (fields.length < CLASSIC_FIELDS.length && !CLASSIC_LAYOUTS.includes(fields.length)) {
    throw new FieldError(`${fields.length} fields: a Classic ELB entry has ${CLASSIC_LAYOUTS.join(', ')} or more`);
  }
  if (fields[1] === '') fail('elb', '');
  return { format: 'classic', ...common(fields, CLASSIC_FIELDS, { type: 'classic', name: fields[1] }) };
}

function albEntry(fields: string[]): AlbEntry {
  const type = fields[0];
  if (!/^[a-z0-9]+$/.test(type)) throw new FieldError(`"${clip(type)}" starts neither an ALB entry (a type such as http) nor a Classic ELB entry (a timestamp)`);
  if (fields.length < ALB_MIN_FIELDS) throw new FieldError(`${fields.length} fields: an ALB entry (here of type "${clip(type)}") has at least ${ALB_MIN_FIELDS}`);
  const elb = fields[2];
  const name = /^app\/([^/]+)\/[0-9a-f]+$/.exec(elb)?.[1] ?? fail('elb', elb, 'app/NAME/ID');
  const created = fields[ALB_INDEX.request_creation_time];
  if (created !== undefined && created !== '-') isoTimeMs(created, 'request_creation_time');
  const priority = fields[ALB_INDEX.matched_rule_priority];
  if (priority !== undefined && !/^(-|-1|\d+)$/.test(priority)) fail('matched_rule_priority', priority, 'a number or -');
  return {
    format: 'alb',
    ...common(fields, ALB_FIELDS, { type: 'application', name, arn: elb }),
    errorReason: dashNull(fields[ALB_INDEX.error_reason] ?? null),
  };
}

/**
 * The fields both layouts share, from the time on: ALB's come one later, after its type, and
 * errors name each field as its own layout does (`backend:port`, `target:port`).
 */
function common(fields: string[], layout: readonly string[], loadBalancer: LoadBalancerIdentity): CommonEntry {
  const at = layout === ALB_FIELDS ? 1 : 0;
  const client = fields[at + 2];
  const timeMs = isoTimeMs(fields[at], layout[at]);
  // The client and the byte counts are checked in the layout's order, not kept: nothing reads them.
  if (endpoint(client, layout[at + 2]) === null) fail(layout[at + 2], client, 'an address and port');
  const entry = {
    timeMs,
    loadBalancer: loadBalancer.name,
    dimension: loadBalancerDimension(loadBalancer),
    target: endpoint(fields[at + 3], layout[at + 3]),
    requestProcessingS: seconds(fields[at + 4], layout[at + 4]),
    targetProcessingS: seconds(fields[at + 5], layout[at + 5]),
    responseProcessingS: seconds(fields[at + 6], layout[at + 6]),
    elbStatus: status(fields[at + 7], layout[at + 7]),
    targetStatus: status(fields[at + 8], layout[at + 8]),
  };
  checkBytes(fields[at + 9], layout[at + 9]);
  checkBytes(fields[at + 10], layout[at + 10]);
  return entry;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** The last minute parsed: entries of one log object share a handful of minutes. */
const lastMinute = { text: '', ms: 0 };

/**
 * Milliseconds of an ISO 8601 UTC time with up to nanoseconds (ELB logs microseconds).
 *
 * Why not `Date.parse` on every line: the minute is parsed once and cached, the seconds and
 * milliseconds read from their digits; a log object's lines share a few minutes.
 */
function isoTimeMs(text: string, field: string): number {
  if (!ISO_TIME.test(text)) fail(field, text, 'an ISO 8601 UTC time');
  const minute = text.slice(0, 16);
  if (minute !== lastMinute.text) {
    const ms = Date.parse(`${minute}:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 16) !== minute) fail(field, text, 'a real date and time');
    lastMinute.text = minute;
    lastMinute.ms = ms;
  }
  const secondsPart = digit(text, 17) * 10 + digit(text, 18);
  if (secondsPart > 59) fail(field, text, 'a real date and time');
  let millis = 0;
  if (text.charCodeAt(19) === DOT) for (let i = 20; i < 23 && i < text.length - 1; i++) millis += digit(text, i) * 10 ** (22 - i);
  return lastMinute.ms + secondsPart * 1000 + millis;
}

const DOT = 0x2e;

function digit(text: string, at: number): number {
  return text.charCodeAt(at) - 0x30;
}

/** `host:port`, `[v6]:port` or a bare IPv6 address followed by `:port`; `null` for `-`. */
function endpoint(text: string, field: string): LoggedAddress | null {
  if (text === '-') return null;
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  let host = text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535 || !/^[0-9A-Za-z.:%-]+$/.test(host)) fail(field, text, 'an address and port, or -');
  return { host, port };
}

const SECONDS = /^(-1|\d+(\.\d+)?)$/;

function seconds(text: string, field: string): number {
  return SECONDS.test(text) ? Number(text) : fail(field, text, 'seconds or -1');
}

function status(text: string, field: string): number | null {
  if (text === '-') return null;
  return /^\d{1,3}$/.test(text) ? Number(text) : fail(field, text, 'an HTTP status code or -');
}

function checkBytes(text: string, field: string): void {
  if (text !== '-' && !/^\d+$/.test(text)) fail(field, text, 'a byte count');
}

function dashNull(value: string | null): string | null {
  return value === null || value === '-' ? null : value;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function fail(field: string, value: string, expected = 'a value'): never {
  throw new FieldError(`${field} "${clip(value)}" is not ${expected}`);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
