/**
 * The chain of hops that pool connections in front of a load balancer: CloudFront's origin
 * keep-alive, the load balancer's idle timeout, its backends' limits; and which hop is short.
 *
 * Pure: the check is configuration against configuration (and the load balancer's own verdict),
 * no probe, so every string and number of it is tested exactly.
 */
import type { CloudFrontOrigin } from '../discovery/types';
import { worstVerdict, type Verdict } from '../probe';
import { headroomS } from '../probe/headroom';
import { roundS } from '../probe/plan';

/** One hop of a chain: the upstream reuses idle connections for `upstreamS`; the downstream keeps them for `downstreamS`. */
export interface ChainLink {
  readonly upstream: string;
  readonly upstreamS: number | null;
  readonly downstream: string;
  /** How long the downstream keeps an idle connection; `null` when it was not read or measured. */
  readonly downstreamS: number | null;
  /** `downstreamS - upstreamS`; `null` when either is unknown. */
  readonly headroomS: number | null;
  readonly verdict: Verdict;
}

/** The chain from CloudFront to a load balancer's backends, with the sentence a report shows. */
export interface Chain {
  readonly links: readonly ChainLink[];
  /** e.g. `CloudFront keep-alive 90 s → load balancer api idle timeout 60 s → backends' limit 65 s: short at CloudFront → api (needs an idle timeout of at least 91 s)`. */
  readonly summary: string;
}

/** What the chain needs of the load balancer's own verdict: its verdict and the shortest limit its backends showed. */
export interface DownstreamVerdict {
  readonly verdict: Verdict;
  /** The smallest limit (or survived idle) over its phases; `null` when nothing was measured. */
  readonly toleratedS: number | null;
}

/**
 * CloudFront's keep-alive against a load balancer's idle timeout: fails when the timeout does not
 * exceed the keep-alive by the margin (CloudFront would reuse a connection the load balancer has
 * just closed: a 502); inconclusive when the timeout could not be read.
 *
 * @example
 * keepAliveVerdict(90, 60, 1); // 'fail'
 * keepAliveVerdict(30, 60, 1); // 'pass'
 */
export function keepAliveVerdict(keepAliveS: number, idleTimeoutS: number | null, marginS: number): Verdict {
  if (idleTimeoutS === null) return 'inconclusive';
  return idleTimeoutS < keepAliveS + marginS ? 'fail' : 'pass';
}

/** The first hop of every chain, as its links name it: the origin's keep-alive. */
const keepAliveHop = (origin: CloudFrontOrigin) => `CloudFront ${origin.distributionId} origin ${origin.originId} keep-alive`;

const seconds = (value: number | null) => (value === null ? 'unknown' : `${roundS(value)} s`);

/**
 * The chain of a CloudFront origin that is a load balancer: CloudFront → load balancer (judged
 * here), load balancer → backends (its own verdict, counted on the load balancer, not again on
 * the origin), and which hop is short.
 *
 * @example
 * judgeChain(origin, { verdict: 'pass', toleratedS: 65 }, 1).summary;
 * // "CloudFront keep-alive 90 s → load balancer api idle timeout 60 s → backends' limit 65 s: short at CloudFront → api (needs an idle timeout of at least 91 s)"
 */
export function judgeChain(origin: CloudFrontOrigin, downstream: DownstreamVerdict | undefined, marginS: number): Chain {
  const lb = origin.loadBalancer!;
  const idleS = lb.idleTimeoutS;
  const backendsS = downstream?.toleratedS ?? null;
  const links: ChainLink[] = [
    {
      upstream: keepAliveHop(origin),
      upstreamS: origin.keepAliveS,
      downstream: `load balancer ${lb.name} idle timeout`,
      downstreamS: idleS,
      headroomS: headroomS(idleS, origin.keepAliveS),
      verdict: keepAliveVerdict(origin.keepAliveS, idleS, marginS),
    },
    {
      upstream: `load balancer ${lb.name} idle timeout`,
      upstreamS: idleS,
      downstream: `${lb.name}'s backends`,
      downstreamS: backendsS,
      headroomS: headroomS(backendsS, idleS),
      verdict: downstream?.verdict ?? 'inconclusive',
    },
  ];
  const hops = `CloudFront keep-alive ${seconds(origin.keepAliveS)} → load balancer ${lb.name} idle timeout ${seconds(idleS)} → backends' limit ${seconds(backendsS)}`;
  return { links, summary: `${hops}: ${shortest(links, origin.keepAliveS + marginS, lb.name, lb.region)}` };
}

