/**
 * A wire's wait for a server, bounded by the request's response timeout.
 */
import type { RequestOutcome, ServerClose } from './types';

/**
 * Awaits `promise`, calling `giveUp` if it has not settled within `timeoutMs` (`giveUp` must
 * make it settle: a wire ends the request as `timeout`).
 *
 * @example
 * const outcome = await within(pendingOutcome, 10_000, () => connection.onClosed('timeout'));
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, giveUp: () => void): Promise<T> {
  const timer = setTimeout(giveUp, timeoutMs);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a request gets on a connection the server is already ending: its close, waited for no
 * longer than for a response (a server that started an unsolicited answer may never finish
 * it, nor close).
 *
 * @example
 * if (this.closing) return closedOutcome(this.ended, timeoutMs, () => this.onClosed('timeout'));
 */
export async function closedOutcome(ended: Promise<ServerClose>, timeoutMs: number, giveUp: () => void): Promise<RequestOutcome> {
  const close = await within(ended, timeoutMs, giveUp);
  return { kind: 'closed', sentAt: close.at, close };
}
