import type { PhaseResult, ProbeResult, ServerHints } from '../../../lambda/probe';
import { adviseTarget, recognizeServer } from '../../../lambda/report/advice';

const hints = (extra: Partial<ServerHints>): ServerHints => ({ server: null, poweredBy: null, keepAlive: null, advertisedKeepAliveS: null, connectionClose: false, status: 200, ...extra });
const phase = (extra: Partial<PhaseResult>): PhaseResult => ({
  limitS: null,
  survivedS: 66,
  failedS: null,
  enforcement: 'none',
  sweepS: null,
  closedWith: null,
  headroomS: 6,
  verdict: 'pass',
  sockets: [],
  ...extra,
});
const lazy40 = phase({ limitS: 40.287, survivedS: 39.908, failedS: 40.287, enforcement: 'lazy', closedWith: 'fin', headroomS: -19.713, verdict: 'fail' });
const eager5 = phase({ limitS: 5.001, survivedS: 5, failedS: 5.001, enforcement: 'eager', closedWith: 'fin', headroomS: -54.999, verdict: 'fail' });
const result = (phases: ProbeResult['phases'], server: ServerHints, extra: Partial<ProbeResult> = {}): ProbeResult => ({
  target: { host: '10.0.3.17', port: 30080, tls: false, path: '/' },
  loadBalancerIdleTimeoutS: 60,
  horizonS: 66,
  phases,
  verdict: 'fail',
  server,
  startedAt: '2026-11-24T10:15:00.000Z',
  elapsedS: 96.4,
  socketsUsed: 15,
  ...extra,
});

