/**
 * Parses a command-line target into a probe target.
 */
import { UsageError } from './usage-error';
import { isIP } from 'node:net';
import type { ProbeTarget } from '../lambda/probe';
import { TARGET_SCHEMES } from '../lambda/probe/protocol-version';
import { REQUEST_FIELDS, isValidRequestField } from '../lambda/probe/request';
import { hasControlCharacters, printable } from '../lambda/shared/printable';
import { PORT_RANGE } from '../lambda/shared/settings';

/** The target forms `probe` takes, in the words of its errors and usage. */
export const TARGET_FORMS =
  'host:port, http://host:port/path, https://host:port/path, h2c://host:port/path (HTTP/2 cleartext), h2://host:port/path (HTTP/2 over TLS), grpc://host:port[/pkg.Service/Method] or grpcs://host:port[/pkg.Service/Method]';

const ACCEPTED = `expected ${TARGET_FORMS}`;

/**
 * `host:port`, `[::1]:port`, `http://host:port/path`, `https://host[:port]/path`, or the same
 * over HTTP/2: `h2c://` (cleartext), `h2://` (TLS), `grpc://` and `grpcs://` (a gRPC health
 * check, or the method the path names).
 *
 * @throws Error with a one-line message naming the bad value and what is accepted
 * @example
 * parseTargetSpec('https://10.0.3.17:8443/health');
 * // { host: '10.0.3.17', port: 8443, tls: true, path: '/health' }
 * parseTargetSpec('grpc://10.0.3.17:50051');
 * // { host: '10.0.3.17', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' }
 */
export function parseTargetSpec(spec: string): ProbeTarget {
  const bad = (why?: string) => new UsageError(`bad target "${printable(spec, 200)}": ${why ? `${why}; ` : ''}${ACCEPTED}`);
  // The URL parser would drop a CR or LF without a word: refuse it instead.
  if (hasControlCharacters(spec)) throw bad('it contains control characters (such as CR or LF)');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    const match = HOST_PORT.exec(spec);
    if (match === null) throw bad(/^[^:/]+$/.test(spec) ? 'no port' : undefined);
    return { host: checkedHost(match[1].replace(/^\[(.*)\]$/, '$1'), bad), port: checkedPort(match[2], bad), tls: false, path: '/' };
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw bad();
  }
  const scheme = Object.hasOwn(TARGET_SCHEMES, url.protocol) ? TARGET_SCHEMES[url.protocol] : undefined;
  if (scheme === undefined) throw bad(`scheme ${url.protocol.slice(0, -1)} is not supported`);
  if (url.username || url.password || url.hash) throw bad();
  const path = `${url.pathname || '/'}${url.search}`;
  if (!isValidRequestField('path', path)) throw bad(`path: expected ${REQUEST_FIELDS.path.expected}`);
  if (url.hostname === '') throw bad('no host');
  return {
    host: checkedHost(url.hostname.replace(/^\[(.*)\]$/, '$1'), bad),
    port: url.port === '' ? (scheme.tls ? 443 : 80) : checkedPort(url.port, bad),
    tls: scheme.tls,
    path,
    ...(scheme.protocolVersion !== undefined ? { protocolVersion: scheme.protocolVersion } : {}),
  };
}

/** `host:port` or `[v6]:port`, nothing else. */
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[^:/[\]\s]+):(\d+)$/i;

function checkedHost(host: string, bad: () => Error): string {
  if (!isValidRequestField('host', host) || (host.includes(':') && isIP(host) !== 6)) throw bad();
  return host;
}

function checkedPort(raw: string, bad: (why?: string) => Error): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < PORT_RANGE.min || port > PORT_RANGE.max) throw bad(`port ${raw} is not from ${PORT_RANGE.min} to ${PORT_RANGE.max}`);
  return port;
}
