import type { LoadBalancerVerdict, PhaseVerdict } from '../../../lambda/judge';
import { changeNotification, compareRuns } from '../../../lambda/report/changes';
import { digestNotification } from '../../../lambda/report/digest';
import { runLinks } from '../../../lambda/report/console-links';
import { renderMarkdownReport } from '../../../lambda/report/markdown';
import type { ScanReport } from '../../../lambda/report/scan';
import { renderScanReport } from '../../../lambda/report/scan-terminal';
import { hangupsSentence, hangupsText } from '../../../lambda/report/view';

const phase = (limitS: number | null, verdict: PhaseVerdict['verdict']): PhaseVerdict => ({ limitS, survivedS: limitS === null ? 66 : null, verdict, failingBackends: verdict === 'fail' ? ['i-0a:30080'] : [] });
const lb = (name: string, preRequest: PhaseVerdict): LoadBalancerVerdict => ({
  name,
  type: 'classic',
  vpcId: 'vpc-0a1',
  idleTimeoutS: 60,
  marginS: 1,
  phases: { preRequest, keepAlive: phase(null, 'pass') },
  verdict: preRequest.verdict,
  backends: [],
  probeErrors: 0,
  backendsNotSampled: 0,
  skipped: [],
});
const WEB = lb('web', phase(40.287, 'fail'));
const API = lb('api', phase(null, 'pass'));
const report = (accessLogs?: ScanReport['accessLogs']): ScanReport => ({
  region: 'eu-west-1',
  startedAt: '2026-11-25T18:00:00.000Z',
  finishedAt: '2026-11-25T18:01:07.000Z',
  verdict: 'fail',
  loadBalancers: [WEB, API],
  notCovered: [],
  excluded: [],
  apiCalls: 6,
  ...(accessLogs ? { accessLogs } : {}),
});
const LOGGED = report({ windowMinutes: 60, byLoadBalancer: { web: { requests: 12345, hangups: 37 }, api: { requests: 800, hangups: 0 } } });

describe('hang-ups next to the probe verdict', () => {
  it('reads "37 of 12,345" for a load balancer that logged, "-" for one that did not, and nothing without access logs', () => {
    // Act & Assess
    expect([hangupsText(LOGGED, WEB), hangupsText(LOGGED, API), hangupsText(LOGGED, lb('other', phase(null, 'pass'))), hangupsText(report(), WEB)]).toEqual(['37 of 12,345', '0 of 800', '-', null]);
    expect(hangupsText(report({ windowMinutes: 60, byLoadBalancer: {}, error: 'GetMetricData: AccessDenied: no' }), WEB)).toBe('not read');
    expect(hangupsSentence(LOGGED, WEB)).toBe('Access logs: 37 of 12,345 requests in the last 60 minutes died because the backend had already closed the connection.');
    expect(hangupsSentence(LOGGED, API)).toBeNull();
  });

  it('reads the hang-ups of a Classic ELB and an ALB of one name from their own series, and names each with its type', () => {
    // Prepare: the ALB's series is under AWS's own identity, app/web/ID; the Classic ELB's under its name
    const alb: LoadBalancerVerdict = { ...lb('web', phase(null, 'pass')), type: 'application', arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188' };
    const both: ScanReport = {
      ...report({ windowMinutes: 60, byLoadBalancer: { web: { requests: 12345, hangups: 37 }, 'app/web/50dc6c495c0c9188': { requests: 900, hangups: 0 } } }),
      loadBalancers: [WEB, alb],
    };

    // Act
    const markdown = renderMarkdownReport(both);
    const digest = digestNotification(both, runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'latest.html' }));

    // Assess
    expect([hangupsText(both, WEB), hangupsText(both, alb)]).toEqual(['37 of 12,345', '0 of 900']);
    expect(markdown).toContain('| web | classic | 60 s | FAIL | 40.3 s | ≥ 66.0 s | 37 of 12,345 | i-0a:30080 |');
    expect(markdown).toContain('| web | application | 60 s | PASS | ≥ 66.0 s | ≥ 66.0 s | 0 of 900 | - |');
    expect(markdown).toContain('## web (classic): FAIL');
    expect(digest.message).toContain('- FAILING web (classic) (idle timeout 60 s)');
  });

  it('puts the count in the Markdown table and under the failing load balancer', () => {
    // Act
    const markdown = renderMarkdownReport(LOGGED);

    // Assess
    expect(markdown).toContain('| load balancer | type | idle timeout | verdict | pre-request limit | keep-alive limit | hang-ups (last 60 min) | failing backends |');
    expect(markdown).toContain('| web | classic | 60 s | FAIL | 40.3 s | ≥ 66.0 s | 37 of 12,345 | i-0a:30080 |');
    expect(markdown).toContain('| api | classic | 60 s | PASS | ≥ 66.0 s | ≥ 66.0 s | 0 of 800 | - |');
    expect(markdown).toMatch(/## web: FAIL\n\n.*\n\nAccess logs: 37 of 12,345 requests in the last 60 minutes died/);
    expect(renderMarkdownReport(report())).not.toContain('hang-ups');
  });

  it('says in every rendering when the access logs could not be read, instead of showing zeros', () => {
    // Prepare
    const failed = report({ windowMinutes: 60, byLoadBalancer: {}, error: 'GetMetricData: AccessDenied: not authorized' });

    // Act & Assess
    expect(renderMarkdownReport(failed)).toContain('Access logs could not be read: GetMetricData: AccessDenied: not authorized');
    expect(renderMarkdownReport(failed)).toContain('| web | classic | 60 s | FAIL | 40.3 s | ≥ 66.0 s | not read | i-0a:30080 |');
    expect(renderScanReport(failed)).toContain('access logs could not be read: GetMetricData: AccessDenied: not authorized');
  });

  it('shows the count in the terminal block, the digest and the change notification of a failing load balancer', () => {
    // Prepare
    const previous = { ...LOGGED, finishedAt: '2026-11-25T17:46:07.000Z', loadBalancers: [lb('web', phase(null, 'pass')), API] };

    // Act
    const terminal = renderScanReport(LOGGED);
    const digest = digestNotification(LOGGED, runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'latest.html' }));
    const notification = changeNotification(compareRuns(previous, LOGGED), LOGGED, runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'run.html' }));

    // Assess
    expect(terminal).toContain('  access logs, last 60 min: 37 of 12,345 requests hung up by the backend');
    expect(digest.message).toContain('- FAILING web (idle timeout 60 s): limit before the first request 40.3 s; access logs, last 60 min: 37 of 12,345 requests hung up');
    expect(notification?.message).toContain('web: Access logs: 37 of 12,345 requests in the last 60 minutes died because the backend had already closed the connection.');
  });
});
