/**
 * Connections the server never took: told apart from connections it closed.
 *
 * Why: a server whose accept queue is full (or that caps its connections) leaves the probe's
 * later connections waiting: their connect times out, or the kernel completes the handshake
 * for them and their request is never read. Neither says anything about how long the server
 * keeps an idle connection, so such a socket is never a limit: the phase stays
 * `inconclusive` with this reason rather than report a limit that is really a queue.
 */
import type { ServerClose } from './wire/types';
import type { SocketRecord, Verdict } from './types';

/** The start of the reason of a phase with sockets the server never accepted. */
export const NOT_ACCEPTED_REASON = 'the server did not accept every connection';

/**
 * Whether a request's close means the server never took the connection: it timed out on a
 * connection the server never sent a byte on (a fresh connection).
 *
 * @example
 * neverAccepted({ closedWith: 'timeout', silent: true, ... }); // true
 */
export function neverAccepted(close: Pick<ServerClose, 'closedWith' | 'silent'>): boolean {
  return close.closedWith === 'timeout' && close.silent;
}

/** What a socket the server never accepted records. */
export type NotAcceptedRecord = Pick<SocketRecord, 'outcome' | 'idleS' | 'unprompted' | 'closedWith' | 'status'> & { readonly error: string; readonly notAccepted: true };

/**
 * The record fields of a socket the server never accepted: it measured nothing.
 *
 * @example
 * notAcceptedRecord('127.0.0.1:8080: no connection within 5000 ms');
 * // { outcome: 'unsent', idleS: null, ..., notAccepted: true, error: '... (never accepted)' }
 */
export function notAcceptedRecord(why: string): NotAcceptedRecord {
  return { outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null, error: `${why} (never accepted by the server)`, notAccepted: true };
}

/**
 * The sockets to judge a phase by: when the server left some connections unaccepted, a close
 * on a connection it never sent a byte on may be the kernel dropping a connection it never
 * handed over (a reset in answer to the request), not an idle limit: such closes measure
 * nothing either.
 *
 * @example
 * discountUnaccepted([queued, silentReset]); // [queued, { ...silentReset, outcome: 'unsent', notAccepted: true, ... }]
 */
export function discountUnaccepted(sockets: readonly SocketRecord[]): readonly SocketRecord[] {
  if (!sockets.some((socket) => socket.notAccepted === true)) return sockets;
  return sockets.map((socket) =>
    socket.outcome === 'closed' && socket.silent === true && socket.status === null
      ? { ...socket, ...notAcceptedRecord(`closed (${socket.closedWith}) after ${socket.idleS} s without a byte, while the server left other connections unaccepted`) }
      : socket,
  );
}

/**
 * The verdict and reason of a phase some of whose sockets were never accepted: a pass is
 * only doubt then (the server did not take the probe's load), a fail on real evidence stays.
 *
 * Why counts, not records: a result cut to its state budget may have lost the records of the
 * sockets never accepted (they are the first dropped); the counts it carries are never lost.
 *
 * @example
 * withAcceptDoubt('pass', 3, 9); // { verdict: 'inconclusive', reason: 'the server did not accept every connection: 3 of 9 ...' }
 */
export function withAcceptDoubt(verdict: Verdict, unaccepted: number, opened: number): { verdict: Verdict; reason?: string } {
  if (unaccepted === 0 || verdict === 'fail') return { verdict };
  return {
    verdict: 'inconclusive',
    reason: `${NOT_ACCEPTED_REASON}: ${unaccepted} of ${opened} connection(s) got no connect or no first byte in time (a full accept queue or a connection limit), so they measured nothing`,
  };
}

/** How many of the sockets the server never accepted. */
export function unacceptedCount(sockets: readonly SocketRecord[]): number {
  return sockets.filter((socket) => socket.notAccepted === true).length;
}
