import { CloudFrontClient, GetVpcOriginCommand, ListDistributionsCommand, ListVpcOriginsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancerAttributesCommand as DescribeClassicAttributesCommand, DescribeLoadBalancersCommand as DescribeClassicCommand, ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudFrontSource, loadBalancerByDomain, ORIGIN_KEEPALIVE_RANGE, probeCommand } from '../../../lambda/discovery/cloudfront';
import { lambdaProbeS, routeOf, worstCaseAnyS } from '../../../lambda/run/route';
import type { FoundLoadBalancer } from '../../../lambda/discovery/found';

const ALB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188';
const NLB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/tcp/60dc6c495c0c9188';

/** The ALB discovery found, as the CloudFront source is given it. */
const ALB: FoundLoadBalancer = { name: 'api', type: 'application', arn: ALB_ARN, vpcId: 'vpc-1', dnsName: 'api-1234.eu-west-1.elb.amazonaws.com', idleTimeoutS: 60, backends: [], skipped: [] };

const custom = (id: string, domain: string, keepAliveS?: number) => ({ Id: id, DomainName: domain, CustomOriginConfig: { HTTPPort: 8080, HTTPSPort: 8443, OriginProtocolPolicy: 'match-viewer' as const, ...(keepAliveS ? { OriginKeepaliveTimeout: keepAliveS } : {}) } });
const viaVpc = (id: string, vpcOriginId: string) => ({ Id: id, DomainName: `${vpcOriginId}.internal`, VpcOriginConfig: { VpcOriginId: vpcOriginId, OriginKeepaliveTimeout: 20 } });
const distribution = (id: string, origins: object[]) => ({ Id: id, Origins: { Quantity: origins.length, Items: origins } });

