/**
 * Run reports that 0.1.0 wrote to the bucket are read as measured, written back with the same
 * `headroomS`, and compared with as 0.1.0 compared.
 *
 * The fixture is a real run of 0.1.0 (main at e8e8497): a backend closing idle connections at
 * 3 s behind a 2.4 s and a 4 s load balancer, a backend without a limit in reach behind a 2 s
 * one, and a refused port, probed on loopback and written as its `writeReports` writes.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgedProbe, type PhaseVerdict } from '../../../lambda/judge';
import { adviseTarget } from '../../../lambda/report/advice';
import { compareRuns } from '../../../lambda/report/changes';
import { asScanReport } from '../../../lambda/report/normalize';
import type { ScanReport, ScanReportJson } from '../../../lambda/report/scan';
import { readLatest, writeReports } from '../../../lambda/report/store';
import { inMemoryBucket } from '../../support/in-memory-bucket';

const WRITTEN_BY_0_1_0 = readFileSync(join(__dirname, 'fixtures', 'report-0.1.0.json'), 'utf8');

/** Each load balancer's phases, by name. */
const phasesOf = (report: { loadBalancers: ReadonlyArray<{ name: string; phases: object }> }) => Object.fromEntries(report.loadBalancers.map((lb) => [lb.name, lb.phases]));

/** A report as 0.1.0 wrote it: the same, without the phases' `survivedS` and `toleratedS`. */
const as010 = (report: ScanReportJson) => ({
  ...report,
  loadBalancers: report.loadBalancers.map((lb) => ({
    ...lb,
    phases: Object.fromEntries(Object.entries(lb.phases).map(([phase, { survivedS: _added, toleratedS: _addedToo, ...rest }]) => [phase, rest])),
  })),
});

const client = new S3Client({ region: 'eu-west-1' });

describe('a run report written by 0.1.0', () => {
  it('is read from the bucket as measured: the limit where one was found, else the idle survived', async () => {
    // Prepare
    const bucket = inMemoryBucket({ 'idle-canary/latest.json': JSON.parse(WRITTEN_BY_0_1_0) });

    // Act
    const previous = await readLatest(client, 'reports', 'idle-canary/');

    // Assess: 0.1.0 stored "limit or survived, minus the timeout"; the survived bound comes back against each timeout
    const pass = (limitS: number | null, survivedS: number | null): PhaseVerdict => ({ limitS, survivedS, verdict: 'pass', failingBackends: [] });
    const phases = phasesOf(previous!);
    expect(phases['lb-tuned']).toEqual({ preRequest: pass(null, 3.001), keepAlive: pass(null, 3.005) });
    expect(phases['lb-short']).toEqual({ preRequest: pass(3.115, null), keepAlive: pass(3.999, null) });
    expect(phases['lb-long']).toMatchObject({ preRequest: { limitS: 3.115, survivedS: null, verdict: 'fail' }, keepAlive: { limitS: 3.999, survivedS: null, verdict: 'fail' } });
    expect(phases['lb-refused']).toEqual({ preRequest: { limitS: null, survivedS: null, verdict: 'inconclusive', failingBackends: [] }, keepAlive: { limitS: null, survivedS: null, verdict: 'inconclusive', failingBackends: [] } });
    bucket.s3.restore();
  });

  it('is written back with the same headroomS per phase, and only survivedS and toleratedS added', async () => {
    // Prepare
    const written = JSON.parse(WRITTEN_BY_0_1_0) as ScanReport;
    const bucket = inMemoryBucket({ 'idle-canary/latest.json': written });
    const previous = (await readLatest(client, 'reports', 'idle-canary/'))!;

    // Act
    await writeReports(client, 'reports', 'idle-canary/', 'run-2', previous, []);

    // Assess
    const again = JSON.parse(bucket.objects.get('idle-canary/runs/run-2.json')!) as ScanReportJson;
    expect(as010(again)).toEqual(written);
    expect(phasesOf(again)['lb-tuned']).toMatchObject({ preRequest: { limitS: null, survivedS: 3.001, toleratedS: 3.001, headroomS: 1.001 }, keepAlive: { survivedS: 3.005, toleratedS: 3.005, headroomS: 1.005 } });
    expect(phasesOf(again)['lb-long']).toMatchObject({ preRequest: { limitS: 3.115, survivedS: null, headroomS: -0.885 } });
    bucket.s3.restore();
  });

  it('is compared with as 0.1.0 compared: "at least" its survived bound, nothing changed against itself', () => {
    // Prepare: this run, the tuned backend now fails its pre-request phase at 1.2 s
    const previous = asScanReport(JSON.parse(WRITTEN_BY_0_1_0));
    const failing: PhaseVerdict = { limitS: 1.2, survivedS: null, verdict: 'fail', failingBackends: ['10.0.0.9:80'] };
    const current: ScanReport = {
      ...previous,
      finishedAt: '2026-11-30T21:00:00.000Z',
      loadBalancers: previous.loadBalancers.map((lb) => (lb.name === 'lb-tuned' ? { ...lb, verdict: 'fail', phases: { ...lb.phases, preRequest: failing } } : lb)),
    };

    // Act
    const unchanged = compareRuns(asScanReport(JSON.parse(WRITTEN_BY_0_1_0)), previous);
    const changes = compareRuns(asScanReport(JSON.parse(WRITTEN_BY_0_1_0)), current);

    // Assess
    expect(unchanged).toEqual([]);
    expect(changes).toEqual([
      {
        loadBalancer: 'lb-tuned',
        type: 'application',
        phase: 'preRequest',
        kind: 'new-failure',
        before: { verdict: 'pass', limitS: 3.001, atLeast: true, at: previous.finishedAt },
        after: { verdict: 'fail', limitS: 1.2, atLeast: false, at: '2026-11-30T21:00:00.000Z' },
        failingBackends: ['10.0.0.9:80'],
      },
    ]);
  });
});

