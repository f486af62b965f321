/**
 * `npm run cost`: the README's monthly cost table, from the stack's own parameters.
 */
import { ACCESS_LOG_ASSUMPTIONS, ASSUMPTIONS, LONG_PROBE_ASSUMPTIONS, PUBLIC_ORIGIN_ASSUMPTIONS, accessLogsMonthlyCost, longProbeCost, monthlyCost, publicOriginsCost } from '../lib/cost';
import { defaults } from '../lib/props';

const usd = (v: number) => `$${v.toFixed(2)}`;
const SETS = ['lean', 'detailed'] as const;
const COUNTS = [10, 100, 2000];
const setName = (set: string) => (set === defaults.metrics ? `${set} (default)` : set);
console.log(`Monthly cost (USD, eu-west-1 list prices), schedule every ${ASSUMPTIONS.periodMinutes} minutes, ${ASSUMPTIONS.backendsPerLoadBalancer} backends per load balancer:\n`);
console.log('| metric set | load balancers | runs | Lambda invocations per run | Lambda | Step Functions | custom metrics | alarms | dashboard | S3 | total | per load balancer |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of SETS.flatMap((set) => COUNTS.map((n) => monthlyCost(n, set)))) {
  console.log(`| ${setName(r.metricSet)} | ${r.loadBalancers} | ${r.runs} | ${r.invocationsPerRun} | ${usd(r.lambda)} | ${usd(r.stepFunctions)} | ${usd(r.metrics)} | ${usd(r.alarms)} | ${usd(r.dashboard)} | ${usd(r.s3)} | **${usd(r.total)}** | ${usd(r.perLoadBalancer)} |`);
}

const a = ACCESS_LOG_ASSUMPTIONS;
console.log(`\nWith access logs (accessLogBuckets), added per month: ${a.nodesPerLoadBalancer} nodes per load balancer writing an object every 5 minutes, ${a.requestsPerSecondPerLoadBalancer} requests a second per load balancer; lean: hang-ups in ${a.hangupHourShare * 100} % of a load balancer's hours:\n`);
console.log('| metric set | load balancers | log objects | Lambda | custom metrics | alarm | S3 | total | per load balancer |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of SETS.flatMap((set) => COUNTS.map((n) => accessLogsMonthlyCost(n, set)))) {
  console.log(`| ${setName(r.metricSet)} | ${r.loadBalancers} | ${r.objects} | ${usd(r.lambda)} | ${usd(r.metrics)} | ${usd(r.alarms)} | ${usd(r.s3)} | **${usd(r.total)}** | ${usd(r.perLoadBalancer)} |`);
}

const long = [600, 905, 3600, 4000].map((t) => longProbeCost(t));
const l = LONG_PROBE_ASSUMPTIONS;
console.log(`\nWith longTimeouts, added per VPC that has long-horizon backends: one Fargate task per run (${l.vcpu} vCPU, ${l.memoryGb} GB, Linux/ARM), schedule every ${l.periodMinutes} minutes; typical = eager or healthy backends (one horizon), worst = a lazy limit narrowed for the whole budget:\n`);
console.log('| idle timeout | task seconds per run | vCPU-seconds per run | GB-seconds per run | per run | runs | per month |');
console.log('|---|---|---|---|---|---|---|');
const pair = (p: { typical: number; worst: number }, f: (v: number) => string = String) => `${f(p.typical)} to ${f(p.worst)}`;
for (const r of long) console.log(`| ${r.loadBalancerIdleTimeoutS} s | ${pair(r.taskSeconds)} | ${pair(r.vcpuSeconds)} | ${pair(r.gbSeconds)} | ${pair(r.usdPerRun, (v) => `$${v.toFixed(4)}`)} | ${r.runs} | ${pair(r.usdPerMonth, usd)} |`);
const every15 = longProbeCost(3600, { ...LONG_PROBE_ASSUMPTIONS, periodMinutes: 15 });
console.log(`\nAt a 15-minute schedule the 3600 s task would run ${every15.runs} times a month (${pair(every15.usdPerMonth, usd)}), but runs would overlap: a stack with longTimeouts runs every ${l.periodMinutes} minutes.`);

const p = PUBLIC_ORIGIN_ASSUMPTIONS;
console.log(`\nWith cloudFront and probePublicOrigins, the probe function outside any VPC: $0 while no run plans a public origin; then, per month, its invocations (${p.targetsPerInvocation} origins each, ${p.memoryGb * 1024} MB) and their state transitions, schedule every ${p.periodMinutes} minutes; typical = eager or healthy origins (one horizon), worst = a lazy limit narrowed:\n`);
console.log('| CloudFront keep-alive | public origins | invocations per run | per month |');
console.log('|---|---|---|---|');
for (const keepAliveS of [5, 30, 60]) for (const origins of [1, 10, 100]) {
  const r = publicOriginsCost(origins, keepAliveS);
  console.log(`| ${r.keepAliveS} s | ${r.origins} | ${r.invocationsPerRun} | ${pair(r.usdPerMonth, usd)} |`);
}
