/**
 * The HTTP/1.1 wire: raw TCP (or TLS with ALPN `http/1.1`) with a millisecond record of what
 * the server does.
 *
 * Why raw sockets: the probe must choose when each byte leaves (idle, then a request in two
 * segments) and must tell a FIN from an RST from an unsolicited 408. An HTTP client library
 * would pool, retry and hide exactly those events.
 */
import { Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { realClock } from '../clock';
import { ResponseReader } from '../http-response';
import { closedWithOf, type SocketEnd } from '../classify';
import { requestSegments } from '../request';
import type { ProbeTarget } from '../types';
import { closedOutcome, within } from './within';
import { ConnectError, type Endpoint, type OpenOptions, type RequestOutcome, type ResponseHead, type SendOptions, type ServerClose, type Wire, type WireConnection } from './types';

/**
 * The HTTP/1.1 wire of a target: its request (`requestSegments`) sent in two segments
 * `segmentPauseMs` apart.
 *
 * @example
 * const wire = http1Wire({ host: '10.0.1.7', port: 30080, tls: false, path: '/health' }, { segmentPauseMs: 250 });
 * const connection = await wire.open({ address: '10.0.1.7', port: 30080, tls: false }, { connectTimeoutMs: 5000 });
 */
export function http1Wire(target: ProbeTarget, options: { readonly segmentPauseMs: number }): Wire {
  const segments = requestSegments(target);
  return {
    protocol: 'http/1.1',
    sendSpreadMs: options.segmentPauseMs * (segments.length - 1),
    open: (endpoint, openOptions) => Http1Connection.open(endpoint, segments, options.segmentPauseMs, openOptions),
  };
}

interface PendingRequest {
  readonly sentAt: number;
  readonly resolve: (outcome: RequestOutcome) => void;
}

const now = realClock.now;

/** A connected socket that reports requests' outcomes and the server's own close. */
class Http1Connection implements WireConnection {
  /** When the TCP connection was established: the server's accept, where its timers start. */
  public connectedAt = 0;
  /** Resolves when the server ends the connection (never rejects). */
  public readonly ended: Promise<ServerClose>;

  private readonly reader = new ResponseReader();
  private pending: PendingRequest | null = null;
  private unsolicitedAt: number | null = null;
  private close: ServerClose | null = null;
  private resolveEnded!: (close: ServerClose) => void;
  private proxyHeaderDue: boolean;
  private heardFrom = false;

  private constructor(
    private readonly socket: Socket,
    endpoint: Endpoint,
    private readonly segments: readonly string[],
    private readonly segmentPauseMs: number,
  ) {
    this.proxyHeaderDue = endpoint.proxyProtocol === true;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onClosed('fin'));
    socket.on('close', () => this.onClosed('fin'));
    socket.on('error', (error: NodeJS.ErrnoException) => this.onClosed(error.code === 'ECONNRESET' ? 'rst' : 'fin'));
  }

  /**
   * Connects (and completes TLS, without verifying the certificate, as load balancers do).
   *
   * @throws ConnectError with a one-line message naming the endpoint and the cause
   */
  public static async open(endpoint: Endpoint, segments: readonly string[], segmentPauseMs: number, options: OpenOptions): Promise<Http1Connection> {
    const socket = endpoint.tls
      ? tlsConnect({
          host: endpoint.address,
          port: endpoint.port,
          servername: endpoint.servername,
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        })
      : tcpConnect({ host: endpoint.address, port: endpoint.port });
    socket.setNoDelay(true);
    const connection = new Http1Connection(socket, endpoint, segments, segmentPauseMs);
    try {
      await connection.handshake(endpoint, options);
      return connection;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** Whether the server has ended, or started to end (an unsolicited response), the connection. */
  public get closing(): boolean {
    return this.close !== null || this.unsolicitedAt !== null;
  }

  /**
   * Sends the request in its segments, `segmentPauseMs` apart (`whole`: in one write), and
   * waits for its outcome.
   *
   * Why segments: servers of the Node.js 8.14 era check their header timeout only on a chunk
   * that leaves the headers incomplete; a one-segment request never meets that check.
   */
  public async send({ timeoutMs, whole = false }: SendOptions): Promise<RequestOutcome> {
    const segments = whole ? [this.segments.join('')] : this.segments;
    const pauseMs = whole ? 0 : this.segmentPauseMs;
    if (this.closing) return closedOutcome(this.ended, timeoutMs, () => this.onClosed('timeout'));
    const sentAt = now();
    const outcome = new Promise<RequestOutcome>((resolve) => (this.pending = { sentAt, resolve }));
    void this.writeSegments(this.proxyHeaderDue ? [proxyHeaderOf(this.socket) + segments[0], ...segments.slice(1)] : segments, pauseMs);
    this.proxyHeaderDue = false;
    // Not after the writes: a lazy server answers the first segment by closing.
    return within(outcome, timeoutMs, () => this.onClosed('timeout'));
  }

  private async writeSegments(segments: readonly string[], pauseMs: number): Promise<void> {
    for (const [index, segment] of segments.entries()) {
      if (index > 0) await sleep(pauseMs);
      if (this.pending === null || this.socket.destroyed) return;
      this.socket.write(segment);
    }
  }

  public destroy(): void {
    this.socket.destroy();
  }

  /**
   * Gives up on the connection now, as if its response timeout had passed: a request still
   * waiting ends as `timeout` (a deadline came first), not as a close by the server.
   */
  public abandon(): void {
    this.onClosed('timeout');
    this.socket.destroy();
  }

  private async handshake(endpoint: Endpoint, options: OpenOptions): Promise<void> {
    const name = `${endpoint.address}:${endpoint.port}`;
    const ready = endpoint.tls ? 'secureConnect' : 'connect';
    this.socket.once('connect', () => (this.connectedAt = now()));
    await new Promise<void>((resolve, reject) => {
      const fail = (error: ConnectError) => {
        cleanup();
        reject(error);
      };
      const onError = (error: NodeJS.ErrnoException) => fail(connectError(name, endpoint.tls, this.connectedAt > 0, error));
      const onClose = () => fail(new ConnectError('closed', `${name}: the connection closed during the ${endpoint.tls ? 'TLS handshake' : 'connect'}`));
      const onAbort = () => fail(new ConnectError('socket-error', `${name}: aborted while connecting`));
      const timer = setTimeout(
        () => fail(new ConnectError('connect-timeout', `${name}: no ${this.connectedAt > 0 ? 'TLS handshake' : 'connection'} within ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.socket.off('error', onError).off('close', onClose).off(ready, onReady);
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.socket.once('error', onError).once('close', onClose).once(ready, onReady);
    });
  }

  private onData(chunk: Buffer): void {
    this.heardFrom = true;
    if (this.pending === null && this.unsolicitedAt === null) this.unsolicitedAt = now();
    const state = this.reader.push(chunk);
    if (this.pending === null) {
      // A server speaks unasked only to end the connection: a 408, or some error page.
      if (state.kind === 'invalid') this.onClosed('http-other');
      else if (state.head !== null) this.onClosed('fin');
      return;
    }
    if (state.kind === 'invalid') {
      const { firstBytes, reason, speaksHttp } = state;
      this.settle({ kind: 'invalid', sentAt: this.pending.sentAt, firstBytes, reason, speaksHttp });
      // Nothing more is read from a server that broke HTTP: no byte of it can cost more.
      this.socket.destroy();
    } else if (state.kind === 'complete') {
      if (state.head.status === 408) return this.onClosed('fin');
      this.answered(state.head);
    }
  }

  private answered(head: ResponseHead): void {
    this.reader.reset();
    this.settle({ kind: 'response', sentAt: this.pending!.sentAt, answeredAt: now(), head });
  }

  private onClosed(how: SocketEnd): void {
    if (this.close !== null) return;
    // A body that runs until the close (HTTP/1.0 without Content-Length) ends with the FIN.
    const ended = how === 'fin' && this.pending !== null ? this.reader.finish() : null;
    if (ended?.kind === 'complete' && ended.head.status !== 408) this.answered(ended.head);
    const status = this.reader.partialHead?.status ?? null;
    const unprompted = this.pending === null;
    this.close = { at: unprompted ? (this.unsolicitedAt ?? now()) : now(), closedWith: closedWithOf(how, status), status, unprompted, silent: !this.heardFrom };
    if (this.pending !== null) this.settle({ kind: 'closed', sentAt: this.pending.sentAt, close: this.close });
    if (how === 'timeout') this.socket.destroy();
    this.resolveEnded(this.close);
  }

  private settle(outcome: RequestOutcome): void {
    this.pending?.resolve(outcome);
    this.pending = null;
  }
}

/** The engine's error for a connection that failed, in one line naming the endpoint. */
export function connectError(name: string, tls: boolean, tcpConnected: boolean, error: NodeJS.ErrnoException): ConnectError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new ConnectError('refused', `${name}: connection refused (nothing listens on that port)`);
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code)) {
    return new ConnectError('unreachable', `${name}: unreachable (${code})`);
  }
  if (tls && tcpConnected) {
    return new ConnectError('tls', `${name}: TLS handshake failed (${error.message}); is the port plain HTTP?`);
  }
  return new ConnectError('socket-error', `${name}: ${code || error.message}`);
}

/**
 * The PROXY protocol v1 line a load balancer puts before the first bytes of a connection.
 *
 * @example
 * // 'PROXY TCP4 10.0.0.9 10.0.1.7 51234 30080\r\n'
 */
export function proxyHeaderOf(socket: Socket): string {
  const family = socket.remoteFamily === 'IPv6' ? 'TCP6' : 'TCP4';
  return `PROXY ${family} ${socket.localAddress} ${socket.remoteAddress} ${socket.localPort} ${socket.remotePort}\r\n`;
}
