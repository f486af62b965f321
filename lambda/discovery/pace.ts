/**
 * Paces API calls with a token bucket, client-side.
 *
 * Why: the ELB Describe APIs share one account-wide bucket per API family (about 40 calls of
 * burst, refilled at about 10 a second). A discovery of 2,000 load balancers that spent it
 * all would throttle the account's other tools, deployment pipelines included; pacing below
 * the refill rate leaves them room, and the SDK's adaptive retry handles what remains.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The time source, injectable so that pacing is tested exactly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: Clock = { now: () => performance.now(), sleep };

/** Defaults of pacing, merged once: below the ELB APIs' refill rate and burst. */
export const defaults = {
  callsPerSecond: 8,
  burst: 20,
} as const;

export class TokenBucket {
  private tokens: number;
  private last: number;

  public constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /**
   * Resolves when a call may go out.
   *
   * @example
   * await bucket.take();
   * await client.send(command);
   */
  public async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}
