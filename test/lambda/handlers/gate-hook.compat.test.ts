/**
 * The gate's hook behind a real 60 s load balancer timeout (see gate-harness.ts): a Node.js
 * server with its defaults (keep-alive 5 s) as the replacement task gives `IN_PROGRESS` then
 * `FAILED` with the reason; one with `keepAliveTimeout` 65 s and `headersTimeout` 66 s gives
 * `IN_PROGRESS` then `SUCCEEDED`. About 90 s, both deployments at once. Needs `npm run build`.
 */
import { createServer, type Server } from 'node:http';
import { startGateHarness } from './gate-harness';

/** A Node.js server on loopback with `configure` applied (none: Node.js's defaults). */
async function nodeTask(configure: (server: Server) => void = () => undefined): Promise<{ host: string; port: number; server: Server }> {
  const server = createServer((_request, response) => response.end('ok'));
  configure(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as { port: number }).port, server };
}

describe('the gate hook behind a 60 s load balancer', () => {
  it('fails the deployment of a default Node.js server and lets through one with keepAliveTimeout 65000 and headersTimeout 66000', async () => {
    // Prepare
    const gate = startGateHarness(60);
    const [defaults, fixed] = await Promise.all([nodeTask(), nodeTask((s) => ((s.keepAliveTimeout = 65_000), (s.headersTimeout = 66_000)))]);
    gate.services.set('defaults', { name: 'defaults', tasks: [defaults] });
    gate.services.set('fixed', { name: 'fixed', tasks: [fixed] });

    try {
      // Act
      const [failing, passing] = await Promise.all([gate.ecsCalls(gate.services.get('defaults')!), gate.ecsCalls(gate.services.get('fixed')!)]);
      console.log(`default Node.js: ${JSON.stringify(failing, null, 1)}\nkeepAliveTimeout 65000, headersTimeout 66000: ${JSON.stringify(passing, null, 1)}`);

      // Assess
      for (const calls of [failing, passing]) {
        expect(calls.first).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
        expect(calls.whileRunning).toMatchObject({ hookStatus: 'IN_PROGRESS' });
      }
      expect(failing.last).toMatchObject({ hookStatus: 'FAILED', hookDetails: { verdict: 'fail' } });
      const reason = (failing.last.hookDetails as { reason: string }).reason;
      expect(reason).toContain('load balancer shop (idle timeout 60 s, margin 1 s)');
      expect(reason).toMatch(/idle keep-alive connections are closed by the server after [5-6]\.\d s/);
      expect(reason).toContain('server.keepAliveTimeout = 65000');
      expect(passing.last).toMatchObject({ hookStatus: 'SUCCEEDED', hookDetails: { verdict: 'pass' } });
    } finally {
      gate.stop();
      for (const { server } of [defaults, fixed]) {
        server.closeAllConnections();
        server.close();
      }
    }
  }, 300_000);
});
