import { planKeyOf, toProbePlan } from '../../../lambda/discovery/plan';
import type { LoadBalancerPlan, PlannedBackend } from '../../../lambda/discovery/types';

const backend = (protocolVersion?: 'HTTP1' | 'HTTP2' | 'GRPC'): PlannedBackend => ({
  id: '10.0.1.7:8080',
  proxyProtocol: false,
  target: { host: '10.0.1.7', port: 8080, tls: false, path: '/health', ...(protocolVersion ? { protocolVersion } : {}) },
});

describe('planKeyOf', () => {
  it('keeps an HTTP/2 and an HTTP/1.1 probe of the same address apart', () => {
    // Act & Assess
    expect(planKeyOf(backend('HTTP2'))).not.toBe(planKeyOf(backend()));
    expect(planKeyOf(backend('GRPC'))).not.toBe(planKeyOf(backend('HTTP2')));
  });

  it('gives an HTTP/1.1 backend the key it had before protocol versions', () => {
    // Act & Assess
    expect(planKeyOf(backend())).toBe('10.0.1.7:8080|http|/health|plain');
    expect(planKeyOf(backend('HTTP1'))).toBe(planKeyOf(backend()));
  });

  it('plans one probe per protocol version, each with its version in the target', () => {
    // Prepare
    const lb = (name: string, b: PlannedBackend) => ({ name, idleTimeoutS: 60, backends: [b] }) as unknown as LoadBalancerPlan;

    // Act
    const plan = toProbePlan([lb('h1', backend()), lb('h2', backend('HTTP2'))]);

    // Assess
    expect(plan.map((item) => [item.loadBalancers, item.job.target.protocolVersion])).toEqual([
      [['h1'], undefined],
      [['h2'], 'HTTP2'],
    ]);
  });
});
