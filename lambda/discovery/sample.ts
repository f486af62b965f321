/**
 * Which backends of a load balancer are probed this run: a few per port, rotated across runs.
 */
import type { ProtocolVersion } from '../probe/types';
import { addToGroup } from '../shared/group';
import { DEFAULTS } from '../shared/settings';

/** Defaults of sampling, merged once. */
export const defaults = {
  /** Backends probed per load balancer and port in one run. */
  maxBackendsPerPort: DEFAULTS.maxBackendsPerPort,
} as const;

/**
 * Picks at most `perPort` backends per port and protocol version, starting where the previous
 * run stopped.
 *
 * Why rotate: a fleet of 40 nodes probed two at a time is covered in 20 runs (5 hours at the
 * default schedule), while each run stays cheap; a deterministic rotation (sorted by id,
 * offset by the rotation) needs no state. Why per protocol version too: an HTTP/2 (or gRPC)
 * target group on the port of an HTTP/1.1 one is another server configuration, probed every
 * run rather than when the rotation happens to reach it.
 *
 * @example
 * sampleBackends([{ id: 'i-1:80', target: { port: 80 } }, { id: 'i-2:80', target: { port: 80 } }, { id: 'i-3:80', target: { port: 80 } }], 2, 1);
 * // { chosen: [i-3:80, i-1:80], notSampled: 1 }
 */
export function sampleBackends<T extends { readonly id: string; readonly target: { readonly port: number; readonly protocolVersion?: ProtocolVersion } }>(
  backends: readonly T[],
  perPort: number,
  rotation: number,
): { chosen: T[]; notSampled: number } {
  // By port (numerically, as the padded keys sort), then protocol version.
  const byPortAndVersion = new Map<string, T[]>();
  const keyOf = (backend: T) => `${String(backend.target.port).padStart(5, '0')}|${backend.target.protocolVersion ?? 'HTTP1'}`;
  for (const backend of backends) addToGroup(byPortAndVersion, keyOf(backend), backend);
  const chosen = [...byPortAndVersion.keys()]
    .sort()
    .flatMap((key) => {
      const sorted = [...new Map(byPortAndVersion.get(key)!.map((b) => [b.id, b])).values()].sort((a, b) => a.id.localeCompare(b.id));
      if (sorted.length <= perPort) return sorted;
      const start = (rotation * perPort) % sorted.length;
      return Array.from({ length: perPort }, (_, i) => sorted[(start + i) % sorted.length]);
    });
  return { chosen, notSampled: new Set(backends.map((b) => b.id)).size - chosen.length };
}

/**
 * The rotation of a scheduled run: the index of the schedule period it starts in, which picks
 * the backends it samples. (A "run" is one execution of the monitor; this is its place in the rotation.)
 */
export function rotationAt(time: Date, periodMinutes: number): number {
  return Math.floor(time.getTime() / (periodMinutes * 60_000));
}
