/**
 * A target's HTTP version as people read it, beside its address.
 */
import type { ProtocolVersion } from './types';

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
