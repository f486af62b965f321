import { CloudFrontClient, GetVpcOriginCommand, ListDistributionsCommand, ListVpcOriginsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudFrontSource, loadBalancerByDomain, probeCommand } from '../../../lambda/discovery/cloudfront';
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
  const clients = { cloudFront: new CloudFrontClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'eu-west-1' }) } as never;

  beforeEach(() => {
    cloudFront.reset();
    ec2.reset();
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
    cloudFront.restore();
    ec2.restore();
  });

  it('marks the VPC origins with a failing ListVpcOrigins, and keeps the custom origins', async () => {
    // Prepare
    cloudFront.on(ListVpcOriginsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));

    // Act
    const findings = await cloudFrontSource().find(clients, {}, 2, [ALB]);

    // Assess
    expect(findings.found.map((f) => [f.name, f.cloudFront?.kind, f.error ?? null])).toEqual([
      ['cloudfront/E1/api', 'load-balancer', null],
      ['cloudfront/E2/nlb', 'instance', 'ListVpcOrigins: AccessDenied: not authorized'],
      ['cloudfront/E2/app', 'instance', 'ListVpcOrigins: AccessDenied: not authorized'],
    ]);
    expect(findings.excluded.map((e) => [e.name, e.reason])).toEqual([
      ['cloudfront/E1/other-region', 'its origin is load balancer web-9.us-west-2.elb.amazonaws.com, which this run did not discover (another region, or left out by the selection): run in its region to check it'],
    ]);
    expect(findings.notCovered.map((n) => n.command)).toEqual(['idle-canary probe https://origin.example.com:8443/ --lb-idle-timeout 5']);
  });

  it('probes a VPC origin on an instance from its VPC, and lists one on a Network Load Balancer as not covered', async () => {
    // Prepare
    const summary = (id: string, arn: string) => ({ Id: id, Name: id, Status: 'Deployed', Arn: `arn:aws:cloudfront::123456789012:vpcorigin/${id}`, OriginEndpointArn: arn, CreatedTime: new Date(), LastModifiedTime: new Date() });
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 2, Items: [summary('vo_nlb', NLB_ARN), summary('vo_app', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0app')] } });
    cloudFront.on(GetVpcOriginCommand).resolves({ VpcOrigin: { ...summary('vo_app', ''), VpcOriginEndpointConfig: { Name: 'app', Arn: '', HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } } });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0app', PrivateIpAddress: '10.0.1.7', VpcId: 'vpc-7' }] }] });

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
    expect(findings.excluded.map((e) => e.name)).toEqual(['cloudfront/E1/other-region']);
    expect(findings.notCovered.map((n) => [n.name, n.reason])).toEqual([
      ['cloudfront/E1/site', 'public origin origin.example.com: not probed (probePublicOrigins is off: probing sends traffic to your public endpoint); probe it by hand'],
      ['cloudfront/E2/nlb', `its VPC origin is Network Load Balancer ${NLB_ARN}, which passes CloudFront's connections through to its targets; Network Load Balancers' targets are not covered yet`],
    ]);
  });

  it('with load balancers selected, keeps only the origins on them', async () => {
    // Prepare
    cloudFront.on(ListVpcOriginsCommand).resolves({ VpcOriginList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] } });

    // Act
    const findings = await cloudFrontSource().find(clients, { names: ['api'] }, 2, [ALB]);

    // Assess
    expect(findings.found.map((f) => f.name)).toEqual(['cloudfront/E1/api']);
    expect(findings.notCovered).toEqual([]);
    expect(findings.excluded.map((e) => e.name)).toEqual(expect.arrayContaining(['cloudfront/E1/site', 'cloudfront/E2/app']));
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
