/**
 * Private IP addresses of instances, looked up in batches for the whole region at once.
 */
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { allPages, chunks } from './aws';

/** Values per `instance-id` filter (the API allows 200). */
const BATCH = 200;

/**
 * Maps instance ids to private IPs; ids that no longer exist are simply absent.
 *
 * Why a filter rather than `InstanceIds`: one vanished instance would fail the whole
 * call with InvalidInstanceID.NotFound; a filter returns the others.
 */
export async function privateIps(client: EC2Client, instanceIds: readonly string[]): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  for (const batch of chunks([...new Set(instanceIds)], BATCH)) {
    const pages = paginateDescribeInstances({ client, pageSize: 1000 }, { Filters: [{ Name: 'instance-id', Values: batch }] });
    for (const instance of await allPages('DescribeInstances', pages, (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []))) {
      if (instance.InstanceId && instance.PrivateIpAddress) ips.set(instance.InstanceId, instance.PrivateIpAddress);
    }
  }
  return ips;
}