/** Which hop is short, in words; or what is not known (a load balancer of another region's backends are judged by a run there). */
function shortest(links: readonly ChainLink[], neededS: number, lbName: string, region?: string): string {
  const [front, back] = links;
  const short = [
    ...(front.verdict === 'fail' ? [`CloudFront → ${lbName} (needs an idle timeout of at least ${seconds(neededS)})`] : []),
    ...(back.verdict === 'fail' ? [`${lbName} → its backends (they close idle connections before its idle timeout)`] : []),
  ];
  if (short.length > 0) return `short at ${short.join(' and at ')}`;
  if (worstVerdict(links.map((l) => l.verdict)) === 'inconclusive') {
    if (front.verdict === 'inconclusive') return `${lbName}'s idle timeout was not read`;
    return `no hop is short so far (${lbName}'s backends: ${region === undefined ? back.verdict : `judged by a run in ${region}`})`;
  }
  return 'no hop is short';
}

/**
 * The chain of a CloudFront VPC origin on a Network Load Balancer: CloudFront's connections pass
 * through it to its targets, so both the listener's TCP idle timeout (configuration) and the
 * targets' measured limits (the origin's own probe) must outlast the keep-alive.
 *
 * @example
 * judgePassThrough(origin, { verdict: 'fail', toleratedS: 6 }, 1).summary;
 * // "CloudFront keep-alive 5 s → network load balancer tcp TCP idle timeout 350 s → targets' limit 6 s: short at CloudFront → tcp's targets (they close idle connections before the keep-alive plus the margin, 6 s)"
 */
export function judgePassThrough(origin: CloudFrontOrigin, targets: DownstreamVerdict, marginS: number): Chain {
  const nlb = origin.networkLoadBalancer!;
  const upstream = keepAliveHop(origin);
  const links: ChainLink[] = [
    { upstream, upstreamS: origin.keepAliveS, downstream: `network load balancer ${nlb.name} TCP idle timeout`, downstreamS: nlb.idleTimeoutS, headroomS: headroomS(nlb.idleTimeoutS, origin.keepAliveS), verdict: keepAliveVerdict(origin.keepAliveS, nlb.idleTimeoutS, marginS) },
    { upstream, upstreamS: origin.keepAliveS, downstream: `${nlb.name}'s targets`, downstreamS: targets.toleratedS, headroomS: headroomS(targets.toleratedS, origin.keepAliveS), verdict: targets.verdict },
  ];
  const neededS = seconds(origin.keepAliveS + marginS);
  const short = [
    ...(links[0].verdict === 'fail' ? [`CloudFront → ${nlb.name} (needs a TCP idle timeout of at least ${neededS})`] : []),
    ...(links[1].verdict === 'fail' ? [`CloudFront → ${nlb.name}'s targets (they close idle connections before the keep-alive plus the margin, ${neededS})`] : []),
  ];
  const unknown = links.filter((l) => l.verdict === 'inconclusive').map((l) => (l === links[0] ? `${nlb.name}'s TCP idle timeout was not read` : `${nlb.name}'s targets: inconclusive`));
  const verdictText = short.length > 0 ? `short at ${short.join(' and at ')}` : unknown.length > 0 ? `no hop is short so far (${unknown.join('; ')})` : 'no hop is short';
  return { links, summary: `CloudFront keep-alive ${seconds(origin.keepAliveS)} → network load balancer ${nlb.name} TCP idle timeout ${seconds(nlb.idleTimeoutS)} → targets' limit ${seconds(targets.toleratedS)}: ${verdictText}` };
}
