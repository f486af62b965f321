/**
 * Small loopback servers for engine tests: each does one odd thing a real backend may do.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './debian';

export interface LoopbackServer {
  readonly port: number;
  /** Connections currently open on the server side. */
  connections(): number;
  /** Connections accepted since the server started. */
  accepted(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and tracks sockets, so that `close` ends every connection. */
export async function listen(server: net.Server): Promise<LoopbackServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.size,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

/**
 * Registers an `afterEach` that closes every server started in the test; returns the starter.
 *
 * @example
 * const start = closedAfterEach();
 * const server = await start(httpServer());
 */
export function closedAfterEach(): <T extends LoopbackServer>(server: Promise<T>) => Promise<T> {
  const servers: LoopbackServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (server) => {
    const started = await server;
    servers.push(started);
    return started;
  };
}

/** An HTTP server answering `ok`, with the given Node.js server settings. */
export function httpServer(settings: Partial<Pick<http.Server, 'keepAliveTimeout' | 'headersTimeout' | 'requestTimeout'>> = {}, headers: http.OutgoingHttpHeaders = {}): Promise<LoopbackServer> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'Content-Length': 2, ...headers });
    response.end('ok');
  });
  Object.assign(server, settings);
  return listen(server);
}

/** An HTTPS server with a throw-away self-signed certificate, as backends behind load balancers often have. */
export async function httpsServer(keepAliveTimeout: number): Promise<LoopbackServer> {
  const server = https.createServer(await selfSignedCertificate(), (_request, response) => response.end('ok'));
  server.keepAliveTimeout = keepAliveTimeout;
  return listen(server);
}

/** A throw-away self-signed certificate and its key (openssl installed on first use). */
export async function selfSignedCertificate(): Promise<{ readonly key: Buffer; readonly cert: Buffer }> {
  const openssl = await ensureDebianPackage('/usr/bin/openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-tls-'));
  try {
    execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=backend', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP server that greets like SSH: not HTTP. */
export function sshLikeServer(): Promise<LoopbackServer> {
  return listen(net.createServer((socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n')));
}

/** A TCP server that accepts and never says anything: a TLS client waits for it forever. */
export function silentServer(): Promise<LoopbackServer> {
  return listen(net.createServer(() => undefined));
}

/** A port on which nothing listens (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = await listen(net.createServer());
  await server.close();
  return server.port;
}

/**
 * When the server really closes an idle keep-alive connection, measured with a plain socket:
 * the ground truth to compare the engine with (Node.js adds a buffer to `keepAliveTimeout`
 * in some releases, so the setting alone does not tell).
 */
export function measureKeepAliveCloseS(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let answeredAt = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: ground-truth\r\n\r\n'));
    socket.on('data', () => (answeredAt = performance.now()));
    socket.on('end', () => resolve((performance.now() - answeredAt) / 1000));
    socket.on('error', reject);
  });
}

/** An HTTP server that requires a PROXY protocol v1 line first, as a backend behind a proxy-protocol listener does, and records the lines it got. */
export async function proxyProtocolServer(): Promise<LoopbackServer & { readonly proxyLines: string[] }> {
  const proxyLines: string[] = [];
  const server = net.createServer((socket) => {
    let buffered = '';
    let greeted = false;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (!greeted) {
        const end = buffered.indexOf('\r\n');
        if (end < 0) return;
        const line = buffered.slice(0, end);
        if (!line.startsWith('PROXY ')) return void socket.destroy();
        proxyLines.push(line);
        greeted = true;
        buffered = buffered.slice(end + 2);
      }
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        buffered = buffered.slice(end + 4);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
  return { ...(await listen(server)), proxyLines };
}

/**
 * A server that answers early requests and resets (RST) the connection when a request comes
 * after `limitMs` of idle: a lazy limit enforced with a reset.
 */
export function lazyResettingServer(limitMs: number): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      const acceptedAt = performance.now();
      socket.once('data', () => {
        if (performance.now() - acceptedAt > limitMs) return void socket.resetAndDestroy();
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      });
    }),
  );
}

