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
