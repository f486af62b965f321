/**
 * Compaction never changes a verdict, shown on real results: probe runs against the test
 * suite's loopback servers (per-connection timers, lazy limits, sweeps, hostile backends, a
 * full accept queue, a server that serves one connection at a time) and nginx, each result
 * judged for its load balancer in full and compacted to 4,096, 2,048 and 1,024 bytes.
 */
import type { LoadBalancerPlan, ProbePlanItem } from '../../../lambda/discovery/types';
import { judgeLoadBalancers, type LoadBalancerVerdict } from '../../../lambda/judge';
import { PHASE_NAMES, probeTargets, type ProbeJob, type ProbeResult } from '../../../lambda/probe';
import { compactResult, jsonBytes } from '../../../lambda/run/limits';
import {
  closedPort,
  earlyHintsServer,
  endlessChunkedServer,
  fullAcceptQueueServer,
  httpServer,
  idleTimerServer,
  lazyBothServer,
  lazyResettingServer,
  oneAtATimeServer,
  rawResponseServer,
  sweepingServer,
  unfinishedUnsolicitedServer,
  unsolicitedErrorServer,
  type LoopbackServer,
} from '../../support/loopback';
import { ensureNginx, startNginx, type RunningServer } from '../../support/real-servers';

const SIZES = [4_096, 2_048, 1_024] as const;
const MARGIN_S = 0.2;

/** Each load balancer a result is judged for: the one it was probed against, and a shorter one with its own margin (a shared backend). */
const STANDARDS = [
  { suffix: '', idleTimeoutS: (probedS: number) => probedS, marginS: MARGIN_S },
  { suffix: '-short', idleTimeoutS: (probedS: number) => probedS / 2, marginS: 0.05 },
] as const;

interface Backend {
  readonly name: string;
  readonly port: number;
  readonly idleTimeoutS: number;
  readonly close: () => Promise<void>;
}

const keyOf = (job: ProbeJob) => `127.0.0.1:${job.target.port}|http|/|plain`;

/** The load balancers' verdicts for one result, as publish makes them. */
function verdicts(name: string, job: ProbeJob, result: ProbeResult): LoadBalancerVerdict[] {
  const backend = { id: `127.0.0.1:${job.target.port}`, target: job.target, proxyProtocol: false };
  const lbs: LoadBalancerPlan[] = STANDARDS.map((standard) => ({
    name: `${name}${standard.suffix}`,
    type: 'application',
    vpcId: 'vpc-1',
    idleTimeoutS: standard.idleTimeoutS(job.loadBalancerIdleTimeoutS),
    marginS: standard.marginS,
    backends: [backend],
    backendsNotSampled: 0,
    skipped: [],
  }));
  const plan: ProbePlanItem[] = [{ key: keyOf(job), job, loadBalancers: lbs.map((lb) => lb.name) }];
  return judgeLoadBalancers(lbs, plan, [result]);
}

/** Records of sockets the server never accepted, in all phases. */
const unaccepted = (result: ProbeResult) => Object.values(result.phases).reduce((sum, phase) => sum + (phase?.sockets.filter((socket) => socket.notAccepted === true).length ?? 0), 0);

/** What must not change: each load balancer's verdict, and its phases' verdicts and limits. */
const judged = (lbs: readonly LoadBalancerVerdict[]) =>
  lbs.map((lb) => ({ name: lb.name, verdict: lb.verdict, phases: Object.fromEntries(PHASE_NAMES.map((phase) => [phase, lb.phases[phase] ?? null])) }));

