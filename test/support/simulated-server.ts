/**
 * Simulated backends for the probe engine's unit tests: a server's idle rules, played on a
 * `SimulatedClock` through the engine's `Wire` interface (lambda/probe/wire/types.ts).
 *
 * Why a model of the server, not of our code: the engine, its phases and its wire interface
 * run unchanged; only the far end of the connection is simulated, with the rules real servers
 * follow (a per-connection timer, periodic sweeps, a whole-second clock, a lazy check on the
 * next request), so that a minute of probing takes milliseconds and every moment is exact.
 */
import { waitUntil, type CancelTimer } from '../../lambda/probe/clock';
import { wireOf as realWireOf } from '../../lambda/probe/wire';
import { ConnectError, type RequestOutcome, type SendOptions, type ServerClose, type Wire, type WireConnection, type WireFactory } from '../../lambda/probe/wire/types';
import type { ClosedWith } from '../../lambda/probe/types';
import type { SimulatedClock } from './simulated-time';

/** How a server treats a connection while it idles (before its first request, or between requests). */
export type IdleRule =
  /** Keeps it open forever. */
  | { readonly kind: 'never' }
  /** Closes it on its own timer, `afterMs` after its idle began. */
  | { readonly kind: 'timer'; readonly afterMs: number; readonly closedWith?: ClosedWith }
  /**
   * Closes it at a periodic check (every `intervalMs`) once it has idled `thresholdMs` (Node.js 18+
   * `headersTimeout`). With `untilWholeHeaders`, as Node.js: a request whose headers have not all
   * come (between its two segments) has not ended the idle, and a check then closes it in answer.
   */
  | { readonly kind: 'sweep'; readonly thresholdMs: number; readonly intervalMs: number; readonly closedWith?: ClosedWith; readonly untilWholeHeaders?: boolean }
  /** Counts idle in whole ticks of `tickMs` and closes it at the tick that reaches `ticks`. */
  | { readonly kind: 'coarse'; readonly ticks: number; readonly tickMs: number }
  /** Checks an exact timer at ticks of `tickMs`: closes it at the first tick once it has idled `afterMs`. */
  | { readonly kind: 'checked-timer'; readonly afterMs: number; readonly tickMs: number }
  /** Closes it only when a request comes after more than `afterMs` of idle (Node.js 8.14 to 12.18). */
  | { readonly kind: 'lazy'; readonly afterMs: number }
  /**
   * Checks it every `everyMs` from its open, whatever it does, and closes it (GOAWAY) at a check
   * that finds no request started since the one before (gRPC core's `max_connection_idle`).
   * The connection's rule from its open: give the same one for both phases.
   */
  | { readonly kind: 'idle-check'; readonly everyMs: number };

export interface SimulatedServerOptions {
  readonly preRequest: IdleRule;
  readonly keepAlive: IdleRule;
  /** Where the server's periodic checks (sweeps, ticks) fall: this long after it started, then every period. */
  readonly phaseMs?: number;
  /** Round trip between the probe and the server. @default 1 */
  readonly rttMs?: number;
  /**
   * Closes every connection (GOAWAY) at an age of its own, whatever it does: `afterMs` give or
   * take `jitter` of it, drawn from `random` at its open (gRPC Go and Java `MaxConnectionAge`).
   */
  readonly maxAge?: { readonly afterMs: number; readonly jitter: number; readonly random: () => number };
  /**
   * How long after a periodic check's first close the probe reads each further close of the
   * same check, one after another: a busy event loop reads FINs that came together over several
   * turns. @default 0
   */
  readonly closesReadApartMs?: number;
  /**
   * Worker processes that each sweep (`sweep` rules) on their own schedule, each `apartMs` after
   * the one before, the connections handed to them in turn (Node.js cluster, PM2 cluster mode).
   * @default one
   */
  readonly workers?: { readonly count: number; readonly apartMs: number };
}

/** A simulated backend: its wire for the engine, and what it did. */
export interface SimulatedServer {
  readonly wireOf: WireFactory;
  /** Connections accepted. */
  accepted(): number;
}

const STATUS_OF: Partial<Record<ClosedWith, number>> = { 'http-408': 408 };

/**
 * Starts a simulated backend on `clock`, now.
 *
 * @example
 * const server = simulatedServer(clock, { preRequest: { kind: 'sweep', thresholdMs: 60_000, intervalMs: 30_000 }, keepAlive: { kind: 'timer', afterMs: 5000 } });
 * await clock.run(runProbe([job], options, { clock, wireOf: server.wireOf }));
 */
