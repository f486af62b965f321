/**
 * The engine against real server binaries held for a real 60 s load balancer timeout.
 *
 * Every server is probed at once (one run of about 100 s), the way a real run holds many
 * backends; the command-line contract is checked on the two servers the issue names.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { probeTargets, type PhaseResult, type ProbeResult } from '../../../lambda/probe';
import { ensureNginx, ensureNodeBinary, startNginx, startNodeServer, type RunningServer } from '../../support/real-servers';

/** A current LTS release (the line of the nodejs24.x Lambda runtime). */
const CURRENT_LTS = '24.21.0';
const CLI = join(__dirname, '../../../bin/idle-canary.ts');

interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly elapsedS: number;
}

function runCli(args: string[]): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 200_000 }, (error, stdout) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ status, stdout, elapsedS: (performance.now() - started) / 1000 });
    });
  });
}

const target = (server: RunningServer) => ({ host: server.host, port: server.port, tls: false, path: '/' });

describe('the probe against real servers', () => {
  const servers: RunningServer[] = [];
  let node813: ProbeResult;
  let lts: ProbeResult;
  let nginxDefaults: ProbeResult;
  let node814Cli: CliRun;
  let nginxTunedCli: CliRun;

  beforeAll(async () => {
    const [bin813, bin814, binLts] = await Promise.all(['8.13.0', '8.14.0', CURRENT_LTS].map(ensureNodeBinary));
    await ensureNginx();
    servers.push(
      ...(await Promise.all([
        startNodeServer(bin813),
        startNodeServer(bin814),
        startNodeServer(binLts),
        startNginx(),
        startNginx({ clientHeaderTimeoutS: 75, keepaliveTimeoutS: 75 }),
      ])),
    );
    const [s813, s814, sLts, sNginx, sNginxTuned] = servers;

    // Longer horizons where the interesting close comes after 66 s: Node.js 18+ answers 408
    // 60-90 s after accept, nginx ends keep-alive connections at 75 s.
    [[node813, lts, nginxDefaults], node814Cli, nginxTunedCli] = await Promise.all([
      Promise.all([
        probeTargets([{ target: target(s813), loadBalancerIdleTimeoutS: 60 }]).then(([r]) => r),
        probeTargets([{ target: target(sLts), loadBalancerIdleTimeoutS: 60, horizonS: 95 }]).then(([r]) => r),
        probeTargets([{ target: target(sNginx), loadBalancerIdleTimeoutS: 60, horizonS: 80 }]).then(([r]) => r),
      ]),
      runCli(['probe', `127.0.0.1:${s814.port}`, '--lb-idle-timeout', '60', '--json']),
      runCli(['probe', `127.0.0.1:${sNginxTuned.port}`, '--lb-idle-timeout', '60', '--json']),
    ]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  describe('Node.js 8.14.0 with its defaults, through `idle-canary probe --json`', () => {
    it('finds the lazy 40 s pre-request limit within 1 s and fails it', () => {
      // Assess
      const preRequest = JSON.parse(node814Cli.stdout).phases.preRequest as PhaseResult;
      expect(preRequest).toMatchObject({ enforcement: 'lazy', verdict: 'fail' });
      expect(Math.abs(preRequest.limitS! - 40)).toBeLessThanOrEqual(1);
      expect(preRequest.survivedS!).toBeLessThan(40.001);
      expect(preRequest.failedS!).toBeGreaterThan(40);
    });

    it('finds the eager 5 s keep-alive limit within 0.5 s and fails it', () => {
      // Assess
      const keepAlive = JSON.parse(node814Cli.stdout).phases.keepAlive as PhaseResult;
      expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
      expect(Math.abs(keepAlive.limitS! - 5)).toBeLessThanOrEqual(0.5);
    });

    it('exits with status 1 and prints only the contract JSON', () => {
      // Assess
      expect(node814Cli.status).toBe(1);
      expect(JSON.parse(node814Cli.stdout)).toMatchObject({
        target: { host: '127.0.0.1', tls: false, path: '/' },
        loadBalancerIdleTimeoutS: 60,
        horizonS: 66,
        verdict: 'fail',
      });
    });
  });

  describe('nginx with client_header_timeout 75s and keepalive_timeout 75s, through the command line', () => {
    it('passes both phases and exits with status 0', () => {
      // Assess
      const result = JSON.parse(nginxTunedCli.stdout) as ProbeResult;
      expect(nginxTunedCli.status).toBe(0);
      expect(result.phases.preRequest).toMatchObject({ verdict: 'pass', limitS: null, headroomS: 6 });
      expect(result.phases.keepAlive).toMatchObject({ verdict: 'pass', limitS: null, headroomS: 6 });
    });

    it('ends within the horizon plus a few seconds', () => {
      // Assess: 66 s horizon, plus the command's start-up
      expect(nginxTunedCli.elapsedS).toBeLessThan(66 + 5);
    });
  });

  describe('Node.js 8.13.0 with its defaults', () => {
    it('keeps silent connections past the horizon: its 120 s server.timeout is the only limit', () => {
      // Assess
      expect(node813.phases.preRequest).toMatchObject({ verdict: 'pass', enforcement: 'none', limitS: null });
    });

    it('closes idle keep-alive connections eagerly after 5 s', () => {
      // Assess
      expect(node813.phases.keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
      expect(Math.abs(node813.phases.keepAlive!.limitS! - 5)).toBeLessThanOrEqual(0.5);
    });
  });

  describe(`Node.js ${CURRENT_LTS} (current LTS) with its defaults`, () => {
    it('answers a silent connection with an unsolicited 408 between 60 and 90 s after accept', () => {
      // Assess
      const preRequest = lts.phases.preRequest!;
      expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'http-408' });
      expect(preRequest.limitS!).toBeGreaterThanOrEqual(60);
      expect(preRequest.limitS!).toBeLessThanOrEqual(90.5);
      expect(preRequest.verdict).toBe(preRequest.limitS! >= 61 ? 'pass' : 'fail');
    });

    it('closes idle keep-alive connections eagerly after its 5 s timeout plus buffer', () => {
      // Assess
      const keepAlive = lts.phases.keepAlive!;
      expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
      expect(keepAlive.limitS!).toBeGreaterThanOrEqual(5);
      expect(keepAlive.limitS!).toBeLessThanOrEqual(6.5);
    });
  });

  describe('nginx with its default timeouts', () => {
    it('closes silent connections eagerly at its 60 s client_header_timeout, failing a 60 s load balancer', () => {
      // Assess
      const preRequest = nginxDefaults.phases.preRequest!;
      expect(preRequest).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
      expect(Math.abs(preRequest.limitS! - 60)).toBeLessThanOrEqual(0.5);
    });

    it('closes idle keep-alive connections eagerly at its 75 s keepalive_timeout, passing', () => {
      // Assess
      const keepAlive = nginxDefaults.phases.keepAlive!;
      expect(keepAlive).toMatchObject({ enforcement: 'eager', verdict: 'pass' });
      expect(Math.abs(keepAlive.limitS! - 75)).toBeLessThanOrEqual(0.5);
    });
  });
});
