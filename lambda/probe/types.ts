/**
 * Types of the probe engine and of the `idle-canary probe --json` contract.
 *
 * The contract fields (`limitS`, `survivedS`, `failedS`, `enforcement`, `sweepS`, `closedWith`,
 * `headroomS`, `verdict`) are read by other tools (see docs/CONTRACTS.md): extend, never rename.
 */
import type { Goaway } from './wire/goaway';

/** The two idle situations a load balancer puts a backend connection in. */
export type PhaseName = 'preRequest' | 'keepAlive';

export const PHASE_NAMES: readonly PhaseName[] = ['preRequest', 'keepAlive'];

/** A backend to probe, as a load balancer would connect to it. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  /** Complete a TLS handshake (without verifying the certificate) before idling. */
  readonly tls: boolean;
  /** Request path, e.g. the load balancer's health check path. */
  readonly path: string;
  /**
   * `Host` header sent with each request.
   * @default `host` (with `:port` when it is not the scheme's default)
   */
  readonly hostHeader?: string;
  /**
   * Send a PROXY protocol v1 header before the first request of each connection, as a load
   * balancer with proxy protocol enabled does.
   * @default false
   */
  readonly proxyProtocol?: boolean;
  /**
   * The HTTP version a load balancer speaks to this backend, as an ALB target group's
   * `ProtocolVersion` names it: `HTTP2` and `GRPC` are probed over HTTP/2 (TLS with ALPN `h2`
   * when `tls`, else cleartext with prior knowledge), `GRPC` with a gRPC request.
   * @default 'HTTP1'
   */
  readonly protocolVersion?: ProtocolVersion;
}

/** An ALB target group's `ProtocolVersion`: the HTTP version its targets are spoken to in. */
export type ProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

/**
 * The protocol versions the probe speaks, each in its own protocol (HTTP/1.1; HTTP/2; HTTP/2
 * with a gRPC request).
 *
 * Why one list: discovery and the deployment gate read it to decide what they may plan. A
 * target whose load balancer speaks a version missing here is listed as not covered, with the
 * reason, and never probed in another protocol, whose answer the load balancer never gets.
 *
 * @example
 * SPOKEN_PROTOCOL_VERSIONS.includes('GRPC'); // true
 */
export const SPOKEN_PROTOCOL_VERSIONS: readonly ProtocolVersion[] = ['HTTP1', 'HTTP2', 'GRPC'];

/** How the server enforced the idle limit. */
export type Enforcement = 'eager' | 'lazy' | 'none';

/**
 * How the connection ended when the idle limit was hit; `goaway`: an HTTP/2 server's GOAWAY
 * frame (its code and last stream id are in the socket record's `goaway`).
 */
export type ClosedWith = 'fin' | 'rst' | 'http-408' | 'http-other' | 'timeout' | 'goaway';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/**
 * What one socket saw.
 *
 * - `response`: a complete HTTP response to the request sent after the idle: it survived.
 * - `closed`: the server ended the connection (by itself while idle, or in answer to the
 *   late request); `closedWith` says how.
 * - `held`: still idle and open when the phase no longer needed it (released, no request sent).
 * - `unsent`: the socket was never used for a measurement (budget, abort, phase decided).
 */
export type SocketOutcomeKind = 'response' | 'closed' | 'held' | 'unsent';

/** The record of one socket, kept for reports. */
export interface SocketRecord {
  /**
   * `passive` waits for the server to act; `active` sends its request after `plannedIdleS`;
   * `staggered` connects later than the passive socket and waits like it, so that sockets of
   * different ages meet the same periodic check; `aligned` (keep-alive, HTTP/2 and gRPC) opens
   * just after the pre-request passive socket and makes its second request when the server
   * closes that one, so that its idle starts just before its own check (`alignedSockets`);
   * `tick` (keep-alive) idles from a moment timed on a coarse clock's tick and sends its request
   * after the timeout plus the margin, just after a tick (`tickTestMomentS`).
   */
  readonly role: 'passive' | 'active' | 'staggered' | 'aligned' | 'tick';
  /** 1 for the first planned round, 2 and up for the rounds that narrow a lazy bracket. */
  readonly round: number;
  /** Idle the socket was planned to hold before sending, in seconds (passive: the horizon). */
  readonly plannedIdleS: number;
  readonly outcome: SocketOutcomeKind;
  /**
   * Idle, in seconds, at which the outcome happened: when the request went out for an
   * answered or refused request, when the server closed for an unprompted close.
   */
  readonly idleS: number | null;
  /**
   * When the socket's idle began, in seconds after the phase's first socket's: sockets idle at
   * the same instant are compared by it.
   */
  readonly openedS?: number;
  /** `true` when the server ended the connection before this socket sent anything after idling. */
  readonly unprompted: boolean;
  readonly closedWith: ClosedWith | null;
  /** HTTP status of the response (or of the unsolicited response before a close). */
  readonly status: number | null;
  /** Why an `unsent` socket measured nothing, when it was an error (e.g. a refused connection). */
  readonly error?: string;
  /** `true` when the server never took the connection (connect or first-byte timeout): no limit, only doubt. */
  readonly notAccepted?: boolean;
  /** `true` when the server ended the connection without ever sending a byte on it. */
  readonly silent?: boolean;
  /** The HTTP/2 GOAWAY the server closed with (`closedWith: 'goaway'`): its error code and last stream id. */
  readonly goaway?: Goaway;
}

