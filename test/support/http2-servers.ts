/**
 * Real Node.js HTTP/2 servers on loopback, with and without a session idle timeout.
 */
import http2 from 'node:http2';
import { listen, selfSignedCertificate, type LoopbackServer } from './loopback';

/** A loopback HTTP/2 server that counts the requests it served and the HTTP versions they came in. */
export interface Http2LoopbackServer extends LoopbackServer {
  /** The HTTP version of every request served, in order (`2.0` for HTTP/2). */
  readonly httpVersions: readonly string[];
  /** Paths of the requests served, in order. */
  readonly paths: readonly string[];
  /** PING frames received from clients: a probe that pings keeps alive what a load balancer would lose. */
  pings(): number;
}

/**
 * A Node.js HTTP/2 server answering `ok`: cleartext (prior knowledge) or TLS with ALPN `h2`
 * and a self-signed certificate; `timeoutMs` is its `server.setTimeout`, which closes an
 * idle session with GOAWAY.
 *
 * @example
 * const server = await http2Server({ tls: true, timeoutMs: 1500 });
 */
export async function http2Server(options: { readonly tls?: boolean; readonly timeoutMs?: number } = {}): Promise<Http2LoopbackServer> {
  const httpVersions: string[] = [];
  const paths: string[] = [];
  const onRequest = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => {
    httpVersions.push(request.httpVersion);
    paths.push(request.url);
    response.writeHead(200, { 'content-length': 2 });
    response.end('ok');
  };
  const server = options.tls ? http2.createSecureServer({ ...(await selfSignedCertificate()) }, onRequest) : http2.createServer(onRequest);
  if (options.timeoutMs !== undefined) server.setTimeout(options.timeoutMs);
  let pings = 0;
  server.on('session', (session: http2.ServerHttp2Session) => session.on('ping', () => pings++));
  return { ...(await listen(server)), httpVersions, paths, pings: () => pings };
}

/**
 * Ground truth for an HTTP/2 server's idle close: seconds from a plain client's SETTINGS
 * exchange to the server's GOAWAY, on a connection that sends nothing (bounded by `maxS`).
 *
 * Why: a server's timers may run late on a loaded machine (gRPC core's run on a thread of their
 * own); the probe is held to what the server did, measured beside it at the same time.
 *
 * @example
 * const [truthS, [result]] = await Promise.all([measureGoawayS(port, 5), probeTargets([job])]);
 */
export function measureGoawayS(port: number, maxS: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    let settingsAt = 0;
    const timer = setTimeout(() => finish(new Error(`no GOAWAY from 127.0.0.1:${port} within ${maxS} s`)), maxS * 1000);
    const finish = (outcome: number | Error) => {
      clearTimeout(timer);
      session.destroy();
      if (typeof outcome === 'number') resolve(outcome);
      else reject(outcome);
    };
    session.on('error', () => undefined);
    session.once('remoteSettings', () => (settingsAt = performance.now()));
    session.once('goaway', () => finish((performance.now() - settingsAt) / 1000));
  });
}
