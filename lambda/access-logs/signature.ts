/**
 * The "backend hung up" signature: an access log entry of a request the load balancer sent
 * into a connection the backend had already given up on.
 */
import type { AccessLogEntry } from './parse';

/**
 * Whether an entry shows a backend hang-up.
 *
 * Why these rules:
 * - Classic ELB: status 502 or 504 from the load balancer, no response from the backend
 *   (`0` or `-`) and all three processing times `-1`: the request could not be dispatched
 *   because the backend closed the connection. A slow backend's 504 has a request processing
 *   time, a TCP listener's entry has no status: neither counts.
 * - ALB: status 502 (or 504 with all processing times `-1`) and no target status, on an
 *   entry that names a target: the target closed or reset the connection. Lambda targets
 *   (an `error_reason` such as `LambdaUnhandled`), WAF blocks and malformed client requests
 *   name no target and do not count; a 504 where the target was reached but slow has a
 *   request processing time and does not count either.
 *
 * @example
 * isBackendHangup(parseAccessLogLine('2018-12-04T21:46:54.679150Z my-elb 203.0.113.9:55555 - -1 -1 -1 504 0 0 0').entry); // true
 */
export function isBackendHangup(entry: AccessLogEntry): boolean {
  if (entry.elbStatus !== 502 && entry.elbStatus !== 504) return false;
  const notDispatched = entry.requestProcessingS === -1 && entry.targetProcessingS === -1 && entry.responseProcessingS === -1;
  if (entry.format === 'classic') return (entry.targetStatus === null || entry.targetStatus === 0) && notDispatched;
  if (entry.targetStatus !== null || entry.target === null || entry.errorReason?.startsWith('Lambda')) return false;
  return entry.elbStatus === 502 || notDispatched;
}
