/**
 * Lazy narrowing: a chain of sockets that bisects a lazy limit's bracket, each opened so that
 * it is ready, idle exactly as long as needed, when the previous answer comes.
 */
import { waitUntil } from './clock';
import { needsNarrowing, nextNarrowingIdleS, roundS, type Bracket } from './plan';
import { currentBracket } from './phase-result';
import { holdAndSend, openIdle, type OpenedIdle } from './held-socket';
import type { IdleConnection, PhaseRun } from './phase';
import type { SocketRecord } from './types';

/**
 * Bisects a lazy bracket with sockets opened on `narrowingScheduleS`'s schedule, so that each
 * is ready, idle exactly as long as needed, when the previous answer comes.
 */
export async function narrow(
  run: PhaseRun,
  scheduleS: readonly number[],
  records: SocketRecord[],
  record: (entry: SocketRecord) => void,
  origin: number,
): Promise<void> {
  // Each socket opens its planned gap after the one before: one that waited for a free socket
  // delays the rest of the chain instead of leaving them all the same age.
  let previous: Promise<OpenedIdle | null> = Promise.resolve(null);
  let previousAt = run.clock.now();
  const sockets = scheduleS.map((offsetS, index) => {
    const gapMs = (offsetS - (index === 0 ? 0 : scheduleS[index - 1])) * 1000;
    previous = previous.then(async () => {
      const opened = await openLater(run, previousAt + gapMs);
      previousAt = opened !== null && !('error' in opened) ? opened.idleSince : run.clock.now();
      return opened;
    });
    return previous;
  });
  for (const [index, pending] of sockets.entries()) {
    const idle = await pending;
    if (idle === null || 'error' in idle) continue;
    const testS = narrowingTestS(currentBracket(records, run.services.lagS()), idle, run);
    if (testS === null) {
      idle.connection.destroy();
      continue;
    }
    const measured = await holdAndSend(idle, testS, run);
    if (measured === null) break;
    record({ role: 'active', round: index + 2, plannedIdleS: testS, openedS: roundS((idle.idleSince - origin) / 1000), ...measured });
  }
  // Sockets not used (aborted, or the bracket was narrow early) are closed, not leaked.
  for (const pending of sockets) void pending.then((idle) => idle !== null && !('error' in idle) && idle.connection.destroy());
}

/**
 * The idle a narrowing socket should test now, or `null` when it is of no use: the bracket is
 * narrow enough, the socket is already older than the bracket, or its test would end after
 * the deadline.
 */
function narrowingTestS(bracket: Bracket | null, idle: IdleConnection, run: PhaseRun): number | null {
  if (bracket === null || !needsNarrowing(bracket, run.settings.precisionS)) return null;
  const testS = roundS(Math.max(nextNarrowingIdleS(bracket), (run.clock.now() - idle.idleSince) / 1000));
  return testS >= bracket.failedS || idle.idleSince + testS * 1000 > run.deadline ? null : testS;
}

/** Opens a narrowing socket at `at`, once the target has a socket free. */
async function openLater(run: PhaseRun, at: number): Promise<OpenedIdle | null> {
  if (!(await waitUntil(run.clock, at, run.signal)) || !(await run.sockets.take(run.signal))) return null;
  return openIdle(run, true);
}

