/**
 * Splits a probe plan into shards: one probe invocation each, inside the right VPC (or outside
 * any VPC, for fronts whose backends are probed from there).
 */
import { planKeyOf } from '../discovery/plan';
import type { Discovery, ProbePlanItem } from '../discovery/types';
import { addToGroup } from '../shared/group';
import { DEFAULTS } from '../shared/settings';
import type { Shard } from './types';

/** Defaults of sharding, merged once. */
export const defaults = {
  maxOpenSockets: DEFAULTS.maxOpenSockets,
  maxSocketsPerTarget: DEFAULTS.maxSocketsPerTarget,
} as const;

/** The sockets one invocation may hold, and each target may use: the settings the probe's `SocketBudget` is made from. */
export interface SocketLimits {
  readonly maxOpenSockets?: number;
  readonly maxSocketsPerTarget?: number;
}

/** Targets one probe invocation holds at once: its socket budget over the sockets per target. */
export function targetsPerInvocation(options: SocketLimits = {}): number {
  return Math.max(1, Math.floor((options.maxOpenSockets ?? defaults.maxOpenSockets) / (options.maxSocketsPerTarget ?? defaults.maxSocketsPerTarget)));
}

/**
 * Plan items by the VPC of their (first) front, whose probe function must reach them; the key
 * `undefined` holds the items probed from outside any VPC. `vpcIds` are present even when empty.
 */
export function groupByVpc(discovery: Discovery, plan: readonly ProbePlanItem[], vpcIds: readonly string[] = []): Map<string | undefined, ProbePlanItem[]> {
  // By name and backend: a Classic ELB and an ALB may share a name, in different VPCs.
  const where = (name: string, key: string) => `${name}\u0000${key}`;
  const vpcOf = new Map(discovery.loadBalancers.flatMap((lb) => lb.backends.map((backend) => [where(lb.name, planKeyOf(backend)), lb.vpcId] as const)));
  const byVpc = new Map<string | undefined, ProbePlanItem[]>(vpcIds.map((vpcId) => [vpcId, []]));
  for (const item of plan) {
    const place = where(item.loadBalancers[0], item.key);
    // A backend no front names has no probe: the state machine records its shard as failed, with the reason.
    addToGroup(byVpc, vpcOf.has(place) ? vpcOf.get(place) : 'unknown', item);
  }
  return byVpc;
}

/**
 * The groups in a stable order: VPCs by id, then the one outside any VPC.
 *
 * @example
 * sortedByVpc(groupByVpc(discovery, plan)); // [['vpc-0a', [...]], ['vpc-0b', [...]], [undefined, [...]]]
 */
export function sortedByVpc<T>(groups: ReadonlyMap<string | undefined, T>): Array<[string | undefined, T]> {
  return [...groups.entries()].sort(([a], [b]) => (a === undefined ? 1 : b === undefined ? -1 : a.localeCompare(b)));
}

/**
 * Groups plan items by the VPC of their fronts (a shard outside any VPC has no `vpcId`), then cuts each group into shards that
 * fit one invocation's socket budget, so that every target of a shard is probed at once.
 *
 * Why whole-budget shards: waiting is most of a probe and Lambda bills the wait, so one
 * invocation should hold as many targets as its descriptors allow.
 *
 * @example
 * toShards('run-1', discovery, plan); // [{ runId: 'run-1', shardId: 0, vpcId: 'vpc-0a1', items: [...47 items] }, ...]
 */
export function toShards(runId: string, discovery: Discovery, plan: readonly ProbePlanItem[], options: SocketLimits = {}): Shard[] {
  const perShard = targetsPerInvocation(options);
  const shards: Shard[] = [];
  for (const [vpcId, items] of sortedByVpc(groupByVpc(discovery, plan))) {
    for (let start = 0; start < items.length; start += perShard) {
      shards.push({ runId, shardId: shards.length, ...(vpcId !== undefined ? { vpcId } : {}), items: items.slice(start, start + perShard) });
    }
  }
  return shards;
}
