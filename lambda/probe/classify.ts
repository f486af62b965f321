/**
 * How a connection ended, from what the socket saw: the manner of the close and the status
 * of any response that came before it.
 */
import type { ClosedWith } from './types';

/** What the socket layer saw: a FIN, an RST, an unreadable answer, or nothing in time. */
export type SocketEnd = 'fin' | 'rst' | 'http-other' | 'timeout';

/**
 * Classifies a close for the contract's `closedWith`.
 *
 * Why a response status wins over the TCP manner: a server that writes `408` and then closes
 * (Node.js 18+) may end with a FIN or an RST depending on timing, but it said why it closed.
 *
 * @example
 * closedWithOf('rst', 408);  // 'http-408'
 * closedWithOf('fin', null); // 'fin'
 */
export function closedWithOf(end: SocketEnd, status: number | null): ClosedWith {
  if (end === 'timeout') return 'timeout';
  if (status === 408) return 'http-408';
  if (status !== null) return 'http-other';
  return end;
}
