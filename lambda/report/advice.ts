/**
 * The verdict in plain words, with the concrete fix: which server setting to raise and to
 * what, or which load balancer idle timeout would be safe.
 *
 * Pure: from a probe result to sentences.
 */
import type { PhaseName, PhaseResult, ProbeResult, ServerHints } from '../probe';
import { NOT_ACCEPTED_REASON } from '../probe/accept';
import { withProtocol } from '../probe/protocol-version';
import type { ProtocolVersion } from '../probe/types';
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
  const version = result.target.protocolVersion ?? 'HTTP1';
  const name = withProtocol(`${result.target.host}:${result.target.port}`, version);
  const lbS = result.loadBalancerIdleTimeoutS;
  if (result.error?.code === 'blocked') return `${name} was not probed: ${result.error.message}. The verdict stays inconclusive until the probe is admitted.`;
  const marginS = marginOf(result);
  if (result.error) {
    return `${name} could not be probed: ${result.error.message}. Check that the probe may reach it (security groups, network ACLs) and that the port speaks ${SPOKEN_AS[version][result.target.tls ? 'tls' : 'clear']}; the verdict stays inconclusive until it answers.`;
  }
  const entries = Object.entries(result.phases) as Array<[PhaseName, PhaseResult]>;
  const failing = entries.filter(([, phase]) => phase.verdict === 'fail');
  const inconclusive = entries.filter(([, phase]) => phase.verdict === 'inconclusive');
  if (failing.length > 0) {
    const kind = recognizeServer(result.server, result.phases);
    const what = failing.map(([phase, measured]) => describeFailure(phase, measured)).join('; ');
    const fixes = failing.map(([phase, measured]) => (version === 'HTTP1' ? fixFor(kind, phase, measured, lbS, marginS) : http2FixFor(kind, version, keepAliveFor(lbS, marginS))));
    // A periodic threshold is only known to be above its bracket's lower end.
    const safeS = Math.max(1, Math.floor(Math.min(...failing.map(([, measured]) => (measured.sweepS !== null && measured.sweepS !== undefined ? measured.survivedS : null) ?? measured.limitS!)) - marginS));
    const advertised = advertisedMismatch(result.server, result.phases.keepAlive);
    return (
      `${name} drops idle connections before the load balancer does: ${what}. Behind a ${fmt(lbS)} s load balancer idle timeout this gives intermittent 502/504 errors. ` +
      `Fix: ${[...new Set(fixes)].join('; ')}. Or lower the load balancer idle timeout to ${safeS} s, which today's backend outlasts.${advertised}${version === 'HTTP1' ? '' : ` ${NO_PING}`}`
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
  const how = measured.goaway ? `with ${describeGoaway(measured.goaway)}` : (CLOSED_HOW[measured.closedWith ?? ''] ?? 'by the server');
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

/** How a close reads, by `closedWith`; a FIN reads as the server's own close. */
const CLOSED_HOW: Readonly<Record<string, string>> = { 'http-408': 'with an unsolicited 408', rst: 'with a reset', goaway: 'with a GOAWAY' };

/** What a port must speak for the probe, by protocol version and TLS, in an unreachable target's advice. */
const SPOKEN_AS: Readonly<Record<ProtocolVersion, { readonly clear: string; readonly tls: string }>> = {
  HTTP1: { clear: 'HTTP', tls: 'HTTPS' },
  HTTP2: { clear: 'cleartext HTTP/2 with prior knowledge (h2c)', tls: 'HTTP/2 over TLS (ALPN h2)' },
  GRPC: { clear: 'gRPC over cleartext HTTP/2 (h2c)', tls: 'gRPC over HTTP/2 and TLS (ALPN h2)' },
};

/**
 * Why keepalive pings are no fix behind an ALB: it neither sends HTTP/2 PING frames to its
 * targets nor counts a target's as activity, so only the server's own idle limit keeps the
 * connection open.
 */
export const NO_PING =
  'Keepalive pings do not help: the load balancer sends no HTTP/2 PING frames to its targets and does not count them as activity, so only the server\'s idle limit keeps its connections open.';

/**
 * The backend setting a load balancer's timeout needs: above the margin too, with a second to
 * spare (a setting the check would still fail is no fix).
 */
function keepAliveFor(lbS: number, marginS: number): number {
  return lbS + Math.max(RECOMMENDED_EXTRA_S, Math.ceil(marginS) + 1);
}

/**
 * The fix for an HTTP/2 or gRPC target: its idle limit covers the connection before the first
 * stream and between streams alike, so one setting serves both phases.
 *
 * Why by protocol rather than by server: HTTP/2 answers carry no `Keep-Alive` header, and gRPC
 * servers rarely name themselves; a gRPC service is configured through its gRPC library.
 */
function http2FixFor(kind: ServerKind, version: Exclude<ProtocolVersion, 'HTTP1'>, keepS: number): string {
  if (version === 'GRPC') {
    return (
      `raise the gRPC server's idle limit to at least ${keepS} s: grpc-go \`keepalive.ServerParameters{MaxConnectionIdle: ${keepS} * time.Second}\`, ` +
      `grpc-java \`maxConnectionIdle(${keepS}, TimeUnit.SECONDS)\`, grpc-js and Python \`grpc.max_connection_idle_ms = ${keepS * 1000}\`; ` +
      `a \`MaxConnectionAge\` (\`grpc.max_connection_age_ms\`) closes idle connections too, so keep it unset or above ${keepS} s`
    );
  }
  switch (kind) {
    case 'nginx':
      return `set nginx \`keepalive_timeout ${keepS}s;\` (it bounds idle HTTP/2 connections since 1.19.7, \`http2_idle_timeout\` before)`;
    case 'apache':
      return `set Apache \`H2KeepAliveTimeout ${keepS}\` (mod_http2)`;
    default:
      return (
        `raise the HTTP/2 server's idle timeout to at least ${keepS} s: Node.js \`server.setTimeout(${keepS * 1000})\` or \`session.setTimeout(${keepS * 1000})\` of \`http2.createServer\`, ` +
        `Go \`http2.Server{IdleTimeout: ${keepS} * time.Second}\` (or \`http.Server.IdleTimeout\`)`
      );
  }
}

function fixFor(kind: ServerKind, phase: PhaseName, measured: PhaseResult, lbS: number, marginS: number): string {
  const keepS = keepAliveFor(lbS, marginS);
  const headersS = keepS + 1;
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
