/**
 * Whether a backend's security groups let the probe in on the backend's port, decided from the
 * rules alone, with the exact rule to add when they do not.
 *
 * Pure: the AWS calls that read the groups are in `ec2.ts`, their use in `diagnose.ts`.
 */
import { printable } from '../shared/printable';

/** Who the probe is, as the backends' security groups see it. */
export interface ProbeSource {
  /** The VPC the probe runs in; unset: every VPC (a bastion host named by a flag). */
  readonly vpcId?: string;
  /** The probe's own security groups. */
  readonly securityGroupIds: readonly string[];
  /** The probe's own addresses (IPv4 CIDR ranges or addresses), when known. */
  readonly cidrs: readonly string[];
}

/** One ingress permission of a security group, as EC2 describes it. */
export interface IngressRule {
  /** `-1` (all traffic), `tcp` or `6`, `udp`, `icmp`... */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly groupIds: readonly string[];
  readonly cidrs: readonly string[];
  readonly prefixListIds: readonly string[];
}

/** A security group's id, name and ingress rules. */
export interface SecurityGroupRules {
  readonly groupId: string;
  readonly groupName?: string;
  readonly ingress: readonly IngressRule[];
}

/**
 * What the rules in front of a backend say about the probe.
 *
 * - `admitted`: a rule lets the probe in on the port (`reason` names it);
 * - `blocked`: no rule does (`reason` names the groups and the port, `fix` the rule to add);
 * - `unknown`: the rules cannot tell (a prefix list, an address range the probe may or may
 *   not be in, a group or address that could not be read): the backend is probed as usual.
 */
export interface Reachability {
  readonly status: 'admitted' | 'blocked' | 'unknown';
  /** The backend's security groups (those of its network interface). */
  readonly securityGroups: readonly string[];
  /** One sentence naming the rule, or the groups and the port. */
  readonly reason: string;
  /** With `blocked`: the rule that lets the probe in, as an AWS CLI command and a CDK line. */
  readonly fix?: { readonly cli: string; readonly cdk: string };
}

/** The description the added rules carry, so that a reviewer knows why they exist. */
const RULE_DESCRIPTION = 'idle-canary probe';

/**
 * Decides whether the groups admit the probe on TCP `port`.
 *
 * Why `blocked` only when certain: a security group that does not admit a connection drops it,
 * so probing it only costs a horizon of connect timeouts and pages nobody usefully; but a
 * backend wrongly called blocked would never be measured. Anything the rules leave open
 * (prefix lists, ranges the probe may be in) is `unknown`, and probed.
 *
 * @example
 * reachabilityOf('10.0.1.5', 8080, [{ groupId: 'sg-web', ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, groupIds: ['sg-alb'], cidrs: [], prefixListIds: [] }] }], { securityGroupIds: ['sg-probe'], cidrs: [] });
 * // { status: 'blocked', securityGroups: ['sg-web'], reason: 'security group sg-web ... admits only sg-alb on tcp 8080 ...', fix: { cli: 'aws ec2 authorize-security-group-ingress ...', cdk: '...' } }
 */