describe('the backends of a run report written before phases carried their evidence', () => {
  it('are judged again from what they carry as they were judged then, and advised with their load balancer\'s margin', () => {
    // Prepare
    const report = asScanReport(JSON.parse(WRITTEN_BY_0_1_0));

    // Act
    const judged = report.loadBalancers.flatMap((lb) => lb.backends.map((backend) => ({ lb, backend, probe: judgedProbe(lb, backend) })));
    const long = judged.find(({ lb }) => lb.name === 'lb-long')!;

    // Assess: the same verdicts per phase; 2.963 s (the sweep bracket's lower end) less lb-long's 0.5 s margin
    for (const { backend, probe } of judged) expect(Object.fromEntries(Object.entries(probe.phases).map(([phase, p]) => [phase, p!.verdict]))).toEqual(backend.phases);
    expect(long.probe.marginS).toBe(0.5);
    expect(adviseTarget(long.probe)).toContain('lower the load balancer idle timeout to 2 s');
  });
});

describe('probe --json results', () => {
  it('are read as one front per target, an HTTP/2 or gRPC target named with its protocol', () => {
    // Prepare
    const keepAlive = { limitS: 1.5, survivedS: 1.4, failedS: 1.5, enforcement: 'eager', sweepS: null, closedWith: 'fin', headroomS: -1.5, verdict: 'fail', sockets: [] } as const;
    const result = (port: number, protocolVersion?: 'HTTP2' | 'GRPC') => ({
      target: { host: '127.0.0.1', port, tls: false, path: '/', ...(protocolVersion ? { protocolVersion } : {}) },
      loadBalancerIdleTimeoutS: 3,
      horizonS: 3.3,
      phases: { keepAlive },
      verdict: 'fail',
      startedAt: '2026-12-04T12:00:00.000Z',
      elapsedS: 3.5,
      socketsUsed: 4,
    });

    // Act
    const report = asScanReport([result(8080), result(8443, 'HTTP2'), result(50051, 'GRPC')]);

    // Assess
    expect(report.loadBalancers.map((lb) => [lb.name, lb.phases.keepAlive!.failingBackends])).toEqual([
      ['127.0.0.1:8080', ['127.0.0.1:8080']],
      ['127.0.0.1:8443 (HTTP/2)', ['127.0.0.1:8443 (HTTP/2)']],
      ['127.0.0.1:50051 (gRPC)', ['127.0.0.1:50051 (gRPC)']],
    ]);
  });
});
