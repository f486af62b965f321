/**
 * A tally of access log lines to CloudWatch datums: `BackendHangups` and `RequestsLogged`
 * per load balancer and minute, stamped with the log lines' own time.
 */
import { datumOf, type Datum } from '../metrics/datums';
import { DEFAULT_METRIC_SET, METRIC, type MetricSet } from '../metrics/names';
import type { AccessLogTally } from './tally';

/**
 * How old or how far ahead a datum's timestamp may be: CloudWatch rejects data older than two
 * weeks or more than two hours in the future. A margin keeps a slow invocation inside.
 */
export const ACCEPTED_AGE = { maxPastMs: 14 * 24 * 3600_000 - 3600_000, maxFutureMs: 2 * 3600_000 - 300_000 } as const;

/** The datums, and the minutes CloudWatch would not accept. */
export interface HangupDatums {
  readonly datums: Datum[];
  /** Requests in minutes too old (or too far ahead) to be published; counted, not sent. */
  readonly requestsOutOfRange: number;
}

/**
 * The datums of a tally in a metric set. Detailed: two per load balancer and minute, requests
 * logged and hang-ups among them (also when zero, so that a graph or a report shows "0 of N"
 * rather than nothing). Lean: hang-ups only, only in the minutes that have some, so that a
 * load balancer without hang-ups is no billed series (the alarm reads no data as none).
 *
 * @example
 * hangupDatums(tally, new Date(), 'detailed');
 * // [{ MetricName: 'BackendHangups', Unit: 'Count', Value: 37, Timestamp: 2018-12-04T21:46:00Z, Dimensions: [{ Name: 'LoadBalancer', Value: 'my-elb' }] }, { MetricName: 'RequestsLogged', ... }]
 */
export function hangupDatums(tally: AccessLogTally, now: Date, set: MetricSet = DEFAULT_METRIC_SET): HangupDatums {
  const datums: Datum[] = [];
  let requestsOutOfRange = 0;
  for (const lb of [...tally.loadBalancers.values()].sort((a, b) => a.dimension.localeCompare(b.dimension))) {
    for (const [minuteMs, counts] of [...lb.minutes].sort(([a], [b]) => a - b)) {
      if (minuteMs < now.getTime() - ACCEPTED_AGE.maxPastMs || minuteMs > now.getTime() + ACCEPTED_AGE.maxFutureMs) {
        requestsOutOfRange += counts.requests;
        continue;
      }
      const Timestamp = new Date(minuteMs);
      const values = set === 'detailed' ? [[METRIC.backendHangups, counts.hangups], [METRIC.requestsLogged, counts.requests]] as const : counts.hangups > 0 ? [[METRIC.backendHangups, counts.hangups]] as const : [];
      datums.push(...values.map(([metric, value]) => datumOf(metric, value, Timestamp, lb.dimension)));
    }
  }
  return { datums, requestsOutOfRange };
}
