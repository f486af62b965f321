import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { toProbePlan, type Discovery, type LoadBalancerPlan } from '../../../lambda/discovery';
import { renderHtmlReport } from '../../../lambda/report/html';
import { renderMarkdownReport } from '../../../lambda/report/markdown';
import type { ScanReport } from '../../../lambda/report/scan';
import { renderScanReport } from '../../../lambda/report/scan-terminal';
import { concludeRun, probeShard } from '../../../lambda/run/pipeline';

/** The 60 s and 100 s load balancers of the issue, scaled down by 25. */
const SHORT_S = 2.4;
const LONG_S = 4;

/**
 * The margin, scaled less than the rest (a 1 s margin would be 0.04 s): small enough that the
 * 3 s backend passes the 2.4 s load balancer wherever its sweep's bracket falls. At 0.5 s the
 * threshold was 2.9 s, inside the bracket, and the verdict changed from run to run.
 */
const MARGIN_S = 0.1;

/** One rendering's part about one load balancer: from its heading to the next load balancer's. */
function section(text: string, start: string, next: RegExp): string {
  const from = text.indexOf(start);
  expect(from).toBeGreaterThanOrEqual(0);
  const rest = text.slice(from + start.length);
  const end = rest.search(next);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('the reports of a backend shared by a short and a long load balancer', () => {
  let backend: RunningBackend;
  let report: ScanReport;
  let probedAgainstS: number[];

  beforeAll(async () => {
    // Prepare: a real backend that drops idle connections after 3 s, behind a 2.4 s and a 4 s load balancer
    backend = await startBackend({ name: 'shared', description: '3 s idle limit', keepAliveTimeoutMs: 3000, headersTimeoutMs: 3000, connectionsCheckingIntervalMs: 250 });
    const shared = { id: `127.0.0.1:${backend.port}`, target: { host: '127.0.0.1', port: backend.port, tls: false, path: '/' }, proxyProtocol: false };
    const lb = (name: string, idleTimeoutS: number): LoadBalancerPlan => ({ name, type: 'application', vpcId: 'vpc-1', idleTimeoutS, marginS: MARGIN_S, backends: [shared], backendsNotSampled: 0, skipped: [] });
    const discovery: Discovery = { region: 'local', loadBalancers: [lb('lb-short', SHORT_S), lb('lb-long', LONG_S)], notCovered: [], excluded: [], apiCalls: 0 };
    const plan = toProbePlan(discovery.loadBalancers);
    probedAgainstS = plan.map((item) => item.job.loadBalancerIdleTimeoutS);

    // Act: the run's own steps, probed once, judged against each load balancer
    const probed = await probeShard({ runId: 'shared', shardId: 0, vpcId: 'vpc-1', items: plan }, { marginS: MARGIN_S, precisionS: 0.1, timeBudgetMs: 60_000 });
    ({ report } = await concludeRun(discovery, plan, probed.results.map((r) => r.result), { startedAt: new Date() }));
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
  });

  it('probes the backend once, against the longer timeout, and judges it against each load balancer', () => {
    // Assess
    expect(probedAgainstS).toEqual([LONG_S]);
    expect(Object.fromEntries(report.loadBalancers.map((lb) => [lb.name, lb.verdict]))).toEqual({ 'lb-short': 'pass', 'lb-long': 'fail' });
    expect(report.loadBalancers.find((lb) => lb.name === 'lb-short')!.backends[0].verdict).toBe('pass');
  });

  it('gives each load balancer its own verdict, limit and advice in the HTML report', () => {
    // Act
    const html = renderHtmlReport(report);
    const short = section(html, '<h2 id="lb-lb-short">', /<h2 /);
    const long = section(html, '<h2 id="lb-lb-long">', /<h2 /);

    // Assess: the passing load balancer is told nothing is wrong, the failing one what to lower
    expect(short).toContain('<span class="pass">PASS</span>');
    expect(short).toContain('outlasts the load balancer');
    expect(short).toContain(`more than the ${SHORT_S.toFixed(1)} s idle timeout`);
    expect(short).not.toMatch(/drops idle connections|lower the load balancer idle timeout|FAIL|: fail;/);
    expect(long).toContain('<span class="fail">FAIL</span>');
    expect(long).toContain(`Behind a ${LONG_S.toFixed(1)} s load balancer idle timeout`);
    expect(long).toMatch(/lower the load balancer idle timeout to [1-3] s/);
  });

  it('gives each load balancer its own verdict and advice in the Markdown report', () => {
    // Act
    const markdown = renderMarkdownReport(report);

    // Assess: only the failing load balancer has a section, with its own timeout; the passing one's row has no failing backend
    expect(markdown).toMatch(/\| lb-short \| application \| 2\.4 s \| PASS \|[^\n]*\| - \|\n/);
    expect(markdown).not.toContain('## lb-short');
    const long = section(markdown, '## lb-long: FAIL', /\n## /);
    expect(long).toContain(`Behind a ${LONG_S.toFixed(1)} s load balancer idle timeout`);
    expect(long).toMatch(/lower the load balancer idle timeout to [1-3] s/);
  });

  it('gives each load balancer its own verdict and advice in the terminal report', () => {
    // Act
    const text = renderScanReport(report);
    const short = section(text, 'lb-short (', /\nlb-long \(/);
    const long = section(text, 'lb-long (', /\nlb-short \(/);

    // Assess
    expect(short).toMatch(/PASS/);
    expect(short).toContain("(127.0.0.1) pass");
    expect(short).not.toMatch(/drops idle connections|lower the load balancer idle timeout|FAIL/);
    expect(long).toMatch(/FAIL/);
    expect(long.replace(/\s+/g, ' ')).toMatch(/lower the load balancer idle timeout to [1-3] s/);
  });
});
