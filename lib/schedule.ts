/**
 * The schedule's period, and the alarm windows it sets: one place that derives, checks and
 * explains them, for the configuration parser and the construct alike.
 */
import { LONG_RUN_TIMEOUT_MINUTES } from '../lambda/run/limits';
import { PERIOD_WHY, RANGES, SETTINGS } from '../lambda/shared/settings';

/** When runs start unless configured: every `periodMinutes` by default (15). */
export const DEFAULT_SCHEDULE = SETTINGS.schedule.default;

/** The longest period whose alarm windows Metrics Insights still evaluates: `periodMinutes`' range. */
const MAX_PERIOD_MINUTES = RANGES.periodMinutes.max;

/**
 * The shortest period of a stack with long-horizon probes: a run then lasts up to
 * `LONG_RUN_TIMEOUT_MINUTES` (a 4,000 s load balancer's probe alone holds sockets 73 minutes),
 * and with one run at a time, a shorter schedule would skip most runs and starve the heartbeat.
 */
export const LONG_TIMEOUTS_MIN_PERIOD_MINUTES = LONG_RUN_TIMEOUT_MINUTES + 1;

/** What the schedule of such a stack must be, in the words of the error. */
const LONG_TIMEOUTS_SCHEDULE_EXPECTED = `a period of ${LONG_TIMEOUTS_MIN_PERIOD_MINUTES} minutes with longTimeouts, such as rate(${LONG_TIMEOUTS_MIN_PERIOD_MINUTES} minutes) (a run with long-horizon probes lasts up to ${LONG_RUN_TIMEOUT_MINUTES} minutes, and runs never overlap)`;

const UNIT_MINUTES: Readonly<Record<string, number>> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };
const RATE_UNITS = Object.keys(UNIT_MINUTES).join('|');
const RATE = new RegExp(`^rate\\((\\d+) (${RATE_UNITS})\\)$`);

/** A schedule expression the configuration accepts: `rate(N unit)` or `cron(...)`. */
export const SCHEDULE_EXPRESSION = new RegExp(`^(rate\\(\\d+ (${RATE_UNITS})\\)|cron\\(.+\\))$`);

/** Minutes between runs of a `rate(...)` expression; `undefined` for `cron(...)`. */
export function rateMinutes(schedule: string): number | undefined {
  const m = RATE.exec(schedule);
  return m ? Number(m[1]) * UNIT_MINUTES[m[2]] : undefined;
}

/**
 * The heartbeat and sampling period of a schedule: derived from `rate(...)`, given with
 * `cron(...)` (the longest gap between two runs), within what the alarms can evaluate, and
 * with `longTimeouts` at least as long as such a run.
 *
 * Why reject rather than pick one: a period shorter than the schedule keeps the Heartbeat
 * alarm in ALARM forever, a longer one hides a stopped monitor for longer than promised.
 *
 * @throws Error, a `[key, expected]` pair the caller turns into its one-line message
 * @example
 * periodOf('rate(30 minutes)'); // 30
 * periodOf('cron(0/20 * * * ? *)', 20); // 20
 * periodOf('rate(15 minutes)', undefined, true); // throws: longTimeouts needs a 90-minute period
 */
export function periodOf(schedule: string, periodMinutes?: number, longTimeouts = false): number {
  const rate = rateMinutes(schedule);
  if (rate !== undefined && periodMinutes !== undefined && periodMinutes !== rate) {
    throw new PeriodError('periodMinutes', `${rate} (the period of schedule ${schedule}), or no periodMinutes`, periodMinutes);
  }
  if (rate === undefined && periodMinutes === undefined) throw new PeriodError('periodMinutes', `the longest gap in minutes between two runs of ${schedule}`, undefined);
  const period = rate ?? periodMinutes!;
  if (period > MAX_PERIOD_MINUTES) {
    const key = rate !== undefined ? 'schedule' : 'periodMinutes';
    throw new PeriodError(key, `a period of at most ${MAX_PERIOD_MINUTES} minutes (${PERIOD_WHY})`, rate !== undefined ? schedule : period);
  }
  if (longTimeouts && period < LONG_TIMEOUTS_MIN_PERIOD_MINUTES) throw new PeriodError('schedule', LONG_TIMEOUTS_SCHEDULE_EXPECTED, schedule);
  return period;
}

/** A schedule and period that disagree, or alarm windows Metrics Insights cannot evaluate. */
export class PeriodError extends Error {
  public constructor(
    public readonly key: 'schedule' | 'periodMinutes',
    public readonly expected: string,
    public readonly got: unknown,
  ) {
    super(`${key}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'PeriodError';
  }
}
