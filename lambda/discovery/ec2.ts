/**
 * What EC2 knows about backends: instances' private addresses and the security groups of the
 * network interfaces behind them, looked up in batches for the whole region at once.
 */
import { EC2Client, paginateDescribeInstances, paginateDescribeNetworkInterfaces, paginateDescribeSecurityGroups } from '@aws-sdk/client-ec2';
import { addToGroup } from '../shared/group';
import { allPages, chunks } from './aws';
import type { SecurityGroupRules } from './reachability';

/** Values per filter (the API allows 200). */
const BATCH = 200;

/** An instance's private address and the security groups of the interface that holds it. */
export interface InstanceAddress {
  readonly ip: string;
  readonly securityGroupIds: readonly string[];
  /** The instance's VPC: where a CloudFront VPC origin on it is probed from. */
  readonly vpcId?: string;
}

/**
 * Maps instance ids to their private address and its interface's groups; ids that no longer
 * exist are simply absent.
 *
 * Why a filter rather than `InstanceIds`: one vanished instance would fail the whole
 * call with InvalidInstanceID.NotFound; a filter returns the others.
 */
export async function instanceAddresses(client: EC2Client, instanceIds: readonly string[]): Promise<Map<string, InstanceAddress>> {
  const found = new Map<string, InstanceAddress>();
  for (const batch of chunks([...new Set(instanceIds)], BATCH)) {
    const pages = paginateDescribeInstances({ client, pageSize: 1000 }, { Filters: [{ Name: 'instance-id', Values: batch }] });
    for (const instance of await allPages('DescribeInstances', pages, (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))) {
      if (!instance.InstanceId || !instance.PrivateIpAddress) continue;
      // The interface that holds the address the load balancer uses; the instance's groups are the primary interface's.
      const nic = (instance.NetworkInterfaces ?? []).find((n) => n.PrivateIpAddress === instance.PrivateIpAddress);
      const groups = nic?.Groups ?? instance.SecurityGroups ?? [];
      found.set(instance.InstanceId, { ip: instance.PrivateIpAddress, securityGroupIds: groups.flatMap((g) => (g.GroupId ? [g.GroupId] : [])), ...(instance.VpcId ? { vpcId: instance.VpcId } : {}) });
    }
  }
  return found;
}

/**
 * Maps `vpcId|ip` to the security groups of the network interface holding that private address
 * (any of its addresses); addresses outside the VPC (peered, on premises) are absent.
 */
export async function interfaceGroups(client: EC2Client, addresses: ReadonlyArray<{ vpcId: string; ip: string }>): Promise<Map<string, readonly string[]>> {
  const found = new Map<string, readonly string[]>();
  const byVpc = new Map<string, string[]>();
  for (const { vpcId, ip } of addresses) addToGroup(byVpc, vpcId, ip);
  for (const [vpcId, ips] of byVpc) {
    for (const batch of chunks([...new Set(ips)], BATCH)) {
      const filters = [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'addresses.private-ip-address', Values: batch }];
      for (const nic of await allPages('DescribeNetworkInterfaces', paginateDescribeNetworkInterfaces({ client }, { Filters: filters }), (page) => page.NetworkInterfaces)) {
        const groups = (nic.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []));
        const held = [nic.PrivateIpAddress, ...(nic.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress)];
        for (const ip of held) if (ip !== undefined && batch.includes(ip)) found.set(addressKey(vpcId, ip), groups);
      }
    }
  }
  return found;
}

/** The key of `interfaceGroups`' map. */
export function addressKey(vpcId: string, ip: string): string {
  return `${vpcId}|${ip}`;
}

/** The ingress rules of the groups; groups that no longer exist are absent. */
export async function securityGroupRules(client: EC2Client, groupIds: readonly string[]): Promise<Map<string, SecurityGroupRules>> {
  const found = new Map<string, SecurityGroupRules>();
  for (const batch of chunks([...new Set(groupIds)], BATCH)) {
    const pages = paginateDescribeSecurityGroups({ client }, { Filters: [{ Name: 'group-id', Values: batch }] });
    for (const group of await allPages('DescribeSecurityGroups', pages, (page) => page.SecurityGroups)) {
      if (!group.GroupId) continue;
      found.set(group.GroupId, {
        groupId: group.GroupId,
        ...(group.GroupName ? { groupName: group.GroupName } : {}),
        ingress: (group.IpPermissions ?? []).map((p) => ({
          protocol: String(p.IpProtocol ?? '-1').toLowerCase(),
          ...(p.FromPort !== undefined && p.FromPort >= 0 ? { fromPort: p.FromPort } : {}),
          ...(p.ToPort !== undefined && p.ToPort >= 0 ? { toPort: p.ToPort } : {}),
          groupIds: (p.UserIdGroupPairs ?? []).flatMap((pair) => (pair.GroupId ? [pair.GroupId] : [])),
          cidrs: (p.IpRanges ?? []).flatMap((range) => (range.CidrIp ? [range.CidrIp] : [])),
          prefixListIds: (p.PrefixListIds ?? []).flatMap((list) => (list.PrefixListId ? [list.PrefixListId] : [])),
        })),
      });
    }
  }
  return found;
}