/** The contract's result for one phase of one target, plus what a report needs. */
export interface PhaseResult {
  /** The measured idle limit (eager: when the server closed; lazy: the shortest idle that failed); `null` when nothing failed. */
  readonly limitS: number | null;
  /** The longest idle seen to survive. */
  readonly survivedS: number | null;
  /**
   * The shortest idle seen to fail, `null` when nothing failed: always `limitS`.
   * @deprecated kept for readers of the contract; read `limitS`.
   */
  readonly failedS: number | null;
  readonly enforcement: Enforcement;
  /**
   * When the server closes idle connections in periodic sweeps (eager, but checked every N
   * seconds): the observed interval between sweeps, or its best (lower) bound when one sweep
   * was seen; `null` when closes follow each connection's own timer or nothing was closed.
   * `limitS` is then the threshold: connections idle that long are closed at the next sweep.
   */
  readonly sweepS: number | null;
  /** How many periodic sweeps were seen: with one, `sweepS` is only a lower bound. */
  readonly sweepsSeen?: number;
  readonly closedWith: ClosedWith | null;
  /** The GOAWAY of the close that set the limit, when `closedWith` is `goaway`. */
  readonly goaway?: Goaway;
  /** Limit (or horizon when `null`) minus the load balancer idle timeout; `null` when nothing was measured. */
  readonly headroomS: number | null;
  readonly verdict: Verdict;
  /** Why the verdict is `inconclusive`, in plain words. */
  readonly reason?: string;
  /** Every socket of the phase, in the order they were opened. */
  readonly sockets: readonly SocketRecord[];
  /** Socket records left out so that the result fits a Step Functions state (`sockets` is then empty). */
  readonly socketsOmitted?: number;
  /**
   * What the verdict rests on besides the bracket (`limitS`, `survivedS`, `sweepS`,
   * `sweepsSeen`): kept whole when socket records are dropped, so that judging the phase again
   * (against another load balancer's timeout or margin) reads it instead of the records.
   * Absent in results of versions before it (`phaseEvidence` rebuilds it from the records).
   */
  readonly evidence?: PhaseEvidence;
}

/**
 * The counts and causes a phase's verdict rests on, other than its bracket.
 *
 * Why kept apart from the records: a result cut to its state budget loses records, never
 * these; a verdict made from them is the same before and after.
 */
export interface PhaseEvidence {
  /** Sockets the phase opened (its records before any was dropped). */
  readonly socketsOpened: number;
  /** Of them, the ones the server never accepted: while any, the phase cannot pass. */
  readonly socketsUnaccepted: number;
  /** `false` when the server closes the connection after every response: no idle connection is reused, so the phase passes with nothing measured. */
  readonly keepAliveOffered: boolean;
  /** Set when the phase was cut short (time budget, abort): why, in plain words. */
  readonly cutShort?: string;
  /**
   * `true` when the server's periodic closes came on several schedules (worker processes that
   * each check at their own moments, such as a Node.js cluster): surviving one check shows
   * nothing of another's threshold, so the phase cannot pass on survivals.
   */
  readonly severalSweepSchedules?: boolean;
}

/** Response headers that identify a server or announce its keep-alive limit. */
export interface ServerHints {
  readonly server: string | null;
  readonly poweredBy: string | null;
  /** The raw `Keep-Alive` response header, e.g. `timeout=5`. */
  readonly keepAlive: string | null;
  /** `timeout=N` parsed out of `Keep-Alive`, in seconds. */
  readonly advertisedKeepAliveS: number | null;
  /** `true` when the server answered `Connection: close` (no keep-alive at all). */
  readonly connectionClose: boolean;
  readonly status: number | null;
}

