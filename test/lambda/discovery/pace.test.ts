import { TokenBucket, type Clock } from '../../../lambda/discovery/pace';

/** A clock that only moves when someone sleeps on it. */
function manualClock(): Clock & { readonly elapsedMs: () => number } {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), elapsedMs: () => now };
}

describe('TokenBucket', () => {
  it('lets the burst through at once, then paces calls at the rate', async () => {
    // Prepare
    const clock = manualClock();
    const bucket = new TokenBucket(8, 20, clock);

    // Act: 20 calls of burst, then 40 more at 8 a second
    for (let call = 0; call < 60; call++) await bucket.take();

    // Assess
    expect(clock.elapsedMs()).toBe(5000);
  });

  it('refills while no call is made, up to the burst', async () => {
    // Prepare
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock);
    for (let call = 0; call < 5; call++) await bucket.take();
    await clock.sleep(60_000);

    // Act: a long pause refills 5 tokens, not 600
    const before = clock.elapsedMs();
    for (let call = 0; call < 6; call++) await bucket.take();

    // Assess
    expect(clock.elapsedMs() - before).toBe(100);
  });
});
