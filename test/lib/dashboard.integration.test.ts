import { Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { STACK, synth } from './synth';

const { template } = synth({ ...STACK, metrics: 'detailed', accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] });

describe('CanaryDashboard', () => {
  it('graphs in the lean set, the default, one headroom per load balancer, least first, and the fleet metrics', () => {
    // Prepare
    const [dashboard] = Object.values(synth(STACK).template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    expect(body.match(/SELECT MIN\(Headroom\) FROM SCHEMA\([^)]*\) GROUP BY LoadBalancer ORDER BY MIN\(\) ASC LIMIT 500/g)).toHaveLength(1);
    for (const title of ['Runs completed', 'Load balancers failing', 'Load balancers inconclusive', 'Probe errors']) expect(body).toContain(title);
    for (const metric of ['RunCompleted', 'LoadBalancersFailing', 'LoadBalancersInconclusive', 'FleetProbeErrors']) expect(body).toContain(metric);
    expect(body).not.toMatch(/ProbeErrors\)|PreRequestHeadroom|BackendsFailing/);
  });

  it('graphs in the detailed set the load balancers with the least headroom first per phase, within the 500 series', () => {
    // Prepare
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    expect(body.match(/SELECT MIN\((PreRequest|KeepAlive)Headroom\) FROM SCHEMA\([^)]*\) GROUP BY LoadBalancer ORDER BY MIN\(\) ASC LIMIT 500/g)).toHaveLength(2);
  });

  it('graphs the fleet from the metric names the publisher writes: runs, failing load balancers, probe errors and hang-ups', () => {
    // Prepare
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    for (const title of ['Runs completed', 'Load balancers failing', 'Probe errors', 'Backend hang-ups by load balancer (access logs)']) expect(body).toContain(title);
    expect(body).toContain('RunCompleted');
    expect(body).toContain('LoadBalancersFailing');
    expect(body).toMatch(/SELECT SUM\(ProbeErrors\) FROM SCHEMA\([^)]*\)/);
    expect(body).toMatch(/SELECT SUM\(BackendHangups\) FROM SCHEMA\([^)]*\) GROUP BY LoadBalancer ORDER BY SUM\(\) DESC LIMIT 500/);
  });

  it('names the dashboard per stack, so that two stacks in one region do not collide', () => {
    // Prepare: two accounts' stacks in one region, in one app
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK, { ...STACK, account: '210987654321' }] }, 'aws:cdk:bundling-stacks': [] } }));
    app.synth();

    // Act
    const names = app.node.children.filter(Stack.isStack).map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardName);

    // Assess
    expect(new Set(names).size).toBe(2);
    expect(names[0]).toMatch(/^IdleCanary123456789012euwest1-IdleCanary-CanaryDashboard-[0-9A-F]{8}$/);
  });
});
