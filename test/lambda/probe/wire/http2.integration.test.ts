import { probeTargets, type ProbeJob } from '../../../../lambda/probe';
import { http2Server, measureGoawayS } from '../../../support/http2-servers';
import http2 from 'node:http2';
import net from 'node:net';
import { http2Wire } from '../../../../lambda/probe/wire/http2';
import { closedAfterEach, httpServer, listen } from '../../../support/loopback';

/** An empty SETTINGS frame: 9 bytes of frame header (length 0, type 4, no flags, stream 0). */
const SERVER_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
import { startGrpcServer, type GrpcServer } from '../../../support/grpc-server';

const fast = { marginS: 0.2, precisionS: 0.1 };
const h2Job = (port: number, loadBalancerIdleTimeoutS: number, tls = false): ProbeJob => ({
  target: { host: '127.0.0.1', port, tls, path: '/health', protocolVersion: 'HTTP2' },
  loadBalancerIdleTimeoutS,
});

describe('the HTTP/2 wire', () => {
  const start = closedAfterEach();

  it('measures a cleartext HTTP/2 session timeout in both phases, closed with GOAWAY', async () => {
    // Prepare
    const server = await start(http2Server({ timeoutMs: 1500 }));

    // Act
    const [result] = await probeTargets([h2Job(server.port, 2)], fast);

    // Assess
    for (const phase of [result.phases.preRequest!, result.phases.keepAlive!]) {
      expect(phase).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', verdict: 'fail' });
      expect(Math.abs(phase.limitS! - 1.5)).toBeLessThan(0.1);
    }
    expect(result.phases.preRequest!.goaway).toEqual({ code: 0, lastStreamId: 0 });
    // After the socket's first stream, or its second (the socket whose idle starts half a second later)
    expect(result.phases.keepAlive!.goaway).toMatchObject({ code: 0 });
    expect([1, 3]).toContain(result.phases.keepAlive!.goaway!.lastStreamId);
    expect(new Set(server.httpVersions)).toEqual(new Set(['2.0']));
  });

  it('passes a TLS (ALPN h2) HTTP/2 server without a session timeout in both phases, over HTTP/2 only', async () => {
    // Prepare
    const server = await start(http2Server({ tls: true }));

    // Act
    const [result] = await probeTargets([h2Job(server.port, 2, true)], fast);

    // Assess
    expect(result.error).toBeUndefined();
    expect(result.phases.preRequest).toMatchObject({ limitS: null, enforcement: 'none', verdict: 'pass' });
    expect(result.phases.keepAlive).toMatchObject({ limitS: null, enforcement: 'none', verdict: 'pass' });
    expect(result.target).toMatchObject({ tls: true, protocolVersion: 'HTTP2' });
    expect(server.pings()).toBe(0);
    expect(server.httpVersions.length).toBeGreaterThan(0);
    expect(new Set(server.httpVersions)).toEqual(new Set(['2.0']));
  });

  it('measures a TLS HTTP/2 session timeout behind a 2 s load balancer: passes when it is longer', async () => {
    // Prepare
    const [short, long] = await Promise.all([start(http2Server({ tls: true, timeoutMs: 1200 })), start(http2Server({ tls: true, timeoutMs: 4000 }))]);

    // Act
    const [shortResult, longResult] = await probeTargets([h2Job(short.port, 2, true), h2Job(long.port, 2, true)], fast);

    // Assess
    expect(shortResult.phases.preRequest).toMatchObject({ closedWith: 'goaway', goaway: { code: 0, lastStreamId: 0 }, verdict: 'fail' });
    expect(Math.abs(shortResult.phases.preRequest!.limitS! - 1.2)).toBeLessThan(0.1);
    expect(Math.abs(shortResult.phases.keepAlive!.limitS! - 1.2)).toBeLessThan(0.1);
    expect(longResult).toMatchObject({ verdict: 'pass', phases: { preRequest: { verdict: 'pass' }, keepAlive: { verdict: 'pass' } } });
  });

  it('refuses to probe an HTTP/1.1-only server as HTTP/2, with one line saying why', async () => {
    // Prepare
    const server = await start(httpServer({ keepAliveTimeout: 5000 }));

    // Act
    const [result] = await probeTargets([h2Job(server.port, 2)], fast);

    // Assess
    expect(result.verdict).toBe('inconclusive');
    expect(result.error?.message).toMatch(/^127\.0\.0\.1:\d+: no HTTP\/2 connection preface from the server/);
  });
});

