/**
 * The probe's HTTP request, split the way a proxy may send it.
 */
import { isIPv6 } from 'node:net';
import { printable } from '../shared/printable';
import type { ProbeTarget } from './types';

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/**
 * What the request line and headers may carry, for every front door (flags, events) to check.
 *
 * Why: a CR or LF in a path or `Host` value would end the line and let the value add headers
 * of its own (request splitting); a space would break the request line. Visible ASCII only.
 */
export const REQUEST_FIELDS = {
  host: { pattern: /^[A-Za-z0-9.:_-]{1,253}$/, expected: 'a host name or IP address (letters, digits, . - _ :)' },
  path: { pattern: /^\/[\x21-\x7e]{0,8191}$/, expected: 'a path starting with / of visible ASCII characters (no spaces, no control characters such as CR or LF)' },
  hostHeader: { pattern: /^[\x21-\x7e]{1,255}$/, expected: 'up to 255 visible ASCII characters (no spaces, no control characters such as CR or LF)' },
} as const;

/** A field of a target that reaches the request, by the name events and messages use. */
export type RequestField = keyof typeof REQUEST_FIELDS;

/**
 * Whether a value may go into the request as this field.
 *
 * @example
 * isValidRequestField('hostHeader', 'h\r\nX-Injected: yes'); // false
 */
export function isValidRequestField(field: RequestField, value: string): boolean {
  return REQUEST_FIELDS[field].pattern.test(value);
}

/**
 * The `Host` header a load balancer would send for this target.
 *
 * @example
 * hostHeaderOf({ host: '::1', port: 8080, tls: false, path: '/' }); // '[::1]:8080'
 */
export function hostHeaderOf(target: ProbeTarget): string {
  if (target.hostHeader !== undefined) return target.hostHeader;
  const host = isIPv6(target.host) ? `[${target.host}]` : target.host;
  const defaultPort = target.tls ? DEFAULT_PORT.https : DEFAULT_PORT.http;
  return target.port === defaultPort ? host : `${host}:${target.port}`;
}

/**
 * The request as two TCP segments: the request line, then the remaining headers.
 *
 * Why: servers of the Node.js 8.14 era check their header timeout only after a chunk that
 * leaves the headers incomplete. Load balancers and proxies do split requests, which is why
 * the failure was intermittent in production; a one-segment request would never meet it.
 *
 * @example
 * requestSegments({ host: '10.0.0.5', port: 30080, tls: false, path: '/health' });
 * // ['GET /health HTTP/1.1\r\n', 'Host: 10.0.0.5:30080\r\nUser-Agent: idle-canary\r\nAccept: * /*\r\n\r\n']
 */
export function requestSegments(target: ProbeTarget): [string, string] {
  checkRequestFields(target);
  return [
    `GET ${target.path} HTTP/1.1\r\n`,
    `Host: ${hostHeaderOf(target)}\r\nUser-Agent: idle-canary\r\nAccept: */*\r\n\r\n`,
  ];
}

/**
 * Refuses a target whose path or `Host` value may not go into a request, before any byte leaves.
 *
 * Why every wire calls it: the front doors check already; a library caller gets the same refusal.
 *
 * @throws Error naming the field and what it accepts
 * @example
 * checkRequestFields({ host: 'a', port: 80, tls: false, path: 'no-slash' }); // throws
 */
export function checkRequestFields(target: ProbeTarget): void {
  const bad = (['path', 'hostHeader'] as const).find((field) => target[field] !== undefined && !isValidRequestField(field, target[field]));
  if (bad !== undefined) throw new Error(`${bad} ${JSON.stringify(printable(target[bad]!, 80))}: expected ${REQUEST_FIELDS[bad].expected}`);
}
