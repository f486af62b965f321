/**
 * CloudWatch metrics of a run, as DESIGN.md's contract names them.
 */
export { batchDatums, toDatums, PUT_LIMITS, type Datum } from './datums';
export { defaults, publishMetrics, type PublishOptions, type PublishReport } from './publish';
