import type { LoadBalancerVerdict, PhaseVerdict } from '../../../lambda/judge';
import { changeNotification, compareRuns } from '../../../lambda/report/changes';
import { runLinks } from '../../../lambda/report/console-links';
import type { ScanReport } from '../../../lambda/report/scan';

const phase = (limitS: number | null, survivedS: number | null, verdict: PhaseVerdict['verdict'], failingBackends: string[] = []): PhaseVerdict => ({ limitS, survivedS, verdict, failingBackends });
const lb = (name: string, preRequest: PhaseVerdict, keepAlive: PhaseVerdict = phase(null, 66, 'pass')): LoadBalancerVerdict => ({
  name,
  type: 'classic',
  vpcId: 'vpc-0a1',
  idleTimeoutS: 60,
  marginS: 1,
  phases: { preRequest, keepAlive },
  verdict: [preRequest.verdict, keepAlive.verdict].includes('fail') ? 'fail' : 'pass',
  backends: [],
  probeErrors: 0,
  backendsNotSampled: 0,
  skipped: [],
});
const run = (finishedAt: string, loadBalancers: LoadBalancerVerdict[]): ScanReport => ({
  region: 'eu-west-1',
  startedAt: finishedAt,
  finishedAt,
  verdict: loadBalancers.some((l) => l.verdict === 'fail') ? 'fail' : 'pass',
  loadBalancers,
  notCovered: [],
  excluded: [],
  apiCalls: 10,
});

const healthy = lb('k8s-web', phase(null, 66, 'pass'));
const upgraded = lb('k8s-web', phase(40.287, null, 'fail', ['i-0a:30080']));
const BEFORE = '2026-11-24T10:01:07.000Z';
const AFTER = '2026-11-24T10:16:41.000Z';
const REPORT = runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'idle-canary/runs/run-2.html' });

describe('change detection', () => {
  it('reports a pre-request limit that drops from none to 40 s as exactly one notification with both numbers and both timestamps', () => {
    // Act
    const changes = compareRuns(run(BEFORE, [healthy, lb('api', phase(null, 66, 'pass'))]), run(AFTER, [upgraded, lb('api', phase(null, 66, 'pass'))]));
    const notification = changeNotification(changes, run(AFTER, [upgraded]), REPORT);

    // Assess
    expect(changes).toHaveLength(1);
    expect(notification).toEqual({
      subject: 'idle-canary eu-west-1: 1 change, 1 load balancer failing',
      message: [
        `idle-canary eu-west-1: 1 change since the last run (${BEFORE} -> ${AFTER}).`,
        '',
        'NEW FAILURE k8s-web: the limit before the first request went from at least 66.0 s to 40.3 s (was pass, now fail); failing backends: i-0a:30080',
        '',
        'Report: https://eu-west-1.console.aws.amazon.com/s3/object/reports?region=eu-west-1&bucketType=general&prefix=idle-canary%2Fruns%2Frun-2.html',
        'Report file: s3://reports/idle-canary/runs/run-2.html',
      ].join('\n'),
    });
  });

  it('compares a Classic ELB and an ALB of one name each with itself, and names each with its type', () => {
    // Prepare: the Classic ELB fails now; the ALB of the same name passed and passes
    const alb = (preRequest: PhaseVerdict): LoadBalancerVerdict => ({ ...lb('web', preRequest), type: 'application' });
    const before = run(BEFORE, [lb('web', phase(null, 66, 'pass')), alb(phase(null, 66, 'pass'))]);
    const after = run(AFTER, [lb('web', phase(40.287, null, 'fail', ['i-0a:30080'])), alb(phase(null, 66, 'pass'))]);

    // Act
    const changes = compareRuns(before, after);
    const notification = changeNotification(changes, after, REPORT);

    // Assess
    expect(changes.map((c) => [c.loadBalancer, c.type, c.kind])).toEqual([['web (classic)', 'classic', 'new-failure']]);
    expect(notification!.message).toContain('NEW FAILURE web (classic): the limit before the first request went from at least 66.0 s to 40.3 s');
  });

  it('sends nothing for two identical runs', () => {
    // Act
    const changes = compareRuns(run(BEFORE, [upgraded]), run(AFTER, [upgraded]));

    // Assess
    expect(changes).toEqual([]);
    expect(changeNotification(changes, run(AFTER, [upgraded]), REPORT)).toBeNull();
  });

  it('reports a recovery as one notification', () => {
    // Act
    const changes = compareRuns(run(BEFORE, [upgraded]), run(AFTER, [healthy]));
    const notification = changeNotification(changes, run(AFTER, [healthy]), REPORT);

    // Assess
    expect(changes.map((c) => c.kind)).toEqual(['recovery']);
    expect(notification!.message).toContain('RECOVERED k8s-web: the limit before the first request went from 40.3 s to at least 66.0 s (was fail, now pass)');
    expect(notification!.subject).toBe('idle-canary eu-west-1: 1 change, 0 load balancers failing');
  });

  it('reports limits that moved by more than 1 s and 10 %, and ignores smaller moves', () => {
    // Prepare: an nginx keep-alive limit of 75 s that became 90 s, and a 5.0 s one that became 5.4 s
    const before = [lb('a', phase(null, 66, 'pass'), phase(75, null, 'pass')), lb('b', phase(null, 66, 'pass'), phase(5, null, 'fail'))];
    const after = [lb('a', phase(null, 66, 'pass'), phase(90, null, 'pass')), lb('b', phase(null, 66, 'pass'), phase(5.4, null, 'fail'))];

    // Act
    const changes = compareRuns(run(BEFORE, before), run(AFTER, after));

    // Assess
    expect(changes.map((c) => [c.loadBalancer, c.phase, c.kind, c.before.limitS, c.after.limitS])).toEqual([['a', 'keepAlive', 'limit', 75, 90]]);
  });

  it('has nothing to compare on the first run', () => {
    // Act & Assess
    expect(compareRuns(null, run(AFTER, [upgraded]))).toEqual([]);
  });
});
