/**
 * The probe's socket budget and time, which discover (to plan), the probe functions and the
 * long probe (to hold sockets) and the cost estimate all read.
 */
import { Duration } from 'aws-cdk-lib';
import { settingsEnvironment } from '../lambda/handlers/config';
import { STEP_MINUTES } from '../lambda/run/limits';
import { targetsPerInvocation } from '../lambda/run/shards';
import { DEFAULTS } from '../lambda/shared/settings';

/** The socket budget of one probe invocation: Lambda's 1,024 descriptors minus headroom, 16 per target. */
export const SOCKETS = { maxOpenSockets: DEFAULTS.maxOpenSockets, maxSocketsPerTarget: DEFAULTS.maxSocketsPerTarget } as const;

/** Targets one probe invocation holds: its socket budget over the sockets per target. */
export const TARGETS_PER_INVOCATION = targetsPerInvocation(SOCKETS);

/** How long a probe invocation may run: Lambda's maximum. */
export const PROBE_TIMEOUT = Duration.minutes(STEP_MINUTES.probe);

/** The settings every part that plans or probes (discover, the probe functions, the long probe, publish) is given alike. */
export interface ProbeSettingsProps {
  /** Headroom below which a load balancer fails, in seconds. */
  readonly marginS: number;
  /**
   * Width in seconds below which a lazy limit's bracket is not narrowed further.
   * @default the probe's (`SETTINGS.precisionS`)
   */
  readonly precisionS?: number;
}

/**
 * The environment every function that plans or probes reads: its settings and the socket budget.
 *
 * @example
 * new lambda.Function(this, 'Probe', { ..., environment: probeEnvironment({ marginS: 1 }) });
 */
export function probeEnvironment({ marginS, precisionS }: ProbeSettingsProps): Record<string, string> {
  return settingsEnvironment({ marginS, maxSocketsPerTarget: SOCKETS.maxSocketsPerTarget, maxOpenSockets: SOCKETS.maxOpenSockets, ...(precisionS === undefined ? {} : { precisionS }) });
}
