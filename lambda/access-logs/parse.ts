/**
 * Parses Classic ELB and ALB access log lines, field by field, as AWS documents them.
 *
 * Why strict: a line that does not follow the documented layout is counted as malformed
 * instead of being guessed at, so that a count of hang-ups is a count of real entries.
 * Fields AWS may append in the future are kept, not rejected (the documentation asks
 * parsers to ignore unexpected trailing fields).
 */
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
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** What both kinds of load balancer log, under one set of names. */
interface CommonEntry {
  /** The entry's own time, ISO 8601 as logged (Classic: request received; ALB: response sent). */
  readonly time: string;
  /** Milliseconds since the epoch of `time`. */
  readonly timeMs: number;
  /** The load balancer's name, as the metrics' `LoadBalancer` dimension names it. */
  readonly loadBalancer: string;
  readonly client: Endpoint;
  /** The backend (Classic) or target (ALB) the request went to; `null` when logged as `-`. */
  readonly target: Endpoint | null;
  /** Seconds; `-1` when the load balancer could not dispatch the request or got no answer. */
  readonly requestProcessingS: number;
  readonly targetProcessingS: number;
  readonly responseProcessingS: number;
  /** `null` when logged as `-` (Classic TCP/SSL listeners). */
  readonly elbStatus: number | null;
  /** `null` when logged as `-`: no response came from the backend. */
  readonly targetStatus: number | null;
  readonly receivedBytes: number | null;
  readonly sentBytes: number | null;
  /** The request line (`- - - ` for Classic TCP listeners); `null` when the layout has none. */
  readonly request: string | null;
  readonly userAgent: string | null;
}

export interface ClassicEntry extends CommonEntry {
  readonly format: 'classic';
  readonly sslCipher: string | null;
  readonly sslProtocol: string | null;
  /** Fields after the documented ones. */
  readonly extra: readonly string[];
}

export interface AlbEntry extends CommonEntry {
  readonly format: 'alb';
  /** `http`, `https`, `h2`, `grpcs`, `ws`, `wss`, or a type introduced later. */
  readonly type: string;
  /** The resource id, `app/NAME/ID`. */
  readonly elb: string;
  /** Every documented field present on the line, by its documented name, as logged. */
  readonly fields: Readonly<Partial<Record<AlbField, string>>>;
  /** `error_reason`, when the line has it and it is not `-`. */
  readonly errorReason: string | null;
  readonly extra: readonly string[];
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

function classicEntry(fields: string[]): ClassicEntry {
  if (fields.length < CLASSIC_FIELDS.length && !CLASSIC_LAYOUTS.includes(fields.length)) {
    throw new FieldError(`${fields.length} fields: a Classic ELB entry has ${CLASSIC_LAYOUTS.join(', ')} or more`);
  }
  const at = (i: number): string | null => (i < fields.length ? fields[i] : null);
  return {
    format: 'classic',
    ...common(fields, 0, 'timestamp', fields[1] === '' ? fail('elb', '') : fields[1]),
    sslCipher: dashNull(at(13)),
    sslProtocol: dashNull(at(14)),
    extra: fields.slice(CLASSIC_FIELDS.length),
  };
}

function albEntry(fields: string[]): AlbEntry {
  const type = fields[0];
  if (!/^[a-z0-9]+$/.test(type)) throw new FieldError(`"${clip(type)}" starts neither an ALB entry (a type such as http) nor a Classic ELB entry (a timestamp)`);
  if (fields.length < ALB_MIN_FIELDS) throw new FieldError(`${fields.length} fields: an ALB entry (here of type "${clip(type)}") has at least ${ALB_MIN_FIELDS}`);
  const elb = fields[2];
  const name = /^app\/([^/]+)\/[0-9a-f]+$/.exec(elb)?.[1] ?? fail('elb', elb, 'app/NAME/ID');
  const named: Partial<Record<AlbField, string>> = {};
  ALB_FIELDS.forEach((field, i) => {
    if (i < fields.length) named[field] = fields[i];
  });
  if (named.request_creation_time !== undefined && named.request_creation_time !== '-') isoTimeMs(named.request_creation_time, 'request_creation_time');
  if (named.matched_rule_priority !== undefined && !/^(-|-1|\d+)$/.test(named.matched_rule_priority)) fail('matched_rule_priority', named.matched_rule_priority, 'a number or -');
  return {
    format: 'alb',
    type,
    elb,
    ...common(fields, 1, 'time', name),
    fields: named,
    errorReason: dashNull(named.error_reason ?? null),
    extra: fields.slice(ALB_FIELDS.length),
  };
}

/** The fields both layouts share, from `time` on (`offset` is 1 for ALB, after its type). */
function common(fields: string[], offset: number, timeField: string, loadBalancer: string): CommonEntry {
  const f = (i: number) => fields[offset + i];
  const hasRequest = fields.length > offset + 11;
  return {
    time: f(0),
    timeMs: isoTimeMs(f(0), timeField),
    loadBalancer,
    client: endpoint(f(2), 'client:port') ?? fail('client:port', f(2), 'an address and port'),
    target: endpoint(f(3), offset === 0 ? 'backend:port' : 'target:port'),
    requestProcessingS: seconds(f(4), 'request_processing_time'),
    targetProcessingS: seconds(f(5), offset === 0 ? 'backend_processing_time' : 'target_processing_time'),
    responseProcessingS: seconds(f(6), 'response_processing_time'),
    elbStatus: status(f(7), 'elb_status_code'),
    targetStatus: status(f(8), offset === 0 ? 'backend_status_code' : 'target_status_code'),
    receivedBytes: count(f(9), 'received_bytes'),
    sentBytes: count(f(10), 'sent_bytes'),
    request: hasRequest ? f(11) : null,
    userAgent: fields.length > offset + 12 ? f(12) : null,
  };
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** Milliseconds of an ISO 8601 UTC time with up to nanoseconds (ELB logs microseconds). */
function isoTimeMs(text: string, field: string): number {
  if (!ISO_TIME.test(text)) fail(field, text, 'an ISO 8601 UTC time');
  const dot = text.indexOf('.');
  const ms = Date.parse(dot === -1 ? text : `${text.slice(0, Math.min(dot + 4, text.length - 1))}Z`);
  return Number.isNaN(ms) ? fail(field, text, 'a real date and time') : ms;
}

/** `host:port`, `[v6]:port` or a bare IPv6 address followed by `:port`; `null` for `-`. */
function endpoint(text: string, field: string): Endpoint | null {
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

function count(text: string, field: string): number | null {
  if (text === '-') return null;
  return /^\d+$/.test(text) ? Number(text) : fail(field, text, 'a byte count');
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
