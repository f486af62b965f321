/**
 * The numbers several modules need, defined once: the probe engine, the judge, sharding, the
 * handlers, the command line and the CDK construct import them from here.
 *
 * Why one place: a margin or a socket budget typed in five modules drifts the first time one
 * of them changes, and a run's parts must agree on it (discover shards by the same socket
 * budget the probe function then holds to).
 */

/** Defaults shared across the run. */
export const DEFAULTS = {
  /** Seconds of headroom below which a phase fails (the `idle-canary:margin` tag overrides it). */
  marginS: 1,
  /** Sockets one probe invocation may hold: Lambda's 1,024 file descriptors minus headroom. */
  maxOpenSockets: 900,
  /** Sockets one target may use at once: 16 staggered sockets cover a 30 s sweep behind a 60 s load balancer. */
  maxSocketsPerTarget: 16,
  /** Width in seconds below which a limit's bracket is not narrowed further. */
  precisionS: 0.5,
  /** Healthy backends probed per listener port and run (sampling rotates the others across runs). */
  maxBackendsPerPort: 2,
  /** Minutes between scheduled runs, which rotate the sample. */
  periodMinutes: 15,
  /** Probe invocations a Map runs at once. */
  maxConcurrency: 10,
  /** Above this many backends, the run goes through S3 and Distributed Maps. */
  inlineMaxBackends: 100,
  /** Seconds after which an access log object's unfinished claim is taken over. */
  claimStaleS: 960,
} as const;

/** A number setting: its accepted range, for flags and environment variables alike. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

/** The ranges every front door (flags, environment variables, the construct's props, cdk.json) accepts. */
export const RANGES = {
  marginS: { min: 0, max: 600 },
  maxOpenSockets: { min: 16, max: 1000 },
  maxSocketsPerTarget: { min: 2, max: 900 },
  maxBackendsPerPort: { min: 1, max: 1000 },
  periodMinutes: { min: 1, max: 1440 },
  /** Step Functions runs at most 40 iterations of an inline Map at once. */
  maxConcurrency: { min: 1, max: 40 },
  /** Far above what fits the state's 256 KB: larger runs go through S3 whatever this says. */
  inlineMaxBackends: { min: 0, max: 10_000 },
  claimStaleS: { min: 1, max: 86_400 },
  /** A Lambda function's timeout in seconds. */
  lambdaTimeoutS: { min: 1, max: 900 },
  /** A time budget in seconds: up to a day. */
  timeBudgetS: { min: 1, max: 86_400 },
} as const satisfies Record<string, NumberRange>;
