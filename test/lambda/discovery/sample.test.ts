import { rotationAt, sampleBackends } from '../../../lambda/discovery/sample';

const backends = ['i-5', 'i-1', 'i-3', 'i-2', 'i-4'].map((id) => ({ id: `${id}:30080`, target: { port: 30080 } }));

describe('sampleBackends', () => {
  it('probes at most N backends per port and counts the others', () => {
    // Act
    const { chosen, notSampled } = sampleBackends([...backends, { id: 'i-1:9000', target: { port: 9000 } }], 2, 0);

    // Assess
    expect(chosen.map((b) => b.id)).toEqual(['i-1:9000', 'i-1:30080', 'i-2:30080']);
    expect(notSampled).toBe(3);
  });

  it('probes N backends of each protocol version on a port: an HTTP/2 group beside an HTTP/1.1 one is probed every run', () => {
    // Prepare
    const http2 = ['i-6', 'i-7', 'i-8'].map((id) => ({ id: `${id}:30080 (HTTP/2)`, target: { port: 30080, protocolVersion: 'HTTP2' as const } }));

    // Act
    const { chosen, notSampled } = sampleBackends([...backends, ...http2], 2, 0);

    // Assess
    expect(chosen.map((b) => b.id)).toEqual(['i-1:30080', 'i-2:30080', 'i-6:30080 (HTTP/2)', 'i-7:30080 (HTTP/2)']);
    expect(notSampled).toBe(4);
  });

  it('rotates across runs so that every backend is covered', () => {
    // Act
    const seen = new Set([0, 1, 2].flatMap((run) => sampleBackends(backends, 2, run).chosen.map((b) => b.id)));

    // Assess
    expect(seen.size).toBe(5);
  });

  it('numbers runs by schedule period', () => {
    // Act & Assess
    expect(rotationAt(new Date('2026-11-24T10:14:59Z'), 15)).toBe(rotationAt(new Date('2026-11-24T10:00:00Z'), 15));
    expect(rotationAt(new Date('2026-11-24T10:15:00Z'), 15)).toBe(rotationAt(new Date('2026-11-24T10:00:00Z'), 15) + 1);
  });
});
