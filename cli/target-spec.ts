/**
 * Parses a command-line target into a probe target.
 */
import { UsageError } from './usage-error';
import { isIP } from 'node:net';
import type { ProbeTarget } from '../lambda/probe';
import { REQUEST_FIELDS, isValidRequestField } from '../lambda/probe/request';
import { hasControlCharacters, printable } from '../lambda/shared/printable';
import { PORT_RANGE } from '../lambda/shared/settings';

const ACCEPTED = 'expected host:port, http://host:port/path or https://host:port/path';

/**
 * `host:port`, `[::1]:port`, `http://host:port/path` or `https://host[:port]/path`.
 *
 * @throws Error with a one-line message naming the bad value and what is accepted
 * @example
 * parseTargetSpec('https://10.0.3.17:8443/health');
 * // { host: '10.0.3.17', port: 8443, tls: true, path: '/health' }
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
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`scheme ${url.protocol.slice(0, -1)} is not supported`);
  if (url.username || url.password || url.hash) throw bad();
  const tls = url.protocol === 'https:';
  const path = `${url.pathname}${url.search}`;
  if (!isValidRequestField('path', path)) throw bad(`path: expected ${REQUEST_FIELDS.path.expected}`);
  return {
    host: checkedHost(url.hostname.replace(/^\[(.*)\]$/, '$1'), bad),
    port: url.port === '' ? (tls ? 443 : 80) : checkedPort(url.port, bad),
    tls,
    path,
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
