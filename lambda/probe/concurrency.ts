/**
 * Servers that serve one connection at a time, told apart before they are measured.
 *
 * Why: a server with one worker and no event loop (gunicorn's default sync worker) takes a
 * connection and waits on it until its request comes; every other connection waits in the
 * kernel's accept queue, never seen by the server. The probe's staggered and active sockets
 * would then measure the queue: a queued socket "survives" because the server never had it,
 * and is closed when the worker, freed at last, takes it and times it out in turn. The
 * limits and sweeps read from those sockets would be the queue's, not the server's.
 */
import { ConnectError, type Endpoint, type Wire, type WireConnection } from './wire/types';
import { neverAccepted, notAcceptedRecord, unacceptedCount, withAcceptDoubt } from './accept';
import { summarizePhase, type PhaseContext } from './phase-result';
import type { PhaseResult, SocketRecord } from './types';

/** The start of the reason of a phase judged on the one connection a serial server took. */
export const ONE_AT_A_TIME_REASON = 'the server serves one connection at a time';

/** What the check needs of the run. */
export interface ConcurrencyCheckRun {
  readonly endpoint: Endpoint;
  readonly wire: Wire;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  /** Aborted when the check is no longer wanted (its phase ended, the target must stop): it then shows nothing. */
  readonly signal: AbortSignal;
  /** Called for the connection opened, so that the run counts and closes it. */
  readonly track: (connection: WireConnection) => void;
}

/**
 * Whether the server answers a request on a new connection while the probe's other
 * connections are open and idle: `null` when it does, or when the check could not tell (a
 * refused connection, the check stopped); the record of the unanswered connection when not.
 *
 * Why one segment, unlike the phases' requests: the check tests acceptance, not a lazy timer.
 *
 * @example
 * const unanswered = await checkConcurrency({ endpoint, wire, connectTimeoutMs: 5000, responseTimeoutMs: 10_000, signal, track });
 * if (unanswered !== null) console.log(unanswered.error); // '... (never accepted by the server)'
 */
export async function checkConcurrency(run: ConcurrencyCheckRun): Promise<SocketRecord | null> {
  let connection: WireConnection | undefined;
  const stop = () => connection?.abandon();
  run.signal.addEventListener('abort', stop, { once: true });
  try {
    connection = await run.wire.open(run.endpoint, { connectTimeoutMs: run.connectTimeoutMs, signal: run.signal });
    run.track(connection);
    const outcome = await connection.send({ timeoutMs: run.responseTimeoutMs, whole: true });
    if (run.signal.aborted || outcome.kind !== 'closed' || !neverAccepted(outcome.close)) return null;
    return unansweredRecord(`while the probe's other connections were open and idle, a request on a new connection got no byte within ${run.responseTimeoutMs} ms`);
  } catch (error) {
    // A connect that timed out was not accepted either; any other error says nothing here.
    if (error instanceof ConnectError && error.code === 'connect-timeout' && !run.signal.aborted) return unansweredRecord(error.message);
    return null;
  } finally {
    run.signal.removeEventListener('abort', stop);
    connection?.destroy();
  }
}

function unansweredRecord(why: string): SocketRecord {
  return { role: 'active', round: 1, plannedIdleS: 0, ...notAcceptedRecord(why) };
}

/**
 * The pre-request phase of a server seen to serve one connection at a time.
 *
 * Why the passive socket alone, when the server closes after every response: the probe then
 * holds no other connection when the passive one opens, so the server takes it, and its
 * close (or survival) is the server's own; the later sockets waited in the queue behind it
 * and measured nothing. A fail on that evidence stays; a pass becomes `inconclusive`, because
 * a load balancer that opens connections early leaves requests waiting behind an idle one.
 * A server that keeps connections alive may hold the probe's keep-alive connection instead, so
 * its phase is judged on every socket, the unanswered one included: no close on a connection
 * the server never spoke on is then a limit.
 *
 * @example
 * summarizeOneAtATime(records, unanswered, context, false); // gunicorn sync: { limitS: 30.4, verdict: 'fail', reason: 'the server serves one connection at a time: ...' }
 */
