/**
 * What the parts of the monitor take alike: how long their logs are kept and the reports bucket.
 *
 * Why a base: each part's props stay flat (the members are inherited, not nested), and the
 * retention's default is read in one place, not once per part.
 */
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { defaults } from './props';

/** Props of a part that writes logs. */
export interface LoggingPartProps {
  /**
   * How long the part's logs (functions, task or state machine) are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Props of a part that writes logs and reads or writes the reports bucket. */
export interface ReportsPartProps extends LoggingPartProps {
  /** The reports bucket: plans, results, reports and markers. */
  readonly bucket: s3.IBucket;
}

/**
 * The part's log retention, or the default.
 *
 * @example
 * new logs.LogGroup(this, 'Logs', { retention: logRetentionOf(props) });
 */
export function logRetentionOf(props: LoggingPartProps): logs.RetentionDays {
  return props.logRetention ?? defaults.logRetention;
}
