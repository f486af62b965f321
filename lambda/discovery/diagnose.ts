/**
 * Reads the security groups in front of each chosen backend and says, per backend, whether they
 * admit the probe (`reachabilityOf`).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { addressKey, interfaceGroups, securityGroupRules, type InstanceAddress } from './ec2';
import { reachabilityOf, type ProbeSource, type Reachability, type SecurityGroupRules } from './reachability';
import type { LoadBalancerPlan, PlannedBackend } from './types';

/**
 * The plans with each chosen backend's `reachability`, for the VPCs a probe source is given for.
 *
 * Why after sampling: only the backends probed this run need their groups read, which keeps
 * the EC2 calls to a few batches whatever the fleet. A failed call leaves the backends it
 * concerned `unknown` (probed as usual), never blocked.
 *
 * @example
 * const plans = await diagnoseReachability(ec2, plans, instances, [{ vpcId: 'vpc-0a', securityGroupIds: ['sg-probe'], cidrs: [] }]);
 */
export async function diagnoseReachability(
  ec2: EC2Client,
  plans: readonly LoadBalancerPlan[],
  instances: ReadonlyMap<string, InstanceAddress>,
  sources: readonly ProbeSource[],
): Promise<LoadBalancerPlan[]> {
  // Security groups belong to a VPC: a front probed from outside any VPC is not diagnosed.
  const sourceOf = (vpcId: string | undefined) => (vpcId === undefined ? undefined : (sources.find((s) => s.vpcId === vpcId) ?? sources.find((s) => s.vpcId === undefined)));
  const isDiagnosed = (plan: LoadBalancerPlan): plan is InVpc => sourceOf(plan.vpcId) !== undefined;
  const diagnosed = plans.filter(isDiagnosed);
  const ipTargets = diagnosed.flatMap((plan) => plan.backends.filter((b) => b.instanceId === undefined).map((b) => ({ vpcId: plan.vpcId, ip: b.target.host })));
  const interfaces = await settle(() => (ipTargets.length > 0 ? interfaceGroups(ec2, ipTargets) : Promise.resolve(new Map<string, readonly string[]>())));
  const groupsOf = (plan: InVpc, backend: PlannedBackend): readonly string[] | Error | undefined => {
    if (backend.instanceId !== undefined) return instances.get(backend.instanceId)?.securityGroupIds;
    return interfaces instanceof Error ? interfaces : interfaces.get(addressKey(plan.vpcId, backend.target.host));
  };
  const groupIds = diagnosed.flatMap((plan) => plan.backends.flatMap((b) => {
    const groups = groupsOf(plan, b);
    return Array.isArray(groups) ? groups : [];
  }));
  const rules = await settle(() => (groupIds.length > 0 ? securityGroupRules(ec2, groupIds) : Promise.resolve(new Map<string, SecurityGroupRules>())));
  return plans.map((plan) => {
    if (!isDiagnosed(plan)) return plan;
    const source = sourceOf(plan.vpcId)!;
    return { ...plan, backends: plan.backends.map((backend) => ({ ...backend, reachability: judge(backend, groupsOf(plan, backend), rules, source) })) };
  });
}

/** A front probed from inside a VPC. */
type InVpc = LoadBalancerPlan & { readonly vpcId: string };

function judge(backend: PlannedBackend, groups: readonly string[] | Error | undefined, rules: Map<string, SecurityGroupRules> | Error, source: ProbeSource): Reachability {
  const { host, port } = backend.target;
  const unknown = (securityGroups: readonly string[], why: string): Reachability => ({ status: 'unknown', securityGroups, reason: `the security groups of ${host}:${port} were not read: ${why}` });
  if (groups instanceof Error) return unknown([], groups.message);
  if (groups === undefined || groups.length === 0) return unknown([], backend.instanceId !== undefined ? `EC2 gave no security group for ${backend.instanceId}` : `no network interface of the VPC holds ${host} (a peered or on-premises address?)`);
  if (rules instanceof Error) return unknown(groups, rules.message);
  const missing = groups.find((g) => !rules.has(g));
  if (missing !== undefined) return unknown(groups, `security group ${missing} was not found`);
  return reachabilityOf(host, port, groups.map((g) => rules.get(g)!), source);
}

/** The value, or the error it failed with (already naming the operation). */
async function settle<T>(read: () => Promise<T>): Promise<T | Error> {
  try {
    return await read();
  } catch (error) {
    return error as Error;
  }
}
