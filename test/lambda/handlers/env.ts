import { startBackend, type BackendSpec, type RunningBackend } from '../../../cli/demo/backends';

/** The monitor's environment as the stack sets it for its functions, one VPC selected. */
export const MONITOR_ENV = {
  AWS_REGION: 'eu-west-1',
  IDLE_CANARY_VPC_IDS: 'vpc-0a1',
  IDLE_CANARY_BUCKET: 'idle-canary-reports',
  IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
  IDLE_CANARY_NAMESPACE: 'IdleCanary',
  IDLE_CANARY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:idle-canary',
  IDLE_CANARY_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:IdleCanary-run',
  IDLE_CANARY_DASHBOARD_NAME: 'IdleCanary-Dashboard',
};

/**
 * A whole run's setting for one describe block: the monitor's environment and real backends,
 * both undone after the block.
 *
 * Why: the runs handler after handler set the same variables and start backends the same way;
 * one place restores the environment and stops every backend it started.
 *
 * @example
 * const run = wholeRunSetting({ IDLE_CANARY_INLINE_MAX_BACKENDS: '1' });
 * const [lazy, tuned] = await run.start('e2e', { name: 'lazy', lazyHeadersTimeoutMs: 2000 }, { name: 'tuned' });
 */
export function wholeRunSetting(overrides: Record<string, string> = {}) {
  const saved = { ...process.env };
  const backends: RunningBackend[] = [];
  afterAll(async () => {
    process.env = saved;
    await Promise.all(backends.map((b) => b.stop()));
  });
  return {
    /** Sets the environment (logs silent) and starts the backends, which keep idle connections 20 s. */
    async start(description: string, ...specs: Array<Pick<BackendSpec, 'name'> & Partial<BackendSpec>>): Promise<RunningBackend[]> {
      Object.assign(process.env, MONITOR_ENV, overrides, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
      for (const spec of specs) backends.push(await startBackend({ description, keepAliveTimeoutMs: 20_000, headersTimeoutMs: 20_000, ...spec }));
      return backends;
    },
  };
}
