/**
 * The probe's HTTP request, split the way a proxy may send it.
 */
import { isIPv6 } from 'node:net';
import type { ProbeTarget } from './types';

const DEFAULT_PORT = { http: 80, https: 443 } as const;

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
  return [
    `GET ${target.path} HTTP/1.1\r\n`,
    `Host: ${hostHeaderOf(target)}\r\nUser-Agent: idle-canary\r\nAccept: */*\r\n\r\n`,
  ];
}
