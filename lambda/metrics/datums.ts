/**
 * Verdicts to CloudWatch metric datums, exactly as docs/CONTRACTS.md names them.
 *
 * Pure, so that the exact `PutMetricData` input is tested. Never a per-instance or per-IP
 * dimension: each distinct dimension value is a billed custom metric.
 */
import { phaseHeadroomS, toleratedS, type LoadBalancerVerdict, type PhaseVerdict } from '../judge';
import type { PhaseName } from '../probe';
import { LOAD_BALANCER_DIMENSION, METRIC, PHASE_METRICS, loadBalancerDimension, type MetricDefinition, type MetricUnit } from './names';

/** A datum as `PutMetricData` takes it (the SDK's `MetricDatum`, without the SDK import). */
export interface Datum {
  readonly MetricName: string;
  readonly Unit: MetricUnit;
  readonly Value: number;
  readonly Timestamp: Date;
  readonly Dimensions?: ReadonlyArray<{ readonly Name: typeof LOAD_BALANCER_DIMENSION; readonly Value: string }>;
}

/**
 * One datum of a metric, with its unit and (for a per-load-balancer metric) its dimension.
 *
 * @example
 * datumOf(METRIC.backendHangups, 37, new Date(), loadBalancerDimension({ type: 'classic', name: 'my-elb' }));
 */
export function datumOf(metric: MetricDefinition, Value: number, Timestamp: Date, /** From `loadBalancerDimension`. */ loadBalancer?: string): Datum {
  const base = { MetricName: metric.name, Unit: metric.unit, Value, Timestamp };
  return metric.perLoadBalancer && loadBalancer !== undefined ? { ...base, Dimensions: [{ Name: LOAD_BALANCER_DIMENSION, Value: loadBalancer }] } : base;
}

/** What a run's datums include beyond the verdicts. */
export interface RunDatumsOptions {
  /**
   * Whether the run sends the `RunCompleted` heartbeat. Only the deployed schedule does: its
   * absence is what the stack's Heartbeat alarm watches, so a scan from a laptop must not
   * keep a dead monitor green (`scan --publish --heartbeat` asks for it).
   * @default true
   */
  readonly heartbeat?: boolean;
}

/**
 * The datums of one run: per load balancer, then the fleet's.
 *
 * Why some datums are left out: a phase with nothing measured (inconclusive, discovery
 * error) publishes no timeout or headroom, so an alarm sees missing data rather than a made-up
 * number; `ProbeErrors` and the heartbeat say what went wrong.
 *
 * @example
 * toDatums(verdicts, new Date());
 * // [{ MetricName: 'LoadBalancerIdleTimeout', Unit: 'Seconds', Value: 60, Dimensions: [{ Name: 'LoadBalancer', Value: 'k8s-web' }] }, ...]
 */
export function toDatums(verdicts: readonly LoadBalancerVerdict[], timestamp: Date, options: RunDatumsOptions = {}): Datum[] {
  const perLoadBalancer = verdicts.flatMap((lb) => {
    const dimension = loadBalancerDimension(lb);
    const datum = (metric: MetricDefinition, value: number): Datum => datumOf(metric, value, timestamp, dimension);
    const idleTimeoutS = lb.idleTimeoutS;
    const phaseDatums = (Object.entries(lb.phases) as Array<[PhaseName, PhaseVerdict]>).flatMap(([phase, verdict]) => {
      const boundS = toleratedS(verdict);
      const headroomS = phaseHeadroomS(verdict, idleTimeoutS);
      return boundS === null || headroomS === null ? [] : [datum(PHASE_METRICS[phase].timeout, boundS), datum(PHASE_METRICS[phase].headroom, headroomS)];
    });
    const probed = lb.backends.length - lb.backends.filter((b) => b.probe.error !== undefined).length;
    return [
      ...(idleTimeoutS === null ? [] : [datum(METRIC.loadBalancerIdleTimeout, idleTimeoutS)]),
      ...phaseDatums,
      datum(METRIC.backendsProbed, probed),
      datum(METRIC.backendsFailing, lb.backends.filter((b) => b.verdict === 'fail').length),
      datum(METRIC.probeErrors, lb.probeErrors + (lb.error !== undefined ? 1 : 0)),
    ];
  });
  const heartbeat = options.heartbeat === false ? [] : [datumOf(METRIC.runCompleted, 1, timestamp)];
  return [...perLoadBalancer, datumOf(METRIC.loadBalancersFailing, verdicts.filter((lb) => lb.verdict === 'fail').length, timestamp), ...heartbeat];
}

/** `PutMetricData` limits: 1,000 datums and 1 MB per call. */
export const PUT_LIMITS = { maxDatums: 1000, maxBytes: 1_000_000 } as const;

/**
 * Splits datums into `PutMetricData` calls within the API's limits.
 *
 * @example
 * batchDatums(datums).length; // 3 for 2,500 datums
 */
export function batchDatums(datums: readonly Datum[], limits: { readonly maxDatums: number; readonly maxBytes: number } = PUT_LIMITS): Datum[][] {
  const batches: Datum[][] = [];
  let bytes = 0;
  for (const datum of datums) {
    // The query-protocol encoding is longer than JSON; doubling keeps well inside 1 MB.
    const size = 2 * JSON.stringify(datum).length;
    const current = batches[batches.length - 1];
    if (current === undefined || current.length >= limits.maxDatums || bytes + size > limits.maxBytes) {
      batches.push([datum]);
      bytes = size;
    } else {
      current.push(datum);
      bytes += size;
    }
  }
  return batches;
}
