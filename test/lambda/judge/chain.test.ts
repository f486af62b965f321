import type { CloudFrontOrigin } from '../../../lambda/discovery/types';
import { judgeChain, judgePassThrough, keepAliveVerdict } from '../../../lambda/judge/chain';

/** An origin on the ALB `api`, with the given keep-alive and idle timeout. */
const origin = (keepAliveS: number, idleTimeoutS: number | null): CloudFrontOrigin => ({
  distributionId: 'E123ABC',
  originId: 'api-origin',
  domainName: 'api-1.eu-west-1.elb.amazonaws.com',
  keepAliveS,
  kind: 'load-balancer',
  loadBalancer: { name: 'api', type: 'application', arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188', idleTimeoutS },
});

describe('keepAliveVerdict', () => {
  it('fails a load balancer whose idle timeout does not exceed the keep-alive by the margin, passes one that does', () => {
    // Act and assess
    expect([keepAliveVerdict(90, 60, 1), keepAliveVerdict(30, 60, 1), keepAliveVerdict(59, 60, 1), keepAliveVerdict(59.5, 60, 1), keepAliveVerdict(60, 60, 0)]).toEqual(['fail', 'pass', 'pass', 'fail', 'pass']);
  });

  it('is inconclusive when the idle timeout could not be read', () => {
    // Act and assess
    expect(keepAliveVerdict(5, null, 1)).toBe('inconclusive');
  });
});

describe('judgeChain', () => {
  it('names CloudFront → load balancer as the short hop when the keep-alive outlasts the idle timeout', () => {
    // Act
    const chain = judgeChain(origin(90, 60), { verdict: 'pass', toleratedS: 65.2 }, 1);

    // Assess
    expect(chain.summary).toBe("CloudFront keep-alive 90 s → load balancer api idle timeout 60 s → backends' limit 65.2 s: short at CloudFront → api (needs an idle timeout of at least 91 s)");
    expect(chain.links).toEqual([
      { upstream: 'CloudFront E123ABC origin api-origin keep-alive', upstreamS: 90, downstream: 'load balancer api idle timeout', downstreamS: 60, headroomS: -30, verdict: 'fail' },
      { upstream: 'load balancer api idle timeout', upstreamS: 60, downstream: "api's backends", downstreamS: 65.2, headroomS: 5.2, verdict: 'pass' },
    ]);
  });

  it('names the load balancer → backends hop when only the backends are short', () => {
    // Act
    const chain = judgeChain(origin(30, 60), { verdict: 'fail', toleratedS: 5.994 }, 1);

    // Assess
    expect(chain.summary).toBe("CloudFront keep-alive 30 s → load balancer api idle timeout 60 s → backends' limit 5.994 s: short at api → its backends (they close idle connections before its idle timeout)");
    expect(chain.links.map((l) => l.verdict)).toEqual(['pass', 'fail']);
    expect(chain.links[1].headroomS).toBe(-54.006);
  });

  it('names both hops when both are short', () => {
    // Act
    const chain = judgeChain(origin(90, 60), { verdict: 'fail', toleratedS: 5 }, 1);

    // Assess
    expect(chain.summary).toBe(
      "CloudFront keep-alive 90 s → load balancer api idle timeout 60 s → backends' limit 5 s: short at CloudFront → api (needs an idle timeout of at least 91 s) and at api → its backends (they close idle connections before its idle timeout)",
    );
  });

  it('says no hop is short when every hop passes', () => {
    // Act and assess
    expect(judgeChain(origin(30, 60), { verdict: 'pass', toleratedS: 75 }, 1).summary).toBe("CloudFront keep-alive 30 s → load balancer api idle timeout 60 s → backends' limit 75 s: no hop is short");
  });

  it('never says no hop is short while a hop is unknown', () => {
    // Act and assess
    expect(judgeChain(origin(30, 60), undefined, 1).summary).toBe("CloudFront keep-alive 30 s → load balancer api idle timeout 60 s → backends' limit unknown: no hop is short so far (api's backends: inconclusive)");
    expect(judgeChain(origin(30, null), { verdict: 'pass', toleratedS: 75 }, 1).summary).toBe("CloudFront keep-alive 30 s → load balancer api idle timeout unknown → backends' limit 75 s: api's idle timeout was not read");
  });
});

describe('judgeChain of a load balancer in another region', () => {
  it('says its backends are judged by a run in its region', () => {
    // Prepare
    const elsewhere = origin(30, 60);
    const west = { ...elsewhere, loadBalancer: { ...elsewhere.loadBalancer!, region: 'us-west-2' } };

    // Act
    const chain = judgeChain(west, undefined, 1);

    // Assess
    expect(chain.summary).toBe("CloudFront keep-alive 30 s → load balancer api idle timeout 60 s → backends' limit unknown: no hop is short so far (api's backends: judged by a run in us-west-2)");
  });
});

describe('judgePassThrough', () => {
  /** A VPC origin on the NLB `tcp`, whose listener on 80 has this TCP idle timeout. */
  const nlbOrigin = (keepAliveS: number, idleTimeoutS: number | null): CloudFrontOrigin => ({
    distributionId: 'E123ABC',
    originId: 'tcp-origin',
    domainName: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/tcp/60dc6c495c0c9188',
    keepAliveS,
    kind: 'network-load-balancer',
    vpcOriginId: 'vo_tcp',
    networkLoadBalancer: { name: 'tcp', arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/tcp/60dc6c495c0c9188', listenerPort: 80, idleTimeoutS },
  });

  it("judges the NLB's TCP idle timeout and its targets each against CloudFront's keep-alive, and names the short one", () => {
    // Act
    const nlbShort = judgePassThrough(nlbOrigin(120, 60), { verdict: 'pass', toleratedS: 200 }, 1);
    const targetsShort = judgePassThrough(nlbOrigin(5, 350), { verdict: 'fail', toleratedS: 6 }, 1);
    const neither = judgePassThrough(nlbOrigin(30, 350), { verdict: 'pass', toleratedS: 75 }, 1);

    // Assess
    expect(nlbShort.summary).toBe("CloudFront keep-alive 120 s → network load balancer tcp TCP idle timeout 60 s → targets' limit 200 s: short at CloudFront → tcp (needs a TCP idle timeout of at least 121 s)");
    expect(nlbShort.links.map((l) => [l.downstream, l.headroomS, l.verdict])).toEqual([
      ['network load balancer tcp TCP idle timeout', -60, 'fail'],
      ["tcp's targets", 80, 'pass'],
    ]);
    expect(targetsShort.summary).toBe("CloudFront keep-alive 5 s → network load balancer tcp TCP idle timeout 350 s → targets' limit 6 s: short at CloudFront → tcp's targets (they close idle connections before the keep-alive plus the margin, 6 s)");
    expect(neither.summary).toBe("CloudFront keep-alive 30 s → network load balancer tcp TCP idle timeout 350 s → targets' limit 75 s: no hop is short");
  });

  it('says what is unknown, never a pass, when the TCP idle timeout was not read or the targets are inconclusive', () => {
    // Act
    const chain = judgePassThrough(nlbOrigin(5, null), { verdict: 'inconclusive', toleratedS: null }, 1);

    // Assess
    expect(chain.links.map((l) => l.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(chain.summary).toBe("CloudFront keep-alive 5 s → network load balancer tcp TCP idle timeout unknown → targets' limit unknown: no hop is short so far (tcp's TCP idle timeout was not read; tcp's targets: inconclusive)");
  });
});