/** Why a target could not be probed at all. */
export type TargetErrorCode =
  | 'refused'
  | 'unreachable'
  | 'dns'
  | 'connect-timeout'
  | 'tls'
  | 'not-http'
  | 'closed'
  | 'no-response'
  | 'socket-error'
  /** Not probed: its security groups do not admit the probe (`scan` and the deployed monitor only). */
  | 'blocked';

export interface TargetError {
  readonly code: TargetErrorCode;
  /** One line naming the target and what went wrong. */
  readonly message: string;
}

/** The contract's result for one target. */
export interface ProbeResult {
  readonly target: {
    readonly host: string;
    readonly port: number;
    readonly tls: boolean;
    readonly path: string;
    /** Set when the target was probed over HTTP/2 (`HTTP2`, `GRPC`); absent for HTTP/1.1. */
    readonly protocolVersion?: ProtocolVersion;
  };
  readonly loadBalancerIdleTimeoutS: number;
  readonly horizonS: number;
  readonly phases: Partial<Record<PhaseName, PhaseResult>>;
  /** The worst phase verdict. */
  readonly verdict: Verdict;
  /** Set when the target could not be probed at all. */
  readonly error?: TargetError;
  /** Response headers seen on the first request. */
  readonly server?: ServerHints;
  /** When probing the target started (ISO 8601). */
  readonly startedAt: string;
  /** Seconds from the target's first socket to its last. */
  readonly elapsedS: number;
  /** Sockets opened for this target in all. */
  readonly socketsUsed: number;
  /** The most sockets of this target open at once: at most the budget (`maxSocketsPerTarget`). */
  readonly peakSockets?: number;
  /** The margin the phases were judged with, in seconds (reports show and use it). */
  readonly marginS?: number;
}

/** A target with the load balancer timing it must be judged against. */
export interface ProbeJob {
  readonly target: ProbeTarget;
  /** The load balancer's idle timeout, in seconds. */
  readonly loadBalancerIdleTimeoutS: number;
  /**
   * How long sockets are held, in seconds.
   * @default the idle timeout plus 10 % (at least 1 s), see `defaultHorizonS`
   */
  readonly horizonS?: number;
}

/** Progress the engine reports while it runs, for live displays. */
export type ProbeEvent =
  | { readonly type: 'target-start'; readonly target: ProbeTarget; readonly horizonS: number }
  | {
      readonly type: 'socket';
      readonly target: ProbeTarget;
      readonly phase: PhaseName;
      readonly socket: SocketRecord;
    }
  | { readonly type: 'target-done'; readonly result: ProbeResult };

/** Options of `probeTargets`. */
export interface ProbeOptions {
  /**
   * Phases to measure.
   * @default ['preRequest', 'keepAlive']
   */
  readonly phases?: readonly PhaseName[];
  /**
   * At most this many sockets of one target open at once, all phases and rounds together; a
   * target may open more than this in all.
   * @default 16
   */
  readonly maxSocketsPerTarget?: number;
  /**
   * At most this many sockets open at once; targets beyond it wait their turn.
   * @default 900 (Lambda's 1,024 file descriptors minus headroom)
   */
  readonly maxOpenSockets?: number;
  /**
   * Stop after this many milliseconds and report unfinished phases as `inconclusive`.
   * @default no limit but the horizons
   */
  readonly timeBudgetMs?: number;
  /** Aborting stops the run at once; what was measured is still returned. */
  readonly signal?: AbortSignal;
  /**
   * Give up connecting (and completing TLS) after this many milliseconds.
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Wait this long for a response to a request before calling it `timeout`.
   * @default 10000
   */
  readonly responseTimeoutMs?: number;
  /**
   * Pause between the two TCP segments of each request, in milliseconds: a lazy server whose
   * event loop stalls longer reads them as one chunk and lets the late request through.
   * @default 250
   */
  readonly segmentPauseMs?: number;
  /**
   * Stop narrowing a lazy bracket once it is this narrow, in seconds.
   * @default 0.5
   */
  readonly precisionS?: number;
  /**
   * Stagger between the sockets that bracket a periodic (sweep) threshold, in seconds; that
   * bracket is as wide as `max(precisionS, sweepPrecisionS)`.
   *
   * Why a floor of its own: the staggered sockets must span a whole sweep interval (30 s for
   * Node.js by default) within the socket budget, 16 sockets 2 s apart behind a 60 s load balancer.
   * @default a 33rd of the horizon (2 s for a 60 s load balancer), see `defaultSweepStepS`
   */
  readonly sweepPrecisionS?: number;
  /**
   * Headroom below which a phase fails, in seconds.
   * @default 1
   */
  readonly marginS?: number;
  readonly onEvent?: (event: ProbeEvent) => void;
}
