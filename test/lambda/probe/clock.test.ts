/**
 * The probe's clock helpers, on a simulated clock whose event loop stalls where a test says.
 */
import { alarmAt, watchLag } from '../../../lambda/probe/clock';
import { SimulatedClock } from '../../support/simulated-time';

/** A loop that runs nothing from 1010 to 1200 ms: what is due meanwhile runs at 1200 ms, at once. */
const stalled = (at: number) => (at >= 1010 && at < 1200 ? 1200 : at);

describe('watchLag', () => {
  it('measures a stall by the sample that ran late, to within the period', async () => {
    // Prepare
    const clock = new SimulatedClock(stalled);
    const lag = watchLag(clock, 50);

    // Act
    await clock.run(new Promise<void>((resolve) => clock.schedule(1500, resolve)));
    lag.stop();

    // Assess: the first sample due in the 190 ms stall, at 1050 ms, ran at 1200 ms
    expect(lag.lateMs()).toBe(150);
  });

  it('counts the stall for an event handled at its end before the sample due during it', async () => {
    // Prepare: a close due at 1020 ms, seen at 1200 ms before the sample due at 1050 ms
    const clock = new SimulatedClock(stalled);
    const lag = watchLag(clock, 50);
    let seenLateMs = 0;

    // Act
    const seen = new Promise<void>((resolve) =>
      clock.schedule(1020, () => {
        seenLateMs = lag.lateMs();
        resolve();
      }),
    );
    await clock.run(seen);
    lag.stop();

    // Assess: without it, the lag was that of before the stall (0)
    expect(seenLateMs).toBe(150);
  });

  it('reports no lateness on a loop that runs everything on time', async () => {
    // Prepare
    const clock = new SimulatedClock();
    const lag = watchLag(clock, 50);

    // Act
    await clock.run(new Promise<void>((resolve) => clock.schedule(1000, resolve)));
    lag.stop();

    // Assess
    expect(lag.lateMs()).toBe(0);
  });
});

describe('alarmAt', () => {
  it('aborts its signal once the clock reaches the moment', async () => {
    // Prepare
    const clock = new SimulatedClock();
    const alarm = alarmAt(clock, 1000, new AbortController().signal);

    // Act
    const reached = await clock.run(alarm.reached);

    // Assess
    expect(reached).toBe(true);
    expect(alarm.signal.aborted).toBe(true);
    expect(clock.now()).toBe(1000);
  });

  it('leaves no timer behind once cancelled, and never aborts its signal', async () => {
    // Prepare
    const clock = new SimulatedClock();
    const alarm = alarmAt(clock, 1000, new AbortController().signal);

    // Act
    alarm.cancel();
    const reached = await clock.run(alarm.reached);

    // Assess: nothing left to wake a wait on the clock
    expect(reached).toBe(false);
    expect(alarm.signal.aborted).toBe(false);
    await expect(clock.run(new Promise(() => undefined))).rejects.toThrow('no timer is left');
  });

  it('never aborts its signal when stopped first', async () => {
    // Prepare
    const clock = new SimulatedClock();
    const stop = new AbortController();
    const alarm = alarmAt(clock, 1000, stop.signal);

    // Act
    clock.schedule(500, () => stop.abort());
    const reached = await clock.run(alarm.reached);

    // Assess
    expect(reached).toBe(false);
    expect(alarm.signal.aborted).toBe(false);
    expect(clock.now()).toBe(500);
  });
});
