import { connectTimeoutDiagnosis, reachabilityOf, type IngressRule, type SecurityGroupRules } from '../../../lambda/discovery/reachability';

const rule = (overrides: Partial<IngressRule>): IngressRule => ({ protocol: 'tcp', fromPort: 80, toPort: 80, groupIds: [], cidrs: [], prefixListIds: [], ...overrides });
const group = (...ingress: IngressRule[]): SecurityGroupRules => ({ groupId: 'sg-web', groupName: 'web', ingress });
const PROBE = { securityGroupIds: ['sg-probe'], cidrs: [] };

describe('reachabilityOf', () => {
  it('admits the probe by its group on a TCP range that holds the port, or on all traffic', () => {
    // Act
    const ranged = reachabilityOf('10.0.1.5', 80, [group(rule({ fromPort: 0, toPort: 1024, groupIds: ['sg-probe'] }))], PROBE);
    const all = reachabilityOf('10.0.1.5', 80, [group(rule({ protocol: '-1', fromPort: undefined, toPort: undefined, groupIds: ['sg-probe'] }))], PROBE);

    // Assess
    expect(ranged).toEqual({ status: 'admitted', securityGroups: ['sg-web'], reason: "security group sg-web (web) admits the probe's group sg-probe on tcp 80" });
    expect(all.status).toBe('admitted');
  });

  it("blocks a backend whose groups admit only the load balancer's group, naming the groups, the port and the rule to add", () => {
    // Act
    const reachability = reachabilityOf('10.0.1.5', 8080, [group(rule({ fromPort: 8080, toPort: 8080, groupIds: ['sg-alb'] }), rule({ fromPort: 22, toPort: 22, groupIds: ['sg-probe'] }))], PROBE);

    // Assess
    expect(reachability.status).toBe('blocked');
    expect(reachability.reason).toContain('the probe cannot reach 10.0.1.5:8080: its security group sg-web (web) admits only sg-alb on tcp 8080, not the probe (sg-probe)');
    expect(reachability.fix).toEqual({
      cli: 'aws ec2 authorize-security-group-ingress --group-id sg-web --protocol tcp --port 8080 --source-group sg-probe',
      cdk: "ec2.SecurityGroup.fromSecurityGroupId(this, 'BackendSg', 'sg-web').addIngressRule(ec2.Peer.securityGroupId('sg-probe'), ec2.Port.tcp(8080), 'idle-canary probe');",
    });
  });

  it('judges address ranges against the probe address: inside admits, outside blocks, unknown or partial overlap stays unknown', () => {
    // Prepare
    const groups = [group(rule({ cidrs: ['10.0.0.0/16'] }))];

    // Act
    const inside = reachabilityOf('10.0.1.5', 80, groups, { securityGroupIds: [], cidrs: ['10.0.3.0/24'] });
    const outside = reachabilityOf('10.0.1.5', 80, groups, { securityGroupIds: [], cidrs: ['10.1.3.17'] });
    const partial = reachabilityOf('10.0.1.5', 80, groups, { securityGroupIds: [], cidrs: ['10.0.0.0/8'] });
    const notKnown = reachabilityOf('10.0.1.5', 80, groups, PROBE);
    const anywhere = reachabilityOf('10.0.1.5', 80, [group(rule({ cidrs: ['0.0.0.0/0'] }))], PROBE);

    // Assess
    expect([inside.status, outside.status, partial.status, notKnown.status, anywhere.status]).toEqual(['admitted', 'blocked', 'unknown', 'unknown', 'admitted']);
    expect(outside.fix!.cli).toBe('aws ec2 authorize-security-group-ingress --group-id sg-web --protocol tcp --port 80 --cidr 10.1.3.17/32');
    expect(outside.fix!.cdk).toContain("ec2.Peer.ipv4('10.1.3.17/32')");
  });

  it('never blocks on a prefix list it did not read, and ignores rules for other ports and protocols', () => {
    // Act
    const prefixList = reachabilityOf('10.0.1.5', 80, [group(rule({ prefixListIds: ['pl-0a'] }))], PROBE);
    const otherRules = reachabilityOf('10.0.1.5', 80, [group(rule({ protocol: 'udp', groupIds: ['sg-probe'] }), rule({ fromPort: 81, toPort: 90, groupIds: ['sg-probe'] }))], PROBE);

    // Assess
    expect(prefixList).toMatchObject({ status: 'unknown' });
    expect(prefixList.reason).toContain('prefix list pl-0a');
    expect(otherRules).toMatchObject({ status: 'blocked' });
    expect(otherRules.reason).toContain('admits nothing on tcp 80');
  });

  it('escapes and bounds a group name, which is the account owner’s text', () => {
    // Act
    const reachability = reachabilityOf('10.0.1.5', 80, [{ groupId: 'sg-web', groupName: `web\u001b[2J${'x'.repeat(200)}`, ingress: [] }], PROBE);

    // Assess
    expect(reachability.reason).toContain('web\\x1b[2J');
    expect(reachability.reason).not.toContain('x'.repeat(100));
  });
});

describe('connectTimeoutDiagnosis', () => {
  it('points past the security groups when they admit the probe: network ACLs, routes, host firewalls', () => {
    // Act
    const text = connectTimeoutDiagnosis({ status: 'admitted', securityGroups: ['sg-web'], reason: "security group sg-web admits the probe's group sg-probe on tcp 80" }, 80);

    // Assess
    expect(text).toBe(
      "the connection timed out although security group sg-web admits the probe's group sg-probe on tcp 80: look for a network ACL of the probe's or the backend's subnets that denies tcp 80 (or the ephemeral ports 1024-65535 back), a route table without a route between them, or a firewall on the host",
    );
    expect(connectTimeoutDiagnosis(undefined, 80)).toContain('may not admit the probe on tcp 80 (they were not checked)');
  });
});
