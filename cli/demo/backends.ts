/**
 * Real Node.js `http` backends on loopback, each misconfigured (or not) the way production
 * backends are, with timeouts scaled down to seconds.
 *
 * Used by `idle-canary demo`, by integration tests and by the benchmarks: the same servers
 * everywhere, so what the demo shows is what the tests assert.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a demo backend treats idle connections. */
export interface BackendSpec {
  readonly name: string;
  /** One line for the demo's introduction. */
  readonly description: string;
  /** Node's `server.keepAliveTimeout`, ms: idle keep-alive connections end with a FIN (eager). */
  readonly keepAliveTimeoutMs: number;
  /** Node's `headersTimeout` (and `requestTimeout`), ms: silent connections get a `408` (eager). */
  readonly headersTimeoutMs: number;
  /** How often Node checks `headersTimeout`, ms: the 408 comes up to this much late. */
  readonly connectionsCheckingIntervalMs?: number;
  /**
   * The Node.js 8.14 rule, ms: when a chunk leaves the first request's headers incomplete
   * more than this long after accept, the socket is destroyed (lazy: nothing happens while idle).
   */
  readonly lazyHeadersTimeoutMs?: number;
  /**
   * A per-connection timer before the first request, ms: a connection silent this long after
   * accept is closed with a FIN, on its own timer (no periodic check). Unset: only
   * `headersTimeout`, checked every `connectionsCheckingIntervalMs`.
   */
  readonly preRequestTimeoutMs?: number;
}

export interface RunningBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly spec: BackendSpec;
  stop(): Promise<void>;
}

/** The demo's load balancer idle timeout, in seconds: 60 s scaled down by 10. */
export const DEMO_LOAD_BALANCER_IDLE_TIMEOUT_S = 6;

/** The four demo backends: two eager failures, one lazy failure, one tuned. */
export const DEMO_BACKENDS: readonly BackendSpec[] = [
  {
    name: 'short-keep-alive',
    description: "keepAliveTimeout 2 s: drops idle keep-alive connections early (Node's 5 s default, scaled)",
    keepAliveTimeoutMs: 2000,
    headersTimeoutMs: 12_000,
  },
  {
    name: 'early-408',
    description: 'headersTimeout 3 s: answers 408 on silent connections early (Node 18+ style)',
    keepAliveTimeoutMs: 10_000,
    headersTimeoutMs: 3000,
    connectionsCheckingIntervalMs: 250,
  },
  {
    name: 'lazy-header-timeout',
    description: 'the Node.js 8.14 rule at 4 s: kills a late request only when it arrives',
    keepAliveTimeoutMs: 10_000,
    headersTimeoutMs: 12_000,
    lazyHeadersTimeoutMs: 4000,
  },
  {
    name: 'tuned',
    description: 'keepAliveTimeout 10 s, headersTimeout 12 s: outlasts the load balancer',
    keepAliveTimeoutMs: 10_000,
    headersTimeoutMs: 12_000,
  },
];

/**
 * Starts one backend on 127.0.0.1 (a free port) answering `200 ok`.
 *
 * @example
 * const backend = await startBackend(DEMO_BACKENDS[2]);
 * // probe 127.0.0.1:backend.port, then:
 * await backend.stop();
 */
export async function startBackend(spec: BackendSpec): Promise<RunningBackend> {
  const server = http.createServer(
    {
      headersTimeout: spec.headersTimeoutMs,
      requestTimeout: spec.headersTimeoutMs,
      connectionsCheckingInterval: spec.connectionsCheckingIntervalMs ?? 30_000,
    },
    (_request, response) => {
      // No Server header, as a plain Node.js server: the report recognises Node.js by its Keep-Alive header.
      response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
      response.end('ok');
    },
  );
  server.keepAliveTimeout = spec.keepAliveTimeoutMs;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (spec.lazyHeadersTimeoutMs !== undefined) enforceLazily(socket, spec.lazyHeadersTimeoutMs);
    if (spec.preRequestTimeoutMs !== undefined) closeIfSilent(socket, spec.preRequestTimeoutMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: spec.name,
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    spec,
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

/**
 * The Node.js 8.14.0 check, as its source does it: the clock starts at accept, and only a
 * chunk that leaves the headers incomplete is checked against it.
 *
 * Why `prependListener('data')`: the http server reads the socket natively; adding a data
 * listener makes it hand chunks to JavaScript, before its own parser sees them.
 */
function enforceLazily(socket: Socket, limitMs: number): void {
  const acceptedAt = Date.now();
  let head = '';
  const check = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      // Only the first request's headers are checked, as in 8.14.0.
      socket.off('data', check);
    } else if (Date.now() - acceptedAt > limitMs) {
      socket.destroy();
    }
  };
  socket.prependListener('data', check);
}

/**
 * Closes a connection whose first byte has not come `limitMs` after accept, on a timer of its
 * own: the per-connection enforcement of nginx's `client_header_timeout` or Go's
 * `ReadHeaderTimeout`, where Node.js checks `headersTimeout` in periodic sweeps.
 */
function closeIfSilent(socket: Socket, limitMs: number): void {
  const timer = setTimeout(() => socket.destroy(), limitMs);
  socket.once('data', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
}
