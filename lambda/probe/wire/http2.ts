/**
 * The HTTP/2 wire: cleartext with prior knowledge, or TLS with ALPN `h2`, as a load balancer
 * speaks to a target group whose protocol version is HTTP2 or GRPC.
 *
 * Why not HTTP/1.1 against such targets: an HTTP/2 server keeps its own idle timers (a session
 * timeout, gRPC's `MaxConnectionIdle`) and closes with GOAWAY; an HTTP/1.1 probe would be
 * judged on an answer the server never gives the load balancer.
 *
 * Why nothing leaves while idle: ALB neither sends nor honours PING frames, so a PING (or any
 * frame) from the probe would keep alive a connection the load balancer would lose. Node.js
 * sends no PING of its own; this wire sends nothing between its streams.
 */
import { connect as h2Connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { realClock } from '../clock';
import { closedWithOf, type SocketEnd } from '../classify';
import { checkRequestFields, hostHeaderOf } from '../request';
import { printable } from '../../shared/printable';
import type { ProbeTarget } from '../types';
import { servedBefore, type Goaway } from './goaway';
import { GRPC_EMPTY_REQUEST, grpcMethodOf } from './grpc';
import { connectError, proxyHeaderOf } from './http1';
import { closedOutcome, within } from './within';
import { ConnectError, type Endpoint, type OpenOptions, type RequestOutcome, type ResponseHead, type SendOptions, type ServerClose, type Wire, type WireConnection } from './types';

/**
 * What the server may make the probe hold: every byte from it is untrusted.
 *
 * Why these sizes: a health answer's head is a few hundred bytes; the body is read only to let
 * the stream end the way a load balancer's does, and cut (RST_STREAM CANCEL) past its bound.
 */
export const HTTP2_LIMITS = {
  /** Advertised SETTINGS_MAX_HEADER_LIST_SIZE; Node.js refuses larger header blocks. */
  maxHeaderListBytes: 16 * 1024,
  maxHeaderPairs: 64,
  /** Body bytes read (and discarded) before the stream is cancelled. */
  maxBodyBytes: 16 * 1024,
  /** nghttp2's memory for the session, in megabytes. */
  maxSessionMemoryMb: 1,
  /** Characters of a header value kept in a response head. */
  maxHeaderValueChars: 256,
} as const;

/** The request of a target on HTTP/2: its headers and, for gRPC, its one message. */
export interface Http2Request {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | null;
}

/**
 * The HTTP/2 request a target is probed with: `GET` of its path, or for a gRPC target a
 * gRPC call (`POST`, `application/grpc`, one empty message) of its health check method.
 *
 * @throws Error when the path or `Host` value may not go into a request
 * @example
 * http2RequestOf({ host: '10.0.1.7', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' }).headers[':path'];
 * // '/grpc.health.v1.Health/Check'
 */
export function http2RequestOf(target: ProbeTarget): Http2Request {
  checkRequestFields(target);
  const common = { ':authority': hostHeaderOf(target), ':scheme': target.tls ? 'https' : 'http', 'user-agent': 'idle-canary' };
  if (target.protocolVersion === 'GRPC') {
    return {
      headers: { ...common, ':method': 'POST', ':path': grpcMethodOf(target.path), 'content-type': 'application/grpc', te: 'trailers' },
      body: GRPC_EMPTY_REQUEST,
    };
  }
  return { headers: { ...common, ':method': 'GET', ':path': target.path, accept: '*/*' }, body: null };
}

/**
 * The HTTP/2 wire of a target: each request is a new stream on the connection.
 *
 * @example
 * const wire = http2Wire({ host: '10.0.1.7', port: 50051, tls: false, path: '/', protocolVersion: 'GRPC' });
 * const connection = await wire.open({ address: '10.0.1.7', port: 50051, tls: false }, { connectTimeoutMs: 5000 });
 */
export function http2Wire(target: ProbeTarget): Wire {
  const request = http2RequestOf(target);
  return { protocol: 'h2', sendSpreadMs: 0, open: (endpoint, options) => Http2Connection.open(endpoint, request, options) };
}

interface PendingStream {
  readonly sentAt: number;
  readonly resolve: (outcome: RequestOutcome) => void;
  stream?: ClientHttp2Stream;
}

/** What ended a connection: a socket end, or the server's GOAWAY. */
type Http2End = SocketEnd | 'goaway';

const now = realClock.now;

/** An HTTP/2 session that reports its streams' outcomes and the server's own close. */
class Http2Connection implements WireConnection {
  public readonly ended: Promise<ServerClose>;

  private pending: PendingStream | null = null;
  private goaway: Goaway | null = null;
  private goawayAt: number | null = null;
  private close: ServerClose | null = null;
  private reset = false;
  private resolveEnded!: (close: ServerClose) => void;

  private constructor(
    private readonly session: ClientHttp2Session,
    private readonly request: Http2Request,
    public readonly connectedAt: number,
    socket: Socket,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    session.on('goaway', (code: number, lastStreamId: number) => this.onGoaway({ code, lastStreamId }));
    session.on('close', () => this.onClosed('fin'));
    session.on('error', (error: NodeJS.ErrnoException) => this.onClosed(error.code === 'ECONNRESET' ? 'rst' : 'fin'));
    // The session's own `socket` is a proxy whose listeners go to the session: the reset is seen on the socket itself.
    socket.on('error', (error: NodeJS.ErrnoException) => (this.reset ||= error.code === 'ECONNRESET'));
  }

  /**
   * Connects, completes TLS with ALPN `h2` (without verifying the certificate, as load
   * balancers do) and exchanges the connection preface and SETTINGS: the idle starts there.
   *
   * @throws ConnectError with a one-line message naming the endpoint and the cause
   */
  public static async open(endpoint: Endpoint, request: Http2Request, options: OpenOptions): Promise<Http2Connection> {
    const name = `${endpoint.address}:${endpoint.port}`;
    const deadline = now() + options.connectTimeoutMs;
    const tcp = tcpConnect({ host: endpoint.address, port: endpoint.port });
    tcp.setNoDelay(true);
    let socket: Socket = tcp;
    let session: ClientHttp2Session | null = null;
    try {
      await settled(tcp, 'connect', name, deadline, options, 'connection', (error) => connectError(name, false, false, error));
      // A load balancer's PROXY header comes before anything else, TLS included.
      if (endpoint.proxyProtocol === true) tcp.write(proxyHeaderOf(tcp));
      if (endpoint.tls) {
        socket = tlsConnect({ socket: tcp, servername: endpoint.servername, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
        await settled(socket, 'secureConnect', name, deadline, options, 'TLS handshake', (error) => connectError(name, true, true, error));
        const alpn = (socket as TLSSocket).alpnProtocol;
        if (alpn !== 'h2') {
          throw new ConnectError('tls', `${name}: the server did not agree to HTTP/2 in the TLS handshake (ALPN ${alpn ? printable(alpn, 40) : 'none'}); is its protocol version HTTP1?`);
        }
      }
      const opened = session = h2Connect(endpoint.tls ? 'https://localhost' : 'http://localhost', {
        createConnection: () => socket,
        settings: { enablePush: false, maxHeaderListSize: HTTP2_LIMITS.maxHeaderListBytes },
        maxHeaderListPairs: HTTP2_LIMITS.maxHeaderPairs,
        maxSessionMemory: HTTP2_LIMITS.maxSessionMemoryMb,
        maxReservedRemoteStreams: 0,
      });
      const notHttp2 = () => new ConnectError('not-http', `${name}: no HTTP/2 connection preface from the server (does it speak HTTP/2${endpoint.tls ? '' : ' with prior knowledge'}?)`);
      await settled(opened, 'remoteSettings', name, deadline, options, 'HTTP/2 SETTINGS', notHttp2, notHttp2);
      return new Http2Connection(opened, request, now(), socket);
    } catch (error) {
      session?.destroy();
      socket.destroy();
      tcp.destroy();
      throw error;
    }
  }

  /** Whether the server has ended, or started to end (a GOAWAY), the connection. */
  public get closing(): boolean {
    return this.close !== null || this.goaway !== null;
  }

  /** Opens a new stream with the request and waits for its response (head, then a bounded body). */
  public async send({ timeoutMs }: SendOptions): Promise<RequestOutcome> {
    if (this.closing) return closedOutcome(this.ended, timeoutMs, () => this.onClosed('timeout'));
    const pending: PendingStream = { sentAt: now(), resolve: () => undefined };
    const outcome = new Promise<RequestOutcome>((resolve) => (this.pending = Object.assign(pending, { resolve })));
    const answer = within(outcome, timeoutMs, () => this.onClosed('timeout'));
    this.openStream(pending);
    return answer;
  }

  public destroy(): void {
    this.session.destroy();
  }

  /**
   * Gives up on the connection now, as if its response timeout had passed: a request still
   * waiting ends as `timeout` (a deadline came first), not as a close by the server.
   */
  public abandon(): void {
    this.onClosed('timeout');
    this.session.destroy();
  }

  private openStream(pending: PendingStream): void {
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(this.request.headers, { endStream: this.request.body === null });
    } catch {
      // The session went away between the check and the request: its close settles the request.
      return this.onClosed(this.reset ? 'rst' : 'fin');
    }
    pending.stream = stream;
    if (this.request.body !== null) stream.end(this.request.body);
    let head: ResponseHead | null = null;
    let answeredAt = 0;
    let bodyBytes = 0;
    stream.on('response', (headers) => {
      answeredAt = now();
      head = headOf(headers);
    });
    // gRPC puts its status in the trailers: the head carries it for records and hints.
    stream.on('trailers', (trailers) => head !== null && (head = { ...head, headers: { ...head.headers, ...headOf(trailers).headers } }));
    stream.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > HTTP2_LIMITS.maxBodyBytes) stream.close(constants.NGHTTP2_CANCEL);
    });
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (this.pending !== pending) return;
      if (head !== null) return this.settle({ kind: 'response', sentAt: pending.sentAt, answeredAt, head });
      // No answer on the stream: the session's own end (a FIN, a reset, a GOAWAY) says why, when it comes with it.
      setImmediate(() => this.onClosed(this.reset || !this.session.destroyed ? 'rst' : 'fin'));
    });
  }

  private onGoaway(goaway: Goaway): void {
    // A graceful shutdown sends two GOAWAYs: the first says when, the last which streams were served.
    this.goawayAt ??= now();
    this.goaway = goaway;
    if (this.pending === null || !servedBefore(goaway, this.pending.stream?.id)) this.onClosed('goaway');
  }

  private onClosed(how: Http2End): void {
    if (this.close !== null) return;
    const unprompted = this.pending === null;
    const goaway = this.goaway;
    const closedWith = how === 'timeout' ? 'timeout' : how === 'goaway' || goaway !== null ? 'goaway' : closedWithOf(how, null);
    this.close = {
      at: unprompted ? (this.goawayAt ?? now()) : now(),
      closedWith,
      status: null,
      unprompted,
      silent: false,
      ...(goaway !== null ? { protocolClose: { kind: 'goaway', ...goaway } } : {}),
    };
    if (this.pending !== null) this.settle({ kind: 'closed', sentAt: this.pending.sentAt, close: this.close });
    // Nothing more is wanted of a connection the server is ending, or that timed out.
    if (how === 'timeout' || how === 'goaway') this.session.destroy();
    this.resolveEnded(this.close);
  }

  private settle(outcome: RequestOutcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(outcome);
  }
}

