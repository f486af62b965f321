import net from 'node:net';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';

const base = { name: 'test', description: 'test', keepAliveTimeoutMs: 10_000, headersTimeoutMs: 10_000 };

/** Sends a request after `idleMs`, whole or as request line + 25 ms pause + rest; says what came back. */
function lateRequest(backend: RunningBackend, idleMs: number, segments: 1 | 2): Promise<'answered' | 'closed'> {
  return new Promise((resolve) => {
    const socket = net.connect(backend.port, backend.host);
    socket.setNoDelay(true);
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('close', () => resolve(reply.startsWith('HTTP/1.1 200') ? 'answered' : 'closed'));
    socket.on('error', () => undefined);
    setTimeout(() => {
      const request = 'GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n';
      if (segments === 1) return void socket.write(request);
      socket.write('GET / HTTP/1.1\r\n');
      setTimeout(() => socket.write('Host: test\r\nConnection: close\r\n\r\n'), 25);
    }, idleMs);
  });
}

describe('startBackend', () => {
  const running: RunningBackend[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((b) => b.stop()));
  });

  it('reproduces the Node.js 8.14 rule: a late two-segment request dies, a one-segment one and an early one are answered', async () => {
    // Prepare
    const backend = await startBackend({ ...base, lazyHeadersTimeoutMs: 500 });
    running.push(backend);

    // Act
    const outcomes = await Promise.all([lateRequest(backend, 800, 2), lateRequest(backend, 800, 1), lateRequest(backend, 200, 2)]);

    // Assess
    expect(outcomes).toEqual(['closed', 'answered', 'answered']);
  });

  it('answers 408 on a silent connection after its headers timeout', async () => {
    // Prepare
    const backend = await startBackend({ ...base, headersTimeoutMs: 500, connectionsCheckingIntervalMs: 100 });
    running.push(backend);

    // Act
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(backend.port, backend.host);
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });

    // Assess
    expect(reply.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a silent connection on its own timer before the first request, and answers a request that comes before it', async () => {
    // Prepare
    const backend = await startBackend({ ...base, preRequestTimeoutMs: 300 });
    running.push(backend);
    const silentFor = () =>
      new Promise<number>((resolve) => {
        const socket = net.connect(backend.port, backend.host);
        let connectedAt = 0;
        socket.on('connect', () => (connectedAt = performance.now()));
        socket.on('close', () => resolve(performance.now() - connectedAt));
        socket.on('error', () => undefined);
      });

    // Act: two silent connections opened 100 ms apart close at the same idle (a sweep would close them together)
    const [first, second, talking] = await Promise.all([silentFor(), new Promise<number>((resolve) => setTimeout(() => void silentFor().then(resolve), 100)), lateRequest(backend, 100, 1)]);

    // Assess
    for (const idleMs of [first, second]) {
      expect(idleMs).toBeGreaterThanOrEqual(290);
      expect(idleMs).toBeLessThan(600);
    }
    expect(talking).toBe('answered');
  });
});
