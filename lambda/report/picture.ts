/**
 * A picture of one phase's probe as inline SVG: each socket's idle and outcome on a time axis,
 * the load balancer's idle timeout as a line, the measured limit with its bracket.
 *
 * Pure: returns markup with no external asset, so that reports open anywhere.
 */
import type { PhaseResult, SocketRecord } from '../probe';
import { printable } from '../shared/printable';
import { closedWithText } from '../probe/wire/goaway';

const WIDTH = 720;
const LEFT = 110;
const RIGHT = 20;
const ROW = 16;
const TOP = 28;
const AXIS = 34;

const OUTCOME = {
  response: { color: '#2ca02c', label: 'answered' },
  prompted: { color: '#d62728', label: 'late request refused' },
  unprompted: { color: '#ff7f0e', label: 'closed by the server' },
  held: { color: '#1f77b4', label: 'still open, released' },
  unsent: { color: '#999999', label: 'unused' },
} as const;

/**
 * The SVG of one phase of one backend.
 *
 * @example
 * probePicture(result.phases.preRequest, 60, 66, 'preRequest of 10.0.1.7:30080');
 */
export function probePicture(phase: PhaseResult, loadBalancerIdleTimeoutS: number, horizonS: number, title: string): string {
  const sockets = [...phase.sockets].sort((a, b) => a.round - b.round || a.plannedIdleS - b.plannedIdleS);
  const maxS = Math.max(horizonS, loadBalancerIdleTimeoutS, ...sockets.map((s) => s.idleS ?? s.plannedIdleS)) * 1.05;
  const x = (seconds: number) => LEFT + (seconds / maxS) * (WIDTH - LEFT - RIGHT);
  const height = TOP + Math.max(1, sockets.length) * ROW + AXIS;
  const bottom = height - AXIS + 6;
  const parts: string[] = [];

  if (phase.limitS !== null) {
    const from = x(phase.survivedS ?? 0);
    parts.push(`<rect x="${from.toFixed(1)}" y="${TOP - 6}" width="${Math.max(1, x(phase.limitS) - from).toFixed(1)}" height="${bottom - TOP + 6}" fill="#d62728" fill-opacity="0.12"><title>bracket ${fmt(phase.survivedS ?? 0)} .. ${fmt(phase.limitS)} s</title></rect>`);
  }
  sockets.forEach((socket, row) => parts.push(socketRow(socket, TOP + row * ROW + ROW / 2, x)));
  const lines: MarkedLine[] = [{ atX: x(loadBalancerIdleTimeoutS), color: '#1f77b4', dash: '6 4', label: `load balancer idle timeout ${fmt(loadBalancerIdleTimeoutS)} s` }];
  if (phase.limitS !== null) lines.push({ atX: x(phase.limitS), color: '#d62728', dash: '', label: `limit ${fmt(phase.limitS)} s` });
  parts.push(...markedLines(lines, TOP - 10, bottom));
  parts.push(...axis(maxS, x, bottom));

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="probe" role="img" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<title>${escapeXml(title)}</title>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

function socketRow(socket: SocketRecord, y: number, x: (s: number) => number): string {
  const kind = socket.outcome === 'closed' ? (socket.unprompted ? 'unprompted' : 'prompted') : socket.outcome;
  const { color, label } = OUTCOME[kind];
  const endS = socket.idleS ?? socket.plannedIdleS;
  const name = `${socket.role}${socket.round > 1 ? ` r${socket.round}` : ''} ${fmt(socket.plannedIdleS)} s`;
  const detail = `${name}: ${label}${socket.closedWith ? ` (${closedWithText(socket)})` : ''}${socket.idleS !== null ? ` after ${socket.idleS.toFixed(3)} s idle` : ''}${socket.error ? `: ${socket.error}` : ''}`;
  const end = x(endS);
  const marker =
    kind === 'response'
      ? `<circle cx="${end.toFixed(1)}" cy="${y}" r="4" fill="${color}"/>`
      : kind === 'prompted'
        ? `<path d="M${(end - 4).toFixed(1)} ${y - 4}l8 8m0 -8l-8 8" stroke="${color}" stroke-width="2.5"/>`
        : `<rect x="${(end - 4).toFixed(1)}" y="${y - 4}" width="8" height="8" fill="${color}" transform="rotate(45 ${end.toFixed(1)} ${y})"/>`;
  return [
    `<g class="socket ${kind}"><title>${escapeXml(detail)}</title>`,
    `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" font-size="10" fill="#333">${escapeXml(name)}</text>`,
    `<line x1="${LEFT}" y1="${y}" x2="${end.toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="3" stroke-opacity="0.6"${socket.outcome === 'unsent' ? ' stroke-dasharray="2 3"' : ''}/>`,
    marker,
    '</g>',
  ].join('');
}

/** A vertical line across the sockets, with its label at the top. */
interface MarkedLine {
  readonly atX: number;
  readonly color: string;
  readonly dash: string;
  readonly label: string;
}

/**
 * Width of a label at font size 10, a little more than any sans-serif needs (about 0.55 em a
 * character), so that two labels found apart are apart on every screen.
 */
const labelWidth = (label: string) => label.length * 6.2;

/** Label rows above one another: the first beside the lines' top, the next one row higher. */
const LABEL_ROW = 11;

/**
 * The lines and their labels, each label in the lowest row where it overlaps no other.
 *
 * Why rows: the load balancer's timeout and a limit close to it (the most interesting case)
 * would print their labels over each other.
 */
function markedLines(lines: readonly MarkedLine[], top: number, bottom: number): string[] {
  const placed: Array<{ from: number; to: number; row: number }> = [];
  return lines.map(({ atX, color, dash, label }) => {
    // Near the right edge the label goes left of its line, so that it is never cut off.
    const leftward = atX > WIDTH * 0.6;
    const from = leftward ? atX - 3 - labelWidth(label) : atX + 3;
    const to = from + labelWidth(label);
    let row = 0;
    while (placed.some((p) => p.row === row && p.from < to + 4 && from < p.to + 4)) row++;
    placed.push({ from, to, row });
    const y = top + 2 - row * LABEL_ROW;
    return (
      `<g><line x1="${atX.toFixed(1)}" y1="${top}" x2="${atX.toFixed(1)}" y2="${bottom}" stroke="${color}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` +
      `<text x="${(leftward ? atX - 3 : atX + 3).toFixed(1)}" y="${y}"${leftward ? ' text-anchor="end"' : ''} font-size="10" fill="${color}">${escapeXml(label)}</text></g>`
    );
  });
}

function axis(maxS: number, x: (s: number) => number, y: number): string[] {
  const step = niceStep(maxS / 6);
  const ticks: string[] = [`<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="#333"/>`];
  for (let s = 0; s <= maxS; s += step) {
    ticks.push(`<line x1="${x(s).toFixed(1)}" y1="${y}" x2="${x(s).toFixed(1)}" y2="${y + 4}" stroke="#333"/><text x="${x(s).toFixed(1)}" y="${y + 15}" text-anchor="middle" font-size="10">${Number(s.toFixed(3))}</text>`);
  }
  ticks.push(`<text x="${WIDTH - RIGHT}" y="${y + 27}" text-anchor="end" font-size="10" fill="#555">idle (s)</text>`);
  return ticks;
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw)!;
}

function fmt(seconds: number): string {
  return seconds.toFixed(1);
}

/** Text for HTML or SVG: markup escaped, control characters made visible (see `printable`). */
export function escapeXml(text: string): string {
  return printable(String(text)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
