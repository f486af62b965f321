/**
 * Servers that serve one connection at a time (gunicorn's sync worker, in miniature): the
 * probe judges the one connection the server took, never the ones that waited in its queue.
 */
import net from 'node:net';
import { probeTargets } from '../../../lambda/probe';
import { ONE_AT_A_TIME_REASON } from '../../../lambda/probe/concurrency';
import { listen, type LoopbackServer } from '../../support/loopback';

/**
 * Takes one connection at a time, as a single sync worker does: the others wait unread
 * (`pauseOnConnect`), as in a kernel accept queue. The connection taken gets `silentLimitMs` to
 * send its request (then it is closed with a FIN), is answered with `Connection: close`, and
 * the next one is taken.
 */
function oneAtATimeServer(silentLimitMs: number): Promise<LoopbackServer> {
  const queue: net.Socket[] = [];
  let busy = false;
  const takeNext = (): void => {
    if (busy) return;
    let socket = queue.shift();
    // A connection its client (or the test's end) already closed is skipped, as a worker would find it closed.
    while (socket?.destroyed === true) socket = queue.shift();
    if (socket === undefined) return;
    busy = true;
    let request = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      busy = false;
      takeNext();
    };
    const timer = setTimeout(() => {
      socket.end();
      finish();
    }, silentLimitMs).unref();
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      finish();
    });
    socket.resume();
  };
  return listen(
    net.createServer({ pauseOnConnect: true }, (socket) => {
      queue.push(socket);
      takeNext();
    }),
  );
}

const servers: LoopbackServer[] = [];
const start = async (server: Promise<LoopbackServer>) => {
  servers.push(await server);
  return servers[servers.length - 1];
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Short enough for second-scale horizons: the check's request waits no longer than this. */
const RESPONSE_TIMEOUT_MS = 500;

describe('a server that serves one connection at a time and closes after every response', () => {
  it('fails the pre-request phase at the limit of the connection it took, with no sweep read from its queue, and passes keep-alive', async () => {
    // Prepare: a silent connection is dropped 1 s after the server takes it
    const server = await start(oneAtATimeServer(1000));

    // Act
    const [result] = await probeTargets([{ target: { host: '127.0.0.1', port: server.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 }], {
      responseTimeoutMs: RESPONSE_TIMEOUT_MS,
    });

    // Assess
    const preRequest = result.phases.preRequest!;
    expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'fin', sweepS: null, verdict: 'fail' });
    expect(preRequest.limitS!).toBeGreaterThanOrEqual(0.95);
    expect(preRequest.limitS!).toBeLessThanOrEqual(1.2);
    expect(preRequest.reason).toMatch(new RegExp(`^${ONE_AT_A_TIME_REASON}: `));
    expect(preRequest.sockets.filter((socket) => socket.notAccepted === true)).toHaveLength(1);
    expect(result.phases.keepAlive).toMatchObject({ verdict: 'pass', limitS: null, sockets: [] });
  }, 20_000);

  it('does not pass the pre-request phase when the connection it took outlives the load balancer: requests would wait behind it', async () => {
    // Prepare: a silent connection is kept 5 s, longer than a 2 s load balancer plus the margin
    const server = await start(oneAtATimeServer(5000));

    // Act
    const [result] = await probeTargets([{ target: { host: '127.0.0.1', port: server.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 }], {
      responseTimeoutMs: RESPONSE_TIMEOUT_MS,
    });

    // Assess
    const preRequest = result.phases.preRequest!;
    expect(preRequest).toMatchObject({ limitS: null, sweepS: null, verdict: 'inconclusive' });
    expect(preRequest.survivedS!).toBeGreaterThanOrEqual(3);
    expect(preRequest.reason).toMatch(new RegExp(`^${ONE_AT_A_TIME_REASON}: .*would leave requests waiting behind an idle one$`));
  }, 20_000);
});

describe('a server that takes every connection at once', () => {
  it('is judged on every socket, with no check in its result', async () => {
    // Prepare: the same limits, many connections at once (Node.js answers each)
    const server = await start(listen(net.createServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok')).setTimeout(1000, () => socket.end()))));

    // Act
    const [result] = await probeTargets([{ target: { host: '127.0.0.1', port: server.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 }], {
      responseTimeoutMs: RESPONSE_TIMEOUT_MS,
    });

    // Assess
    const preRequest = result.phases.preRequest!;
    expect(preRequest).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
    expect(preRequest.reason).toBeUndefined();
    expect(preRequest.sockets.some((socket) => socket.notAccepted === true)).toBe(false);
  }, 20_000);
});
