/**
 * One probe connection: raw TCP (or TLS) with a millisecond record of what the server does.
 *
 * Why raw sockets: the probe must choose when each byte leaves (idle, then a request in two
 * segments) and must tell a FIN from an RST from an unsolicited 408. An HTTP client library
 * would pool, retry and hide exactly those events.
 */
import { Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { ResponseReader, type ResponseHead } from './http-response';
import { closedWithOf, type SocketEnd } from './classify';
import type { ClosedWith, TargetErrorCode } from './types';

/** Where to connect: the target with its address already resolved. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
  /** SNI name; only for host names, never for IP addresses. */
  readonly servername?: string;
  /** Prefix the first request with a PROXY protocol v1 header. */
  readonly proxyProtocol?: boolean;
}

/** How the server ended a connection. */
export interface ServerClose {
  /** When the server acted: its first unsolicited byte, or the FIN/RST. */
  readonly at: number;
  readonly closedWith: ClosedWith;
  /** Status of a response the server sent before closing, if any. */
  readonly status: number | null;
  /** `true` when no request was outstanding: the server acted on its own. */
  readonly unprompted: boolean;
  /**
   * `true` when the server never sent a byte on this connection: a request that then timed
   * out may have sat in a full accept queue, never seen by the server.
   */
  readonly silent: boolean;
}

/** What a request got. Times are `performance.now()` milliseconds. */
export type RequestOutcome =
  | { readonly kind: 'response'; readonly sentAt: number; readonly answeredAt: number; readonly head: ResponseHead }
  | { readonly kind: 'closed'; readonly sentAt: number; readonly close: ServerClose }
  | { readonly kind: 'invalid'; readonly sentAt: number; readonly firstBytes: string; readonly reason: string; readonly speaksHttp: boolean };

/** A connection that could not be made, with the engine's error code. */
export class ConnectError extends Error {
  public constructor(
    public readonly code: TargetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export interface ConnectOptions {
  readonly connectTimeoutMs: number;
  readonly signal?: AbortSignal;
}

interface PendingRequest {
  readonly sentAt: number;
  readonly resolve: (outcome: RequestOutcome) => void;
}

/** Wall-clock source: monotonic milliseconds. */
export const now = (): number => performance.now();

/**
 * A connected socket that reports requests' outcomes and the server's own close.
 *
 * @example
 * const connection = await ProbeConnection.open(endpoint, { connectTimeoutMs: 5000 });
 * const outcome = await connection.request(['GET / HTTP/1.1\r\n', 'Host: a\r\n\r\n'], 25, 10_000);
 * connection.destroy();
 */
export class ProbeConnection {
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
  public static async open(endpoint: Endpoint, options: ConnectOptions): Promise<ProbeConnection> {
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
    const connection = new ProbeConnection(socket, endpoint);
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
   * Sends a request in the given segments, `pauseMs` apart, and waits for its outcome.
   *
   * Why segments: servers of the Node.js 8.14 era check their header timeout only on a chunk
   * that leaves the headers incomplete; a one-segment request never meets that check.
   */
  public async request(segments: readonly string[], pauseMs: number, timeoutMs: number): Promise<RequestOutcome> {
    if (this.closing) {
      // A server that started an unsolicited answer may never finish it, nor close: wait no longer than for a response.
      const timer = setTimeout(() => this.onClosed('timeout'), timeoutMs);
      try {
        const close = await this.ended;
        return { kind: 'closed', sentAt: close.at, close };
      } finally {
        clearTimeout(timer);
      }
    }
    const sentAt = now();
    const outcome = new Promise<RequestOutcome>((resolve) => (this.pending = { sentAt, resolve }));
    const timer = setTimeout(() => this.onClosed('timeout'), timeoutMs);
    void this.writeSegments(this.proxyHeaderDue ? [proxyHeaderOf(this.socket) + segments[0], ...segments.slice(1)] : segments, pauseMs);
    this.proxyHeaderDue = false;
    try {
      // Not after the writes: a lazy server answers the first segment by closing.
      return await outcome;
    } finally {
      clearTimeout(timer);
    }
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

  private async handshake(endpoint: Endpoint, options: ConnectOptions): Promise<void> {
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

function connectError(name: string, tls: boolean, tcpConnected: boolean, error: NodeJS.ErrnoException): ConnectError {
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
