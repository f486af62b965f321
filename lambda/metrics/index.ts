/**
 * CloudWatch metrics of a run, as docs/CONTRACTS.md names them.
 */
export { batchDatums, datumOf, toDatums, PUT_LIMITS, type Datum, type RunDatumsOptions } from './datums';
export { DEFAULT_METRIC_SET, DEFAULT_NAMESPACE, LOAD_BALANCER_DIMENSION, METRIC, METRIC_SETS, PHASE_METRICS, insightsQuery, loadBalancerDimension, metricSetIssue, publishes, type LoadBalancerIdentity, type MetricDefinition, type MetricSet, type MetricUnit } from './names';
export { defaults, publishMetrics, type PublishOptions, type PublishReport } from './publish';