/**
 * Waits for `event` on an emitter being connected, within the open's deadline and abort.
 *
 * @throws ConnectError: `failed` of an error event, `closedEarly` (or a `closed` error) of a close
 */
function settled(
  emitter: NodeJS.EventEmitter,
  event: string,
  name: string,
  deadline: number,
  options: OpenOptions,
  what: string,
  failed: (error: NodeJS.ErrnoException) => ConnectError,
  closedEarly: () => ConnectError = () => new ConnectError('closed', `${name}: the connection closed during the ${what}`),
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: ConnectError) => {
      clearTimeout(timer);
      emitter.off('error', onError).off('close', onClose).off(event, onReady);
      options.signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => finish();
    const onError = (error: NodeJS.ErrnoException) => finish(failed(error));
    const onClose = () => finish(closedEarly());
    const onAbort = () => finish(new ConnectError('socket-error', `${name}: aborted while connecting`));
    const timer = setTimeout(() => finish(new ConnectError('connect-timeout', `${name}: no ${what} within the connect timeout`)), Math.max(0, deadline - now()));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    emitter.once('error', onError).once('close', onClose).once(event, onReady);
  });
}

/** A response head from HTTP/2 headers: pseudo-headers dropped, values bounded and printable. */
function headOf(headers: IncomingHttpHeaders): ResponseHead {
  const kept: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    kept[name] = printable(Array.isArray(value) ? value.join(', ') : String(value), HTTP2_LIMITS.maxHeaderValueChars);
  }
  return { status: Number(headers[':status'] ?? 0), headers: kept, httpVersion: '2' };
}
