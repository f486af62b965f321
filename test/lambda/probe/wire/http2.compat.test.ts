/**
 * The HTTP/2 wire against real HTTP/2 servers held for a real 60 s load balancer timeout: one
 * run of every server at once, as a deployed run holds them.
 */
import { probeTargets, type ProbeJob, type ProbeResult, type ProtocolVersion } from '../../../../lambda/probe';
import { startGrpcServer, type GrpcServer } from '../../../support/grpc-server';
import { http2Server, measureGoawayS, type Http2LoopbackServer } from '../../../support/http2-servers';

/** One run of about 100 s: the horizon, and half of it again for a sweep that may follow. */
const RUN_TIMEOUT_MS = 180_000;
/**
 * How far from a server's setting, or from another connection's close, a limit may be seen beside
 * a whole `npm test` on two cores: the servers' timers and the probe's event loop run late (a 90 s
 * session timeout read 90.141 s once). Within 0.1 s alone, as http2.integration shows.
 */
const LOADED_TOLERANCE_S = 0.25;

/** How much later than planned a starved server may set up the aligned keep-alive connection (a second seen). */
const STARVED_LEAD_S = 2;

const job = (port: number, protocolVersion: ProtocolVersion, tls = false): ProbeJob => ({ target: { host: '127.0.0.1', port, tls, path: '/', protocolVersion }, loadBalancerIdleTimeoutS: 60 });

describe('the HTTP/2 wire behind a 60 s load balancer', () => {
  let servers: { short: Http2LoopbackServer; long: Http2LoopbackServer; grpc: GrpcServer };
  let results: ProbeResult[];
  let grpcTruthS: number;

  beforeAll(async () => {
    // Prepare: a 30 s session timeout over TLS, a 90 s one in cleartext, gRPC's max_connection_idle_ms of 30 s
    const [short, long, grpc] = await Promise.all([http2Server({ tls: true, timeoutMs: 30_000 }), http2Server({ timeoutMs: 90_000 }), startGrpcServer(30_000)]);
    servers = { short, long, grpc };

    // Act
    [grpcTruthS, results] = await Promise.all([measureGoawayS(grpc.port, 40), probeTargets([job(short.port, 'HTTP2', true), job(long.port, 'HTTP2'), job(grpc.port, 'GRPC')])]);
  }, RUN_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([servers?.short.close(), servers?.long.close(), servers?.grpc.stop()]);
  });

  it('fails a 30 s HTTP/2 session timeout in both phases, within 0.1 s, closed with GOAWAY', () => {
    // Assess
    const [short] = results;
    expect(short.verdict).toBe('fail');
    for (const phase of [short.phases.preRequest!, short.phases.keepAlive!]) {
      expect(phase).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', goaway: { code: 0 }, verdict: 'fail' });
      expect(Math.abs(phase.limitS! - 30)).toBeLessThan(LOADED_TOLERANCE_S);
    }
  });

  it('passes a 90 s HTTP/2 session timeout, over HTTP/2 only', () => {
    // Assess
    const long = results[1];
    expect(long).toMatchObject({ verdict: 'pass', phases: { preRequest: { verdict: 'pass' }, keepAlive: { verdict: 'pass' } } });
    // The pre-request phase's passive socket, waiting half a horizon more for a sweep, may see the close at 90 s
    expect(Math.abs((long.phases.preRequest!.limitS ?? 90) - 90)).toBeLessThan(LOADED_TOLERANCE_S);
    expect(new Set(servers.long.httpVersions)).toEqual(new Set(['2.0']));
  });

  it('fails gRPC max_connection_idle_ms of 30 s: both limits at another connection\'s close, closed with GOAWAY', () => {
    // Assess
    const grpc = results[2];
    expect(grpc.verdict).toBe('fail');
    expect(grpc.phases.preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', verdict: 'fail' });
    // Against what the server did beside it: gRPC core's timers, on a thread of their own, run late
    // on a loaded machine, and each connection's idle starts at the server's SETTINGS, which the
    // Python server sends after a delay of its own. Within 0.1 s alone (http2.integration); beside
    // a whole npm test, 0.147 s from another connection's close once, and 29.891 s another time
    expect(Math.abs(grpcTruthS - 30)).toBeLessThan(0.5);
    expect(Math.abs(grpc.phases.preRequest!.limitS! - grpcTruthS)).toBeLessThan(LOADED_TOLERANCE_S);
    // The keep-alive phase too, by its aligned socket: twice the setting (60.05 s from the
    // pre-request socket's connect) fits the 66 s horizon. It reads the setting plus the lead its
    // connection's timer really had on the pre-request socket's: 0.05 s as planned, but the
    // starved Python server once set the aligned connection up a second later (31.003 s against
    // 30.000). Never below the setting, and far from the twice the setting it reads without
    const keepAliveOverS = grpc.phases.keepAlive!.limitS! - grpcTruthS;
    expect(grpc.phases.keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', sweepS: null, verdict: 'fail' });
    expect(keepAliveOverS).toBeGreaterThan(-LOADED_TOLERANCE_S);
    expect(keepAliveOverS).toBeLessThan(STARVED_LEAD_S);
    expect(servers.grpc.served.length).toBeGreaterThan(0);
  });
});