describe('adviseTarget', () => {
  it('names the Node.js setting and a safe value for a lazy 40 s backend behind a 60 s load balancer', () => {
    // Act
    const advice = adviseTarget(result({ preRequest: lazy40, keepAlive: phase({}) }, hints({})));

    // Assess
    expect(advice).toBe(
      '10.0.3.17:30080 drops idle connections before the load balancer does: connections that wait for their first request die after 40.3 s ' +
        '(survived 39.9 s, failed 40.3 s), lazily: nothing happens while they are idle, the late request itself is refused. ' +
        'Behind a 60.0 s load balancer idle timeout this gives intermittent 502/504 errors. ' +
        'Fix: set Node.js `server.headersTimeout = 66000` (Node.js 8.14 to 12.18 count it from accept), or upgrade Node.js. ' +
        'Or lower the load balancer idle timeout to 39 s, which today\'s backend outlasts.',
    );
  });

  it('keeps the margin the result was judged with below the limit, and never advises a setting that margin would fail', () => {
    // Act: judged with an 8 s margin (the idle-canary:margin tag)
    const advice = adviseTarget(result({ preRequest: lazy40, keepAlive: phase({}) }, hints({}), { marginS: 8 }));

    // Assess: 40.287 s less 8 s, and a header timeout of 60 + 9 s + 1 s
    expect(advice).toContain('lower the load balancer idle timeout to 32 s');
    expect(advice).toContain('`server.headersTimeout = 70000`');
  });

  it('names keepAliveTimeout and headersTimeout for a Node.js 5 s keep-alive, and the advertised timeout that disagrees', () => {
    // Act
    const advice = adviseTarget(result({ keepAlive: { ...eager5, limitS: 6.001 } }, hints({ keepAlive: 'timeout=5', advertisedKeepAliveS: 5 })));

    // Assess
    expect(advice).toContain('Fix: set Node.js `server.keepAliveTimeout = 65000` and `server.headersTimeout = 66000` (it must exceed keepAliveTimeout).');
    expect(advice).toContain('Note: it advertises `Keep-Alive: timeout=5` but closed idle connections after 6.0 s.');
  });

  it('says a periodic check in words: how often, the threshold, and when connections really die', () => {
    // Prepare: Node.js 18+ with headersTimeout 40000, checked every 30 s
    const swept = phase({ limitS: 40.9, survivedS: 39.9, failedS: 40.9, enforcement: 'eager', sweepS: 30, sweepsSeen: 2, closedWith: 'http-408', headroomS: -19.1, verdict: 'fail' });

    // Act
    const advice = adviseTarget(result({ preRequest: swept, keepAlive: phase({}) }, hints({ keepAlive: 'timeout=5' })));
    const bound = adviseTarget(result({ preRequest: { ...swept, sweepS: 12.5, sweepsSeen: 1 }, keepAlive: phase({}) }, hints({ keepAlive: 'timeout=5' })));

    // Assess
    expect(advice).toContain(
      'connections that wait for their first request are closed with an unsolicited 408, checked every 30.0 s: connections idle longer than a threshold between 39.9 and 40.9 s are closed at the next check, between 40.9 and 70.9 s after accept.',
    );
    expect(advice).toContain('set Node.js `server.headersTimeout = 66000`');
    expect(advice).toContain('lower the load balancer idle timeout to 38 s');
    expect(bound).toContain('checked at intervals of at least 12.5 s (one check seen): connections idle longer than a threshold between 39.9 and 40.9 s are closed at the next check, from 40.9 s after accept.');
  });

  it('names the nginx directives for nginx', () => {
    // Act
    const advice = adviseTarget(result({ preRequest: { ...eager5, limitS: 59.999 }, keepAlive: eager5 }, hints({ server: 'nginx/1.22.1' })));

    // Assess
    expect(advice).toContain('Fix: set nginx `client_header_timeout 65s;`; set nginx `keepalive_timeout 65s;`.');
    expect(advice).toContain('Or lower the load balancer idle timeout to 4 s');
  });

  it('says what was wrong when a target could not be probed', () => {
    // Act
    const advice = adviseTarget(result({}, hints({}), { verdict: 'inconclusive', error: { code: 'refused', message: '10.0.3.17:30080: connection refused (nothing listens on that port)' } }));

    // Assess
    expect(advice).toBe(
      '10.0.3.17:30080 could not be probed: 10.0.3.17:30080: connection refused (nothing listens on that port). Check that the probe may reach it (security groups, network ACLs) and that the port speaks HTTP; the verdict stays inconclusive until it answers.',
    );
  });

  it('names the gRPC server settings for a gRPC target that drops idle connections, and says keepalive pings do not help behind an ALB', () => {
    // Act: a gRPC server whose MaxConnectionIdle is 20 s, behind a 60 s ALB
    const idle20 = phase({ limitS: 20.004, survivedS: 19.5, failedS: 20.004, enforcement: 'eager', closedWith: 'fin', headroomS: -39.996, verdict: 'fail' });
    const advice = adviseTarget(result({ preRequest: idle20, keepAlive: idle20 }, hints({}), { target: { host: '10.0.1.5', port: 50051, tls: false, path: '/AWS.ALB/healthcheck', protocolVersion: 'GRPC' } }));

    // Assess
    expect(advice).toBe(
      '10.0.1.5:50051 (gRPC) drops idle connections before the load balancer does: connections that wait for their first request are closed by the server after 20.0 s; ' +
        'idle keep-alive connections are closed by the server after 20.0 s. Behind a 60.0 s load balancer idle timeout this gives intermittent 502/504 errors. ' +
        "Fix: raise the gRPC server's idle limit to at least 65 s: grpc-go `keepalive.ServerParameters{MaxConnectionIdle: 65 * time.Second}`, " +
        'grpc-java `maxConnectionIdle(65, TimeUnit.SECONDS)`, grpc-js and Python `grpc.max_connection_idle_ms = 65000`; ' +
        'a `MaxConnectionAge` (`grpc.max_connection_age_ms`) closes idle connections too, so keep it unset or above 65 s. ' +
        "Or lower the load balancer idle timeout to 19 s, which today's backend outlasts. " +
        "Keepalive pings do not help: the load balancer sends no HTTP/2 PING frames to its targets and does not count them as activity, so only the server's idle limit keeps its connections open.",
    );
  });

  it('names the Node.js and Go HTTP/2 timeouts for an HTTP/2 target, and nginx keepalive_timeout for nginx', () => {
    // Prepare
    const target = { host: '10.0.1.5', port: 8443, tls: true, path: '/', protocolVersion: 'HTTP2' } as const;

    // Act
    const unknown = adviseTarget(result({ keepAlive: eager5 }, hints({}), { target }));
    const nginx = adviseTarget(result({ keepAlive: eager5 }, hints({ server: 'nginx' }), { target }));

    // Assess
    expect(unknown).toContain('10.0.1.5:8443 (HTTP/2) drops idle connections before the load balancer does: idle keep-alive connections are closed by the server after 5.0 s.');
    expect(unknown).toContain(
      "Fix: raise the HTTP/2 server's idle timeout to at least 65 s: Node.js `server.setTimeout(65000)` or `session.setTimeout(65000)` of `http2.createServer`, Go `http2.Server{IdleTimeout: 65 * time.Second}` (or `http.Server.IdleTimeout`).",
    );
    expect(unknown).toContain('Keepalive pings do not help');
    expect(nginx).toContain('Fix: set nginx `keepalive_timeout 65s;` (it bounds idle HTTP/2 connections since 1.19.7, `http2_idle_timeout` before).');
  });

  it('says which protocol the port must speak when an HTTP/2 or gRPC target could not be probed', () => {
    // Act
    const error = { code: 'not-http', message: '10.0.1.5:50051: not HTTP/2' } as const;
    const h2c = adviseTarget(result({}, hints({}), { verdict: 'inconclusive', error, target: { host: '10.0.1.5', port: 50051, tls: false, path: '/', protocolVersion: 'HTTP2' } }));
    const grpcTls = adviseTarget(result({}, hints({}), { verdict: 'inconclusive', error, target: { host: '10.0.1.5', port: 50051, tls: true, path: '/', protocolVersion: 'GRPC' } }));

    // Assess
    expect(h2c).toBe(
      '10.0.1.5:50051 (HTTP/2) could not be probed: 10.0.1.5:50051: not HTTP/2. Check that the probe may reach it (security groups, network ACLs) and that the port speaks cleartext HTTP/2 with prior knowledge (h2c); the verdict stays inconclusive until it answers.',
    );
    expect(grpcTls).toContain('and that the port speaks gRPC over HTTP/2 and TLS (ALPN h2);');
  });

  it('says nothing needs to change when both phases outlast the load balancer', () => {
    // Act
    const advice = adviseTarget(result({ preRequest: phase({}), keepAlive: phase({}) }, hints({ server: 'nginx' }), { verdict: 'pass' }));

    // Assess
    expect(advice).toBe(
      '10.0.3.17:30080 outlasts the load balancer: idle connections survived past 66.0 s before the first request and past 66.0 s between requests, more than the 60.0 s idle timeout plus the margin. Nothing to change. Any load balancer idle timeout up to 65 s is safe with it today.',
    );
  });
});

describe('recognizeServer', () => {
  it('recognises nginx and Apache by their Server header, Node.js by its Keep-Alive header or lazy enforcement', () => {
    // Act & Assess
    expect(recognizeServer(hints({ server: 'nginx/1.22.1' }), {})).toBe('nginx');
    expect(recognizeServer(hints({ server: 'Apache/2.4.62 (Debian)' }), {})).toBe('apache');
    expect(recognizeServer(hints({ keepAlive: 'timeout=5' }), {})).toBe('node');
    expect(recognizeServer(hints({}), { preRequest: lazy40 })).toBe('node');
    expect(recognizeServer(hints({ server: 'gunicorn' }), {})).toBe('unknown');
  });
});