describe('a load balancer verdict made from a compacted result', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  let backends: Backend[];
  let jobs: ProbeJob[];
  let results: ProbeResult[];

  beforeAll(async () => {
    // Prepare: every kind of backend the suite has, each with a second-scale limit
    await ensureNginx();
    const loopback = (name: string, idleTimeoutS: number, server: Promise<LoopbackServer>) => server.then((s) => ({ name, port: s.port, idleTimeoutS, close: () => s.close() }));
    const real = (name: string, idleTimeoutS: number, server: Promise<RunningServer>) => server.then((s) => ({ name, port: s.port, idleTimeoutS, close: () => s.stop() }));
    // The same kinds again with 48 sockets and a fine stagger: results of 20 and more records a phase, as a 60 s load balancer's sweep phase has
    const crowded = await Promise.all([
      loopback('full-queue/48', 1, fullAcceptQueueServer(2)),
      loopback('one-at-a-time/48', 1, oneAtATimeServer(1500)),
      loopback('sweep-1s/48', 1, sweepingServer(1000, 250)),
      loopback('timer-0.8s/48', 1, idleTimerServer(800)),
    ]);
    backends = await Promise.all([
      loopback('timer-0.8s', 1, idleTimerServer(800)),
      loopback('timer-3s', 1, idleTimerServer(3000)),
      loopback('lazy-reset', 1, lazyResettingServer(700)),
      loopback('unsolicited-400', 1, unsolicitedErrorServer(700)),
      loopback('lazy-both', 1, lazyBothServer(700, 900)),
      loopback('sweep-1s', 1, sweepingServer(1000, 250)),
      loopback('sweep-2s', 1, sweepingServer(2000, 300)),
      loopback('node-keepalive-0.3s', 1, httpServer({ keepAliveTimeout: 300 })),
      loopback('full-queue', 1, fullAcceptQueueServer(2)),
      loopback('one-at-a-time', 1, oneAtATimeServer(1500)),
      loopback('early-hints', 1, earlyHintsServer()),
      loopback('endless-chunked', 1, endlessChunkedServer()),
      loopback('unfinished-408', 1, unfinishedUnsolicitedServer(700)),
      loopback('no-keep-alive', 1, rawResponseServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', true)),
      loopback('bad-chunk', 1, rawResponseServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-6\r\n')),
      closedPort().then((port) => ({ name: 'refused', port, idleTimeoutS: 1, close: async () => undefined })),
      real('nginx-1s', 1, startNginx({ clientHeaderTimeoutS: 1, keepaliveTimeoutS: 1 })),
      real('nginx-3s', 2, startNginx({ clientHeaderTimeoutS: 3, keepaliveTimeoutS: 3 })),
    ]);
    const jobOf = (b: Backend): ProbeJob => ({ target: { host: '127.0.0.1', port: b.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: b.idleTimeoutS });
    const options = { marginS: MARGIN_S, precisionS: 0.2, timeBudgetMs: 25_000, connectTimeoutMs: 2_000, responseTimeoutMs: 2_000 };

    // Act: all probed at once, short
    const [plain, many] = await Promise.all([
      probeTargets(backends.map(jobOf), options),
      probeTargets(crowded.map(jobOf), { ...options, maxSocketsPerTarget: 48, precisionS: 0.05, sweepPrecisionS: 0.05 }),
    ]);
    backends.push(...crowded);
    servers.push(...backends);
    jobs = backends.map(jobOf);
    results = [...plain, ...many];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('is the verdict made from the full result, for every result, both phases and every size', () => {
    // Act
    const rows = backends.map((backend, i) => {
      const full = results[i];
      const key = keyOf(jobs[i]);
      const expected = judged(verdicts(backend.name, jobs[i], full));
      const compacted = SIZES.map((size) => {
        const compact = compactResult(full, key, size);
        const dropped = Object.values(compact.phases).reduce((sum, phase) => sum + (phase?.socketsOmitted ?? 0), 0);
        const unacceptedDropped = unaccepted(full) - unaccepted(compact);
        return { size, bytes: jsonBytes({ key, result: compact }), dropped, unacceptedDropped, judged: judged(verdicts(backend.name, jobs[i], compact)) };
      });
      return { backend, full, fullBytes: jsonBytes({ key, result: full }), expected, compacted };
    });
    console.log(
      [
        'backend               | LB / LB-short verdicts (pre, keep) | full B | 4096: B (dropped) | 2048: B (dropped) | 1024: B (dropped) | same',
        ...rows.map(({ backend, fullBytes, expected, compacted }) =>
          [
            backend.name.padEnd(21),
            expected.map((lb) => `${lb.verdict} (${PHASE_NAMES.map((p) => lb.phases[p]?.verdict ?? '-').join(', ')})`).join(' / ').padEnd(34),
            String(fullBytes).padStart(6),
            ...compacted.map((c) => `${c.bytes} (${c.dropped})`.padStart(17)),
            compacted.every((c) => JSON.stringify(c.judged) === JSON.stringify(expected)) ? 'yes' : 'NO',
          ].join(' | '),
        ),
      ].join('\n'),
    );

    // Assess: the corpus holds what compaction can hurt, and no verdict moved
    const verdictsSeen = new Set(rows.flatMap((row) => row.expected.map((lb) => lb.verdict)));
    expect([...verdictsSeen].sort()).toEqual(['fail', 'inconclusive', 'pass']);
    expect(rows.some((row) => row.compacted[0].dropped > 0)).toBe(true);
    const unacceptedDropped = rows.filter((row) => row.compacted.some((c) => c.unacceptedDropped > 0)).map((row) => row.backend.name);
    console.log(`records of never-accepted sockets dropped by compaction: ${unacceptedDropped.join(', ')}`);
    expect(unacceptedDropped.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const compacted of row.compacted) expect({ backend: row.backend.name, size: compacted.size, judged: compacted.judged }).toEqual({ backend: row.backend.name, size: compacted.size, judged: row.expected });
    }
  });
});
