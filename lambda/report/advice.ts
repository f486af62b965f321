/**
 * The verdict in plain words, with the concrete fix: which server setting to raise and to
 * what, or which load balancer idle timeout would be safe.
 *
 * Pure: from a probe result to sentences.
 */
import type { PhaseName, PhaseResult, ProbeResult, ServerHints } from '../probe';
import { NOT_ACCEPTED_REASON } from '../probe/accept';
import { describeGoaway } from '../probe/wire/goaway';
import { DEFAULTS } from '../shared/settings';

/** Server families whose settings we can name. */
export type ServerKind = 'nginx' | 'apache' | 'node' | 'unknown';

/** How much above the load balancer's idle timeout a backend setting should be. */
export const RECOMMENDED_EXTRA_S = 5;

/**
 * How much below the measured limit a load balancer timeout must stay: the margin the result
 * was judged with (the `idle-canary:margin` tag, `--margin`), else the default.
 */
function marginOf(result: Pick<ProbeResult, 'marginS'>): number {
  return result.marginS ?? DEFAULTS.marginS;
}

/**
 * Names the likely server from its response headers and how it enforced its limits.
 *
 * Why the enforcement counts: Node.js sends no `Server` header, but it does advertise
 * `Keep-Alive: timeout=N`, and only Node.js of the 8.14-12.18 era enforces lazily.
 *
 * @example
 * recognizeServer({ server: 'nginx/1.22.1', ... }, phases); // 'nginx'
 */
export function recognizeServer(hints: ServerHints | undefined, phases: ProbeResult['phases']): ServerKind {
  const server = (hints?.server ?? '').toLowerCase();
  if (server.includes('nginx')) return 'nginx';
  if (server.includes('apache')) return 'apache';
  if ((hints?.poweredBy ?? '').toLowerCase().includes('express')) return 'node';
  if (server === '' && (hints?.keepAlive !== null || Object.values(phases).some((p) => p?.enforcement === 'lazy'))) return 'node';
  return 'unknown';
}

/**
 * One paragraph: what happens to this backend behind its load balancer, and what to change.
 *
 * @example
 * adviseTarget(result);
 * // '127.0.0.1:8080 drops idle connections before the load balancer does: ...'
 */
export function adviseTarget(result: ProbeResult): string {
  const name = `${result.target.host}:${result.target.port}`;
  const lbS = result.loadBalancerIdleTimeoutS;
  if (result.error?.code === 'blocked') return `${name} was not probed: ${result.error.message}. The verdict stays inconclusive until the probe is admitted.`;
  const marginS = marginOf(result);
  if (result.error) {
    return `${name} could not be probed: ${result.error.message}. Check that the probe may reach it (security groups, network ACLs) and that the port speaks HTTP${result.target.tls ? 'S' : ''}; the verdict stays inconclusive until it answers.`;
  }
  const entries = Object.entries(result.phases) as Array<[PhaseName, PhaseResult]>;
  const failing = entries.filter(([, phase]) => phase.verdict === 'fail');
  const inconclusive = entries.filter(([, phase]) => phase.verdict === 'inconclusive');
  if (failing.length > 0) {
    const kind = recognizeServer(result.server, result.phases);
    const what = failing.map(([phase, measured]) => describeFailure(phase, measured)).join('; ');
    const fixes = failing.map(([phase, measured]) => fixFor(kind, phase, measured, lbS, marginS));
    // A periodic threshold is only known to be above its bracket's lower end.
    const safeS = Math.max(1, Math.floor(Math.min(...failing.map(([, measured]) => (measured.sweepS !== null && measured.sweepS !== undefined ? measured.survivedS : null) ?? measured.limitS!)) - marginS));
    const advertised = advertisedMismatch(result.server, result.phases.keepAlive);
    return (
      `${name} drops idle connections before the load balancer does: ${what}. Behind a ${fmt(lbS)} s load balancer idle timeout this gives intermittent 502/504 errors. ` +
      `Fix: ${[...new Set(fixes)].join('; ')}. Or lower the load balancer idle timeout to ${safeS} s, which today's backend outlasts.${advertised}`
    );
  }
  if (inconclusive.length > 0) {
    const reasons = inconclusive.map(([phase, measured]) => `${label(phase)}: ${measured.reason ?? 'no evidence either way'}`).join('; ');
    // A server that did not take the connections says nothing of its idle limits: no timeout to change.
    const queue = inconclusive.some(([, measured]) => measured.reason?.startsWith(NOT_ACCEPTED_REASON));
    const next = queue
      ? "Check the server's connection limit and listen backlog, then probe it again (fewer sockets: --max-sockets)."
      : 'Probe it again with a horizon longer than the load balancer idle timeout plus the margin, and enough time budget for it.';
    return `${name} could not be judged completely (${reasons}). ${next}`;
  }
  const held = entries
    .map(([phase, measured]) =>
      measured.survivedS === null ? `${label(phase)}: never idle (no keep-alive)` : `${measured.limitS !== null ? `until ${fmt(measured.limitS)} s` : `past ${fmt(measured.survivedS)} s`} ${label(phase)}`,
    )
    .join(' and ');
  const bounds = entries.flatMap(([, measured]) => (measured.limitS ?? measured.survivedS) ?? []);
  const safe = bounds.length > 0 ? ` Any load balancer idle timeout up to ${Math.max(1, Math.floor(Math.min(...bounds) - marginS))} s is safe with it today.` : '';
  return `${name} outlasts the load balancer: idle connections survived ${held}, more than the ${fmt(lbS)} s idle timeout plus the margin. Nothing to change.${safe}`;
}

