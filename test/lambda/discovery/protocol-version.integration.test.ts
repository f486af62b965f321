/**
 * ALB target groups that speak HTTP/2 or gRPC to their targets, read from moto's emulator with
 * real SDK clients: discovery plans each target in the protocol its load balancer speaks, and
 * a target served by an HTTP/1.1, an HTTP/2 and a gRPC target group is three probes, not one.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { APPLICATION_SOURCE, discover, toProbePlan, type Discovery } from '../../../lambda/discovery';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';
import { motoAlb, motoInstance, motoVpc, type MotoGroup } from '../../support/moto-alb';

describe('discover: ALB target groups by ProtocolVersion, against the moto emulator', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let discovery: Discovery;
  let instanceId: string;

  beforeAll(async () => {
    // Prepare: one ALB whose HTTP/1.1, HTTP/2 and gRPC target groups share an ip:port and an instance's port
    moto = await startMoto();
    useMotoOnly(moto);
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});
    const { vpcId, subnets } = await motoVpc(ec2, '10.7');
    instanceId = await motoInstance(ec2, subnets[0], '10.7.0.9');
    const group = (name: string, targetType: 'ip' | 'instance', protocol: 'HTTP' | 'HTTPS', protocolVersion: MotoGroup['protocolVersion'], healthCheckPath: string, target: string): MotoGroup => ({ name, targetType, protocol, protocolVersion, healthCheckPath, port: 8443, target });
    await motoAlb(elbv2, {
      name: 'grpc-api',
      vpcId,
      subnets,
      groups: [
        group('ip-http1', 'ip', 'HTTP', undefined, '/health', '10.7.0.20'),
        group('ip-http2', 'ip', 'HTTP', 'HTTP2', '/health', '10.7.0.20'),
        group('ip-grpc', 'ip', 'HTTPS', 'GRPC', '/AWS.ALB/healthcheck', '10.7.0.20'),
        group('instance-http1', 'instance', 'HTTPS', undefined, '/health', instanceId),
        group('instance-http2', 'instance', 'HTTPS', 'HTTP2', '/health', instanceId),
      ],
    });
    [ec2, elbv2].forEach((client) => client.destroy());

    // Act
    discovery = await discover({ region: 'eu-west-1', sources: [APPLICATION_SOURCE], vpcIds: [vpcId], maxBackendsPerPort: 10, rotation: 0 });
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('plans each target in the protocol its target group speaks: h2c on HTTP, TLS on HTTPS, the gRPC health check path kept', () => {
    // Assess
    const [lb] = discovery.loadBalancers;
    expect(lb).toMatchObject({ name: 'grpc-api', skipped: [] });
    expect(lb.error).toBeUndefined();
    const byGroup = Object.fromEntries(lb.backends.map((b) => [b.targetGroup, { id: b.id, target: b.target }]));
    expect(byGroup).toEqual({
      'ip-http1': { id: '10.7.0.20:8443', target: { host: '10.7.0.20', port: 8443, tls: false, path: '/health' } },
      'ip-http2': { id: '10.7.0.20:8443 (HTTP/2)', target: { host: '10.7.0.20', port: 8443, tls: false, path: '/health', protocolVersion: 'HTTP2' } },
      'ip-grpc': { id: '10.7.0.20:8443 (gRPC)', target: { host: '10.7.0.20', port: 8443, tls: true, path: '/AWS.ALB/healthcheck', protocolVersion: 'GRPC' } },
      'instance-http1': { id: `${instanceId}:8443`, target: { host: '10.7.0.9', port: 8443, tls: true, path: '/health' } },
      'instance-http2': { id: `${instanceId}:8443 (HTTP/2)`, target: { host: '10.7.0.9', port: 8443, tls: true, path: '/health', protocolVersion: 'HTTP2' } },
    });
  });

  it('keeps the HTTP/1.1, HTTP/2 and gRPC probes of one address and port apart in the plan', () => {
    // Act
    const plan = toProbePlan(discovery.loadBalancers);

    // Assess
    expect(plan.map((item) => item.key).sort()).toEqual([
      '10.7.0.20:8443|https|/AWS.ALB/healthcheck|plain|GRPC',
      '10.7.0.20:8443|http|/health|plain',
      '10.7.0.20:8443|http|/health|plain|HTTP2',
      '10.7.0.9:8443|https|/health|plain',
      '10.7.0.9:8443|https|/health|plain|HTTP2',
    ]);
    expect(plan.filter((item) => item.job.target.protocolVersion === undefined)).toHaveLength(2);
  });
});
