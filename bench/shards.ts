/**
 * The deployment's path at scale: 1,000 loopback backends with known limits, planned into
 * shards as discover does, each shard probed by the real probe handler in its own process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_BACKENDS, type BackendSpec } from '../cli/demo/backends';
import type { Discovery, LoadBalancerPlan, ProbePlanItem } from '../lambda/discovery/types';
import { mapLimit } from '../lambda/discovery/aws';
import { toProbePlan } from '../lambda/discovery/plan';
import { toShards } from '../lambda/run/shards';
import type { Shard, ShardResult } from '../lambda/run/types';
import type { ProbeResult } from '../lambda/probe';
import { startBackends } from './backends';

const LB_S = 6;
/** Shards probed at once: the state machine's default MaxConcurrency. */
const CONCURRENCY = 10;

interface ShardRun {
  readonly output: ShardResult;
  readonly peakRssMiB: number;
  readonly wallS: number;
}

function runShard(shard: Shard): Promise<ShardRun> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'shard-process.ts')], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } });
  child.stdin.end(JSON.stringify(shard));
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ShardRun) : reject(new Error(`shard ${shard.shardId} exited ${code}`)))));
}

/** 1,000 backends: lazy ones with exact known limits, and the demo's tuned backend. */
export async function shardsBenchmark(count = 1000): Promise<void> {
  const lazyLimitsS = [1.5, 2.5, 3.5, 4.5, 5.5];
  const specs: BackendSpec[] = Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? { ...DEMO_BACKENDS[3], name: `lazy-${i}`, lazyHeadersTimeoutMs: lazyLimitsS[(i / 2) % lazyLimitsS.length] * 1000 } : { ...DEMO_BACKENDS[3], name: `tuned-${i}` },
  );
  const backends = await startBackends(specs);
  try {
    // One load balancer per backend, as discover would plan them.
    const loadBalancers: LoadBalancerPlan[] = backends.ports.map((port, i) => ({
      name: `lb-${i}`,
      type: 'application',
      vpcId: 'vpc-0a1',
      idleTimeoutS: LB_S,
      backends: [{ id: `127.0.0.1:${port}`, target: { host: '127.0.0.1', port, tls: false, path: '/' }, proxyProtocol: false }],
      backendsNotSampled: 0,
      skipped: [],
    }));
    const discovery: Discovery = { region: 'local', loadBalancers, notCovered: [], excluded: [], apiCalls: 0 };
    const plan: ProbePlanItem[] = toProbePlan(loadBalancers);
    const shards = toShards('bench', discovery, plan);
    const started = performance.now();
    const runs = await mapLimit(shards, CONCURRENCY, runShard);
    const wallS = (performance.now() - started) / 1000;

    const results = runs.flatMap((r) => r.output.results.map((x) => x.result));
    // By port, not by position: the plan orders backends by key, not as they were started.
    const specOf = (result: ProbeResult) => specs[backends.ports.indexOf(result.target.port)];
    const lazy = results.filter((result) => specOf(result).lazyHeadersTimeoutMs !== undefined);
    const errorsMs = lazy.flatMap((result) => {
      const limitS = result.phases.preRequest?.limitS ?? null;
      return limitS === null ? [] : [(limitS - specOf(result).lazyHeadersTimeoutMs! / 1000) * 1000];
    });
    const lazyFailing = lazy.filter((r) => r.verdict === 'fail').length;
    const tunedPassing = results.filter((r) => specOf(r).lazyHeadersTimeoutMs === undefined && r.verdict === 'pass').length;
    const { maxDelayMs } = await backends.stop();
    const horizonS = results[0].horizonS;
    const sorted = [...errorsMs].sort((a, b) => a - b);
    console.log(`\n## ${count} backends through the probe handler, in shards (load balancer ${LB_S} s, ${CONCURRENCY} shards at once)\n`);
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| shards (targets per shard) | ${shards.length} (${shards[0].items.length}) |`);
    console.log(`| total wall time / horizon | ${wallS.toFixed(1)} s / ${horizonS} s = ${(wallS / horizonS).toFixed(2)} (${Math.ceil(shards.length / CONCURRENCY)} waves) |`);
    console.log(`| wall time per shard | ${Math.min(...runs.map((r) => r.wallS)).toFixed(1)} to ${Math.max(...runs.map((r) => r.wallS)).toFixed(1)} s |`);
    console.log(`| peak memory per shard (RSS) | ${Math.min(...runs.map((r) => r.peakRssMiB)).toFixed(0)} to ${Math.max(...runs.map((r) => r.peakRssMiB)).toFixed(0)} MiB |`);
    console.log(`| lazy limits: error (min / median / max) | ${sorted[0].toFixed(0)} / ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} / ${sorted[sorted.length - 1].toFixed(0)} ms over ${sorted.length} backends |`);
    console.log(`| lazy backends failing (with a limit) | ${lazyFailing} of ${lazy.length} (${errorsMs.length}) |`);
    // A lazy backend counts from its own accept: past a second of delay, its truth is not the spec's
    console.log(`| backends' process: worst event-loop delay | ${maxDelayMs.toFixed(0)} ms |`);
    console.log(`| tuned backends passing | ${tunedPassing} of ${results.length - lazy.length} |`);
    console.log(`| invocations per run in a deployment | ${shards.length + 2} (discover, ${shards.length} probe, publish) |`);
  } finally {
    void backends.stop();
  }
}
