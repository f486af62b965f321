/**
 * Stacks with the deployment gate, for template tests and the gate run's execution: the gate
 * alone (as beside a monitor, in an imported VPC), and a sample ECS blue/green service wired to it.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IdleCanaryGate, type IdleCanaryGateProps } from '../../lib/gate';
import { nagFindings } from '../support/nag-findings';
import { STACK, importedVpcs } from './synth';

const ENV = { account: STACK.account, region: STACK.region };

/** Synthesizes the gate alone in an imported VPC (after `change`), with cdk-nag's checks; returns what cdk-nag reported. */
export function gateStack(props: Partial<IdleCanaryGateProps> = {}, change: (gate: IdleCanaryGate) => void = () => undefined) {
  const app = new App();
  const stack = new Stack(app, 'GateAlone', { env: ENV });
  const [vpc] = importedVpcs(stack);
  const serviceGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'ServiceGroup', 'sg-0a1b2c3d4e5f60718');
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  const gate = new IdleCanaryGate(stack, 'Gate', { ...vpc, backendPorts: [8080], backendSecurityGroups: [serviceGroup], addIngress: true, topic, ...props });
  change(gate);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const findings = nagFindings(app);
  // A synth with findings throws again: the template is read only when there are none.
  return { app, stack, gate, topic, findings, get template() { return Template.fromStack(stack); } };
}

/** A Fargate service deployed blue/green behind an ALB, its lifecycle hook the gate's, as the README shows. */
export function sampleServiceStack() {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'), portMappings: [{ containerPort: 8080 }] });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, idleTimeout: undefined });
  const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/health' } });
  const [blue, green] = [targetGroup('Blue'), targetGroup('Green')];
  const rule = new elbv2.ApplicationListenerRule(stack, 'Production', { listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]) });
  const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN });

  // The gate, in the service's VPC, admitted by the service's security group on its port.
  const gate = new IdleCanaryGate(stack, 'IdleCanaryGate', { vpc, backendPorts: [8080], backendSecurityGroups: service.connections.securityGroups, addIngress: true });
  service.addLifecycleHook(gate.ecsLifecycleHook());
  service
    .loadBalancerTarget({ containerName: 'web', containerPort: 8080, alternateTarget: new ecs.AlternateTarget('Green', { alternateTargetGroup: green, productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rule) }) })
    .attachToApplicationTargetGroup(blue);
  return { app, stack, gate, service, template: Template.fromStack(stack) };
}
