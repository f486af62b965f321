import { excludedByPlace, excludedByTags, tagOverrides } from '../../../lambda/discovery/select';

describe('selection', () => {
  it('keeps load balancers of the selected VPCs and name patterns', () => {
    // Act & Assess
    expect(excludedByPlace({ name: 'k8s-web', vpcId: 'vpc-1' }, { vpcIds: ['vpc-1'], names: ['k8s-*'] })).toBeNull();
    expect(excludedByPlace({ name: 'k8s-web', vpcId: 'vpc-2' }, { vpcIds: ['vpc-1'] })).toBe('not in the selected VPCs (vpc-1)');
    expect(excludedByPlace({ name: 'k8s.web', vpcId: 'vpc-1' }, { names: ['k8s*web', 'api'] })).toBeNull();
    expect(excludedByPlace({ name: 'k8sXweb', vpcId: 'vpc-1' }, { names: ['k8s.web'] })).toBe('not among the selected names (k8s.web)');
  });

  it("keeps a load balancer named by its ARN: an ALB's exactly, a Classic ELB's by the name it ends with", () => {
    // Prepare
    const alb = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef';
    const classic = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/web';

    // Act & Assess
    expect(excludedByPlace({ name: 'web', vpcId: 'vpc-1', arn: alb }, { names: [alb] })).toBeNull();
    expect(excludedByPlace({ name: 'web', vpcId: 'vpc-1', arn: `${alb.slice(0, -1)}0` }, { names: [alb] })).toBe(`not among the selected names (${alb})`);
    expect(excludedByPlace({ name: 'web', vpcId: 'vpc-1' }, { names: [classic] })).toBeNull();
    expect(excludedByPlace({ name: 'web', vpcId: 'vpc-1' }, { names: [alb] })).toBe(`not among the selected names (${alb})`);
  });

  it('opts out by the skip tag unless it says false, and selects by tag key or key=value', () => {
    // Act & Assess
    expect(excludedByTags({ 'idle-canary:skip': '' }, {})).toBe('opted out by the tag idle-canary:skip=');
    expect(excludedByTags({ 'idle-canary:skip': 'False' }, {})).toBeNull();
    expect(excludedByTags({ team: 'payments', env: 'prod' }, { tags: ['team=payments', 'env'] })).toBeNull();
    expect(excludedByTags({ team: 'search' }, { tags: ['team=payments'] })).toBe('does not carry the selected tag team=payments');
  });

  it('reads the path and margin overrides, naming a bad value', () => {
    // Act & Assess
    expect(tagOverrides({ 'idle-canary:path': '/ready', 'idle-canary:margin': '2.5' })).toEqual({ path: '/ready', marginS: 2.5 });
    expect(() => tagOverrides({ 'idle-canary:margin': 'lots' })).toThrow('tag idle-canary:margin="lots": expected a number of seconds from 0 to 600');
    expect(() => tagOverrides({ 'idle-canary:margin': '3600' })).toThrow('tag idle-canary:margin="3600": expected a number of seconds from 0 to 600');
    expect(() => tagOverrides({ 'idle-canary:path': 'ready' })).toThrow('tag idle-canary:path="ready": expected a path starting with /');
  });
});