export function simulatedServer(clock: SimulatedClock, options: SimulatedServerOptions): SimulatedServer {
  const rttMs = options.rttMs ?? 1;
  const open = new Set<SimulatedConnection>();
  const startedAt = clock.now();
  let accepted = 0;
  /** Ticks each periodic rule has made so far. */
  const ticksOf = new Map<IdleRule, number>();

  // Periodic rules run on the server's own schedule, whatever the connections do.
  const workers = options.workers?.count ?? 1;
  for (const rule of new Set([options.preRequest, options.keepAlive])) {
    const periodMs = rule.kind === 'sweep' ? rule.intervalMs : rule.kind === 'coarse' || rule.kind === 'checked-timer' ? rule.tickMs : 0;
    if (periodMs <= 0) continue;
    const check = (at: number, worker: number | null) =>
      clock.schedule(at, () => {
        const tick = (ticksOf.get(rule) ?? 0) + 1;
        ticksOf.set(rule, tick);
        let closed = 0;
        for (const connection of [...open]) {
          if (connection.rule() === rule && (worker === null || connection.worker === worker) && connection.periodicCheck(rule, tick, closed * (options.closesReadApartMs ?? 0))) closed++;
        }
        check(at + periodMs, worker);
      });
    // One schedule, or a sweep's in each worker, `apartMs` after the one before.
    const schedules = rule.kind === 'sweep' ? workers : 1;
    for (let worker = 0; worker < schedules; worker++) {
      check(startedAt + (((options.phaseMs ?? 0) + worker * (options.workers?.apartMs ?? 0)) % periodMs || periodMs), schedules === 1 ? null : worker);
    }
  }

  class SimulatedConnection implements WireConnection {
    public connectedAt = clock.now();
    /** The worker that took it (`workers`), in turn. */
    public readonly worker = accepted % workers;
    public readonly ended: Promise<ServerClose>;
    private resolveEnded!: (close: ServerClose) => void;
    private close: ServerClose | null = null;
    private pending: { readonly sentAt: number; readonly resolve: (outcome: RequestOutcome) => void } | null = null;
    private served = 0;
    /** When the current idle began; `null` while a request is in flight. */
    private idleSince: number | null = clock.now();
    /** A request's first segment, its idle's start and when its headers are whole (`untilWholeHeaders`). */
    private partial: { readonly idleSince: number; readonly wholeAt: number } | null = null;
    /** A periodic check has closed it, and the probe has yet to read the close (`closesReadApartMs`). */
    private closeDecided = false;
    private idleTick = 0;
    private cancelTimer: CancelTimer = () => undefined;
    /** A request started since the last idle check (`idle-check`). */
    private calledSinceCheck = false;
    private cancelCheck: CancelTimer = () => undefined;

    public constructor(private readonly sendSpreadMs: number) {
      this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
      this.startIdle();
      this.checkIdleAfter(clock.now());
      const { maxAge } = options;
      if (maxAge) clock.schedule(this.connectedAt + maxAge.afterMs * (1 + maxAge.jitter * (2 * maxAge.random() - 1)), () => this.end('goaway', this.pending === null));
    }

    public get closing(): boolean {
      return this.close !== null;
    }

    public rule(): IdleRule {
      return this.served === 0 ? options.preRequest : options.keepAlive;
    }

    /** Runs a periodic check on it; `true` when the check closed it (read `readAfterMs` later). */
    public periodicCheck(rule: IdleRule, tick: number, readAfterMs: number): boolean {
      if (this.close !== null || this.closeDecided) return false;
      const partial = this.partial !== null && clock.now() < this.partial.wholeAt ? this.partial.idleSince : null;
      const idleSince = this.idleSince ?? (rule.kind === 'sweep' && rule.untilWholeHeaders ? partial : null);
      if (idleSince === null) return false;
      const idleMs = clock.now() - idleSince;
      const closes = (rule.kind === 'sweep' && idleMs >= rule.thresholdMs) || (rule.kind === 'checked-timer' && idleMs >= rule.afterMs) || (rule.kind === 'coarse' && tick - this.idleTick >= rule.ticks);
      if (!closes) return false;
      const closedWith = rule.kind === 'sweep' ? (rule.closedWith ?? 'http-408') : 'fin';
      if (readAfterMs <= 0) this.end(closedWith, this.pending === null);
      else {
        // Decided now; the probe reads it later, and may release the socket first.
        this.closeDecided = true;
        const at = clock.now();
        clock.schedule(at + readAfterMs, () => this.end(closedWith, this.pending === null, at));
      }
      return true;
    }

    public send({ whole = false }: SendOptions): Promise<RequestOutcome> {
      if (this.close !== null) return Promise.resolve({ kind: 'closed', sentAt: this.close.at, close: this.close });
      const sentAt = clock.now();
      const outcome = new Promise<RequestOutcome>((resolve) => (this.pending = { sentAt, resolve }));
      this.calledSinceCheck = true;
      const rule = this.rule();
      const idleS = this.idleSince === null ? 0 : sentAt - this.idleSince;
      this.partial = this.idleSince === null ? null : { idleSince: this.idleSince, wholeAt: sentAt + (whole ? 0 : this.sendSpreadMs) };
      this.idleSince = null;
      this.cancelTimer();
      if (rule.kind === 'lazy' && idleS > rule.afterMs) {
        // The server reads the first segment, finds the connection too old and closes it.
        clock.schedule(sentAt + rttMs / 2, () => this.end('fin', false));
      } else {
        clock.schedule(sentAt + (whole ? 0 : this.sendSpreadMs) + rttMs, () => {
          if (this.close !== null || this.closeDecided || this.pending === null) return;
          const { resolve } = this.pending;
          this.pending = null;
          this.served++;
          resolve({ kind: 'response', sentAt, answeredAt: clock.now(), head: { status: 200, headers: { 'content-length': '2' }, httpVersion: '1.1' } });
          this.startIdle();
        });
      }
      return outcome;
    }

    public destroy(): void {
      if (this.close !== null) return;
      // As a socket's `close` event: in a later task, as the FIN of whoever closed first.
      const at = clock.now();
      this.cancelTimer();
      open.delete(this);
      clock.schedule(at, () => this.end('fin', this.pending === null, at));
    }

    public abandon(): void {
      this.end('timeout', this.pending === null);
    }

    private startIdle(): void {
      this.idleSince = clock.now();
      this.idleTick = ticksOf.get(this.rule()) ?? 0;
      const rule = this.rule();
      if (rule.kind === 'timer') this.cancelTimer = clock.schedule(this.idleSince + rule.afterMs, () => this.end(rule.closedWith ?? 'fin', true));
    }

    /** Its next idle check, a period after `at` (the open, or the last check): closed there unless a request came since. */
    private checkIdleAfter(at: number): void {
      const rule = this.rule();
      if (rule.kind !== 'idle-check') return;
      this.cancelCheck = clock.schedule(at + rule.everyMs, () => {
        if (this.pending === null && !this.calledSinceCheck) return this.end('goaway', true);
        this.calledSinceCheck = false;
        this.checkIdleAfter(at + rule.everyMs);
      });
    }

    private end(closedWith: ClosedWith, unprompted: boolean, at = clock.now()): void {
      if (this.close !== null) return;
      this.cancelTimer();
      this.cancelCheck();
      open.delete(this);
      const status = STATUS_OF[closedWith] ?? null;
      this.close = { at, closedWith, status, unprompted, silent: this.served === 0 && status === null };
      this.pending?.resolve({ kind: 'closed', sentAt: this.pending.sentAt, close: this.close });
      this.pending = null;
      this.resolveEnded(this.close);
    }
  }

  const wireOf: WireFactory = (target, settings) => {
    // The real wire's spread: HTTP/1.1 requests go in two segments, HTTP/2 ones (HEADERS, DATA) at once.
    const { sendSpreadMs } = realWireOf(target, settings);
    const wire: Wire = {
      protocol: 'simulated',
      sendSpreadMs,
      async open(endpoint, { signal }) {
        if (!(await waitUntil(clock, clock.now() + rttMs, signal ?? new AbortController().signal))) {
          throw new ConnectError('socket-error', `${endpoint.address}:${endpoint.port}: aborted while connecting`);
        }
        const connection = new SimulatedConnection(sendSpreadMs);
        accepted++;
        open.add(connection);
        return connection;
      },
    };
    return wire;
  };
  return { wireOf, accepted: () => accepted };
}
