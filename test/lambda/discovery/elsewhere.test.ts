import { loadBalancerRegion, sameDnsName } from '../../../lambda/discovery/elsewhere';

describe('loadBalancerRegion', () => {
  it("reads the region from an ALB's, a Classic ELB's and an NLB's DNS name, and from an ARN", () => {
    // Act and assess
    expect(
      [
        'web-9.us-west-2.elb.amazonaws.com',
        'dualstack.internal-web-9.AP-SOUTHEAST-2.elb.amazonaws.com.',
        'tcp-1a2b.elb.eu-central-1.amazonaws.com',
        'web-9.cn-north-1.elb.amazonaws.com.cn',
        'arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/api/50dc',
      ].map(loadBalancerRegion),
    ).toEqual(['us-west-2', 'ap-southeast-2', 'eu-central-1', 'cn-north-1', 'us-gov-west-1']);
  });

  it('names no region for what is not a load balancer', () => {
    // Act and assess
    expect(['origin.example.com', 'web-9.us-west-2.elb.amazonaws.com.evil.example', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0a'].map(loadBalancerRegion)).toEqual([undefined, undefined, undefined]);
  });
});

describe('sameDnsName', () => {
  it('matches across case, a final dot and the dualstack. prefix, and nothing else', () => {
    // Act and assess
    expect([sameDnsName('DualStack.Web-9.us-west-2.elb.amazonaws.com.', 'web-9.us-west-2.elb.amazonaws.com'), sameDnsName('web-9.us-west-2.elb.amazonaws.com', 'web-10.us-west-2.elb.amazonaws.com')]).toEqual([true, false]);
  });
});