export function summarizeOneAtATime(records: readonly SocketRecord[], unanswered: SocketRecord, context: PhaseContext, keepsAlive: boolean): PhaseResult {
  const all = [...records, unanswered];
  if (keepsAlive) return summarizePhase(all, context);
  const judged = summarizePhase(
    records.filter((record) => record.role === 'passive'),
    context,
  );
  // The evidence counts every connection, so that a later judge (another load balancer's
  // timeout, a compacted result) reaches the same verdict from it: never a pass.
  const evidence = { ...judged.evidence!, socketsOpened: all.length, socketsUnaccepted: unacceptedCount(all) };
  const { verdict } = withAcceptDoubt(judged.verdict, evidence.socketsUnaccepted, evidence.socketsOpened);
  const basis = `${ONE_AT_A_TIME_REASON}: ${unanswered.error}, so only the first connection, which the server took, is judged; the others waited in its accept queue`;
  // Doubt of its own (cut short, held too briefly) says so; a pass made doubtful says why.
  const reason = judged.reason ?? (verdict === 'inconclusive' ? `${basis}, and a load balancer that opens connections early would leave requests waiting behind an idle one` : basis);
  return { ...judged, verdict, reason, sockets: all, evidence };
}

/** The start of the reason of a phase whose requests got no answer while the probe held silent connections. */
export const UNANSWERED_REASON = 'requests on idle connections got neither an answer nor a close while the probe held silent connections';

/**
 * Whether a record is a request that got neither an answer nor a close on a connection the
 * server had spoken on: a wait, not a close.
 *
 * @example
 * unansweredRequest({ outcome: 'closed', closedWith: 'timeout', unprompted: false, ... }); // true
 */
export function unansweredRequest(record: SocketRecord): boolean {
  return record.outcome === 'closed' && record.closedWith === 'timeout' && !record.unprompted && record.silent !== true;
}

/**
 * A phase some of whose requests went unanswered while the probe's pre-request sockets held
 * silent connections: those requests measured the server's workers, not an idle limit, and
 * the phase is judged on its other sockets.
 *
 * Why: a server whose workers are threads that each wait for a connection's request (gunicorn
 * `--threads 4`) has every thread held by the probe's silent connections; a request on a
 * keep-alive connection then waits for a free thread, unanswered, however long the server
 * would keep the connection. Such a request is neither a limit nor doubt: the connection was
 * still open when it went out (a close would have shown), and the server never read it, so it
 * says nothing of the idle limit either way. The other sockets decide by the usual rules (the
 * server's own close past the timeout plus the margin passes, as gunicorn's at its
 * `--keep-alive 65`); when they cannot, the phase is `inconclusive` with this reason.
 *
 * @example
 * summarizeUnanswered(records, new Set([timedOut]), context); // { limitS: 65.329, verdict: 'pass', ... }
 */
export function summarizeUnanswered(records: readonly SocketRecord[], unanswered: ReadonlySet<SocketRecord>, context: PhaseContext): PhaseResult {
  const discounted = records.map((record) => (unanswered.has(record) ? { ...record, ...waitedRecord(record.idleS) } : record));
  const judged = summarizePhase(discounted, context);
  if (judged.verdict !== 'inconclusive' || context.cutShort !== undefined) return judged;
  return {
    ...judged,
    reason: `${UNANSWERED_REASON} (${unanswered.size} of ${records.length}), and the other sockets did not decide: the server's workers may all have been held by those connections, so the wait measured them, not an idle limit`,
  };
}

/** The record fields of a request that waited for a worker: it measured nothing. */
function waitedRecord(idleS: number | null): Pick<SocketRecord, 'outcome' | 'idleS' | 'unprompted' | 'closedWith' | 'status' | 'error'> {
  const why = `sent after ${idleS} s idle, it got no answer and no close within the response timeout while the probe held silent connections, which may have held every worker of the server, so it measured nothing`;
  return { outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null, error: why };
}
