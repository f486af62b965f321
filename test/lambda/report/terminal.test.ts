import type { PhaseResult, ProbeResult } from '../../../lambda/probe';
import { renderTerminalReport, wrap } from '../../../lambda/report/terminal';

const lazy: PhaseResult = { limitS: 40.287, survivedS: 39.908, failedS: 40.287, enforcement: 'lazy', sweepS: null, closedWith: 'fin', headroomS: -19.713, verdict: 'fail', sockets: [] };
const none: PhaseResult = { limitS: null, survivedS: 66.001, failedS: null, enforcement: 'none', sweepS: null, closedWith: null, headroomS: 6, verdict: 'pass', sockets: [] };
const result: ProbeResult = {
  target: { host: '127.0.0.1', port: 8080, tls: false, path: '/' },
  loadBalancerIdleTimeoutS: 60,
  horizonS: 66,
  phases: { preRequest: lazy, keepAlive: none },
  verdict: 'fail',
  server: { server: null, poweredBy: null, keepAlive: null, advertisedKeepAliveS: null, connectionClose: false, status: 200 },
  startedAt: '2026-11-24T10:15:00.000Z',
  elapsedS: 96.359,
  socketsUsed: 15,
};

describe('renderTerminalReport', () => {
  it('renders a table per target with the bracket, then the verdict in words within 80 columns', () => {
    // Act
    const text = renderTerminalReport([result], { color: false });

    // Assess
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '127.0.0.1:8080  FAIL  (load balancer idle timeout 60.0 s, held 66.0 s, 15 sockets, 96.4 s)',
      '  phase       verdict    limit  bracket           enforcement  closed with  headroom',
      '  preRequest  FAIL     40.29 s  39.91 .. 40.29 s  lazy         fin          -19.71 s',
      '  keepAlive   PASS        none  > 66.00 s         none         -             +6.00 s',
      '  server: (no Server header)',
    ]);
    expect(lines[5]).toMatch(/^ {2}127\.0\.0\.1:8080 drops idle connections before the load balancer does:/);
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines.slice(5).every((line) => line.length <= 80)).toBe(true);
  });

  it('names the protocol of a target probed over HTTP/2 or gRPC in its title (the scheme the command line takes) and advice', () => {
    // Act
    const text = renderTerminalReport([{ ...result, target: { host: '10.0.1.5', port: 8443, tls: true, path: '/health', protocolVersion: 'HTTP2' } }], { color: false });

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('h2://10.0.1.5:8443/health  FAIL  (load balancer idle timeout 60.0 s, held 66.0 s, 15 sockets, 96.4 s)');
    expect(lines[5]).toBe('  10.0.1.5:8443 (HTTP/2) drops idle connections before the load balancer does:');
  });

  it('colours verdicts only when asked', () => {
    // Act & Assess
    expect(renderTerminalReport([result], { color: true })).toContain('\u001b[31mFAIL');
    expect(renderTerminalReport([result], { color: false })).not.toContain('\u001b[');
  });
});

describe('wrap', () => {
  it('wraps words at the width, indented', () => {
    // Act & Assess
    expect(wrap('one two three four', 12, '  ')).toEqual(['  one two', '  three four']);
  });

  it('keeps a code span on one line, with the punctuation around it, even past the width', () => {
    // Act
    const lines = wrap('Fix: set Node.js (`server.keepAliveTimeout = 65000`), then deploy.', 30, '  ');

    // Assess
    expect(lines).toEqual(['  Fix: set Node.js', '  (`server.keepAliveTimeout = 65000`),', '  then deploy.']);
  });

  it('keeps each of several code spans whole, the words between them free to wrap (the advice of a default Node.js server)', () => {
    // Act: broken after `server.keepAliveTimeout` when the figures before moved the break
    const lines = wrap('errors. Fix: set Node.js `server.headersTimeout = 66000` and `server.requestTimeout` at least as long; set Node.js `server.keepAliveTimeout = 65000` and `server.headersTimeout = 66000` (it must exceed keepAliveTimeout).', 80, '  ');

    // Assess
    expect(lines).toEqual([
      '  errors. Fix: set Node.js `server.headersTimeout = 66000` and',
      '  `server.requestTimeout` at least as long; set Node.js',
      '  `server.keepAliveTimeout = 65000` and `server.headersTimeout = 66000` (it must',
      '  exceed keepAliveTimeout).',
    ]);
  });

  it('breaks a stray backtick\'s text as words, never gluing a paragraph into one line', () => {
    // Act: an unmatched backtick, and a span longer than 60 characters
    const lines = wrap(`Server: evil\` one two three four five six seven eight nine ten eleven twelve \`${'x '.repeat(40)}\``, 20, '');

    // Assess
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(20);
  });
});
