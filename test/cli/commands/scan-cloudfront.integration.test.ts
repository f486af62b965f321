/**
 * `idle-canary scan --cloudfront` against the moto emulator: distributions whose custom origins
 * are an ALB of the account, in the scanned region or in another (checked from configuration:
 * CloudFront's keep-alive against the ALB's idle timeout) or a public endpoint (listed as not
 * probed, with its command). moto has no CloudFront VPC origins, so the distributions on VPC
 * origins and `ListVpcOrigins` / `GetVpcOrigin` are intercepted (aws-sdk-client-mock) while EC2
 * and ELB stay moto's: the VPC origin's instance is 127.0.0.1 in a loopback VPC, and so is the
 * target of a moto Network Load Balancer behind another VPC origin, served by a real Node.js
 * `http.createServer` with its default keep-alive, probed for real against CloudFront's default 5 s.
 */
import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetVpcOriginCommand,
  ListDistributionsCommand,
  ListVpcOriginsCommand,
  type Origin,
} from '@aws-sdk/client-cloudfront';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { main } from '../../../cli/main';
import { loadBalancerDimension } from '../../../lambda/metrics/names';
import { renderMarkdownReport } from '../../../lambda/report/markdown';
import type { ScanReport } from '../../../lambda/report/scan';
import { renderScanReport } from '../../../lambda/report/scan-terminal';
import { capture } from '../../support/capture';
import { customOrigin, distributionConfig } from '../../support/cloudfront';
import { keepAliveCloseS } from '../../support/keep-alive-close';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';
import { motoAlb, motoInstance, motoVpc } from '../../support/moto-alb';

/** `idle-canary scan --cloudfront --json` in the emulator's region, with `extra` arguments: its exit status and report. */
async function scanCloudFront(...extra: string[]): Promise<{ status: number; report: ScanReport }> {
  const { io, out } = capture();
  const status = await main(['scan', '--region', 'eu-west-1', '--cloudfront', ...extra, '--json'], io);
  return { status, report: JSON.parse(out()) as ScanReport };
}

/** CloudFront's refusal of `action` to a caller without its permission. */
const accessDenied = (action: string) => Object.assign(new Error(`User is not authorized to perform: cloudfront:${action}`), { name: 'AccessDenied' });

