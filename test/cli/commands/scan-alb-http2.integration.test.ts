/**
 * `idle-canary scan` of an ALB whose target group speaks HTTP/2 (`ProtocolVersion: HTTP2`),
 * described by moto's emulator, in front of a real Node.js HTTP/2 server on loopback that
 * rejects HTTP/1.1: the target is probed in HTTP/2 and judged on its session timeout, while an
 * HTTP/1.1 target group on the same address and port is a probe of its own, which the server
 * refuses.
 *
 * Needs the HTTP/2 wire (lambda/probe/wire/http2.ts, the engine's dispatch on
 * `protocolVersion`): without it the HTTP/2 target is spoken to in HTTP/1.1 and fails here.
 */
import http2 from 'node:http2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { main } from '../../../cli/main';
import type { ScanReport } from '../../../lambda/report/scan';
import { renderMarkdownReport } from '../../../lambda/report/markdown';
import { capture } from '../../support/capture';
import { listen, type LoopbackServer } from '../../support/loopback';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';
import { motoAlb, motoVpc, type MotoGroup } from '../../support/moto-alb';

/** The HTTP/2 server's session timeout, shorter than the load balancer's 3 s. */
const SESSION_TIMEOUT_MS = 1500;

describe('idle-canary scan of an ALB with an HTTP/2 target group, against the moto emulator and a real HTTP/2 server', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let server: LoopbackServer;
  const versions: string[] = [];
  let report: ScanReport;
  let status: number;

  beforeAll(async () => {
    // Prepare: an HTTP/2-only server (no allowHTTP1) that closes sessions idle for 1.5 s
    const h2 = http2.createServer((request, response) => {
      versions.push(request.httpVersion);
      response.end('ok');
    });
    h2.setTimeout(SESSION_TIMEOUT_MS);
    server = await listen(h2);
    moto = await startMoto();
    useMotoOnly(moto);
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});

    // A loopback VPC, an ALB with a 3 s idle timeout, an HTTP/2 and an HTTP/1.1 target group on 127.0.0.1 at the server's port
    const { vpcId, subnets } = await motoVpc(ec2, '127.0');
    const group = (protocolVersion: 'HTTP1' | 'HTTP2'): MotoGroup => ({ name: `h2-api-${protocolVersion.toLowerCase()}`, targetType: 'ip', protocol: 'HTTP', protocolVersion, healthCheckPath: '/health', port: server.port, target: '127.0.0.1' });
    await motoAlb(elbv2, { name: 'h2-api', vpcId, subnets, idleTimeoutS: 3, groups: [group('HTTP2'), group('HTTP1')] });
    [ec2, elbv2].forEach((client) => client.destroy());

    // Act
    const { io, out } = capture();
    status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--json'], io);
    report = JSON.parse(out()) as ScanReport;
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await server?.close();
    await moto?.stop();
  });

  const backend = (targetGroup: string) => report.loadBalancers[0].backends.find((b) => b.targetGroup === targetGroup)!;

  it('probes the HTTP/2 target group in HTTP/2 and measures the server session timeout in both phases', () => {
    // Assess
    const h2 = backend('h2-api-http2');
    expect(h2.id).toBe(`127.0.0.1:${server.port} (HTTP/2)`);
    expect(h2.probe.error).toBeUndefined();
    expect(h2.probe.target).toEqual({ host: '127.0.0.1', port: server.port, tls: false, path: '/health', protocolVersion: 'HTTP2' });
    for (const phase of [h2.probe.phases.preRequest!, h2.probe.phases.keepAlive!]) {
      expect(phase).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
      expect(Math.abs(phase.limitS! - SESSION_TIMEOUT_MS / 1000)).toBeLessThan(0.1);
    }
    // Every request the server answered came in HTTP/2: none of the HTTP/1.1 probe's got through.
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions)).toEqual(new Set(['2.0']));
  });

  it('keeps the HTTP/1.1 target group on the same address and port a probe of its own, which the HTTP/2-only server refuses', () => {
    // Assess
    const h1 = backend('h2-api-http1');
    expect(h1.id).toBe(`127.0.0.1:${server.port}`);
    expect(h1.probe.target).toEqual({ host: '127.0.0.1', port: server.port, tls: false, path: '/health' });
    expect(h1.probe.error).toBeDefined();
    expect(h1.verdict).toBe('inconclusive');
  });

  it('fails the load balancer and names the HTTP/2 backend and its fix in the report', () => {
    // Act
    const markdown = renderMarkdownReport(report);

    // Assess
    expect(status).toBe(1);
    expect(report.loadBalancers[0]).toMatchObject({ name: 'h2-api', verdict: 'fail' });
    expect(markdown).toContain(`| 127.0.0.1:${server.port} (HTTP/2) |`);
    expect(markdown).toContain(`127.0.0.1:${server.port} (HTTP/2) drops idle connections before the load balancer does`);
    expect(markdown).toContain("raise the HTTP/2 server's idle timeout to at least 8 s");
    expect(markdown).toContain('Keepalive pings do not help');
  });
});