function describeFailure(phase: PhaseName, measured: PhaseResult): string {
  const limit = `${fmt(measured.limitS!)} s`;
  const bracket = measured.survivedS !== null ? ` (survived ${fmt(measured.survivedS)} s, failed ${limit})` : '';
  const who = phase === 'preRequest' ? 'connections that wait for their first request' : 'idle keep-alive connections';
  if (measured.enforcement === 'lazy') {
    return `${who} die after ${limit}${bracket}, lazily: nothing happens while they are idle, the late request itself is refused`;
  }
  const how = measured.closedWith === 'http-408' ? 'with an unsolicited 408' : measured.closedWith === 'rst' ? 'with a reset' : measured.goaway ? `with ${describeGoaway(measured.goaway)}` : 'by the server';
  const sweep = sweepWords(phase, measured);
  if (sweep !== null) return `${who} are closed ${how}, ${sweep}`;
  return `${who} are closed ${how} after ${limit}`;
}

/**
 * How often a periodic check runs, in words that never pass a bound off as an interval.
 *
 * Why: with one sweep seen, `sweepS` is only a lower bound of the interval (`sweepsSeen` 1);
 * a bound under a second says nothing worth a figure.
 *
 * @example
 * sweepInterval({ sweepS: 30, sweepsSeen: 2, ... }); // 'every 30.0 s'
 * sweepInterval({ sweepS: 12.5, sweepsSeen: 1, ... }); // 'at intervals of at least 12.5 s (one check seen)'
 * sweepInterval({ sweepS: 0.5, sweepsSeen: 1, ... }); // 'at an interval not seen (one check seen)'
 */
function sweepInterval(measured: Pick<PhaseResult, 'sweepS' | 'sweepsSeen'>): string {
  if (measured.sweepS === null || measured.sweepS === undefined) return 'at an interval not seen';
  if ((measured.sweepsSeen ?? 1) > 1) return `every ${fmt(measured.sweepS)} s`;
  return measured.sweepS >= 1 ? `at intervals of at least ${fmt(measured.sweepS)} s (one check seen)` : 'at an interval not seen (one check seen)';
}

