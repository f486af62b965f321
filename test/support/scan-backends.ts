/**
 * The real loopback backends that a mocked account's load balancers point at, for tests of
 * `idle-canary scan`: one lazy, one that drops idle keep-alive connections early, one tuned,
 * and a port that refuses connections.
 */
import { startBackend, type RunningBackend } from '../../cli/demo/backends';
import { closedPort } from './loopback';

export interface ScanBackends {
  /** The Node.js 8.14 rule: a late request's connection is destroyed only when it arrives. */
  readonly lazy: RunningBackend;
  /** Ends idle keep-alive connections after 500 ms (eager). */
  readonly shortKeepAlive: RunningBackend;
  /** Outlasts every load balancer idle timeout the tests use (20 s). */
  readonly tuned: RunningBackend;
  /** A loopback port nothing listens on. */
  readonly refused: number;
  stop(): Promise<void>;
}

/**
 * Starts the three backends and picks a refused port.
 *
 * @example
 * const { lazy, refused, stop } = await startScanBackends(2000);
 */
export async function startScanBackends(lazyHeadersTimeoutMs: number): Promise<ScanBackends> {
  const base = { description: 'a scan test backend', keepAliveTimeoutMs: 20_000, headersTimeoutMs: 20_000 };
  const [lazy, shortKeepAlive, tuned] = await Promise.all([
    startBackend({ ...base, name: 'lazy', lazyHeadersTimeoutMs }),
    startBackend({ ...base, name: 'short-keep-alive', keepAliveTimeoutMs: 500 }),
    startBackend({ ...base, name: 'tuned' }),
  ]);
  const refused = await closedPort();
  return {
    lazy,
    shortKeepAlive,
    tuned,
    refused,
    stop: async () => {
      await Promise.all([lazy, shortKeepAlive, tuned].map((backend) => backend.stop()));
    },
  };
}
