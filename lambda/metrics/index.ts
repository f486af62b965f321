/**
 * CloudWatch metrics of a run, as docs/CONTRACTS.md names them.
 */
export { batchDatums, toDatums, PUT_LIMITS, type Datum } from './datums';
export { defaults, publishMetrics, type PublishOptions, type PublishReport } from './publish';
