import { discoverOptionsFor, describeSelection } from '../../../lambda/run/selection';

const CONFIGURED = { region: 'eu-west-1', vpcIds: ['vpc-0a1b2c3d'], names: ['shop-*'], tags: ['team=payments'], maxBackendsPerPort: 2 };

describe('discoverOptionsFor', () => {
  it('leaves the configured selection as it is when the request names nothing', () => {
    // Act & Assess
    expect(discoverOptionsFor(undefined, CONFIGURED)).toBe(CONFIGURED);
  });

  it('puts the named load balancers in place of the configured names and tags, within the configured VPCs', () => {
    // Act
    const options = discoverOptionsFor({ loadBalancers: ['web'] }, CONFIGURED);

    // Assess
    expect(options).toMatchObject({ region: 'eu-west-1', vpcIds: ['vpc-0a1b2c3d'], names: ['web'], tags: undefined, maxBackendsPerPort: 2 });
  });

  it('selects by target group alone', () => {
    // Prepare
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0123456789abcdef';

    // Act
    const options = discoverOptionsFor({ targetGroup: arn }, CONFIGURED);

    // Assess
    expect(options).toMatchObject({ targetGroupArns: [arn], names: undefined, tags: undefined });
    expect(describeSelection({ targetGroup: arn })).toBe(`target group ${arn}`);
  });

  it('reads named targets from their own source, every one of them probed', async () => {
    // Prepare
    const targets = [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 8080, idleTimeoutS: 60, vpcId: 'vpc-0a1b2c3d', name: 'green' }));

    // Act
    const options = discoverOptionsFor({ targets }, CONFIGURED);
    const found = await options.sources![0].find({} as never, options, 1);

    // Assess
    expect(options.maxBackendsPerPort).toBe(3);
    expect(found.found.map((front) => [front.name, front.type, front.vpcId, front.idleTimeoutS, front.backends.map((b) => `${b.ip}:${b.port}${b.path}`)])).toEqual([
      ['green', 'probe', 'vpc-0a1b2c3d', 60, ['10.0.0.1:8080/', '10.0.0.2:8080/', '10.0.0.3:8080/']],
    ]);
  });

  it('reads a named target in the HTTP version its front speaks, HTTP/1.1 unless it says', async () => {
    // Prepare
    const targets = [
      { host: '10.0.0.1', port: 50051, idleTimeoutS: 60, protocolVersion: 'GRPC' as const },
      { host: '10.0.0.2', port: 8080, idleTimeoutS: 60, protocolVersion: 'HTTP1' as const },
    ];

    // Act
    const options = discoverOptionsFor({ targets }, CONFIGURED);
    const found = await options.sources![0].find({} as never, options, 1);

    // Assess
    expect(found.found.flatMap((front) => front.backends.map((b) => [b.ip, b.protocolVersion]))).toEqual([
      ['10.0.0.1', 'GRPC'],
      ['10.0.0.2', undefined],
    ]);
  });

  it('refuses a target in a VPC the stack has no probe in, naming it and the VPCs it has', () => {
    // Act & Assess
    expect(() => discoverOptionsFor({ targets: [{ host: '10.0.0.1', port: 80, idleTimeoutS: 60, vpcId: 'vpc-99999999' }] }, CONFIGURED)).toThrow(
      'selection.targets[0].vpcId: vpc-99999999 is not a VPC this stack probes in (vpc-0a1b2c3d): give one of them, or none to probe from outside any VPC',
    );
  });
});
