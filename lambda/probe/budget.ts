/**
 * A target's socket budget: how many of its sockets may be open at once.
 */

/**
 * Counts a target's open sockets against its budget.
 *
 * Why at once rather than in total: a socket whose measurement is over costs nothing, so a
 * target that needs many short-lived sockets (two lazy phases narrowed one after the other)
 * gets them, while the file descriptors held at any moment stay within the budget.
 *
 * @example
 * const budget = new SocketBudget(16);
 * if (budget.tryTake()) connection.ended.then(() => budget.give());
 */
export class SocketBudget {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  public constructor(capacity: number) {
    this.free = capacity;
  }

  /** Takes a socket if one is free now. */
  public tryTake(): boolean {
    if (this.free <= 0) return false;
    this.free--;
    return true;
  }

  /** Resolves `true` once a socket is taken, `false` if `signal` aborts first. */
  public take(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.tryTake()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', refuse);
        resolve(true);
      };
      const refuse = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(false);
      };
      signal.addEventListener('abort', refuse, { once: true });
      this.waiting.push(grant);
    });
  }

  /** Gives a socket back: to the first waiter, else to the free count. */
  public give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
