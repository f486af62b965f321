import { wireOf } from '../../../../lambda/probe/wire';

describe('wireOf', () => {
  const target = { host: '10.0.1.7', port: 8080, tls: false, path: '/health' };

  it.each([
    [undefined, 'http/1.1'],
    ['HTTP1', 'http/1.1'],
    ['HTTP2', 'h2'],
    ['GRPC', 'h2'],
  ] as const)('speaks to a target of protocol version %s in %s', (protocolVersion, protocol) => {
    // Act
    const wire = wireOf({ ...target, ...(protocolVersion ? { protocolVersion } : {}) }, { segmentPauseMs: 250 });

    // Assess
    expect(wire.protocol).toBe(protocol);
  });

  it('sends an HTTP/2 request in one go: no time is kept for segments', () => {
    // Act & Assess
    expect(wireOf({ ...target, protocolVersion: 'HTTP2' }, { segmentPauseMs: 250 }).sendSpreadMs).toBe(0);
    expect(wireOf(target, { segmentPauseMs: 250 }).sendSpreadMs).toBe(250);
  });
});
