/**
 * A target's HTTP version as people read it: beside its address, and in the scheme it is written with.
 */
import type { ProbeTarget, ProtocolVersion } from './types';

const LABELS: Readonly<Record<ProtocolVersion, string | null>> = { HTTP1: null, HTTP2: 'HTTP/2', GRPC: 'gRPC' };

/**
 * An address with the protocol a load balancer speaks to it, when that is not HTTP/1.1:
 * `10.0.1.5:8443 (HTTP/2)`, `10.0.1.5:50051 (gRPC)`, `10.0.1.5:8080`.
 *
 * Why HTTP/1.1 is left bare: it is the default, and every report and backend id written
 * before HTTP/2 targets were probed reads the same. Why beside the address: the same
 * address and port may serve an HTTP/1.1 and an HTTP/2 target group, probed and judged apart.
 *
 * @example
 * withProtocol('10.0.1.5:8443', 'HTTP2'); // '10.0.1.5:8443 (HTTP/2)'
 */
export function withProtocol(address: string, version: ProtocolVersion | undefined): string {
  const label = LABELS[version ?? 'HTTP1'];
  return label === null ? address : `${address} (${label})`;
}

/**
 * What each URL scheme of a target says of its connection: TLS or not, and the HTTP version a
 * load balancer speaks to it (`h2c`: HTTP/2 with prior knowledge; `h2`: HTTP/2 over TLS with
 * ALPN; `grpc(s)`: a gRPC health check over HTTP/2).
 *
 * Why one table: the command line reads a target from its scheme, and reports name a target
 * by the scheme the command line takes.
 */
export const TARGET_SCHEMES: Readonly<Record<string, Pick<ProbeTarget, 'tls' | 'protocolVersion'>>> = {
  'http:': { tls: false },
  'https:': { tls: true },
  'h2c:': { tls: false, protocolVersion: 'HTTP2' },
  'h2:': { tls: true, protocolVersion: 'HTTP2' },
  'grpc:': { tls: false, protocolVersion: 'GRPC' },
  'grpcs:': { tls: true, protocolVersion: 'GRPC' },
};

/**
 * The scheme a target is written with (`h2://`, `grpc://`, `https://`), `http:` as `''`: a
 * plain `host:port` says it.
 *
 * @example
 * schemeOf({ tls: true, protocolVersion: 'HTTP2' }); // 'h2://'
 * schemeOf({ tls: false }); // ''
 */
export function schemeOf(target: Pick<ProbeTarget, 'tls' | 'protocolVersion'>): string {
  const version = target.protocolVersion ?? 'HTTP1';
  const [scheme] = Object.entries(TARGET_SCHEMES).find(([, meaning]) => meaning.tls === target.tls && (meaning.protocolVersion ?? 'HTTP1') === version) ?? ['http:'];
  return scheme === 'http:' ? '' : `${scheme}//`;
}