/**
 * A server that answers every request and keeps the connection, and closes (FIN) a connection
 * left silent for `limitMs`, before its first request and between requests alike: a
 * per-connection idle timer, as nginx keeps one.
 */
export function idleTimerServer(limitMs: number): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.setTimeout(limitMs, () => socket.end());
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        for (let end = head.indexOf('\r\n\r\n'); end >= 0; end = head.indexOf('\r\n\r\n')) {
          head = head.slice(end + 4);
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
    }),
  );
}

/** A server that, after `afterMs` of silence, writes a `400 Bad Request` unasked and closes. */
export function unsolicitedErrorServer(afterMs: number): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      const timer = setTimeout(() => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), afterMs);
      socket.on('close', () => clearTimeout(timer));
    }),
  );
}

/**
 * A raw HTTP server that answers every request (each `\r\n\r\n`) with `response`, and ends
 * the connection after it when `closeAfter` is set.
 */
export function rawResponseServer(response: string | Buffer, closeAfter = false): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
          buffered = buffered.slice(end + 4);
          if (closeAfter) return void socket.end(response);
          socket.write(response);
        }
      });
      socket.on('error', () => undefined);
    }),
  );
}

/**
 * A server that answers a chunked response whose body never ends, writing one reused 64 KiB
 * chunk as fast as the client reads: an endless body that costs the server no memory.
 */
export function endlessChunkedServer(): Promise<LoopbackServer> {
  const chunk = Buffer.from(`ffff\r\n${'x'.repeat(0xffff)}\r\n`);
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk));
        };
        socket.on('drain', pump);
        pump();
      });
    }),
  );
}

/** An HTTP server that sends `103 Early Hints` before every `200`, as CDNs and modern frameworks do. */
export function earlyHintsServer(): Promise<LoopbackServer> {
  const server = http.createServer((_request, response) => {
    response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    response.writeHead(200, { 'Content-Length': 2 });
    response.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  return listen(server);
}

/** Python's side of a raw HTTP server: answers each request on `c` with a keep-alive `200 ok`, until the client closes. */
const PYTHON_SERVE = `
def serve(c):
    data = b''
    while True:
        try:
            chunk = c.recv(65536)
        except socket.timeout:
            chunk = b''
        if not chunk:
            return c.close()
        data += chunk
        while b'\\r\\n\\r\\n' in data:
            data = data.split(b'\\r\\n\\r\\n', 1)[1]
            c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok')
`;

/**
 * A server that takes only `accepted` connections and then never calls accept again, with
 * the smallest listen backlog: later connections wait in the kernel's queue (connected, never
 * read) or, once it is full, never connect. Python, because Node.js cannot stop accepting.
 */
export function fullAcceptQueueServer(accepted = 2): Promise<LoopbackServer> {
  return pythonServer(`
s.listen(0)
print(s.getsockname()[1], flush=True)
for _ in range(${accepted}):
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
sys.stdin.read()
`);
}

/**
 * A server that serves one connection at a time, as a WSGI server with one sync worker: it
 * accepts a connection, answers its requests until it has been idle `idleLimitMs` (then
 * closes it, FIN) or the client closes, and only then accepts the next. An idle pre-opened
 * connection holds the only worker; the others wait in the listen queue.
 */
export function oneAtATimeServer(idleLimitMs: number): Promise<LoopbackServer> {
  return pythonServer(`
s.listen(64)
print(s.getsockname()[1], flush=True)
def loop():
    while True:
        c, _ = s.accept()
        c.settimeout(${idleLimitMs / 1000})
        serve(c)
threading.Thread(target=loop, daemon=True).start()
sys.stdin.read()
`);
}

/** Runs a Python server script, which finds `s` (its bound socket) and `serve` defined and prints its port; closing its stdin ends it. */
async function pythonServer(body: string): Promise<LoopbackServer> {
  const script = `
import socket, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
${PYTHON_SERVE}
${body}`;
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    // A script that fails (no python3 socket support, say) exits before printing its port.
    child.once('exit', (code, signal) => reject(new Error(`python3 exited (${code ?? signal}) before listening`)));
    child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  return {
    port,
    // Its connections are in another process: not counted here.
    connections: () => Number.NaN,
    accepted: () => Number.NaN,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // Closing its stdin ends the script; the kill is for a script stuck elsewhere.
        child.stdin.end();
        child.kill();
      }),
  };
}

