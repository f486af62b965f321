/**
 * docs/CONTRACTS.md stays exact: every field and metric the code really emits is documented.
 *
 * The objects come from real runs: the probe against loopback backends (and a refused port),
 * `scan --json --publish` over a mocked account whose backends are real loopback servers (its
 * datums are the real `PutMetricData` input), `logs --json` on real log lines, and the access
 * log counter's datums.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../cli/exit-code';
import { main } from '../../cli/main';
import { hangupDatums } from '../../lambda/access-logs/datums';
import { AccessLogTally } from '../../lambda/access-logs/tally';
import { METRIC, METRIC_SETS, publishes, type Datum, type MetricSet } from '../../lambda/metrics';
import { probeTargets, type ProbeResult } from '../../lambda/probe';
import { mockAccount } from '../lambda/discovery/fixtures';
import { CLASSIC, MALFORMED } from '../lambda/access-logs/lines';
import { CREDENTIALS, withAwsEnv } from '../support/aws-env';
import { capture } from '../support/capture';
import { http2Server } from '../support/http2-servers';
import type { LoopbackServer } from '../support/loopback';
import { startScanBackends, type ScanBackends } from '../support/scan-backends';

const CONTRACTS = readFileSync(join(__dirname, '..', '..', 'docs', 'CONTRACTS.md'), 'utf8');

/** Keys whose children are names (load balancers), not fields. */
const MAPS = new Set(['byLoadBalancer']);

/** Every field name in a JSON value, at any depth. */
function fieldsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => fieldsOf(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      if (MAPS.has(key)) Object.values(child as object).forEach((item) => fieldsOf(item, into));
      else fieldsOf(child, into);
    }
  }
  return into;
}

/** The fields not written as `name` in a table row of the document. */
const undocumented = (fields: Iterable<string>) => [...fields].filter((field) => !CONTRACTS.split('\n').some((line) => line.startsWith('|') && line.includes(`\`${field}\``)));

