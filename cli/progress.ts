/**
 * Live progress of a probe run on a terminal: each socket's outcome as it happens, and a
 * status line with the elapsed time against the horizon.
 *
 * Why: a run lasts a load balancer timeout (a minute or more); an engineer at a bastion host
 * must see that it works, and a lazy failure is visible the moment it happens.
 */
import type { ProbeEvent, ProbeTarget, SocketRecord } from '../lambda/probe';
import { printable } from '../lambda/shared/printable';
import { closedWithText } from '../lambda/probe/wire/goaway';

export interface ProgressOptions {
  readonly stream: NodeJS.WritableStream;
  /** Redraw a status line once a second (only on a terminal). */
  readonly statusLine: boolean;
  /**
   * Clear the status line with an escape sequence; without (`NO_COLOR`), with spaces.
   * @default true
   */
  readonly escapes?: boolean;
}

/**
 * Describes one socket's outcome in a short line.
 *
 * @example
 * describeSocket(record); // 'active 50.4 s -> closed (fin) after 50.4 s idle'
 */
export function describeSocket(socket: SocketRecord): string {
  const planned = `${socket.role} ${socket.round > 1 ? `r${socket.round} ` : ''}${socket.plannedIdleS.toFixed(1)} s`;
  if (socket.outcome === 'unsent') return `${planned} -> unused${socket.error ? `: ${socket.error}` : ''}`;
  const at = socket.idleS === null ? '' : ` after ${socket.idleS.toFixed(3)} s idle`;
  if (socket.outcome === 'response') return `${planned} -> answered ${socket.status}${at}`;
  if (socket.outcome === 'held') return `${planned} -> still open, released${at}`;
  return `${planned} -> ${socket.unprompted ? 'closed by the server' : 'request refused'} (${closedWithText(socket)})${at}`;
}

/** A progress printer; feed it the engine's events, `stop()` it when the run ends. */
export class Progress {
  private readonly started = performance.now();
  private horizonS = 0;
  private targetsRunning = 0;
  private outcomes = 0;
  /** Length of the status line drawn last, which a clear without escapes overwrites with spaces. */
  private drawn = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  public constructor(private readonly options: ProgressOptions) {
    this.timer = options.statusLine ? setInterval(() => this.status(), 1000) : undefined;
  }

  public readonly onEvent = (event: ProbeEvent): void => {
    switch (event.type) {
      case 'target-start':
        this.horizonS = Math.max(this.horizonS, event.horizonS);
        this.targetsRunning++;
        return;
      case 'socket':
        this.outcomes++;
        return this.line(`${name(event.target)}  ${event.phase.padEnd(10)}  ${describeSocket(event.socket)}`);
      case 'target-done':
        this.targetsRunning--;
        return this.line(`${name(event.result.target)}  done: ${event.result.verdict}`);
    }
  };

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.options.statusLine) this.options.stream.write(this.clear());
  }

  /** Back to the start of the status line, emptied. */
  private clear(): string {
    const drawn = this.drawn;
    this.drawn = 0;
    return this.options.escapes === false ? `\r${' '.repeat(drawn)}\r` : '\r\u001b[K';
  }

  private line(text: string): void {
    const elapsed = `${this.elapsedS().toFixed(1).padStart(6)}s`;
    // Socket errors quote a backend's bytes: printable before the status line's own escapes.
    this.options.stream.write(`${this.options.statusLine ? this.clear() : ''}${elapsed}  ${printable(text)}\n`);
  }

  private status(): void {
    const status = `${this.elapsedS().toFixed(0)} s of ${this.horizonS.toFixed(0)} s horizon · ${this.targetsRunning} target(s) probing · ${this.outcomes} socket outcome(s)`;
    this.options.stream.write(`${this.clear()}${status}`);
    this.drawn = status.length;
  }

  private elapsedS(): number {
    return (performance.now() - this.started) / 1000;
  }
}

function name(target: ProbeTarget): string {
  return `${target.host}:${target.port}`;
}
