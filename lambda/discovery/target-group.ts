/**
 * How an ALB speaks to a target group's targets, as the probe must speak to them: TLS or not
 * (the group's `Protocol`) and the HTTP version (its `ProtocolVersion`).
 */
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SPOKEN_PROTOCOL_VERSIONS, type ProtocolVersion } from '../probe/types';
import { printable } from '../shared/printable';

/** How the probe reaches a target group's targets; `protocolVersion` only when it is not HTTP/1.1. */
export interface GroupProtocol {
  readonly tls: boolean;
  readonly protocolVersion?: ProtocolVersion;
}

/**
 * The protocol of a target group's targets, or why the probe cannot speak it.
 *
 * Why `tls` from `Protocol` alone: an `HTTP2` or `GRPC` group on `HTTP` is spoken to in
 * cleartext HTTP/2 with prior knowledge (h2c), on `HTTPS` over TLS with ALPN `h2`; ALB requires
 * an HTTPS *listener* for these versions, not an HTTPS target group. Why a reason rather than a
 * fallback: a target probed in another protocol than its load balancer speaks is judged on an
 * answer the load balancer never gets.
 *
 * @example
 * groupProtocol({ Protocol: 'HTTP', ProtocolVersion: 'GRPC' }); // { tls: false, protocolVersion: 'GRPC' }
 * groupProtocol({ Protocol: 'HTTPS' });                         // { tls: true } (HTTP/1.1, the default)
 */
export function groupProtocol(group: Pick<TargetGroup, 'Protocol' | 'ProtocolVersion'>): GroupProtocol | { readonly notSpoken: string } {
  const tls = group.Protocol === 'HTTPS';
  const version = group.ProtocolVersion ?? 'HTTP1';
  const spoken = SPOKEN_PROTOCOL_VERSIONS.find((known) => known === version);
  if (spoken === undefined) {
    return { notSpoken: `its protocol version ${printable(version, 20)} is not one the probe speaks (${SPOKEN_PROTOCOL_VERSIONS.join(', ')}), and probing it in another would judge an answer the load balancer never gets` };
  }
  return spoken === 'HTTP1' ? { tls } : { tls, protocolVersion: spoken };
}