export function reachabilityOf(address: string, port: number, groups: readonly SecurityGroupRules[], probe: ProbeSource): Reachability {
  const securityGroups = groups.map((g) => g.groupId);
  const on = `tcp ${port}`;
  const onPort = groups.flatMap((group) => group.ingress.filter((rule) => covers(rule, port)).map((rule) => ({ group, rule })));
  const byGroup = onPort.find(({ rule }) => rule.groupIds.some((id) => probe.securityGroupIds.includes(id)));
  if (byGroup) {
    const source = byGroup.rule.groupIds.find((id) => probe.securityGroupIds.includes(id))!;
    return { status: 'admitted', securityGroups, reason: `security group ${nameOf(byGroup.group)} admits the probe's group ${source} on ${on}` };
  }
  for (const { group, rule } of onPort) {
    const cidr = rule.cidrs.find((range) => probeWithin(range, probe.cidrs) === 'all');
    if (cidr !== undefined) return { status: 'admitted', securityGroups, reason: `security group ${nameOf(group)} admits ${cidr} on ${on}, which holds the probe's address` };
  }
  const open = onPort.flatMap(({ group, rule }) => [
    ...rule.prefixListIds.map((id) => `${nameOf(group)} admits prefix list ${id}`),
    ...rule.cidrs.filter((range) => probeWithin(range, probe.cidrs) === 'maybe').map((range) => `${nameOf(group)} admits ${range}`),
  ]);
  if (open.length > 0) {
    return { status: 'unknown', securityGroups, reason: `the probe may or may not be admitted on ${on}: ${open.slice(0, 3).join('; ')}${probe.cidrs.length === 0 ? ` (the probe's own address is not known${probe.vpcId === undefined ? ': pass --probe-address' : ''})` : ''}` };
  }
  const sources = [...new Set(onPort.flatMap(({ rule }) => [...rule.groupIds, ...rule.cidrs]))];
  const verb = groups.length > 1 ? 'admit' : 'admits';
  const admitsOnly = sources.length > 0 ? `${verb} only ${sources.slice(0, 4).join(', ')}${sources.length > 4 ? ` and ${sources.length - 4} more` : ''} on ${on}` : `${verb} nothing on ${on}`;
  const target = groups[0];
  const fix = fixFor(target.groupId, port, probe);
  return {
    status: 'blocked',
    securityGroups,
    reason: `the probe cannot reach ${address}:${port}: its security group${groups.length > 1 ? 's' : ''} ${groups.map(nameOf).join(', ')} ${admitsOnly}, not the probe (${probeName(probe)}). Add the rule: ${fix.cli} (CDK: ${fix.cdk})`,
    fix,
  };
}

/**
 * What a connect timeout means once the rules are known: with `admitted`, the block is not in
 * the security groups.
 *
 * @example
 * connectTimeoutDiagnosis({ status: 'admitted', securityGroups: ['sg-web'], reason: 'security group sg-web admits the probe's group sg-p on tcp 80' }, 80);
 */
export function connectTimeoutDiagnosis(reachability: Reachability | undefined, port: number): string {
  if (reachability === undefined) return `the connection timed out: the backend's security groups may not admit the probe on tcp ${port} (they were not checked)`;
  if (reachability.status === 'admitted') {
    return `the connection timed out although ${reachability.reason}: look for a network ACL of the probe's or the backend's subnets that denies tcp ${port} (or the ephemeral ports 1024-65535 back), a route table without a route between them, or a firewall on the host`;
  }
  return `the connection timed out, and the security groups could not tell why (${reachability.reason})`;
}

/** The rule that admits the probe: by its group when it has one, else by its address range. */
function fixFor(groupId: string, port: number, probe: ProbeSource): { cli: string; cdk: string } {
  const group = probe.securityGroupIds[0];
  const peer = group !== undefined ? { cli: `--source-group ${group}`, cdk: `ec2.Peer.securityGroupId('${group}')` } : { cli: `--cidr ${asCidr(probe.cidrs[0])}`, cdk: `ec2.Peer.ipv4('${asCidr(probe.cidrs[0])}')` };
  return {
    cli: `aws ec2 authorize-security-group-ingress --group-id ${groupId} --protocol tcp --port ${port} ${peer.cli}`,
    cdk: `ec2.SecurityGroup.fromSecurityGroupId(this, 'BackendSg', '${groupId}').addIngressRule(${peer.cdk}, ec2.Port.tcp(${port}), '${RULE_DESCRIPTION}');`,
  };
}

function probeName(probe: ProbeSource): string {
  return [...probe.securityGroupIds, ...probe.cidrs.map(asCidr)].join(', ');
}

/** A group's id and name; the name is the account's text, so bounded and escaped. */
function nameOf(group: SecurityGroupRules): string {
  return group.groupName ? `${group.groupId} (${printable(group.groupName, 64)})` : group.groupId;
}

/** Whether the rule lets TCP to `port` through: all traffic, or TCP with the port in its range. */
function covers(rule: IngressRule, port: number): boolean {
  if (rule.protocol === '-1') return true;
  if (rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

/**
 * Whether every probe address is in `range` (`all`), some may be (`maybe`) or none is (`none`).
 * With no known probe address, only `0.0.0.0/0` surely holds it.
 */
function probeWithin(range: string, probeCidrs: readonly string[]): 'all' | 'maybe' | 'none' {
  const outer = parseCidr(range);
  if (outer === null) return 'maybe';
  if (outer.bits === 0) return 'all';
  if (probeCidrs.length === 0) return 'maybe';
  const inner = probeCidrs.map((cidr) => parseCidr(asCidr(cidr)));
  if (inner.some((c) => c === null)) return 'maybe';
  const within = (c: Cidr) => c.bits >= outer.bits && prefixOf(c.base, outer.bits) === outer.base;
  const overlaps = (c: Cidr) => prefixOf(c.base, Math.min(c.bits, outer.bits)) === prefixOf(outer.base, Math.min(c.bits, outer.bits));
  if (inner.every((c) => within(c!))) return 'all';
  return inner.some((c) => overlaps(c!)) ? 'maybe' : 'none';
}

interface Cidr {
  readonly base: number;
  readonly bits: number;
}

/** An address alone is its /32. */
function asCidr(value: string): string {
  return value.includes('/') ? value : `${value}/32`;
}

function parseCidr(text: string): Cidr | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (match === null) return null;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  return { base: prefixOf(octets.reduce((sum, o) => sum * 256 + o, 0), bits), bits };
}

/** The first `bits` bits of an address, the rest zero (as an unsigned number). */
function prefixOf(address: number, bits: number): number {
  return bits === 0 ? 0 : (address - (address % 2 ** (32 - bits))) >>> 0;
}
