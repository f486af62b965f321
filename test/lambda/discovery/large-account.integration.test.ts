import { discover, toProbePlan } from '../../../lambda/discovery';
import { mockAccount, type AlbSpec, type ClassicSpec } from './fixtures';

const CLASSIC = 1000;
const ALB = 950;
const NLB = 50;

const classic: ClassicSpec[] = Array.from({ length: CLASSIC }, (_, i) => ({
  name: `classic-${i}`,
  idleTimeoutS: 60,
  listeners: [['HTTP', 80, 'HTTP', 30000 + (i % 2000)]],
  healthCheck: `HTTP:${30000 + (i % 2000)}/healthz`,
  instances: [{ id: `i-${i}a`, ip: `10.1.${i % 250}.${1 + (i % 200)}` }, { id: `i-${i}b`, ip: `10.2.${i % 250}.${1 + (i % 200)}` }],
  // Throttling that outlasted the SDK's retries, on a few load balancers
  ...(i % 250 === 17 ? { failing: { operation: 'DescribeLoadBalancerAttributes' as const, error: 'Throttling' } } : {}),
}));
const albs: AlbSpec[] = [
  ...Array.from({ length: ALB }, (_, i) => ({
    name: `alb-${i}`,
    idleTimeoutS: 60,
    targetGroups: [{ name: `tg-${i}`, port: 8080, targetType: 'ip' as const, healthCheckPath: '/health', targets: [{ id: `10.3.${i % 250}.${1 + (i % 200)}` }, { id: `10.4.${i % 250}.${1 + (i % 200)}` }] }],
    ...(i % 300 === 5 ? { failing: { operation: 'DescribeTargetHealth' as const, error: 'Throttling' } } : {}),
  })),
  ...Array.from({ length: NLB }, (_, i) => ({ name: `nlb-${i}`, type: 'network' as const })),
];

describe('discovery of a large account', () => {
  it('covers 2,000 load balancers within the Describe budget, and accounts for every one', async () => {
    // Prepare: realistic page sizes; pacing off, the calls are counted instead
    const { clients } = mockAccount({ classic, alb: albs, pageSize: 400 });

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0, callsPerSecond: 1e6 });

    // Assess: per family, listing pages + tag batches of 20 + the per-load-balancer calls
    const classicCalls = Math.ceil(CLASSIC / 400) + Math.ceil(CLASSIC / 20) + 2 * CLASSIC;
    const v2Calls = Math.ceil((ALB + NLB) / 400) + Math.ceil(ALB / 20) + Math.ceil(ALB / 400) + 2 * ALB;
    const ec2Calls = Math.ceil((2 * CLASSIC) / 200);
    expect(discovery.apiCalls).toBe(classicCalls + v2Calls + ec2Calls);
    expect(discovery.apiCalls).toBe(4017);

    const planned = discovery.loadBalancers.filter((lb) => lb.backends.length > 0).map((lb) => lb.name);
    const errors = discovery.loadBalancers.filter((lb) => lb.error !== undefined);
    const notCovered = discovery.notCovered.map((n) => n.name);
    expect(new Set([...planned, ...errors.map((lb) => lb.name), ...notCovered]).size).toBe(2000);
    expect(errors.map((lb) => lb.error)).toEqual([...Array(4).fill('DescribeLoadBalancerAttributes: Throttling: Throttling (mocked)'), ...Array(4).fill('DescribeTargetHealth: Throttling: Throttling (mocked)')]);
    expect(notCovered).toHaveLength(NLB);
    expect(toProbePlan(discovery.loadBalancers)).toHaveLength(2 * (CLASSIC - 4) + 2 * (ALB - 4));
  }, 60_000);
});