describe('the CloudFront source', () => {
  const cloudFront = mockClient(CloudFrontClient);
  const ec2 = mockClient(EC2Client);
  const elb = mockClient(ElasticLoadBalancingClient);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);
  const regionsAsked: string[] = [];
  const inRegion = (region: string) => {
    regionsAsked.push(region);
    return { elb: new ElasticLoadBalancingClient({ region }), elbv2: new ElasticLoadBalancingV2Client({ region }) };
  };
  const clients = { cloudFront: new CloudFrontClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'eu-west-1' }), elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }), inRegion } as never;

  beforeEach(() => {
    [cloudFront, ec2, elb, elbv2].forEach((mock) => mock.reset());
    regionsAsked.length = 0;
    cloudFront.on(ListDistributionsCommand).resolves({
      DistributionList: {
        Marker: '',
        MaxItems: 100,
        IsTruncated: false,
        Quantity: 2,
        Items: [distribution('E1', [custom('api', 'API-1234.eu-west-1.elb.amazonaws.com.', 30), custom('other-region', 'web-9.us-west-2.elb.amazonaws.com'), custom('site', 'origin.example.com')]), distribution('E2', [viaVpc('nlb', 'vo_nlb'), viaVpc('app', 'vo_app')])] as never,
      },
    });
  });

  afterAll(() => {
    [cloudFront, ec2, elb, elbv2].forEach((mock) => mock.restore());
  });

  it('lists every VPC origin as not checked, of unknown kind, when ListVpcOrigins fails, and the load balancer of a failing region too; each failed call is one front with its error', async () => {
    // Prepare
    cloudFront.on(ListVpcOriginsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    elbv2.on(DescribeLoadBalancersCommand).rejects(Object.assign(new Error('The security token included in the request is invalid'), { name: 'UnrecognizedClientException' }));
    elb.on(DescribeClassicCommand).resolves({ LoadBalancerDescriptions: [] });

    // Act
    const findings = await cloudFrontSource().find(clients, {}, 2, [ALB]);

    // Assess
    const denied = 'ListVpcOrigins: AccessDenied: not authorized';
    const invalid = 'DescribeLoadBalancers (v2): UnrecognizedClientException: The security token included in the request is invalid';
    expect(findings.found.map((f) => [f.name, f.cloudFront?.kind ?? null, f.error ?? null])).toEqual([
      ['cloudfront/E1/api', 'load-balancer', null],
      ['cloudfront/elb/us-west-2', null, invalid],
      ['cloudfront/vpc-origins', null, denied],
    ]);
    expect(findings.notCovered.map((n) => [n.name, n.cloudFront?.kind, n.reason])).toEqual([
      ['cloudfront/E1/other-region', 'load-balancer', `not checked: looking up load balancer web-9.us-west-2.elb.amazonaws.com in us-west-2 failed: ${invalid}`],
      ['cloudfront/E1/site', 'public', 'public origin origin.example.com: not probed (probePublicOrigins is off: probing sends traffic to your public endpoint); probe it by hand'],
      ['cloudfront/E2/nlb', 'unknown', `not checked: what VPC origin vo_nlb points at is unknown: ${denied}`],
      ['cloudfront/E2/app', 'unknown', `not checked: what VPC origin vo_app points at is unknown: ${denied}`],
    ]);
    expect(findings.notCovered.find((n) => n.name === 'cloudfront/E1/site')!.command).toBe('idle-canary probe https://origin.example.com:8443/ --lb-idle-timeout 5');
    expect(findings.excluded).toEqual([]);
    expect(regionsAsked).toEqual(['us-west-2']);
  });

  it('probes a VPC origin on an instance from its VPC, the healthy targets of one on a Network Load Balancer from the NLB\'s VPC, and checks a load balancer in another region there', async () => {
    // Prepare
    const summary = (id: string, arn: string) => ({ Id: id, Name: id, Status: 'Deployed', Arn: `arn:aws:cloudfront::123456789012:vpcorigin/${id}`, OriginEndpointArn: arn, CreatedTime: new Date(), LastModifiedTime: new Date() });
    const endpoint = (id: string, policy: 'http-only' | 'https-only') => ({ VpcOrigin: { ...summary(id, ''), VpcOriginEndpointConfig: { Name: id, Arn: '', HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: policy } } });
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 2, Items: [summary('vo_nlb', NLB_ARN), summary('vo_app', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0app')] } });
    cloudFront.on(GetVpcOriginCommand, { Id: 'vo_app' }).resolves(endpoint('vo_app', 'https-only'));
    cloudFront.on(GetVpcOriginCommand, { Id: 'vo_nlb' }).resolves(endpoint('vo_nlb', 'http-only'));
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0app', PrivateIpAddress: '10.0.1.7', VpcId: 'vpc-7' }] }] });
    const WEB_ARN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/70dc6c495c0c9188';
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        { LoadBalancerName: 'web', Type: 'application', LoadBalancerArn: WEB_ARN, VpcId: 'vpc-w', DNSName: 'web-9.us-west-2.elb.amazonaws.com' },
        { LoadBalancerName: 'tcp', Type: 'network', LoadBalancerArn: NLB_ARN, VpcId: 'vpc-9' },
      ],
    });
    elbv2.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerArn: WEB_ARN }).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '4' }] });
    elbv2.on(DescribeListenerAttributesCommand, { ListenerArn: 'l-80' }).resolves({ Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '120' }] });
    elbv2.on(DescribeListenersCommand).resolves({
      Listeners: [
        { ListenerArn: 'l-443', Port: 443, Protocol: 'TLS' },
        { ListenerArn: 'l-80', Port: 80, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'tg-80', Weight: 9 }, { TargetGroupArn: 'tg-proxied', Weight: 1 }] } }] },
      ],
    });
    elbv2.on(DescribeTargetGroupsCommand, { TargetGroupArns: ['tg-80', 'tg-proxied'] }).resolves({
      TargetGroups: [
        { TargetGroupArn: 'tg-80', TargetGroupName: 'tcp-80', Protocol: 'TCP', Port: 8080, TargetType: 'instance', HealthCheckProtocol: 'HTTP', HealthCheckPath: '/health' },
        { TargetGroupArn: 'tg-proxied', TargetGroupName: 'tcp-proxied', Protocol: 'TCP', Port: 8081, TargetType: 'ip' },
      ],
    });
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'proxy_protocol_v2.enabled', Value: 'false' }] });
    elbv2.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: 'tg-proxied' }).resolves({ Attributes: [{ Key: 'proxy_protocol_v2.enabled', Value: 'true' }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-0nlb', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-0bad', Port: 8080 }, TargetHealth: { State: 'unhealthy' } },
      ],
    });
    elb.on(DescribeClassicCommand).resolves({ LoadBalancerDescriptions: [] });
    elb.on(DescribeClassicAttributesCommand).rejects(new Error('not called: the origin is an ALB'));

    // Act
    const findings = await cloudFrontSource().find(clients, {}, 2, [ALB]);

    // Assess
    expect(findings.found.find((f) => f.name === 'cloudfront/E2/app')).toMatchObject({
      type: 'cloudfront',
      vpcId: 'vpc-7',
      idleTimeoutS: 20,
      backends: [{ instanceId: 'i-0app', ip: '10.0.1.7', port: 443, tls: true, path: '/', proxyProtocol: false }],
      cloudFront: { kind: 'instance', keepAliveS: 20, vpcOriginId: 'vo_app' },
    });
    expect(findings.found.find((f) => f.name === 'cloudfront/E2/nlb')).toEqual({
      name: 'cloudfront/E2/nlb',
      type: 'cloudfront',
      vpcId: 'vpc-9',
      idleTimeoutS: 20,
      backends: [{ instanceId: 'i-0nlb', port: 8080, tls: false, path: '/health', proxyProtocol: false, targetGroup: 'tcp-80' }],
      skipped: [
        { what: 'target i-0bad:8080 in target group tcp-80', reason: 'is unhealthy' },
        { what: 'target group tcp-proxied', reason: 'its targets expect a PROXY protocol v2 header on each connection, which the probe does not send: probing without it would judge an answer CloudFront never gets' },
      ],
      cloudFront: { distributionId: 'E2', originId: 'nlb', domainName: NLB_ARN, keepAliveS: 20, kind: 'network-load-balancer', vpcOriginId: 'vo_nlb', networkLoadBalancer: { name: 'tcp', arn: NLB_ARN, listenerPort: 80, idleTimeoutS: 120 } },
    });
    expect(findings.found.find((f) => f.name === 'cloudfront/E1/other-region')).toMatchObject({
      idleTimeoutS: 5,
      backends: [],
      cloudFront: { kind: 'load-balancer', keepAliveS: 5, loadBalancer: { name: 'web', type: 'application', arn: WEB_ARN, idleTimeoutS: 4, region: 'us-west-2' } },
    });
    expect(findings.excluded).toEqual([]);
    expect(findings.notCovered.map((n) => n.name)).toEqual(['cloudfront/E1/site']);
  });

  it('leaves a VPC origin on an NLB of another region to a run there, and lists a custom origin on an NLB name of this region as not checked when the listing fails', async () => {
    // Prepare
    const WEST_NLB = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/west-tcp/80dc6c495c0c9188';
    cloudFront.on(ListDistributionsCommand).resolves({
      DistributionList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 1, Items: [distribution('E4', [viaVpc('west', 'vo_west'), custom('tcp', 'tcp-60dc.elb.eu-west-1.amazonaws.com')])] as never },
    });
    const summary = { Id: 'vo_west', Name: 'vo_west', Status: 'Deployed', Arn: 'arn:aws:cloudfront::123456789012:vpcorigin/vo_west', OriginEndpointArn: WEST_NLB, CreatedTime: new Date(), LastModifiedTime: new Date() };
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 1, Items: [summary] } });
    elbv2.on(DescribeLoadBalancersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    // Act
    const findings = await cloudFrontSource().find(clients, {}, 2, [ALB]);

    // Assess
    expect(findings.excluded.map((e) => [e.name, e.cloudFront?.kind, e.reason])).toEqual([
      ['cloudfront/E4/west', 'network-load-balancer', `its VPC origin is Network Load Balancer ${WEST_NLB} in us-west-2: its targets are probed from their VPC, by a run in that region`],
    ]);
    expect(findings.notCovered.map((n) => [n.name, n.reason])).toEqual([
      ['cloudfront/E4/tcp', 'not checked: looking up load balancer tcp-60dc.elb.eu-west-1.amazonaws.com in eu-west-1 failed: DescribeLoadBalancers (v2): Throttling: Rate exceeded'],
    ]);
    expect(findings.found.map((f) => [f.name, f.error])).toEqual([['cloudfront/elb/eu-west-1', 'DescribeLoadBalancers (v2): Throttling: Rate exceeded']]);
    expect(regionsAsked).toEqual([]);
  });

  it('without clients for other regions, lists a load balancer origin there as not checked, naming the region to run in', async () => {
    // Prepare
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] } });

    // Act
    const findings = await cloudFrontSource().find({ ...(clients as object), inRegion: undefined } as never, {}, 2, [ALB]);

    // Assess
    expect(findings.notCovered.find((n) => n.name === 'cloudfront/E1/other-region')!.reason).toBe(
      'not checked: load balancer web-9.us-west-2.elb.amazonaws.com is in us-west-2, and this run was given no clients for other regions: run in us-west-2 to check it',
    );
  });

  it('reports a keep-alive CloudFront does not accept on its origin, naming the value and the range, and probes nothing for it', async () => {
    // Prepare
    cloudFront.on(ListDistributionsCommand).resolves({ DistributionList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 1, Items: [distribution('E3', [custom('zero', 'a.example.com', 0.5), custom('huge', 'b.example.com', 3600)])] as never } });

    // Act
    const findings = await cloudFrontSource({ probePublicOrigins: true }).find(clients, {}, 2, [ALB]);

    // Assess
    expect(findings.found.map((f) => [f.name, f.backends.length, f.error])).toEqual([
      ['cloudfront/E3/zero', 0, 'OriginKeepaliveTimeout=0.5: expected a whole number from 1 to 180 (seconds)'],
      ['cloudfront/E3/huge', 0, 'OriginKeepaliveTimeout=3600: expected a whole number from 1 to 180 (seconds)'],
    ]);
  });

  it('with load balancers selected, keeps only the origins on them, not one on a load balancer of another region', async () => {
    // Prepare
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] } });
    const WEB_ARN = 'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/web/70dc6c495c0c9188';
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ LoadBalancerName: 'web', Type: 'application', LoadBalancerArn: WEB_ARN, VpcId: 'vpc-w', DNSName: 'web-9.us-west-2.elb.amazonaws.com' }] });
    elbv2.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [] });
    elb.on(DescribeClassicCommand).resolves({ LoadBalancerDescriptions: [] });

    // Act
    const findings = await cloudFrontSource().find(clients, { names: ['api'] }, 2, [ALB]);

    // Assess
    expect(findings.found.map((f) => f.name)).toEqual(['cloudfront/E1/api']);
    expect(findings.notCovered).toEqual([]);
    expect(findings.excluded.map((e) => e.name)).toEqual(expect.arrayContaining(['cloudfront/E1/other-region', 'cloudfront/E1/site', 'cloudfront/E2/app']));
  });
});

