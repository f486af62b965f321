/**
 * `npm run bench`: the probe engine's precision, duration, socket use, memory and timer
 * lateness, against real loopback backends whose limits are known; and the access log
 * parser's throughput and memory on a generated gigabyte.
 *
 * Timeouts are scaled down by 10 (a 6 s load balancer) so that the whole benchmark takes
 * about a minute; the narrowing precision is scaled with them (0.05 s here is 0.5 s at 60 s).
 * And the command's start-up time and memory (`startup`), with the single file's size.
 */
import { runProbe, type PhaseName, type ProbeJob, type ProbeOptions } from '../lambda/probe';
import { DEMO_BACKENDS, type BackendSpec } from '../cli/demo/backends';
import { coarseClockServer, measureKeepAliveCloseS } from '../test/support/loopback';
import { http2Server } from '../test/support/http2-servers';
import { startBackends } from './backends';
import { accessLogsBenchmark } from './access-logs';
import { shardsBenchmark } from './shards';
import { startupBenchmark } from './startup';

const LB_S = 6;
const OPTIONS: ProbeOptions = { marginS: 0.1, precisionS: LB_S / 120 };

const job = (port: number): ProbeJob => ({ target: { host: '127.0.0.1', port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: LB_S });
const base = { description: 'bench', keepAliveTimeoutMs: 30_000, headersTimeoutMs: 30_000 };
/** The sweep interval of the periodic backends: Node.js's 30 s default, scaled down with the timeouts. */
const SWEEP_MS = 1000;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0).padStart(5)} ms`;

async function precision(): Promise<void> {
  console.log(`\n## Precision against known limits (load balancer ${LB_S} s, margin ${OPTIONS.marginS} s, precision ${OPTIONS.precisionS} s, sweeps bracketed to a 33rd of the horizon)\n`);
  console.log('| backend | true limit | measured | verdict | error | bracket width | wall time / horizon | sockets (at once) |');
  console.log('|---|---|---|---|---|---|---|---|');
  const lazyLimitsS = [1.5, 2.5, 3.3, 4.0, 4.7, 5.5];
  const eagerKeepAliveMs = [1000, 2000, 3000, 4000];
  // Per-connection in both phases (nginx, Go, puma): silent connections closed on their own
  // timer at 6.5 s, past the load balancer plus margin and within the horizon, so that the
  // staggered sockets' closes show a timer, not a sweep; the last one passes both phases.
  const perConnectionPreRequestMs = 6500;
  const bothKeepAliveMs = [1000, 4000, perConnectionPreRequestMs];
  // Node.js 18+ style: headersTimeout checked in sweeps every second (its 30 s default, scaled);
  // 7 s lies past the load balancer plus margin, past the horizon too: it must pass.
  const sweepThresholdsS = [2, 4, 5.5, 7];
  /** Idle counted in whole seconds: closes from `limit - 1` to `limit` s, the earliest is the limit. */
  const coarseTicks = 7;
  /** An HTTP/2 server's session timeout (`server.setTimeout`), closing with GOAWAY: probed over HTTP/2. */
  const http2TimeoutS = 3;
  // Node.js's own eager keep-alive close, but its pre-request close (headersTimeout 30 s) is
  // swept every 30 s: nothing closes a silent connection within the horizon, and a sweep just
  // past it cannot be ruled out, so the pre-request phase waits half a horizon for one.
  const nodeLike = eagerKeepAliveMs.map((keepAliveTimeoutMs) => ({ ...base, name: `eager-${keepAliveTimeoutMs} (Node.js-like: pre-request swept every 30 s)`, keepAliveTimeoutMs }));
  const perConnection = bothKeepAliveMs.map((keepAliveTimeoutMs) => ({
    ...base,
    name: `per-connection-${keepAliveTimeoutMs} (keep-alive ${keepAliveTimeoutMs / 1000} s, pre-request ${perConnectionPreRequestMs / 1000} s)`,
    keepAliveTimeoutMs,
    preRequestTimeoutMs: perConnectionPreRequestMs,
  }));
  const specs: BackendSpec[] = [
    ...lazyLimitsS.map((limitS) => ({ ...base, name: `lazy-${limitS}`, lazyHeadersTimeoutMs: limitS * 1000 })),
    ...nodeLike,
    ...perConnection,
    ...sweepThresholdsS.map((thresholdS) => ({ ...base, name: `sweep-${thresholdS}`, headersTimeoutMs: thresholdS * 1000, connectionsCheckingIntervalMs: SWEEP_MS })),
  ];
  const [backends, coarse, h2] = await Promise.all([startBackends(specs), coarseClockServer(coarseTicks), http2Server({ timeoutMs: http2TimeoutS * 1000 })]);
  const h2Base = job(h2.port);
  const h2Job: ProbeJob = { ...h2Base, target: { ...h2Base.target, protocolVersion: 'HTTP2' } };
  try {
    const eagerFrom = lazyLimitsS.length;
    const eagerPorts = backends.ports.slice(eagerFrom, eagerFrom + nodeLike.length + perConnection.length);
    // Ground truth for eager limits: a plain socket's view of the same servers, at the same time.
    const [truthsS, run] = await Promise.all([Promise.all(eagerPorts.map(measureKeepAliveCloseS)), runProbe([...[...backends.ports, coarse.port].map(job), h2Job], OPTIONS)]);
    type Row = { readonly name: string; readonly result: number; readonly phase: PhaseName; readonly trueS: number };
    const at = (index: number, phase: PhaseName, trueS: number, name = index < specs.length ? specs[index].name : `coarse-clock-${coarseTicks}`): Row => ({ name, result: index, phase, trueS });
    const rows: Row[] = [
      ...lazyLimitsS.map((trueS, i) => at(i, 'preRequest', trueS)),
      ...truthsS.map((trueS, i) => at(eagerFrom + i, 'keepAlive', trueS)),
      // The per-connection backends' pre-request phase, whose closes end it at the second one.
      ...perConnection.map((spec, i) => at(eagerFrom + nodeLike.length + i, 'preRequest', perConnectionPreRequestMs / 1000, `${spec.name}: pre-request`)),
      ...sweepThresholdsS.map((trueS, i) => at(eagerFrom + eagerPorts.length + i, 'preRequest', trueS)),
      at(specs.length, 'preRequest', coarseTicks - 1),
      // Its keep-alive phase: the earliest close lies 0.1 s below the pass line, where the two
      // keep-alive moments may both miss it and the tick test meets it.
      at(specs.length, 'keepAlive', coarseTicks - 1, `coarse-clock-${coarseTicks}: keep-alive`),
      ...(['preRequest', 'keepAlive'] as const).map((phase) => at(specs.length + 1, phase, http2TimeoutS, `http2-session-timeout-${http2TimeoutS} (HTTP/2, GOAWAY): ${phase}`)),
    ];
    const wallOf = (from: number, count: number) => run.results.slice(from, from + count).map((r) => r.elapsedS / r.horizonS);
    const groups = {
      'per-connection in both phases, keep-alive closed within the horizon': wallOf(eagerFrom + nodeLike.length, perConnection.length - 1),
      'per-connection in both phases, keep-alive survived the horizon (its request goes out at the horizon)': wallOf(eagerFrom + nodeLike.length + perConnection.length - 1, 1),
      'Node.js-like eager (pre-request swept, unseen within the horizon)': wallOf(eagerFrom, nodeLike.length),
      'sweeps': wallOf(eagerFrom + eagerPorts.length, sweepThresholdsS.length),
    };
    for (const { name, result: index, phase: which, trueS } of rows) {
      const result = run.results[index];
      const phase = result.phases[which]!;
      const width = phase.failedS === null ? null : phase.failedS - (phase.survivedS ?? 0);
      const how = phase.sweepS === null ? phase.enforcement : `${phase.enforcement}, ${(phase.sweepsSeen ?? 1) > 1 ? `every ${phase.sweepS.toFixed(2)} s` : `one sweep seen, >= ${phase.sweepS.toFixed(2)} s apart`}`;
      const measured = phase.limitS === null ? `none (survived ${phase.survivedS?.toFixed(3)} s)` : `${phase.limitS.toFixed(3)} s`;
      console.log(
        `| ${name} (${how}) | ${trueS.toFixed(3)} s | ${measured} | ${phase.verdict} | ${phase.limitS === null ? '-' : ms(phase.limitS - trueS)} | ${width === null ? '-' : ms(width)} | ${(result.elapsedS / result.horizonS).toFixed(2)} | ${result.socketsUsed} (${result.peakSockets}) |`,
      );
    }
    const horizonS = run.results[0].horizonS;
    console.log('\n| backends | wall time / horizon, worst |\n|---|---|');
    for (const [group, walls] of Object.entries(groups)) console.log(`| ${group} | ${Math.max(...walls).toFixed(2)} |`);
    console.log(
      `\nGoals: per-connection backends whose closes come within the horizon at most 1.05 horizons; sweeps at most the horizon plus one sweep interval, ${((horizonS + SWEEP_MS / 1000) / horizonS).toFixed(2)} of the horizon. A pre-request phase that closed nothing by the horizon (the Node.js-like rows) is given half a horizon for a sweep: a sweep just past the horizon cannot be ruled out, and a pass without it would be false for Node.js 22's defaults.`,
    );
  } finally {
    void backends.stop();
    void coarse.close();
    void h2.close();
  }
}

