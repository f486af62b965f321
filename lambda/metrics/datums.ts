/**
 * Verdicts to CloudWatch metric datums, exactly as docs/CONTRACTS.md names them.
 *
 * Pure, so that the exact `PutMetricData` input is tested. Never a per-instance or per-IP
 * dimension: each distinct dimension value is a billed custom metric.
 */
import { phaseHeadroomS, toleratedS, type LoadBalancerVerdict, type PhaseVerdict } from '../judge';
import type { PhaseName } from '../probe';
import { DEFAULT_METRIC_SET, LOAD_BALANCER_DIMENSION, METRIC, PHASE_METRICS, loadBalancerDimension, type MetricDefinition, type MetricSet, type MetricUnit } from './names';

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
   * The metric set to publish.
   * @default 'lean'
   */
  readonly metrics?: MetricSet;
  /**
   * Whether the run sends the `RunCompleted` heartbeat. Only the deployed schedule does: its
   * absence is what the stack's Heartbeat alarm watches, so a scan from a laptop must not
   * keep a dead monitor green (`scan --publish --heartbeat` asks for it).
   * @default true
   */
  readonly heartbeat?: boolean;
}

/** A per-load-balancer metric's value, before it is stamped with the time and the dimension. */
type Value = readonly [MetricDefinition, number];

/** The smallest of the numbers that are not `null`; `null` when all are. */
const smallest = (values: ReadonlyArray<number | null>): number | null => values.reduce<number | null>((min, v) => (v === null ? min : min === null ? v : Math.min(min, v)), null);

/** Probe errors of a load balancer as `ProbeErrors` counts them: its backends', plus 1 when discovery failed for it. */
const probeErrorsOf = (lb: LoadBalancerVerdict) => lb.probeErrors + (lb.error !== undefined ? 1 : 0);

/** The fleet values both sets publish. */
const loadBalancersFailing = (verdicts: readonly LoadBalancerVerdict[]): Value => [METRIC.loadBalancersFailing, verdicts.filter((lb) => lb.verdict === 'fail').length];
const RUN_COMPLETED: Value = [METRIC.runCompleted, 1];

/**
 * The values each set publishes per load balancer, and for the fleet.
 *
 * Why the lean set keeps one: each per-load-balancer series is a billed custom metric, and
 * the alarms watch the fleet metrics; the per-phase numbers stay in the reports and logs.
 */
const VALUES: Record<MetricSet, { readonly perLoadBalancer: (lb: LoadBalancerVerdict) => Value[]; readonly fleet: (verdicts: readonly LoadBalancerVerdict[]) => Value[] }> = {
  lean: {
    perLoadBalancer: (lb) => {
      const headroomS = smallest(Object.values(lb.phases).map((verdict) => phaseHeadroomS(verdict, lb.idleTimeoutS)));
      return headroomS === null ? [] : [[METRIC.headroom, headroomS]];
    },
    fleet: (verdicts) => [
      loadBalancersFailing(verdicts),
      [METRIC.loadBalancersInconclusive, verdicts.filter((lb) => lb.verdict === 'inconclusive').length],
      [METRIC.fleetProbeErrors, verdicts.reduce((sum, lb) => sum + probeErrorsOf(lb), 0)],
      RUN_COMPLETED,
    ],
  },
  detailed: {
    perLoadBalancer: (lb) => {
      const idleTimeoutS = lb.idleTimeoutS;
      const phaseValues = (Object.entries(lb.phases) as Array<[PhaseName, PhaseVerdict]>).flatMap(([phase, verdict]): Value[] => {
        const boundS = toleratedS(verdict);
        const headroomS = phaseHeadroomS(verdict, idleTimeoutS);
        return boundS === null || headroomS === null ? [] : [[PHASE_METRICS[phase].timeout, boundS], [PHASE_METRICS[phase].headroom, headroomS]];
      });
      const probed = lb.backends.length - lb.backends.filter((b) => b.probe.error !== undefined).length;
      return [
        ...(idleTimeoutS === null ? [] : [[METRIC.loadBalancerIdleTimeout, idleTimeoutS] as const]),
        ...phaseValues,
        [METRIC.backendsProbed, probed],
        [METRIC.backendsFailing, lb.backends.filter((b) => b.verdict === 'fail').length],
        [METRIC.probeErrors, probeErrorsOf(lb)],
      ];
    },
    fleet: (verdicts) => [loadBalancersFailing(verdicts), RUN_COMPLETED],
  },
};

/**
 * The datums of one run in a metric set: per load balancer, then the fleet's. Their count
 * grows with the load balancers, never with their backends.
 *
 * Why some datums are left out: a phase with nothing measured (inconclusive, discovery
 * error) publishes no timeout or headroom, so an alarm sees missing data rather than a made-up
 * number; the probe error counts and the heartbeat say what went wrong.
 *
 * @example
 * toDatums(verdicts, new Date(), 'detailed');
 * // [{ MetricName: 'LoadBalancerIdleTimeout', Unit: 'Seconds', Value: 60, Dimensions: [{ Name: 'LoadBalancer', Value: 'k8s-web' }] }, ...]
 */
export function toDatums(verdicts: readonly LoadBalancerVerdict[], timestamp: Date, options: RunDatumsOptions = {}): Datum[] {
  const { perLoadBalancer, fleet } = VALUES[options.metrics ?? DEFAULT_METRIC_SET];
  const sent = fleet(verdicts).filter(([metric]) => options.heartbeat !== false || metric !== METRIC.runCompleted);
  return [
    ...verdicts.flatMap((lb) => {
      const dimension = loadBalancerDimension(lb);
      return perLoadBalancer(lb).map(([metric, value]) => datumOf(metric, value, timestamp, dimension));
    }),
    ...sent.map(([metric, value]) => datumOf(metric, value, timestamp)),
  ];
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
