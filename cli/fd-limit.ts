/**
 * The open-socket cap that fits the file descriptors this process may really open.
 *
 * Why: the engine's default cap (900) is Lambda's 1,024 descriptors less headroom; a shell with
 * `ulimit -n 256` would otherwise hit EMFILE and report backends `inconclusive` for a limit of
 * its own. Node.js has no `getrlimit`, so the soft limit is read where the system shows it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { DEFAULTS, RANGES } from '../lambda/shared/settings';

/** Descriptors left for everything but the sockets: stdio, the event loop, DNS, TLS, report files. */
const RESERVED = 32;

/**
 * The soft limit on open files: `/proc/self/limits` on Linux, else `ulimit -n` from a shell
 * (which inherits it); `null` when neither tells ("unlimited" included).
 */
export function softFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: ask a shell.
  }
  try {
    const value = Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

/** Descriptors open now (`/proc/self/fd`), or a guess where that cannot be read. */
function openNow(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return RESERVED;
  }
}

/**
 * The engine's default cap, lowered to what the soft limit leaves after the descriptors open now
 * and a reserve; never below the smallest cap the engine accepts (one target's budget).
 *
 * @example
 * socketCapFor(256, 24); // 200
 * socketCapFor(null, 24); // 900
 */
export function socketCapFor(softLimit: number | null, open: number): number {
  if (softLimit === null) return DEFAULTS.maxOpenSockets;
  return Math.max(RANGES.maxOpenSockets.min, Math.min(DEFAULTS.maxOpenSockets, softLimit - open - RESERVED));
}

/** `socketCapFor` this process's limit and descriptors. */
export function processSocketCap(): number {
  return socketCapFor(softFileLimit(), openNow());
}
