/**
 * Node.js's periodic check met at every phase: the same server probed in runs started at
 * different moments of its 30 s (or 5 s) sweep, each run against its own server, all at once.
 *
 * Why one server per run: a server's sweep phase is fixed when it starts listening, so a run
 * started `offsetS` after its server meets the sweep at that phase; concurrent runs keep the
 * suite's wall time at one run's (about two minutes) instead of one per phase.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { probeTargets, type PhaseResult, type ProbeResult } from '../../../lambda/probe';
import { ensureNodeBinary, startNodeServer, type NodeServerSettings, type RunningServer } from '../../support/real-servers';

const NODE_20 = '20.20.2';
const NODE_22 = '22.23.3';

interface PhaseRun {
  readonly name: string;
  readonly offsetS: number;
  readonly result: ProbeResult;
}

interface RunPlan {
  readonly name: string;
  readonly version: string;
  readonly settings?: NodeServerSettings;
  readonly offsetsS: readonly number[];
}

const PLANS: readonly RunPlan[] = [
  // Our own advice's fix: the threshold (66 s) lies past the 60 s load balancer plus the 1 s margin.
  { name: 'tuned 20', version: NODE_20, settings: { properties: { keepAliveTimeout: 65_000, headersTimeout: 66_000 } }, offsetsS: [0, 10, 20] },
  { name: 'defaults 22', version: NODE_22, offsetsS: [0, 5, 10, 15, 20, 25] },
  {
    name: 'headers 20 s 22',
    version: NODE_22,
    settings: { options: { headersTimeout: 20_000, requestTimeout: 0, connectionsCheckingInterval: 5000 } },
    offsetsS: [0, 2],
  },
];

const target = (server: RunningServer) => ({ host: server.host, port: server.port, tls: false, path: '/' });

function describeRun({ name, offsetS, result }: PhaseRun): string {
  const phase = (p: PhaseResult | undefined) =>
    p === undefined ? '-' : `${p.survivedS} .. ${p.failedS} s, sweepS ${p.sweepS} (${p.sweepsSeen ?? 0} seen), ${p.closedWith}, ${p.verdict}${p.reason ? ` (${p.reason})` : ''}`;
  return `${name} +${offsetS} s: preRequest ${phase(result.phases.preRequest)}; keepAlive ${phase(result.phases.keepAlive)}; ${result.elapsedS} s, ${result.socketsUsed} sockets (${result.peakSockets} at once)`;
}

describe('Node.js periodic checks probed at every sweep phase, behind 60 s', () => {
  const servers: RunningServer[] = [];
  let runs: PhaseRun[] = [];
  const runsOf = (name: string) => runs.filter((run) => run.name === name);

  beforeAll(async () => {
    const binaries = new Map(await Promise.all([NODE_20, NODE_22].map(async (version) => [version, await ensureNodeBinary(version)] as const)));
    runs = await Promise.all(
      PLANS.flatMap((plan) =>
        plan.offsetsS.map(async (offsetS) => {
          const server = await startNodeServer(binaries.get(plan.version)!, plan.settings);
          servers.push(server);
          await sleep(offsetS * 1000);
          const [result] = await probeTargets([{ target: target(server), loadBalancerIdleTimeoutS: 60 }]);
          return { name: plan.name, offsetS, result };
        }),
      ),
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    console.log(runs.map(describeRun).join('\n'));
  });

  it(`passes both phases of Node.js ${NODE_20} with keepAliveTimeout 65000 and headersTimeout 66000, in every run`, () => {
    // Assess: a connection idle past 61 s was seen to survive a check
    const tuned = runsOf('tuned 20');
    expect(tuned).toHaveLength(3);
    for (const { result } of tuned) {
      expect(result.phases.preRequest).toMatchObject({ verdict: 'pass' });
      expect(result.phases.preRequest!.survivedS!).toBeGreaterThanOrEqual(61);
      expect(result.phases.keepAlive).toMatchObject({ verdict: 'pass' });
    }
  });

  it(`fails Node.js ${NODE_22} with its defaults in six runs 5 s apart, the 60 s threshold bracketed within [59.5, 62] s`, () => {
    // Assess
    const defaults = runsOf('defaults 22');
    expect(defaults).toHaveLength(6);
    for (const { result } of defaults) {
      const preRequest = result.phases.preRequest!;
      expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'http-408', verdict: 'fail' });
      expect(preRequest.limitS!).toBeGreaterThanOrEqual(59.5);
      expect(preRequest.limitS!).toBeLessThanOrEqual(62);
    }
  });

  it(`fails Node.js ${NODE_22} with headersTimeout 20000 checked every 5 s, the threshold within [19.5, 22] s`, () => {
    // Assess
    const headers = runsOf('headers 20 s 22');
    expect(headers).toHaveLength(2);
    for (const { result } of headers) {
      const preRequest = result.phases.preRequest!;
      expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'http-408', verdict: 'fail' });
      expect(preRequest.limitS!).toBeGreaterThanOrEqual(19.5);
      expect(preRequest.limitS!).toBeLessThanOrEqual(22);
    }
  });

  it('reports an interval only where two checks were seen, and never 0', () => {
    // Assess
    for (const { result } of runs) {
      const { sweepS, sweepsSeen } = result.phases.preRequest!;
      if (sweepS === null) continue;
      expect(sweepS).toBeGreaterThan(0);
      if ((sweepsSeen ?? 0) > 1) expect(sweepS).toBeGreaterThan(1);
    }
  });
});
