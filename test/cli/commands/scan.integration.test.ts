import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAwsAccess } from '../../../cli/aws-access';
import { main } from '../../../cli/main';
import type { ScanReport } from '../../../lambda/report/scan';
import { mockAccount } from '../../lambda/discovery/fixtures';
import { CREDENTIALS, withAwsEnv } from '../../support/aws-env';
import { capture } from '../../support/capture';
import { startScanBackends, type ScanBackends } from '../../support/scan-backends';

describe('idle-canary scan', () => {
  let backends: ScanBackends;
  let report: ScanReport;
  let status: number;
  let cloudWatch: ReturnType<typeof mockClient>;

  beforeAll(async () => {
    // Prepare: real loopback backends behind a mocked account with 3 s load balancers
    backends = await startScanBackends(2000);
    const { lazy, shortKeepAlive, tuned, refused } = backends;
    const account = mockAccount(
      {
        classic: [
          { name: 'k8s-web', idleTimeoutS: 3, listeners: [['HTTP', 80, 'HTTP', lazy.port]], healthCheck: `HTTP:${lazy.port}/healthz`, instances: [{ id: 'i-lazy', ip: '127.0.0.1' }] },
          { name: 'gone', idleTimeoutS: 3, listeners: [['HTTP', 80, 'HTTP', refused]], healthCheck: `HTTP:${refused}/`, instances: [{ id: 'i-refused', ip: '127.0.0.1' }] },
          { name: 'tcp-only', idleTimeoutS: 3, listeners: [['TCP', 5432, 'TCP', 5432]], healthCheck: 'TCP:5432', instances: [{ id: 'i-db', ip: '127.0.0.1' }] },
          { name: 'throttled', idleTimeoutS: 3, listeners: [['HTTP', 80, 'HTTP', 80]], healthCheck: 'HTTP:80/', instances: [], failing: { operation: 'DescribeLoadBalancerAttributes', error: 'Throttling' } },
          { name: 'denied', idleTimeoutS: 3, listeners: [['HTTP', 80, 'HTTP', 80]], healthCheck: 'HTTP:80/', instances: [], failing: { operation: 'DescribeInstanceHealth', error: 'AccessDenied' } },
        ],
        alb: [
          { name: 'api', idleTimeoutS: 3, targetGroups: [{ name: 'api-tg', port: shortKeepAlive.port, targetType: 'ip', healthCheckPath: '/health', targets: [{ id: '127.0.0.1' }] }] },
          { name: 'fine', idleTimeoutS: 3, targetGroups: [{ name: 'fine-tg', port: tuned.port, targetType: 'ip', targets: [{ id: '127.0.0.1' }] }] },
          { name: 'nlb', type: 'network' },
        ],
      },
      { everyClient: true },
    );
    cloudWatch = mockClient(CloudWatchClient);
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const { io, out } = capture();

    // Act
    status = await withAwsEnv({ ...CREDENTIALS, AWS_REGION: 'eu-west-1' }, () => main(['scan', '--json', '--publish', '--metrics', 'detailed', '--namespace', 'Test/IdleCanary'], io));
    report = JSON.parse(out()) as ScanReport;
    [account.elb, account.elbv2, account.ec2].forEach((mock) => mock.restore());
  }, 60_000);

  afterAll(async () => {
    cloudWatch.restore();
    await backends?.stop();
  });

  const lb = (name: string) => report.loadBalancers.find((l) => l.name === name)!;

  it('fails the Classic ELB whose backend enforces a lazy limit below its idle timeout', () => {
    // Assess
    expect(lb('k8s-web')).toMatchObject({ type: 'classic', idleTimeoutS: 3, verdict: 'fail', phases: { preRequest: { verdict: 'fail', failingBackends: ['i-lazy:' + backends.lazy.port] } } });
    expect(lb('k8s-web').backends[0].probe.phases.preRequest).toMatchObject({ enforcement: 'lazy' });
    expect(lb('k8s-web').backends[0].probe.target).toEqual({ host: '127.0.0.1', port: backends.lazy.port, tls: false, path: '/healthz' });
  });

  it('fails the ALB whose backend drops idle keep-alive connections early, and passes the tuned one', () => {
    // Assess
    expect(lb('api')).toMatchObject({ type: 'application', verdict: 'fail', phases: { keepAlive: { verdict: 'fail' }, preRequest: { verdict: 'pass' } } });
    expect(lb('api').backends[0].probe.phases.keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin' });
    expect(lb('fine')).toMatchObject({ verdict: 'pass', probeErrors: 0 });
  });

  it('reports a refused backend, failed AWS calls and skipped listeners without hiding the others', () => {
    // Assess
    expect(lb('gone')).toMatchObject({ verdict: 'inconclusive', probeErrors: 1 });
    expect(lb('gone').backends[0].probe.error?.code).toBe('refused');
    expect(lb('throttled')).toMatchObject({ verdict: 'inconclusive', error: 'DescribeLoadBalancerAttributes: Throttling: Throttling (mocked)' });
    expect(lb('denied')).toMatchObject({ verdict: 'inconclusive', error: 'DescribeInstanceHealth: AccessDenied: AccessDenied (mocked)' });
    expect(lb('tcp-only').skipped).toEqual([
      { what: 'listener TCP:5432->TCP:5432', reason: 'the instance port speaks TCP and its health check (TCP:5432) is not HTTP on that port, so there is no HTTP request to probe with' },
    ]);
    expect(report.notCovered.map((n) => n.name)).toEqual(['nlb']);
  });

  it('exits 1 and prints the documented run JSON', () => {
    // Assess
    expect(status).toBe(1);
    expect(Object.keys(report)).toEqual(['region', 'startedAt', 'finishedAt', 'verdict', 'loadBalancers', 'notCovered', 'excluded', 'apiCalls', 'metrics']);
    expect(report).toMatchObject({ region: 'eu-west-1', verdict: 'fail', metrics: { namespace: 'Test/IdleCanary', failed: [] } });
  });

  it('publishes exactly the detailed set\'s metrics with --metrics detailed, per load balancer and for the fleet', () => {
    // Assess
    const [call] = cloudWatch.commandCalls(PutMetricDataCommand);
    const input = call.args[0].input;
    expect(input.Namespace).toBe('Test/IdleCanary');
    const datums = input.MetricData!;
    const of = (name: string) => datums.filter((d) => d.Dimensions?.[0]?.Value === name).map((d) => [d.MetricName, d.Unit, d.Value]);
    // The lazy 2 s limit is bracketed to the default precision (0.5 s), a little later on a busy
    // machine; the keep-alive connections survived the 4 s horizon, so at least that is published
    const within = (min: number, max: number) => ({ asymmetricMatch: (value: number) => value >= min && value <= max, toString: () => `a number from ${min} to ${max}` });
    expect(of('k8s-web')).toEqual([
      ['LoadBalancerIdleTimeout', 'Seconds', 3],
      ['BackendPreRequestTimeout', 'Seconds', within(2, 2.9)],
      ['PreRequestHeadroom', 'Seconds', within(-1, -0.1)],
      ['BackendKeepAliveTimeout', 'Seconds', within(4, 4.5)],
      ['KeepAliveHeadroom', 'Seconds', within(1, 1.5)],
      ['BackendsProbed', 'Count', 1],
      ['BackendsFailing', 'Count', 1],
      ['ProbeErrors', 'Count', 0],
    ]);
    expect(of('gone')).toEqual([
      ['LoadBalancerIdleTimeout', 'Seconds', 3],
      ['BackendsProbed', 'Count', 0],
      ['BackendsFailing', 'Count', 0],
      ['ProbeErrors', 'Count', 1],
    ]);
    // Its idle timeout could not be read: no made-up value is published
    expect(of('throttled')).toEqual([
      ['BackendsProbed', 'Count', 0],
      ['BackendsFailing', 'Count', 0],
      ['ProbeErrors', 'Count', 1],
    ]);
    // No RunCompleted: the heartbeat is the deployed schedule's (scan --publish --heartbeat sends it)
    expect(datums.filter((d) => d.Dimensions === undefined).map((d) => [d.MetricName, d.Value])).toEqual([['LoadBalancersFailing', 2]]);
    expect(new Set(datums.flatMap((d) => (d.Dimensions ?? []).map((x) => x.Name)))).toEqual(new Set(['LoadBalancer']));
  });
});

describe('idle-canary scan without AWS access', () => {
  it('stops with one line saying to set a region', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await withAwsEnv(CREDENTIALS, () => main(['scan'], io));

    // Assess
    expect(status).toBe(2);
    expect(err()).toBe('idle-canary: no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)\n');
  });

  it('stops with one line saying how to provide credentials', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await withAwsEnv({}, () => main(['scan', '--region', 'eu-west-1'], io));

    // Assess
    expect(status).toBe(2);
    expect(err()).toBe('idle-canary: no AWS credentials: pass --profile, set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role is available\n');
  });

  it('reads the region and credentials of the --profile given, and names it when it has none', async () => {
    // Prepare: a config file with one profile, credentials in the environment for no one
    const dir = mkdtempSync(join(tmpdir(), 'idle-canary-profile-'));
    const config = join(dir, 'config');
    writeFileSync(config, '[profile audit]\nregion = eu-west-1\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const { io, err } = capture();

    // Act
    const missing = await withAwsEnv({ AWS_CONFIG_FILE: config }, () => main(['scan', '--profile', 'prod'], io));
    const region = await withAwsEnv({ AWS_CONFIG_FILE: config }, async () => checkAwsAccess(undefined, 'audit'));

    // Assess
    rmSync(dir, { recursive: true, force: true });
    expect(missing).toBe(2);
    expect(err()).toMatch(/^idle-canary: no AWS (region|credentials)/);
    expect(region).toBe('eu-west-1');
  });
});
