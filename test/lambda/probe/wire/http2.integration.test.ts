import { probeTargets, type ProbeJob } from '../../../../lambda/probe';
import { http2Server } from '../../../support/http2-servers';
import { closedAfterEach } from '../../../support/loopback';

const fast = { marginS: 0.2, precisionS: 0.1 };
const h2Job = (port: number, loadBalancerIdleTimeoutS: number, tls = false): ProbeJob => ({
  target: { host: '127.0.0.1', port, tls, path: '/health', protocolVersion: 'HTTP2' },
  loadBalancerIdleTimeoutS,
});

describe('the HTTP/2 wire', () => {
  const start = closedAfterEach();

  it('measures a cleartext HTTP/2 session timeout in both phases, closed with GOAWAY', async () => {
    // Prepare
    const server = await start(http2Server({ timeoutMs: 1500 }));

    // Act
    const [result] = await probeTargets([h2Job(server.port, 2)], fast);

    // Assess
    for (const phase of [result.phases.preRequest!, result.phases.keepAlive!]) {
      expect(phase).toMatchObject({ enforcement: 'eager', closedWith: 'goaway', verdict: 'fail' });
      expect(Math.abs(phase.limitS! - 1.5)).toBeLessThan(0.1);
    }
    expect(result.phases.preRequest!.goaway).toEqual({ code: 0, lastStreamId: 0 });
    expect(result.phases.keepAlive!.goaway).toEqual({ code: 0, lastStreamId: 1 });
    expect(new Set(server.httpVersions)).toEqual(new Set(['2.0']));
  });
});