describe('docs/CONTRACTS.md', () => {
  let backends: ScanBackends;
  let probeResults: ProbeResult[];
  let http2: LoopbackServer;
  let scanJson: unknown;
  let scanDatums: Datum[];

  beforeAll(async () => {
    // Prepare: a short keep-alive backend, a lazy one, a tuned one, and a refused port
    backends = await startScanBackends(1000);
    const { shortKeepAlive, lazy, tuned, refused } = backends;
    const target = (port: number) => ({ target: { host: '127.0.0.1', port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 });

    // Act: the probe engine, and the whole scan with its metrics
    http2 = await http2Server({ timeoutMs: 1000 });
    const http2Job = { target: { host: '127.0.0.1', port: http2.port, tls: false, path: '/', protocolVersion: 'HTTP2' as const }, loadBalancerIdleTimeoutS: 2 };
    probeResults = await probeTargets([...[shortKeepAlive.port, lazy.port, refused].map(target), http2Job], { marginS: 0.2, precisionS: 0.2 });
    const account = mockAccount(
      {
        classic: [
          { name: 'web', idleTimeoutS: 2, listeners: [['HTTP', 80, 'HTTP', lazy.port]], healthCheck: `HTTP:${lazy.port}/`, instances: [{ id: 'i-lazy', ip: '127.0.0.1' }] },
          { name: 'tcp-only', idleTimeoutS: 2, listeners: [['TCP', 5432, 'TCP', 5432]], healthCheck: 'TCP:5432', instances: [{ id: 'i-db', ip: '127.0.0.1' }] },
          { name: 'throttled', idleTimeoutS: 2, listeners: [['HTTP', 80, 'HTTP', 80]], healthCheck: 'HTTP:80/', instances: [], failing: { operation: 'DescribeLoadBalancerAttributes', error: 'Throttling' } },
        ],
        alb: [
          { name: 'api', idleTimeoutS: 2, targetGroups: [{ name: 'api-tg', port: shortKeepAlive.port, targetType: 'ip', targets: [{ id: '127.0.0.1' }] }] },
          { name: 'fine', idleTimeoutS: 2, targetGroups: [{ name: 'fine-tg', port: tuned.port, targetType: 'instance', targets: [{ id: 'i-fine' }] }] },
          { name: 'nlb', type: 'network' },
        ],
        instances: [{ id: 'i-fine', ip: '127.0.0.1' }],
      },
      { everyClient: true },
    );
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const { io, out } = capture();
    await withAwsEnv({ ...CREDENTIALS, AWS_REGION: 'eu-west-1' }, () => main(['scan', '--json', '--publish', '--heartbeat', '--metrics', 'detailed', '--margin', '0.2'], io));
    scanJson = JSON.parse(out());
    scanDatums = cloudWatch.commandCalls(PutMetricDataCommand).flatMap((call) => call.args[0].input.MetricData as Datum[]);
    [account.elb, account.elbv2, account.ec2, cloudWatch].forEach((mock) => mock.restore());
  }, 60_000);

  afterAll(async () => {
    await Promise.all([backends?.stop(), http2?.close()]);
  });

  it('documents every field of probe --json, including a target that could not be probed', () => {
    // Act
    const fields = fieldsOf(probeResults);

    // Assess: the real results carry what the document names, error and reason included
    expect([...fields]).toEqual(expect.arrayContaining(['limitS', 'sockets', 'error', 'code', 'reason', 'server', 'protocolVersion', 'goaway', 'lastStreamId']));
    expect(undocumented(fields)).toEqual([]);
  });

  it('documents every field of scan --json --publish', () => {
    // Act
    const fields = fieldsOf(scanJson);

    // Assess
    expect([...fields]).toEqual(expect.arrayContaining(['loadBalancers', 'notCovered', 'skipped', 'instanceId', 'targetGroup', 'metrics', 'probe']));
    expect(undocumented(fields)).toEqual([]);
  });

  it('documents every field of logs --json', async () => {
    // Prepare
    const file = join(tmpdir(), `contracts-${process.pid}.log`);
    writeFileSync(file, `${CLASSIC.seed}\n${CLASSIC.slow504}\n${Object.values(MALFORMED)[0]}\n`);
    const { io, out } = capture();

    // Act
    await main(['logs', file, '--json'], io);

    // Assess
    const fields = fieldsOf(JSON.parse(out()));
    expect([...fields]).toEqual(expect.arrayContaining(['hangupMinutes', 'malformedExamples']));
    expect(undocumented(fields)).toEqual([]);
  });

  it('documents every metric published, with its unit and dimensions', () => {
    // Prepare: the access log counter's datums, from a real tally
    const tally = new AccessLogTally();
    tally.add(CLASSIC.seed.replace('2018-12-04T21:46:54.679150Z', new Date().toISOString().replace('Z', '000Z')), 'elb.log', 1);

    // Act
    const datums = [...scanDatums, ...hangupDatums(tally, new Date(), 'detailed').datums];

    // Assess
    const rows = new Map(CONTRACTS.split('\n').filter((line) => /^\| `[A-Za-z]+` \| (Seconds|Count) \|/.test(line)).map((line) => [line.split('`')[1], line.split('|').map((cell) => cell.trim())]));
    const published = new Set(datums.map((d) => d.MetricName));
    expect([...published]).toEqual(expect.arrayContaining([METRIC.runCompleted, METRIC.loadBalancersFailing, METRIC.backendsFailing, METRIC.preRequestHeadroom, METRIC.backendHangups].map((m) => m.name)));
    for (const metric of Object.values(METRIC)) expect({ metric: metric.name, unit: rows.get(metric.name)?.[2] }).toEqual({ metric: metric.name, unit: metric.unit });
    for (const datum of datums) {
      const row = rows.get(datum.MetricName);
      expect({ metric: datum.MetricName, unit: row?.[2], dimensions: row?.[3] }).toEqual({ metric: datum.MetricName, unit: datum.Unit, dimensions: datum.Dimensions?.map((d) => `\`${d.Name}\``).join(', ') ?? 'none' });
    }
  });

  it('says which metric set publishes each metric, as the sets define them', () => {
    // Prepare
    const rows = CONTRACTS.split('\n').filter((line) => /^\| `[A-Za-z]+` \| (Seconds|Count) \|/.test(line)).map((line) => line.split('|').map((cell) => cell.trim()));

    // Act
    const documented = Object.fromEntries(rows.map((row) => [row[1].replace(/`/g, ''), row[4]]));

    // Assess
    for (const metric of Object.values(METRIC)) {
      const sets = (Object.keys(METRIC_SETS) as MetricSet[]).filter((set) => publishes(set, metric));
      expect({ metric: metric.name, sets: documented[metric.name] }).toEqual({ metric: metric.name, sets: sets.join(', ') });
    }
  });

  it('documents every exit status the commands use', () => {
    // Assess
    const header = CONTRACTS.split('\n').find((line) => line.startsWith('| command |'))!;
    for (const status of Object.values(EXIT)) expect(header).toContain(`| ${status} |`);
  });
});
