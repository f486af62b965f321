/**
 * The wire a target is probed with, chosen by the HTTP version its load balancer speaks to it.
 */
import type { ProbeTarget } from '../types';
import { http1Wire } from './http1';
import { http2Wire } from './http2';
import type { Wire } from './types';

/**
 * HTTP/1.1 for `HTTP1` (the default), HTTP/2 for `HTTP2` and `GRPC` (a gRPC request): never
 * another protocol than the one the load balancer speaks.
 *
 * @example
 * wireOf({ host: '10.0.1.7', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' }, { segmentPauseMs: 250 }).protocol; // 'h2'
 */
export function wireOf(target: ProbeTarget, options: { readonly segmentPauseMs: number }): Wire {
  switch (target.protocolVersion ?? 'HTTP1') {
    case 'HTTP1':
      return http1Wire(target, options);
    case 'HTTP2':
    case 'GRPC':
      return http2Wire(target);
  }
}
