/**
 * `idle-canary probe` of HTTP/2 targets: the command line's h2c:// form, probed over HTTP/2.
 */
import { main } from '../../cli/main';
import type { ProbeResult } from '../../lambda/probe';
import { capture } from '../support/capture';
import { http2Server } from '../support/http2-servers';
import { closedAfterEach } from '../support/loopback';

describe('idle-canary probe h2c://', () => {
  const start = closedAfterEach();

  it('probes an HTTP/2 server over HTTP/2 and says it closed with GOAWAY, exiting 1 on the failure', async () => {
    // Prepare: a session timeout of 1.2 s behind a 2 s load balancer
    const server = await start(http2Server({ timeoutMs: 1200 }));
    const { io, out } = capture();

    // Act
    const status = await main(['probe', `h2c://127.0.0.1:${server.port}/health`, '--lb-idle-timeout', '2', '--margin', '0.2'], io);

    // Assess
    expect(status).toBe(1);
    expect(out()).toContain(`h2c://127.0.0.1:${server.port}/health  FAIL`);
    expect(out()).toContain('GOAWAY (NO_ERROR, last stream 0)');
    // The first close of a keep-alive socket: after its first stream, or after its second (the
    // socket whose idle starts half a second later)
    expect(out().replace(/\s+/g, ' ')).toMatch(/idle keep-alive connections are closed with GOAWAY \(NO_ERROR, last stream [13]\) after 1\.2/);
    expect(out().replace(/\s+/g, ' ')).toContain("raise the HTTP/2 server's idle timeout to at least 7 s: Node.js `server.setTimeout(7000)`");
    expect(server.paths.every((path) => path === '/health')).toBe(true);
    expect(new Set(server.httpVersions)).toEqual(new Set(['2.0']));
  });

  it('prints the contract JSON with the GOAWAY and the protocol version', async () => {
    // Prepare
    const server = await start(http2Server({ timeoutMs: 1200 }));
    const { io, out } = capture();

    // Act
    await main(['probe', `h2c://127.0.0.1:${server.port}`, '--lb-idle-timeout', '2', '--phases', 'preRequest', '--json'], io);

    // Assess
    const result = JSON.parse(out()) as ProbeResult;
    expect(result.target).toMatchObject({ protocolVersion: 'HTTP2', tls: false, path: '/' });
    expect(result.phases.preRequest).toMatchObject({ closedWith: 'goaway', goaway: { code: 0, lastStreamId: 0 } });
    expect(result.phases.preRequest!.sockets.find((s) => s.closedWith === 'goaway')).toMatchObject({ unprompted: true, goaway: { code: 0, lastStreamId: 0 } });
  });
});
