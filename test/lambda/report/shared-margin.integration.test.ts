/**
 * A backend shared by two load balancers with the same idle timeout and different margins
 * (their `idle-canary:margin` tags): probed once, each judged and advised with its own margin.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import type { ScanReportJson } from '../../../lambda/report/scan';
import { mockAccount } from '../discovery/fixtures';
import { CREDENTIALS, withAwsEnv } from '../../support/aws-env';
import { capture } from '../../support/capture';
import { idleTimerServer, type LoopbackServer } from '../../support/loopback';

const IDLE_TIMEOUT_S = 4;
/** The backend closes connections idle 4.8 s: above 4 s + 0.5 s, below 4 s + 3 s. */
const BACKEND_LIMIT_MS = 4800;

/** One rendering's part about one load balancer: from its heading to the next `<h2`. */
function section(html: string, name: string): string {
  const from = html.indexOf(`<h2 id="lb-${name}">`);
  expect(from).toBeGreaterThanOrEqual(0);
  const rest = html.slice(from + 1);
  const end = rest.indexOf('<h2 ');
  return end < 0 ? rest : rest.slice(0, end);
}

describe('a backend shared by load balancers with different margins', () => {
  let backend: LoopbackServer;
  let scan: ScanReportJson;
  let html: string;

  beforeAll(async () => {
    // Prepare: one real backend behind two 4 s ALBs, tagged with a 0.5 s and a 3 s margin
    backend = await idleTimerServer(BACKEND_LIMIT_MS);
    const alb = (name: string, margin: string) => ({
      name,
      idleTimeoutS: IDLE_TIMEOUT_S,
      tags: { 'idle-canary:margin': margin },
      targetGroups: [{ name: `${name}-tg`, port: backend.port, targetType: 'ip' as const, targets: [{ id: '127.0.0.1' }] }],
    });
    const account = mockAccount({ alb: [alb('lenient', '0.5'), alb('strict', '3')] }, { everyClient: true });
    const file = join(tmpdir(), `shared-margin-${process.pid}.html`);
    const { io, out } = capture();

    // Act
    await withAwsEnv({ ...CREDENTIALS, AWS_REGION: 'eu-west-1' }, () => main(['scan', '--json', '--report', file], io));
    scan = JSON.parse(out()) as ScanReportJson;
    html = readFileSync(file, 'utf8');
    [account.elb, account.elbv2, account.ec2].forEach((mock) => mock.restore());
  }, 60_000);

  afterAll(async () => {
    await backend?.close();
  });

  it('probes the backend once and judges it with each load balancer\'s own margin', () => {
    // Assess
    const byName = Object.fromEntries(scan.loadBalancers.map((lb) => [lb.name, lb]));
    const limits = scan.loadBalancers.map((lb) => `${lb.name}: margin ${lb.marginS} s, ${lb.verdict}, keep-alive limit ${lb.phases.keepAlive?.limitS} s`);
    console.log(limits.join('\n'));
    expect(byName.lenient).toMatchObject({ marginS: 0.5, verdict: 'pass' });
    expect(byName.strict).toMatchObject({ marginS: 3, verdict: 'fail' });
    expect(byName.lenient.backends[0].probe.startedAt).toBe(byName.strict.backends[0].probe.startedAt);
  });

  it('advises each load balancer with its own margin', () => {
    // Act
    const lenient = section(html, 'lenient');
    const strict = section(html, 'strict');
    const lowerTo = /lower the load balancer idle timeout to (\d+) s/.exec(strict);
    console.log(`strict: "${lowerTo?.[0]}"; lenient: ${/outlasts the load balancer/.test(lenient) ? 'nothing to change' : 'advised a change'}`);

    // Assess: about 4.8 s less each margin, 3 s and 0.5 s (the default 1 s margin would say 3 s for both)
    expect(lenient).toContain('Nothing to change');
    expect(lenient).toContain('Any load balancer idle timeout up to 4 s is safe');
    expect(lowerTo?.[1]).toBe('1');
  });
});
