import { probeTargets, runProbe, type ProbeJob, type ProbeTarget } from '../../../lambda/probe';
import {
  closedPort,
  httpServer,
  httpsServer,
  lazyResettingServer,
  measureKeepAliveCloseS,
  proxyProtocolServer,
  rawResponseServer,
  silentServer,
  sshLikeServer,
  unsolicitedErrorServer,
  closedAfterEach,
  type LoopbackServer,
} from '../../support/loopback';

const target = (port: number, extra: Partial<ProbeTarget> = {}): ProbeTarget => ({ host: '127.0.0.1', port, tls: false, path: '/', ...extra });
const job = (port: number, loadBalancerIdleTimeoutS = 2, extra: Partial<ProbeTarget> = {}): ProbeJob => ({
  target: target(port, extra),
  loadBalancerIdleTimeoutS,
});
const fast = { marginS: 0.2, precisionS: 0.1 };

describe('probeTargets', () => {
  const start = closedAfterEach();

  it('measures an eager keep-alive limit within milliseconds and passes a pre-request phase that survives the horizon', async () => {
    // Prepare
    const server = await start(httpServer({ keepAliveTimeout: 500, headersTimeout: 10_000, requestTimeout: 10_000 }));
    const [truthS, [result]] = await Promise.all([measureKeepAliveCloseS(server.port), probeTargets([job(server.port)], fast)]);

    // Assess
    const { keepAlive, preRequest } = result.phases;
    expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
    expect(Math.abs(keepAlive!.limitS! - truthS)).toBeLessThan(0.02);
    expect(keepAlive!.limitS! - keepAlive!.survivedS!).toBeLessThan(0.02);
    expect(preRequest).toMatchObject({ limitS: null, failedS: null, enforcement: 'none', headroomS: 1, verdict: 'pass' });
    // The passive socket's request, sent once no sweep came in the half horizon after the 3 s horizon
    expect(preRequest!.survivedS!).toBeGreaterThanOrEqual(3);
    expect(preRequest!.survivedS!).toBeLessThanOrEqual(3 * 1.5 + 0.1);
    expect(result).toMatchObject({ verdict: 'fail', horizonS: 3, server: { keepAlive: 'timeout=0', advertisedKeepAliveS: 0 } });
  });

  it('classifies a late request answered with a reset as a lazy limit closed with rst', async () => {
    // Prepare: the first request (the target check) is answered at once
    const server = await start(lazyResettingServer(1000));

    // Act
    const [result] = await probeTargets([job(server.port)], { ...fast, phases: ['preRequest'] });

    // Assess
    expect(result.phases.preRequest).toMatchObject({ enforcement: 'lazy', closedWith: 'rst', verdict: 'fail' });
    expect(result.phases.preRequest!.survivedS!).toBeLessThanOrEqual(1);
    expect(result.phases.preRequest!.failedS!).toBeGreaterThan(1);
    expect(result.phases.preRequest!.failedS! - result.phases.preRequest!.survivedS!).toBeLessThanOrEqual(0.1 + 0.01);
  });

  it('classifies an unsolicited error response before the close as http-other', async () => {
    // Prepare: the server answers nothing; after 1.5 s on any connection it writes a 400 and closes
    const server = await start(unsolicitedErrorServer(1500));

    // Act
    const [result] = await probeTargets([job(server.port)], { ...fast, phases: ['preRequest'] });

    // Assess: the first request's late 400 shows the target speaks HTTP; silent sockets then get the 400 unasked
    expect(result.error).toBeUndefined();
    expect(result.phases.preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'http-other', verdict: 'fail' });
    expect(result.phases.preRequest!.limitS!).toBeCloseTo(1.5, 1);
  });

  it('tests exactly the load balancer timeout with one socket of each phase', async () => {
    // Prepare
    const server = await start(httpServer({ keepAliveTimeout: 10_000 }));

    // Act
    const [result] = await probeTargets([job(server.port)], fast);

    // Assess
    for (const phase of [result.phases.preRequest!, result.phases.keepAlive!]) {
      expect(phase.sockets.filter((s) => s.role !== 'passive' && s.plannedIdleS === 2)).toHaveLength(1);
    }
  });

  it('completes TLS before idling and does not verify the certificate', async () => {
    // Prepare
    const server = await start(httpsServer(500));

    // Act
    const [result] = await probeTargets([job(server.port, 2, { tls: true })], { ...fast, phases: ['keepAlive'] });

    // Assess: Node.js closes TLS keep-alive connections as it does plain ones. Within 0.15 s: the
    // server's timers share this process's event loop with the probe, which beside a whole npm
    // test ran 0.1 s late once (0.103 s off the plain server's close, measured after it)
    const plain = await start(httpServer({ keepAliveTimeout: 500 }));
    const truthS = await measureKeepAliveCloseS(plain.port);
    expect(result.error).toBeUndefined();
    expect(result.phases.keepAlive).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
    expect(Math.abs(result.phases.keepAlive!.limitS! - truthS)).toBeLessThan(0.15);
  });

  it('names what is wrong with each bad target and still measures the good one', async () => {
    // Prepare
    const good = await start(httpServer({ keepAliveTimeout: 10_000 }));
    const ssh = await start(sshLikeServer());
    const silent = await start(silentServer());
    const refused = await closedPort();

    // Act
    const results = await probeTargets(
      [job(refused), job(ssh.port), job(silent.port, 2, { tls: true }), { ...job(80), target: target(80, { host: 'no-such-host.invalid' }) }, job(good.port)],
      { ...fast, connectTimeoutMs: 500 },
    );

    // Assess
    expect(results.map((r) => r.error?.code)).toEqual(['refused', 'not-http', 'connect-timeout', 'dns', undefined]);
    expect(results[0].error!.message).toBe(`127.0.0.1:${refused}: connection refused (nothing listens on that port)`);
    expect(results[1].error!.message).toContain('does not speak HTTP/1.x (it answered "SSH-2.0-OpenSSH_9.2\\r\\n")');
    expect(results[2].error!.message).toBe(`127.0.0.1:${silent.port}: no TLS handshake within 500 ms`);
    expect(results[3].error!.message).toMatch(/^no-such-host\.invalid:80: DNS lookup failed \(ENOTFOUND|EAI_AGAIN\)/);
    for (const bad of results.slice(0, 4)) {
      expect(bad.verdict).toBe('inconclusive');
      expect(bad.phases.preRequest).toMatchObject({ verdict: 'inconclusive', reason: bad.error!.message });
    }
    expect(results[4].verdict).toBe('pass');
  });

  it("gives a backend's bytes in an error as one printable line, the same in the error and in each phase's reason", async () => {
    // Prepare: a backend that answers with a C1 control (CSI), which JSON quoting leaves as it is
    const server = await start(rawResponseServer(Buffer.from('\u009b2J not http', 'latin1')));

    // Act
    const [result] = await probeTargets([job(server.port)], fast);

    // Assess
    expect(result.error).toMatchObject({ code: 'not-http' });
    expect(result.error!.message).toContain('(it answered "\\x9b2J not http")');
    for (const phase of Object.values(result.phases)) expect(phase.reason).toBe(result.error!.message);
  });

  it('sends a PROXY protocol v1 line once per connection, before the first request, when asked to', async () => {
    // Prepare
    const server = await start(proxyProtocolServer());

    // Act
    const [result] = await probeTargets([job(server.port, 0.5, { proxyProtocol: true })], { ...fast, phases: ['keepAlive'], maxSocketsPerTarget: 3 });

    // Assess: a server that drops connections without the line would have failed every request
    expect(result.phases.keepAlive).toMatchObject({ verdict: 'pass' });
    expect(server.proxyLines.length).toBe(result.socketsUsed);
    expect(server.proxyLines[0]).toMatch(/^PROXY TCP4 127\.0\.0\.1 127\.0\.0\.1 \d+ \d+$/);
  });

  it('passes a server that closes after every response, as no idle connection is ever reused', async () => {
    // Prepare
    const server = await start(httpServer({}, { Connection: 'close' }));

    // Act
    const [result] = await probeTargets([job(server.port)], fast);

    // Assess
    expect(result.server?.connectionClose).toBe(true);
    expect(result.phases.keepAlive).toMatchObject({ verdict: 'pass', enforcement: 'none', limitS: null });
  });

  it('returns what was measured when aborted, and closes every socket', async () => {
    // Prepare: keep-alive fails within 1.2 s; the pre-request phase would need 11 s
    const server = await start(httpServer({ keepAliveTimeout: 200 }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 2000);

    // Act
    const run = await runProbe([job(server.port, 10)], { ...fast, signal: abort.signal });

    // Assess
    const [result] = run.results;
    // Ended on the abort, not at the 11 s horizon (a bound on correctness, not speed)
    expect(run.stats.elapsedS).toBeLessThan(10);
    expect(result.phases.keepAlive).toMatchObject({ verdict: 'fail', enforcement: 'eager' });
    expect(result.phases.preRequest).toMatchObject({ verdict: 'inconclusive', survivedS: null });
    expect(result.phases.preRequest!.reason).toMatch(/^the run was aborted after 2\.\d s of probing \(horizon 11 s\)$/);
    const connections = await serverConnections(server);
    expect(connections).toBe(0);
  });

  it('stops at the time budget and caps the horizon to what fits', async () => {
    // Prepare
    const server = await start(httpServer({ keepAliveTimeout: 10_000, headersTimeout: 20_000, requestTimeout: 20_000 }));

    // Act
    const [result] = await probeTargets([job(server.port, 10)], { ...fast, timeBudgetMs: 2000 });

    // Assess: the 2 s budget less a keep-alive socket's two 250 ms segment pauses and 0.5 s to be answered
    expect(result.horizonS).toBeCloseTo(1, 2);
    expect(result.phases.preRequest).toMatchObject({ verdict: 'inconclusive' });
    expect(result.phases.preRequest!.survivedS).toBeCloseTo(1, 2);
    expect(result.phases.preRequest!.reason).toMatch(/^connections were held for (1|0\.99\d) s, less than the load balancer idle timeout plus margin \(10\.2 s\)$/);
  });

  it('queues targets beyond the open-socket cap instead of exceeding it, and keeps each within its budget at once', async () => {
    // Prepare
    const server = await start(httpServer({ keepAliveTimeout: 100 }));
    const jobs = [job(server.port), job(server.port), job(server.port)];

    // Act
    const run = await runProbe(jobs, { ...fast, phases: ['keepAlive'], maxSocketsPerTarget: 8, maxOpenSockets: 10 });

    // Assess
    expect(run.stats.peakOpenSockets).toBeLessThanOrEqual(10);
    expect(run.results.map((r) => r.phases.keepAlive?.verdict)).toEqual(['fail', 'fail', 'fail']);
    for (const result of run.results) expect(result.peakSockets).toBeLessThanOrEqual(8);
  }, 30_000);
});

/** How many connections the server still holds, after the engine's closes have arrived. */
async function serverConnections(server: LoopbackServer): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return server.connections();
}