/**
 * A server that answers requests, but on a connection left silent for `afterMs` starts an
 * unsolicited response it never finishes, and never closes.
 */
export function unfinishedUnsolicitedServer(afterMs: number): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      const timer = setTimeout(() => socket.write('HTTP/1.1 408 Request Time'), afterMs);
      socket.on('data', () => {
        clearTimeout(timer);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
      socket.on('close', () => clearTimeout(timer));
    }),
  );
}

/**
 * A Node.js `http` server that closes silent connections in periodic sweeps, as every Node.js
 * since 18 does: every `intervalMs`, each connection still waiting for its request headers
 * after `headersTimeoutMs` gets a `408` and is closed.
 */
export function sweepingServer(headersTimeoutMs: number, intervalMs: number): Promise<LoopbackServer> {
  const server = http.createServer({ headersTimeout: headersTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: intervalMs }, (_request, response) => {
    response.writeHead(200, { 'Content-Length': 2 });
    response.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  return listen(server);
}

/**
 * A server with a coarse clock, as servers that count idle time in whole seconds: a timer
 * ticks once a second, and at each tick a connection idle (since accept, or since its last
 * response) for `limitS` ticks or more is closed with a FIN. A connection that began its idle
 * just before a tick is closed after `limitS - 1` s and a little more, one that began just
 * after a tick after `limitS` s: where in the second it connected decides.
 */
export async function coarseClockServer(limitS: number): Promise<LoopbackServer & { earliestCloseS(): number }> {
  let ticks = 0;
  // When each tick really ran: a busy event loop runs them late, which moves the earliest close.
  const tickedAt = [performance.now()];
  const idleSince = new Map<net.Socket, number>();
  const server = net.createServer((socket) => {
    idleSince.set(socket, ticks);
    socket.on('close', () => idleSince.delete(socket));
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      head = head.slice(end + 4);
      // A request that crossed the server's close gets no answer.
      if (!idleSince.has(socket)) return;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      idleSince.set(socket, ticks);
    });
  });
  const clock = setInterval(() => {
    ticks++;
    tickedAt.push(performance.now());
    for (const [socket, since] of idleSince) {
      if (ticks - since < limitS) continue;
      idleSince.delete(socket);
      socket.end();
    }
  }, 1000);
  const running = await listen(server);
  return {
    ...running,
    /** The shortest idle the server could have closed at so far: accepted just before a tick, closed `limitS - 1` ticks later. */
    earliestCloseS: () => Math.min(...tickedAt.slice(limitS).map((at, i) => (at - tickedAt[i + 1]) / 1000)),
    close: () => {
      clearInterval(clock);
      return running.close();
    },
  };
}

/**
 * A server lazy in both phases, as Node.js 8.15.1 to 12.18 with `keepAliveTimeout` above
 * `headersTimeout`: nothing happens while a connection is idle, but a chunk that leaves a
 * request's headers incomplete more than the limit after accept (`preRequestMs`) or after the
 * last response (`keepAliveMs`) gets the connection destroyed.
 */
export function lazyBothServer(preRequestMs: number, keepAliveMs: number): Promise<LoopbackServer> {
  return listen(
    net.createServer((socket) => {
      let idleSince = performance.now();
      let limitMs = preRequestMs;
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (performance.now() - idleSince > limitMs) socket.destroy();
          return;
        }
        head = head.slice(end + 4);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        idleSince = performance.now();
        limitMs = keepAliveMs;
      });
    }),
  );
}