describe('loadBalancerByDomain', () => {
  it('matches a load balancer by its DNS name in any case, with or without dualstack. and a final dot', () => {
    // Act and assess
    expect(['api-1234.eu-west-1.elb.amazonaws.com', 'DUALSTACK.Api-1234.EU-WEST-1.elb.amazonaws.com.', 'api-1234.eu-west-1.elb.amazonaws.com.evil.example'].map((d) => loadBalancerByDomain(d, [ALB])?.name ?? null)).toEqual(['api', 'api', null]);
  });
});

describe('probeCommand', () => {
  it('writes the probe command with the scheme and port CloudFront uses', () => {
    // Act and assess
    expect(probeCommand('origin.example.com', { tls: false, port: 8080 }, 30)).toBe('idle-canary probe http://origin.example.com:8080/ --lb-idle-timeout 30');
  });
});

describe('the keep-alives CloudFront accepts', () => {
  it("each fit a probe function's time, so a public origin probed from outside any VPC is never routed to the long probe (which runs only in VPCs)", () => {
    // Act
    const keepAlives = Array.from({ length: ORIGIN_KEEPALIVE_RANGE.max - ORIGIN_KEEPALIVE_RANGE.min + 1 }, (_, i) => ORIGIN_KEEPALIVE_RANGE.min + i);

    // Assess: 180 s, a 198 s horizon, needs 545 s at worst (a lazy origin's narrowing), of the 801 s a probe function gives
    console.log(`keep-alive 180 s: worst case ${worstCaseAnyS(180)} s of ${lambdaProbeS()} s`);
    expect(keepAlives.filter((s) => routeOf(s) !== 'lambda')).toEqual([]);
    expect(worstCaseAnyS(ORIGIN_KEEPALIVE_RANGE.max)).toBeLessThanOrEqual(lambdaProbeS());
  });
});
