import { describeLogObjectKey } from '../../../lambda/access-logs/object-key';

const DAY = 'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25';

describe('describeLogObjectKey', () => {
  it('reads Classic ELB and ALB access log keys, with or without a prefix', () => {
    // Act & Assess
    expect(describeLogObjectKey(`${DAY}/123456789012_elasticloadbalancing_eu-west-1_my-elb_20261125T1805Z_10.0.1.6_5kq8d2z9.log`)).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
      kind: 'classic',
      loadBalancerId: 'my-elb',
      endTime: '20261125T1805Z',
    });
    expect(describeLogObjectKey(`team a/prod/${DAY}/123456789012_elasticloadbalancing_eu-west-1_app.k8s-web.50dc6c495c0c9188_20261125T1805Z_2001:db8::5_2jn4f8x1.log.gz`)).toMatchObject({
      kind: 'alb',
      loadBalancerId: 'app.k8s-web.50dc6c495c0c9188',
    });
  });

  it.each([
    [`prod/AWSLogs/123456789012/ELBAccessLogTestFile`, 'the test object Elastic Load Balancing writes when logging is enabled'],
    [`${DAY}/conn_log.123456789012_elasticloadbalancing_eu-west-1_app.k8s-web.50dc6c495c0c9188_20261125T1805Z_10.0.1.5_2jn4f8x1.log.gz`, 'not an Elastic Load Balancing access log key'],
    [`${DAY}/123456789012_elasticloadbalancing_eu-west-1_net.k8s-tcp.50dc6c495c0c9188_20261125T1805Z_10.0.1.5_2jn4f8x1.log.gz`, 'a Network Load Balancer log: NLBs are not covered'],
    [`${DAY}/999999999999_elasticloadbalancing_eu-west-1_my-elb_20261125T1805Z_10.0.1.6_5kq8d2z9.log`, 'not an Elastic Load Balancing access log key'],
    ['reports/latest.json', 'not an Elastic Load Balancing access log key'],
  ])('skips %s with the reason', (key, reason) => {
    // Act
    const described = describeLogObjectKey(key);

    // Assess
    expect('skip' in described ? described.skip : '').toContain(reason);
  });
});
