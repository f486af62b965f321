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