describe('an HTTP/2 connection the server ends', () => {
  const start = closedAfterEach();

  it('counts a request on a stream after the GOAWAY\'s last stream id as refused, with the GOAWAY recorded', async () => {
    // Prepare: the first stream is answered; on the next the server says it served only stream 1
    const server = await start(
      listen(
        http2.createServer().on('stream', (stream) => {
          // The client's session ends with the GOAWAY: the unanswered stream is refused.
          stream.on('error', () => undefined);
          if (stream.id === 1) {
            stream.respond({ ':status': 200 });
            stream.end('ok');
          } else stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
        }),
      ),
    );
    const connection = await http2Wire({ host: '127.0.0.1', port: server.port, tls: false, path: '/', protocolVersion: 'HTTP2' }).open({ address: '127.0.0.1', port: server.port, tls: false }, { connectTimeoutMs: 2000 });

    // Act
    const first = await connection.send({ timeoutMs: 2000 });
    const second = await connection.send({ timeoutMs: 2000 });
    const third = await connection.send({ timeoutMs: 2000 });

    // Assess
    expect(first).toMatchObject({ kind: 'response', head: { status: 200, httpVersion: '2' } });
    expect(second).toMatchObject({ kind: 'closed', close: { closedWith: 'goaway', unprompted: false, protocolClose: { kind: 'goaway', code: 0, lastStreamId: 1 } } });
    expect(third).toMatchObject({ kind: 'closed', close: { closedWith: 'goaway' } });
    expect(connection.closing).toBe(true);
    connection.destroy();
  });

  it('records a connection reset while idle as rst, not as a GOAWAY', async () => {
    // Prepare: the server resets the TCP connection 300 ms after the SETTINGS, without a GOAWAY
    const server = await start(listen(net.createServer((socket) => setTimeout(() => socket.resetAndDestroy(), 300)).on('connection', (socket) => socket.once('data', () => socket.write(SERVER_SETTINGS)))));
    const connection = await http2Wire({ host: '127.0.0.1', port: server.port, tls: false, path: '/', protocolVersion: 'HTTP2' }).open({ address: '127.0.0.1', port: server.port, tls: false }, { connectTimeoutMs: 2000 });

    // Act
    const close = await connection.ended;

    // Assess
    expect(close).toMatchObject({ closedWith: 'rst', unprompted: true });
    expect(close.protocolClose).toBeUndefined();
  });
});

describe('the gRPC wire', () => {
  const servers: GrpcServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('measures gRPC max_connection_idle_ms with health checks, closed with GOAWAY', async () => {
    // Prepare
    const server = await startGrpcServer(1500);
    servers.push(server);

    // Act
    const [truthS, [result]] = await Promise.all([
      measureGoawayS(server.port, 5),
      // Behind 2.5 s (a 3.5 s horizon): the passive socket's close at twice the setting comes well
      // before its request at the horizon (behind 2 s the two raced, and a request that crossed the
      // GOAWAY read as a lazy limit)
      probeTargets([{ target: { host: '127.0.0.1', port: server.port, tls: false, path: '/', protocolVersion: 'GRPC' }, loadBalancerIdleTimeoutS: 2.5 }], fast),
    ]);

    // Assess: gRPC core 1.51 (Debian 12) ends an idle connection with GOAWAY INTERNAL_ERROR ("enter idle")
    const { preRequest, keepAlive } = result.phases;
    expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', goaway: { code: 2, lastStreamId: 0 }, verdict: 'fail' });
    expect(Math.abs(preRequest!.limitS! - truthS)).toBeLessThan(0.1);
    expect(Math.abs(truthS - 1.5)).toBeLessThan(0.5);
    // Between calls its idle timer, armed when the connection opened, is re-armed in full when it
    // finds a call came: a connection idle since a call is closed at one to two times the setting,
    // by when the call came. The aligned socket's second call comes just before its check, as the
    // pre-request socket's close shows it due, so it reads the setting (plus the 0.05 s lead), the
    // shortest a load balancer meets, as the pre-request phase does.
    expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', goaway: { code: 2 }, sweepS: null, verdict: 'fail' });
    expect(keepAlive!.goaway!.lastStreamId).toBeGreaterThanOrEqual(1);
    expect({ limitS: keepAlive!.limitS, truthS, within: Math.abs(keepAlive!.limitS! - truthS) < 0.1 }).toMatchObject({ within: true });
    expect(keepAlive!.sockets.find((s) => s.role === 'aligned')).toMatchObject({ outcome: 'closed', unprompted: true, closedWith: 'goaway' });
    expect(result.verdict).toBe('fail');
    expect(result.server?.status).toBe(200);
    expect(server.served.every((method) => method === '/grpc.health.v1.Health/Check')).toBe(true);
    expect(server.served.length).toBeGreaterThan(0);
  });
});
