import type { Discovery, LoadBalancerPlan, ProbePlanItem } from '../../../lambda/discovery/types';
import { groupByVpc, toShards } from '../../../lambda/run/shards';

const target = (i: number) => ({ host: `10.0.0.${i}`, port: 80, tls: false, path: '/' });
const lb = (name: string, vpcId: string | undefined, hosts: readonly number[], type: LoadBalancerPlan['type'] = 'classic'): LoadBalancerPlan => ({
  name,
  type,
  ...(vpcId !== undefined ? { vpcId } : {}),
  idleTimeoutS: 60,
  backends: hosts.map((i) => ({ id: `10.0.0.${i}:80`, target: target(i), proxyProtocol: false })),
  backendsNotSampled: 0,
  skipped: [],
});
const item = (i: number, loadBalancer: string): ProbePlanItem => ({
  key: `10.0.0.${i}:80|http|/|plain`,
  job: { target: target(i), loadBalancerIdleTimeoutS: 60 },
  loadBalancers: [loadBalancer],
});
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const discovery: Discovery = { region: 'eu-west-1', loadBalancers: [lb('a', 'vpc-b', range(0, 130)), lb('b', 'vpc-a', range(200, 3))], notCovered: [], excluded: [], apiCalls: 0 };

describe('toShards', () => {
  it('fills each invocation to its socket budget (900 sockets / 20 per target = 45 targets), per VPC', () => {
    // Prepare: 130 backends in one VPC, 3 in another
    const plan = [...Array.from({ length: 130 }, (_, i) => item(i, 'a')), ...Array.from({ length: 3 }, (_, i) => item(200 + i, 'b'))];

    // Act
    const shards = toShards('run-1', discovery, plan);

    // Assess
    expect(shards.map((s) => [s.shardId, s.vpcId, s.items.length])).toEqual([
      [0, 'vpc-a', 3],
      [1, 'vpc-b', 45],
      [2, 'vpc-b', 45],
      [3, 'vpc-b', 40],
    ]);
  });

  it('gives the backends of a front probed from outside any VPC shards without a VPC, after the VPCs', () => {
    // Prepare: a front outside any VPC beside one in vpc-a
    const mixed: Discovery = { ...discovery, loadBalancers: [lb('public', undefined, [7, 8]), lb('b', 'vpc-a', [200])] };

    // Act
    const shards = toShards('run-1', mixed, [item(7, 'public'), item(200, 'b'), item(8, 'public')]);

    // Assess
    expect(shards.map((s) => ['vpcId' in s ? s.vpcId : 'none', s.items.map((i) => i.job.target.host)])).toEqual([
      ['vpc-a', ['10.0.0.200']],
      ['none', ['10.0.0.7', '10.0.0.8']],
    ]);
  });

  it('sizes shards by the socket budget it is given', () => {
    // Act & Assess
    expect(toShards('run-1', discovery, Array.from({ length: 10 }, (_, i) => item(i, 'a')), { maxOpenSockets: 64, maxSocketsPerTarget: 16 }).map((s) => s.items.length)).toEqual([4, 4, 2]);
  });
});

describe('groupByVpc', () => {
  it('keeps configured VPCs without backends, so that their maps read an empty plan', () => {
    // Act
    const groups = groupByVpc(discovery, [item(1, 'a')], ['vpc-a', 'vpc-b', 'vpc-c']);

    // Assess
    expect([...groups.entries()].map(([vpc, items]) => [vpc, items.length])).toEqual([['vpc-a', 0], ['vpc-b', 1], ['vpc-c', 0]]);
  });

  it('keeps a backend no front names apart, as unknown, so that its shard fails with the reason rather than probes it anywhere', () => {
    // Act
    const groups = groupByVpc(discovery, [item(99, 'gone')]);

    // Assess
    expect([...groups.keys()]).toEqual(['unknown']);
  });

  it('puts the backends of a Classic ELB and an ALB of one name in their own VPCs', () => {
    // Prepare
    const namesakes: Discovery = { ...discovery, loadBalancers: [lb('web', 'vpc-a', [1]), lb('web', 'vpc-b', [2], 'application')] };

    // Act
    const groups = groupByVpc(namesakes, [item(1, 'web'), item(2, 'web')]);

    // Assess
    expect([...groups.entries()].map(([vpc, items]) => [vpc, items.map((i) => i.job.target.host)])).toEqual([['vpc-a', ['10.0.0.1']], ['vpc-b', ['10.0.0.2']]]);
  });
});
