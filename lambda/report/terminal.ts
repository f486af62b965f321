/**
 * Probe results as a terminal report: a short table per target, then the verdict in words.
 *
 * Pure: returns the text; the command line decides where it goes.
 */
import type { PhaseName, PhaseResult, ProbeResult, Verdict } from '../probe';
import { probeHeadroomS } from '../probe/headroom';
import { schemeOf } from '../probe/protocol-version';
import { printable } from '../shared/printable';
import { closedWithText } from '../probe/wire/goaway';
import { adviseTarget, fmt } from './advice';
import { headroomText } from './view';

export interface TerminalOptions {
  /** ANSI colours for verdicts (only on a terminal). */
  readonly color: boolean;
  /**
   * Wrap paragraphs at this width.
   * @default 80
   */
  readonly width?: number;
}

const COLORS: Readonly<Record<Verdict, string>> = { pass: '\u001b[32m', fail: '\u001b[31m', inconclusive: '\u001b[33m' };
const RESET = '\u001b[0m';
const COLUMNS = ['phase', 'verdict', 'limit', 'bracket', 'enforcement', 'closed with', 'headroom'] as const;

/**
 * Renders results, one block per target.
 *
 * @example
 * process.stdout.write(renderTerminalReport(results, { color: process.stdout.isTTY }));
 */
export function renderTerminalReport(results: readonly ProbeResult[], options: TerminalOptions): string {
  return results.map((result) => renderTarget(result, options)).join('\n');
}

function renderTarget(result: ProbeResult, options: TerminalOptions): string {
  const paint = (verdict: Verdict, text: string) => (options.color ? `${COLORS[verdict]}${text}${RESET}` : text);
  const { host, port, path } = result.target;
  // As the command line takes it: HTTP/2 and gRPC targets with their schemes, HTTP/1.1 as before.
  const scheme = schemeOf(result.target);
  // Every text of a result may hold a backend's bytes (or come from a saved file): made printable before colours go in.
  const title = printable(`${scheme}${host.includes(':') ? `[${host}]` : host}:${port}${path === '/' ? '' : path}`);
  const lines = [
    `${title}  ${paint(result.verdict, result.verdict.toUpperCase())}  (load balancer idle timeout ${fmt(result.loadBalancerIdleTimeoutS)} s, held ${fmt(result.horizonS)} s, ${result.socketsUsed} sockets, ${fmt(result.elapsedS)} s)`,
  ];
  if (!result.error) {
    const measured = Object.entries(result.phases) as Array<[PhaseName, PhaseResult]>;
    const [header, ...rows] = alignColumns([COLUMNS, ...measured.map(([phase, phaseResult]) => phaseRow(result, phase, phaseResult))], new Set([2, 6]));
    const format = (cells: readonly string[], verdict?: Verdict) => `  ${cells.map((cell, i) => (i === 1 && verdict ? paint(verdict, cell) : cell)).join('  ')}`.trimEnd();
    lines.push(format(header));
    rows.forEach((row, i) => lines.push(format(row, measured[i][1].verdict)));
    const hints = result.server;
    if (hints) lines.push(printable(`  server: ${hints.server ?? '(no Server header)'}${hints.keepAlive ? ` · Keep-Alive: ${hints.keepAlive}` : ''}${hints.connectionClose ? ' · Connection: close' : ''}`));
  }
  lines.push(...wrap(printable(adviseTarget(result)), options.width ?? 80, '  '));
  return `${lines.join('\n')}\n`;
}

/** Table figures keep two decimals: a bracket is often narrower than 0.1 s. */
const fmt2 = (seconds: number) => seconds.toFixed(2);

function phaseRow(result: ProbeResult, phase: PhaseName, measured: PhaseResult): string[] {
  const seconds = (value: number | null) => (value === null ? '-' : `${fmt2(value)} s`);
  const bracket =
    measured.limitS !== null ? `${measured.survivedS === null ? '?' : fmt2(measured.survivedS)} .. ${fmt2(measured.limitS)} s` : measured.survivedS !== null ? `> ${fmt2(measured.survivedS)} s` : '-';
  const cells = [
    phase,
    measured.verdict.toUpperCase(),
    measured.limitS === null ? (measured.survivedS === null ? '-' : 'none') : seconds(measured.limitS),
    bracket,
    measured.sweepS === null || measured.sweepS === undefined ? measured.enforcement : `${measured.enforcement}, ${(measured.sweepsSeen ?? 1) > 1 ? `every ${fmt(measured.sweepS)} s` : 'periodic'}`,
    closedWithText(measured) ?? '-',
    headroomText(probeHeadroomS(measured, result.horizonS, result.loadBalancerIdleTimeoutS), fmt2) ?? '-',
  ];
  return cells.map((cell) => printable(cell));
}

/**
 * Pads every cell to its column's width: right-aligned for the columns given (numbers), left
 * otherwise.
 *
 * @example
 * alignColumns([['name', 'count'], ['web', '37']], new Set([1])); // [['name', 'count'], ['web ', '   37']]
 */
export function alignColumns(rows: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number>): string[][] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))));
}

/**
 * Wraps a paragraph at `width` columns, each line indented, never inside a code span.
 *
 * Why code spans whole: they hold the settings the advice names. Broken after
 * `server.keepAliveTimeout`, the fix read "= 65000" on the next line, copied by halves (and the
 * CI recipe's check for it failed when a measured figure moved the break). Up to 60 characters:
 * a stray backtick in a server's header must not glue the rest of a paragraph into one line.
 *
 * @example
 * wrap('set `server.keepAliveTimeout = 65000` now', 20, ''); // ['set', '`server.keepAliveTimeout = 65000`', 'now']
 */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.match(/[^\s`]*`[^`]{0,60}`[^\s`]*|\S+/g) ?? []) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}
