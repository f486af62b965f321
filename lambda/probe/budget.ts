/**
 * Sockets counted against a cap: a target's own budget, and the run's share of the open-socket cap.
 */
import { realClock, type Clock } from './clock';

/**
 * A counting semaphore for sockets, granted in arrival order.
 *
 * Why one class for both uses: a target counts its sockets open at once (a socket whose
 * measurement is over costs nothing, so two lazy phases narrowed one after the other get what
 * they need), and the engine hands each target its whole budget from the run's cap (a target's
 * narrowing sockets must open at planned moments, never wait for a free socket then). Both are
 * "take N when free, in order, unless aborted or too late".
 *
 * @example
 * const budget = new SocketBudget(16);
 * if (budget.tryTake()) connection.ended.then(() => budget.give());
 */
export class SocketBudget {
  private free: number;
  private readonly queue: Array<{ readonly count: number; readonly grant: (granted: boolean) => void }> = [];

  public constructor(
    capacity: number,
    private readonly clock: Clock = realClock,
  ) {
    this.free = capacity;
  }

  /** Takes `count` sockets if they are free now and nobody waits before. */
  public tryTake(count = 1): boolean {
    if (this.queue.length > 0 || this.free < count) return false;
    this.free -= count;
    return true;
  }

  /**
   * Resolves `true` once `count` sockets are taken, `false` if `signal` aborts or `deadline`
   * (clock ms) passes first.
   */
  public take(signal: AbortSignal, count = 1, deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (signal.aborted || this.clock.now() >= deadline) return Promise.resolve(false);
    if (this.tryTake(count)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        count,
        grant: (granted: boolean) => {
          cancelTimer();
          signal.removeEventListener('abort', refuse);
          resolve(granted);
        },
      };
      const refuse = () => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        entry.grant(false);
      };
      const cancelTimer = Number.isFinite(deadline) ? this.clock.schedule(deadline, refuse) : () => undefined;
      signal.addEventListener('abort', refuse, { once: true });
      this.queue.push(entry);
    });
  }

  /** Gives `count` sockets back, granting the waiters in order while they fit. */
  public give(count = 1): void {
    this.free += count;
    while (this.queue.length > 0 && this.free >= this.queue[0].count) {
      const entry = this.queue.shift()!;
      this.free -= entry.count;
      entry.grant(true);
    }
  }
}
