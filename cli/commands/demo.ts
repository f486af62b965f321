/**
 * `idle-canary demo`: the whole measurement on real local backends, in about 15 seconds.
 */
import { DEMO_BACKENDS, DEMO_LOAD_BALANCER_IDLE_TIMEOUT_S, startBackend } from '../demo/backends';
import { renderTerminalReport } from '../../lambda/report/terminal';
import { strictParse } from '../args';
import { EXIT } from '../exit-code';
import { colorOf, type CommandIo } from '../io';
import { UsageError } from '../usage-error';
import { probeWithProgress } from './probe';

/** Scaled down with the timeouts (60 s -> 6 s): the margin and the precision wanted. */
const DEMO_OPTIONS = { marginS: 0.5, precisionS: 0.1 } as const;

/**
 * Starts the demo backends, probes them all at once against a 6 s load balancer, prints the
 * report and stops them.
 *
 * Returns 0 when the demo ran: its failing backends are what it is there to show. An
 * engineer who wants the probe's exit status runs `probe` against the demo ports.
 */
export async function demoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { positionals } = strictParse(argv, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": demo takes no argument`);
  const backends = await Promise.all(DEMO_BACKENDS.map(startBackend));
  try {
    io.stdout.write(
      `idle-canary demo: ${backends.length} Node.js backends on 127.0.0.1 behind an imagined load balancer with a ${DEMO_LOAD_BALANCER_IDLE_TIMEOUT_S} s idle timeout.\n` +
        `Timeouts are scaled down by 10 (60 s -> 6 s), so the whole run takes about 15 s.\n` +
        backends.map((b) => `  ${b.host}:${b.port}  ${b.name}: ${b.spec.description}\n`).join('') +
        '\n',
    );
    const jobs = backends.map((b) => ({
      target: { host: b.host, port: b.port, tls: false, path: '/' },
      loadBalancerIdleTimeoutS: DEMO_LOAD_BALANCER_IDLE_TIMEOUT_S,
    }));
    const results = await probeWithProgress(jobs, DEMO_OPTIONS, io, true);
    io.stdout.write(`\n${renderTerminalReport(results, { color: colorOf(io) })}`);
    return results.some((r) => r.error !== undefined) ? EXIT.badInput : EXIT.pass;
  } finally {
    await Promise.all(backends.map((b) => b.stop()));
  }
}