/**
 * A periodic check in words: how often, the threshold, and when connections really die.
 *
 * @example
 * sweepWords('preRequest', { limitS: 40.9, survivedS: 39.9, sweepS: 30, sweepsSeen: 2, ... });
 * // 'checked every 30.0 s: connections idle for 40 s (between 39.9 and 40.9 s) are closed at the next check, between 40.9 and 70.9 s after accept'
 */
export function sweepWords(phase: PhaseName, measured: PhaseResult): string | null {
  if (measured.sweepS === null || measured.sweepS === undefined || measured.limitS === null) return null;
  const exact = (measured.sweepsSeen ?? 1) > 1;
  const every = `checked ${sweepInterval(measured)}`;
  const threshold = measured.survivedS !== null ? `between ${fmt(measured.survivedS)} and ${fmt(measured.limitS)} s` : `under ${fmt(measured.limitS)} s`;
  const since = phase === 'preRequest' ? 'accept' : 'the last response';
  const latest = exact ? ` and ${fmt(measured.limitS + measured.sweepS)}` : '';
  return `${every}: connections idle longer than a threshold ${threshold} are closed at the next check, ${exact ? 'between' : 'from'} ${fmt(measured.limitS)}${latest} s after ${since}`;
}

function fixFor(kind: ServerKind, phase: PhaseName, measured: PhaseResult, lbS: number, marginS: number): string {
  // A setting the check would still fail is no fix: above the margin too, with a second to spare.
  const keepS = lbS + Math.max(RECOMMENDED_EXTRA_S, Math.ceil(marginS) + 1);
  const headersS = keepS + 1;
  // An HTTP/2 server's GOAWAY comes from its session idle timer, whatever its HTTP/1 settings say.
  if (measured.closedWith === 'goaway') {
    return `raise the server's HTTP/2 idle timeout to at least ${keepS} s (Node.js \`http2 server.setTimeout(${keepS * 1000})\`, gRPC \`MaxConnectionIdle\` / \`grpc.max_connection_idle_ms = ${keepS * 1000}\`)`;
  }
  switch (kind) {
    case 'nginx':
      return phase === 'preRequest' ? `set nginx \`client_header_timeout ${keepS}s;\`` : `set nginx \`keepalive_timeout ${keepS}s;\``;
    case 'apache':
      return phase === 'preRequest' ? `set Apache \`RequestReadTimeout header=${keepS}\` (mod_reqtimeout)` : `set Apache \`KeepAliveTimeout ${keepS}\``;
    case 'node':
      if (phase === 'keepAlive') return `set Node.js \`server.keepAliveTimeout = ${keepS * 1000}\` and \`server.headersTimeout = ${headersS * 1000}\` (it must exceed keepAliveTimeout)`;
      return measured.enforcement === 'lazy'
        ? `set Node.js \`server.headersTimeout = ${headersS * 1000}\` (Node.js 8.14 to 12.18 count it from accept), or upgrade Node.js`
        : `set Node.js \`server.headersTimeout = ${headersS * 1000}\` and \`server.requestTimeout\` at least as long`;
    case 'unknown':
      return phase === 'preRequest'
        ? `raise the server's timeout for reading a request's headers to at least ${keepS} s`
        : `raise the server's keep-alive (idle) timeout to at least ${keepS} s`;
  }
}

/** A server that advertises a keep-alive timeout other than the one it enforces misleads its operators. */
function advertisedMismatch(hints: ServerHints | undefined, keepAlive: PhaseResult | undefined): string {
  const advertised = hints?.advertisedKeepAliveS;
  if (advertised === null || advertised === undefined || keepAlive?.limitS === null || keepAlive?.limitS === undefined) return '';
  if (Math.abs(advertised - keepAlive.limitS) < 1) return '';
  return ` Note: it advertises \`Keep-Alive: timeout=${advertised}\` but closed idle connections after ${fmt(keepAlive.limitS)} s.`;
}

/** Seconds as people read them: one decimal. */
export function fmt(seconds: number): string {
  return seconds.toFixed(1);
}

export function label(phase: PhaseName): string {
  return phase === 'preRequest' ? 'before the first request' : 'between requests';
}
