/**
 * `npm run cost`: the README's monthly cost table, from the stack's own parameters.
 */
import { ACCESS_LOG_ASSUMPTIONS, ASSUMPTIONS, accessLogsMonthlyCost, monthlyCost } from '../lib/cost';

const rows = [10, 100, 2000].map((n) => monthlyCost(n));
const usd = (v: number) => `$${v.toFixed(2)}`;
console.log(`Monthly cost (USD, eu-west-1 list prices), schedule every ${ASSUMPTIONS.periodMinutes} minutes, ${ASSUMPTIONS.backendsPerLoadBalancer} backends per load balancer:\n`);
console.log('| load balancers | runs | Lambda invocations per run | Lambda | Step Functions | custom metrics | alarms | dashboard | S3 | total |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.loadBalancers} | ${r.runs} | ${r.invocationsPerRun} | ${usd(r.lambda)} | ${usd(r.stepFunctions)} | ${usd(r.metrics)} | ${usd(r.alarms)} | ${usd(r.dashboard)} | ${usd(r.s3)} | **${usd(r.total)}** |`);
}

const logs = [10, 100, 2000].map((n) => accessLogsMonthlyCost(n));
const a = ACCESS_LOG_ASSUMPTIONS;
console.log(`\nWith access logs (accessLogBuckets), added per month: ${a.nodesPerLoadBalancer} nodes per load balancer writing an object every 5 minutes, ${a.requestsPerSecondPerLoadBalancer} requests a second per load balancer:\n`);
console.log('| load balancers | log objects | Lambda | custom metrics | alarm | S3 | total |');
console.log('|---|---|---|---|---|---|---|');
for (const r of logs) console.log(`| ${r.loadBalancers} | ${r.objects} | ${usd(r.lambda)} | ${usd(r.metrics)} | ${usd(r.alarms)} | ${usd(r.s3)} | **${usd(r.total)}** |`);
