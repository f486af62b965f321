import { handler as probe } from '../../../lambda/handlers/probe';
import { lambdaContext } from '../../support/lambda-context';

const shardWith = (target: Record<string, unknown>) => ({
  runId: 'r',
  shardId: 0,
  vpcId: 'vpc-0a1',
  items: [{ key: 'k', loadBalancers: ['a'], job: { loadBalancerIdleTimeoutS: 60, target: { host: '10.0.0.1', port: 80, tls: false, path: '/', ...target } } }],
});

describe('probe handler event checks', () => {
  it.each([
    ['path', { path: '/health\r\nX-Injected: yes' }, 'field "items[0].job.target.path" must be a path starting with / of visible ASCII characters (no spaces, no control characters such as CR or LF), got "/health\\r\\nX-Injected: yes"'],
    ['hostHeader', { hostHeader: 'h\r\nX-Injected: yes' }, 'field "items[0].job.target.hostHeader" must be up to 255 visible ASCII characters (no spaces, no control characters such as CR or LF), got "h\\r\\nX-Injected: yes"'],
    ['host', { host: '10.0.0.1\r\nX: y' }, 'field "items[0].job.target.host" must be a host name or IP address (letters, digits, . - _ :), got "10.0.0.1\\r\\nX: y"'],
    ['port 0', { port: 0 }, 'field "items[0].job.target.port" must be a whole number from 1 to 65535, got 0'],
    ['protocol version', { protocolVersion: 'HTTP3' }, 'field "items[0].job.target.protocolVersion" must be one of HTTP1, HTTP2, GRPC, got "HTTP3"'],
  ])('refuses a target whose %s could inject or is out of range, in one line naming the field', async (_name, target, message) => {
    // Act & Assess
    await expect(probe(shardWith(target), lambdaContext(60_000))).rejects.toThrow(`probe event: ${message}`);
  });

  it('describes a value nested 5,000 deep in one short line instead of overflowing the stack', async () => {
    // Prepare
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) deep = { next: deep };

    // Act
    const error = (await probe(shardWith({ path: deep }), lambdaContext(60_000)).catch((e: Error) => e)) as Error;

    // Assess
    expect(error.name).toBe('InvalidEventError');
    expect(error.message).toBe('probe event: field "items[0].job.target.path" must be a path starting with / of visible ASCII characters (no spaces, no control characters such as CR or LF), got {"next":{"next":{...}}}');
  });

  it('describes huge and odd values in one bounded line', async () => {
    // Prepare
    const huge = { path: Array.from({ length: 100_000 }, (_, i) => ({ ['k'.repeat(1000)]: 'v'.repeat(10_000), i })) };

    // Act
    const error = (await probe(shardWith(huge), lambdaContext(60_000)).catch((e: Error) => e)) as Error;

    // Assess
    const got = error.message.split(', got ')[1];
    expect(got.length).toBeLessThanOrEqual(60);
    expect(error.message).not.toMatch(/[\r\n]/);
  });
});