describe('idle-canary scan --cloudfront', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let alb: LoadBalancer;
  let westAlb: LoadBalancer;
  let instanceId: string;
  let subnets: string[];
  let vpcId: string;

  beforeAll(async () => {
    // Prepare: the emulator; a loopback VPC with an instance at 127.0.0.1; an ALB with a 60 s idle timeout
    moto = await startMoto();
    useMotoOnly(moto);
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});
    ({ vpcId, subnets } = await motoVpc(ec2, '127.0'));
    instanceId = await motoInstance(ec2, subnets[0], '127.0.0.1');
    alb = await motoAlb(elbv2, { name: 'edge-api', vpcId, subnets, idleTimeoutS: 60, groups: [] });
    // An ALB in another region than the scanned one, with AWS's default 60 s idle timeout
    const westEc2 = new EC2Client({ region: 'us-west-2' });
    const westElbv2 = new ElasticLoadBalancingV2Client({ region: 'us-west-2' });
    const west = await motoVpc(westEc2, '10.9');
    westAlb = await motoAlb(westElbv2, { name: 'west-api', ...west, groups: [] });
    [ec2, elbv2, westEc2, westElbv2].forEach((client) => client.destroy());
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  describe('with moto\'s distributions (custom origins)', () => {
    let report: ScanReport;
    let status: number;

    beforeAll(async () => {
      // Prepare: keep-alive 90 s and 30 s in front of the 60 s ALB (one by its dualstack. name, in capitals), and a public origin
      const cloudFront = new CloudFrontClient({ region: 'us-east-1' });
      const create = (reference: string, origin: Origin) => cloudFront.send(new CreateDistributionCommand({ DistributionConfig: distributionConfig(reference, [origin]) }));
      await create('long-keep-alive', customOrigin('alb-90', alb.DNSName!, 90));
      await create('short-keep-alive', customOrigin('alb-30', `dualstack.${alb.DNSName!.toUpperCase()}`, 30));
      await create('public', customOrigin('site', 'origin.example.com'));
      await create('other-region', customOrigin('west-90', westAlb.DNSName!, 90));
      cloudFront.destroy();

      // Act
      ({ status, report } = await scanCloudFront());
    }, 60_000);

    const origin = (originId: string) => report.loadBalancers.find((lb) => lb.type === 'cloudfront' && lb.cloudFront?.originId === originId)!;

    it('fails the origin whose 90 s keep-alive outlasts the ALB\'s 60 s idle timeout, and names the short hop', () => {
      // Assess
      const failing = origin('alb-90');
      console.log(`alb-90: ${failing.verdict}, ${failing.chain?.summary}`);
      expect(status).toBe(1);
      expect(failing).toMatchObject({
        type: 'cloudfront',
        idleTimeoutS: 90,
        verdict: 'fail',
        backends: [],
        cloudFront: { kind: 'load-balancer', keepAliveS: 90, loadBalancer: { name: 'edge-api', type: 'application', arn: alb.LoadBalancerArn, idleTimeoutS: 60 } },
        phases: { keepAlive: { limitS: 60, verdict: 'fail', failingBackends: ['edge-api'] } },
      });
      expect(failing.name).toBe(`cloudfront/${failing.cloudFront!.distributionId}/alb-90`);
      expect(loadBalancerDimension(failing)).toBe(failing.name);
      expect(failing.chain!.summary).toBe(
        "CloudFront keep-alive 90 s → load balancer edge-api idle timeout 60 s → backends' limit unknown: short at CloudFront → edge-api (needs an idle timeout of at least 91 s)",
      );
    });

    it('passes the origin whose 30 s keep-alive is well inside the ALB\'s idle timeout, matched by its dualstack. name', () => {
      // Assess
      const passing = origin('alb-30');
      console.log(`alb-30: ${passing.verdict}, ${passing.chain?.summary}`);
      expect(passing).toMatchObject({ verdict: 'pass', idleTimeoutS: 30, phases: { keepAlive: { limitS: 60, verdict: 'pass', failingBackends: [] } } });
      expect(passing.chain!.links[0]).toEqual({ upstream: `CloudFront ${passing.cloudFront!.distributionId} origin alb-30 keep-alive`, upstreamS: 30, downstream: 'load balancer edge-api idle timeout', downstreamS: 60, headroomS: 30, verdict: 'pass' });
    });

    it('lists the public origin as not probed, with the command that probes it by hand against CloudFront\'s default 5 s', () => {
      // Assess
      const site = report.notCovered.find((lb) => lb.cloudFront?.originId === 'site')!;
      console.log(`site: ${site.reason}; ${site.command}`);
      expect(site).toMatchObject({ type: 'cloudfront', cloudFront: { kind: 'public', domainName: 'origin.example.com', keepAliveS: 5 } });
      expect(site.command).toBe('idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5');
      expect(report.loadBalancers.some((lb) => lb.cloudFront?.originId === 'site')).toBe(false);
    });

    it('shows the chain, the short hop and the command to probe the public origin by hand in the terminal and Markdown reports', () => {
      // Act
      const terminal = renderScanReport(report).replace(/\n {2,}/g, ' ');
      const markdown = renderMarkdownReport(report);

      // Assess
      const id = origin('alb-90').cloudFront!.distributionId;
      const site = report.notCovered.find((lb) => lb.cloudFront?.originId === 'site')!;
      expect(terminal).toContain(`cloudfront/${id}/alb-90 (cloudfront, ${origin('alb-90').vpcId}, idle timeout 90 s)  FAIL CloudFront ${id} origin alb-90 (load-balancer, keep-alive 90 s): CloudFront`);
      expect(terminal).toContain("CloudFront keep-alive 90 s → load balancer edge-api idle timeout 60 s → backends' limit unknown: short at CloudFront → edge-api (needs an idle timeout of at least 91 s)");
      expect(terminal).toContain(`not covered: ${site.name} (cloudfront): public origin origin.example.com: not probed (probePublicOrigins is off: probing sends traffic to your public endpoint); probe it by hand: idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5`);
      expect(markdown).toContain(`short at CloudFront → edge-api (needs an idle timeout of at least 91 s)`);
      expect(markdown).toContain('idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5');
    });

    it('looks the ALB of another region up in its region, and fails its 90 s keep-alive against that ALB\'s 60 s idle timeout', () => {
      // Assess
      const west = origin('west-90');
      console.log(`west-90 (${westAlb.DNSName}): ${west.verdict}, ${west.chain?.summary}`);
      expect(west).toMatchObject({
        verdict: 'fail',
        idleTimeoutS: 90,
        cloudFront: { kind: 'load-balancer', keepAliveS: 90, loadBalancer: { name: 'west-api', type: 'application', arn: westAlb.LoadBalancerArn, idleTimeoutS: 60, region: 'us-west-2' } },
        phases: { keepAlive: { limitS: 60, verdict: 'fail' } },
      });
      expect(west.chain!.summary).toBe("CloudFront keep-alive 90 s → load balancer west-api idle timeout 60 s → backends' limit unknown: short at CloudFront → west-api (needs an idle timeout of at least 91 s)");
      expect(report.excluded.some((e) => e.cloudFront?.originId === 'west-90')).toBe(false);
    });

    it('still judges the load balancers themselves', () => {
      // Assess
      expect(report.loadBalancers.find((lb) => lb.type === 'application')).toMatchObject({ name: 'edge-api', idleTimeoutS: 60 });
    });
  });

  describe('with a VPC origin on an instance (intercepted CloudFront, moto\'s EC2 and ELB)', () => {
    let server: Server;
    let report: ScanReport;
    let closeS: number;
    let nlb: LoadBalancer;
    let cloudFront: ReturnType<typeof mockClient>;

    beforeAll(async () => {
      // Prepare: a real Node.js origin with its default keep-alive on the instance's address
      server = createServer((_request, response) => response.end('ok'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      closeS = await keepAliveCloseS(port);
      // A Network Load Balancer whose TCP listener on 80 passes connections through to the same server, registered as the instance on its port
      const elbv2 = new ElasticLoadBalancingV2Client({});
      nlb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'edge-tcp', Subnets: subnets, Type: 'network' }))).LoadBalancers![0];
      const group = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'edge-tcp-targets', Protocol: 'TCP', Port: port, VpcId: vpcId, TargetType: 'instance' }))).TargetGroups![0];
      await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: instanceId, Port: port }] }));
      await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }] }));
      elbv2.destroy();
      cloudFront = mockClient(CloudFrontClient);
      const vpcOrigin = (id: string, endpointArn: string) => ({ Id: id, Name: id, Status: 'Deployed', Arn: `arn:aws:cloudfront::123456789012:vpcorigin/${id}`, OriginEndpointArn: endpointArn, CreatedTime: new Date(), LastModifiedTime: new Date() });
      cloudFront.on(ListDistributionsCommand).resolves({
        DistributionList: {
          Marker: '',
          MaxItems: 100,
          IsTruncated: false,
          Quantity: 3,
          Items: [
            { Id: 'EPUBLIC', Origins: { Quantity: 1, Items: [{ Id: 'www', DomainName: 'localhost', CustomOriginConfig: { HTTPPort: port, HTTPSPort: 443, OriginProtocolPolicy: 'http-only', OriginKeepaliveTimeout: 3 } }] } },
            { Id: 'EVPCINSTANCE', Origins: { Quantity: 1, Items: [{ Id: 'app', DomainName: 'ip-127-0-0-1.eu-west-1.compute.internal', VpcOriginConfig: { VpcOriginId: 'vo_instance' } }] } },
            { Id: 'EVPCALB', Origins: { Quantity: 1, Items: [{ Id: 'api', DomainName: alb.DNSName!, VpcOriginConfig: { VpcOriginId: 'vo_alb', OriginKeepaliveTimeout: 90 } }] } },
            { Id: 'EVPCNLB', Origins: { Quantity: 1, Items: [{ Id: 'tcp', DomainName: nlb.DNSName!, VpcOriginConfig: { VpcOriginId: 'vo_nlb' } }] } },
            { Id: 'ECUSTOMNLB', Origins: { Quantity: 1, Items: [customOrigin('tcp-by-name', nlb.DNSName!, 4, 'http-only')] } },
          ] as never,
        },
      });
      cloudFront.on(ListVpcOriginsCommand).resolves({
        VpcOriginList: {
          Marker: '',
          MaxItems: 100,
          IsTruncated: false,
          Quantity: 3,
          Items: [vpcOrigin('vo_instance', `arn:aws:ec2:eu-west-1:123456789012:instance/${instanceId}`), vpcOrigin('vo_alb', alb.LoadBalancerArn!), vpcOrigin('vo_nlb', nlb.LoadBalancerArn!)],
        },
      });
      cloudFront.on(GetVpcOriginCommand, { Id: 'vo_nlb' }).resolves({ VpcOrigin: { ...vpcOrigin('vo_nlb', ''), VpcOriginEndpointConfig: { Name: 'tcp', Arn: '', HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' } } });
      cloudFront.on(GetVpcOriginCommand, { Id: 'vo_instance' }).resolves({ VpcOrigin: { ...vpcOrigin('vo_instance', ''), VpcOriginEndpointConfig: { Name: 'app', Arn: '', HTTPPort: port, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' } } });

      // Act
      ({ report } = await scanCloudFront('--probe-public-origins'));
    }, 60_000);

    afterAll(async () => {
      cloudFront?.restore();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    const origin = (originId: string) => report.loadBalancers.find((lb) => lb.cloudFront?.originId === originId)!;

    it('probes the instance from its VPC at its address and judges it against CloudFront\'s default 5 s keep-alive', () => {
      // Assess
      const app = origin('app');
      const keepAlive = app.backends[0].probe.phases.keepAlive!;
      console.log(`Node.js default keep-alive: closes after ${closeS.toFixed(3)} s measured apart; probe limit ${keepAlive.limitS} s (${keepAlive.enforcement}, ${keepAlive.closedWith}); verdict against 5 s + 1 s margin: ${app.phases.keepAlive?.verdict}`);
      expect(app).toMatchObject({ name: 'cloudfront/EVPCINSTANCE/app', type: 'cloudfront', idleTimeoutS: 5, cloudFront: { kind: 'instance', keepAliveS: 5, vpcOriginId: 'vo_instance' } });
      expect(app.vpcId).toMatch(/^vpc-/);
      expect(app.backends[0]).toMatchObject({ id: `${instanceId}:${(server.address() as AddressInfo).port}`, instanceId });
      expect(app.backends[0].probe.target).toMatchObject({ host: '127.0.0.1', tls: false, path: '/' });
      expect(keepAlive.closedWith).toBe('fin');
      expect(Math.abs(keepAlive.limitS! - closeS)).toBeLessThan(0.25);
      // Node.js closes at keepAliveTimeout plus its 1 s buffer: 6 s, no more than CloudFront's 5 s plus the 1 s margin, never a pass
      expect(app.phases.keepAlive!.verdict).not.toBe('pass');
      expect(app.verdict).not.toBe('pass');
    });

    it('with --probe-public-origins, probes a public origin from outside any VPC at its domain, against its own keep-alive', () => {
      // Assess: the same Node.js server, behind a 3 s keep-alive, passes (6 s against 3 s plus the margin)
      const www = origin('www');
      console.log(`public origin www: ${www.verdict}, keep-alive limit ${www.phases.keepAlive?.limitS} s against ${www.idleTimeoutS} s`);
      expect(www).toMatchObject({ name: 'cloudfront/EPUBLIC/www', vpcId: '-', idleTimeoutS: 3, verdict: 'pass', cloudFront: { kind: 'public', domainName: 'localhost', keepAliveS: 3 } });
      expect(www.backends[0].probe.target).toMatchObject({ host: 'localhost', port: (server.address() as AddressInfo).port, tls: false, path: '/' });
    });

    it('probes the target of the VPC origin on the Network Load Balancer from its VPC, judges it against CloudFront\'s 5 s keep-alive, and checks the NLB\'s 350 s TCP idle timeout', () => {
      // Assess
      const tcp = origin('tcp');
      const target = tcp.backends[0];
      const keepAlive = target.probe.phases.keepAlive!;
      console.log(`NLB origin tcp: target ${target.id} in ${target.targetGroup}: keep-alive limit ${keepAlive.limitS} s (${keepAlive.closedWith}); ${tcp.verdict}: ${tcp.chain?.summary}`);
      expect(tcp).toMatchObject({
        name: 'cloudfront/EVPCNLB/tcp',
        type: 'cloudfront',
        idleTimeoutS: 5,
        cloudFront: { kind: 'network-load-balancer', keepAliveS: 5, vpcOriginId: 'vo_nlb', networkLoadBalancer: { name: 'edge-tcp', arn: nlb.LoadBalancerArn, listenerPort: 80, idleTimeoutS: 350 } },
      });
      expect(tcp.vpcId).toBe(vpcId);
      expect(target).toMatchObject({ id: `${instanceId}:${(server.address() as AddressInfo).port}`, instanceId, targetGroup: 'edge-tcp-targets' });
      expect(target.probe.target).toMatchObject({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, tls: false });
      expect(keepAlive.closedWith).toBe('fin');
      expect(Math.abs(keepAlive.limitS! - closeS)).toBeLessThan(0.25);
      // The targets' link gives the least any phase tolerated: the keep-alive limit, or the pre-request
      // phase's survival of its 6 s horizon when that came a millisecond sooner
      const leastS = Math.min(...Object.values(tcp.phases).map((phase) => phase.limitS ?? phase.survivedS!));
      expect(tcp.chain!.links.map((l) => [l.downstream, l.downstreamS, l.verdict])).toEqual([
        ['network load balancer edge-tcp TCP idle timeout', 350, 'pass'],
        ["edge-tcp's targets", leastS, tcp.phases.keepAlive!.verdict],
      ]);
      expect(leastS).toBeLessThanOrEqual(keepAlive.limitS!);
      // Node.js's 6 s against 5 s plus the 1 s margin: never a pass
      expect(tcp.verdict).not.toBe('pass');
      expect(tcp.chain!.summary).toMatch(/^CloudFront keep-alive 5 s → network load balancer edge-tcp TCP idle timeout 350 s → targets' limit [\d.]+ s: /);
      expect(renderScanReport(report).replace(/\n {2,}/g, ' ')).toContain(`CloudFront EVPCNLB origin tcp (network-load-balancer, keep-alive 5 s): ${tcp.chain!.summary}`);
    });

    it('probes the targets of a custom origin on the NLB\'s DNS name the same way, at the origin\'s port, and judges them against its own keep-alive', () => {
      // Assess: the same Node.js target (probed once for both origins) closes at 6 s: short of 5 s plus the margin, well past 4 s plus the margin
      const byName = origin('tcp-by-name');
      console.log(`custom origin on the NLB's DNS name, keep-alive 4 s: ${byName.verdict}, ${byName.chain?.summary}`);
      expect(byName).toMatchObject({ idleTimeoutS: 4, verdict: 'pass', cloudFront: { kind: 'network-load-balancer', domainName: nlb.DNSName, keepAliveS: 4, networkLoadBalancer: { name: 'edge-tcp', listenerPort: 80, idleTimeoutS: 350 } } });
      expect(byName.backends.map((b) => [b.id, b.targetGroup, b.verdict])).toEqual([[`${instanceId}:${(server.address() as AddressInfo).port}`, 'edge-tcp-targets', 'pass']]);
      expect(origin('tcp').verdict).not.toBe('pass');
      expect(byName.chain!.summary).toMatch(/: no hop is short$/);
    });

    it('checks the VPC origin on the ALB by its ARN, without a probe', () => {
      // Assess
      expect(origin('api')).toMatchObject({ verdict: 'fail', idleTimeoutS: 90, backends: [], cloudFront: { kind: 'load-balancer', vpcOriginId: 'vo_alb', loadBalancer: { name: 'edge-api', idleTimeoutS: 60 } } });
    });
  });

  it('lists each VPC origin as not checked, of unknown kind, when ListVpcOrigins fails, and the run is inconclusive, never a pass', async () => {
    // Prepare
    const cloudFront = mockClient(CloudFrontClient);
    cloudFront.on(ListDistributionsCommand).resolves({
      DistributionList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 1, Items: [{ Id: 'EVPC', Origins: { Quantity: 1, Items: [{ Id: 'app', DomainName: 'app.internal', VpcOriginConfig: { VpcOriginId: 'vo_app' } }] } }] as never },
    });
    cloudFront.on(ListVpcOriginsCommand).rejects(accessDenied('ListVpcOrigins'));

    // Act
    const { status, report } = await scanCloudFront();
    cloudFront.restore();

    // Assess
    const denied = 'ListVpcOrigins: AccessDenied: User is not authorized to perform: cloudfront:ListVpcOrigins';
    expect(status).toBe(3);
    expect(report.loadBalancers.filter((lb) => lb.type === 'cloudfront').map((lb) => [lb.name, lb.verdict, lb.error])).toEqual([['cloudfront/vpc-origins', 'inconclusive', denied]]);
    expect(report.notCovered.filter((n) => n.type === 'cloudfront')).toEqual([
      { name: 'cloudfront/EVPC/app', type: 'cloudfront', reason: `not checked: what VPC origin vo_app points at is unknown: ${denied}`, cloudFront: { distributionId: 'EVPC', originId: 'app', domainName: 'vo_app', keepAliveS: 5, kind: 'unknown', vpcOriginId: 'vo_app' } },
    ]);
  }, 30_000);

  it('reports a failing CloudFront listing as one front with the error, and still the load balancers', async () => {
    // Prepare
    const cloudFront = mockClient(CloudFrontClient);
    cloudFront.on(ListDistributionsCommand).rejects(accessDenied('ListDistributions'));

    // Act
    const { status, report } = await scanCloudFront();
    cloudFront.restore();

    // Assess
    expect(status).toBe(3);
    expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.verdict, lb.error])).toEqual([
      ['edge-api', 'application', 'inconclusive', undefined],
      ['cloudfront', 'cloudfront', 'inconclusive', 'ListDistributions: AccessDenied: User is not authorized to perform: cloudfront:ListDistributions'],
    ]);
  }, 30_000);
});
