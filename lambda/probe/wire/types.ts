/**
 * The wire under the probe: what a phase needs of a connection, whatever protocol it speaks.
 *
 * Why an interface: the phases decide when to open, idle, send and release; how a connection
 * is opened (TCP, TLS with ALPN, the HTTP/2 preface), what a request is on it (an HTTP/1.1
 * request in two segments, a new HTTP/2 stream) and how a close shows (FIN, RST, an
 * unsolicited 408, GOAWAY) belong to the wire. A new protocol is one new module implementing
 * `Wire`; the phases, their timing and their verdicts stay as they are.
 */
import type { ClosedWith, ProbeTarget, TargetErrorCode } from '../types';
import type { Goaway } from './goaway';

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

/** A response whose head has been read. */
export interface ResponseHead {
  readonly status: number;
  /** Header names in lower case; repeated headers are joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** `1.1`, `1.0`, or `2` on an HTTP/2 wire. */
  readonly httpVersion: string;
}

/**
 * A protocol-level close: the server ended the connection in words of its protocol, not only
 * with a FIN or RST (an HTTP/2 GOAWAY frame).
 */
export interface ProtocolClose extends Goaway {
  readonly kind: 'goaway';
}

/** How the server ended a connection. */
export interface ServerClose {
  /** When the server acted: its first unsolicited byte (or frame), or the FIN/RST. */
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
  /** The protocol's own close that came first (HTTP/2: GOAWAY), when there was one. */
  readonly protocolClose?: ProtocolClose;
}

/** What a request got. Times are the wire's clock's milliseconds. */
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

/** How a connection is opened. */
export interface OpenOptions {
  /** Give up connecting (and the TLS handshake or connection preface) after this long. */
  readonly connectTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** How one request is sent. */
export interface SendOptions {
  /** Wait this long for the outcome before calling it `timeout`. */
  readonly timeoutMs: number;
  /**
   * Send the request at once, in one write: for checks of acceptance, not of a lazy timer
   * (an HTTP/1 wire otherwise splits the request to meet timers that read partial headers).
   * @default false
   */
  readonly whole?: boolean;
}

/**
 * One open connection, idle between the requests the phase sends on it.
 *
 * @example
 * const connection = await wire.open(endpoint, { connectTimeoutMs: 5000 });
 * const outcome = await connection.send({ timeoutMs: 10_000 });
 * connection.destroy();
 */
export interface WireConnection {
  /**
   * When the connection was established (the server's accept, where its timers start; HTTP/2:
   * once the preface and SETTINGS are exchanged), on the wire's clock.
   */
  readonly connectedAt: number;
  /** Resolves when the server ends the connection, or the wire gives up on it (never rejects). */
  readonly ended: Promise<ServerClose>;
  /** Whether the server has ended, or started to end (an unsolicited response, a GOAWAY), the connection. */
  readonly closing: boolean;
  /** Sends one request (HTTP/1: on the connection; HTTP/2: on a new stream) and waits for its outcome. */
  send(options: SendOptions): Promise<RequestOutcome>;
  /** Closes the connection from the probe's side. */
  destroy(): void;
  /**
   * Gives up on the connection now, as if its response timeout had passed: a request still
   * waiting ends as `timeout` (a deadline came first), not as a close by the server.
   */
  abandon(): void;
}

/**
 * A protocol the probe speaks to one target: its request is fixed when the wire is made.
 *
 * @example
 * const wire = http1Wire(target, { segmentPauseMs: 250 });
 * const connection = await wire.open(endpoint, { connectTimeoutMs: 5000 });
 */
export interface Wire {
  /** The protocol, as ALPN names it: `http/1.1`, `h2`. */
  readonly protocol: string;
  /**
   * How long a request takes to leave once sent, in milliseconds (HTTP/1: the pause between
   * its segments; 0 when it leaves in one write): deadlines keep this much for it.
   */
  readonly sendSpreadMs: number;
  /**
   * Connects and brings the connection to where its idle starts for the pre-request phase.
   *
   * @throws ConnectError with a one-line message naming the endpoint and the cause
   */
  open(endpoint: Endpoint, options: OpenOptions): Promise<WireConnection>;
}

/**
 * Makes the wire a target is probed with.
 *
 * @example
 * const wireOf: WireFactory = (target, options) => http1Wire(target, options);
 */
export type WireFactory = (target: ProbeTarget, options: { readonly segmentPauseMs: number }) => Wire;