async function load(targets: number): Promise<void> {
  console.log(`\n## ${targets} targets probed at once (the four demo backends, ${targets / DEMO_BACKENDS.length} each)\n`);
  const backends = await startBackends(Array.from({ length: targets }, (_, i) => DEMO_BACKENDS[i % DEMO_BACKENDS.length]));
  try {
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 50);
    const run = await runProbe(backends.ports.map(job), { ...OPTIONS, maxOpenSockets: targets * 16 });
    clearInterval(sampler);
    const horizonS = run.results[0].horizonS;
    const verdicts = run.results.reduce<Record<string, number>>((count, r) => ({ ...count, [r.verdict]: (count[r.verdict] ?? 0) + 1 }), {});
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| wall time / horizon | ${run.stats.elapsedS.toFixed(2)} s / ${horizonS} s = ${(run.stats.elapsedS / horizonS).toFixed(2)} |`);
    console.log(`| sockets opened (per target) | ${run.stats.socketsOpened} (${(run.stats.socketsOpened / targets).toFixed(1)}) |`);
    console.log(`| peak open sockets | ${run.stats.peakOpenSockets} |`);
    console.log(`| max timer lateness | ${run.stats.maxTimerLatenessMs.toFixed(1)} ms |`);
    console.log(`| peak RSS / heap (start) | ${(peakRss / 2 ** 20).toFixed(0)} MiB / ${(peakHeap / 2 ** 20).toFixed(0)} MiB (${(before.rss / 2 ** 20).toFixed(0)} / ${(before.heapUsed / 2 ** 20).toFixed(0)} MiB) |`);
    console.log(`| verdicts | ${JSON.stringify(verdicts)} (expected 3 of 4 fail) |`);
  } finally {
    void backends.stop();
  }
}

/** Every section; `npm run bench -- access-logs` (or any names) runs only those. */
const SECTIONS: Record<string, () => Promise<void>> = {
  precision,
  load: () => load(500),
  shards: () => shardsBenchmark(1000),
  'access-logs': () => accessLogsBenchmark(1),
  startup: startupBenchmark,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown benchmark section "${unknown[0]}": expected ${Object.keys(SECTIONS).join(', ')}`);
  console.log(`# idle-canary benchmark (Node.js ${process.version})`);
  for (const [name, run] of Object.entries(SECTIONS)) if (wanted.length === 0 || wanted.includes(name)) await run();
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 2;
});
