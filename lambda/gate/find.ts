/**
 * The replacement tasks of a deployment and the production load balancers in front of them:
 * ECS names the target service revision, whose alternate target group holds the green tasks;
 * CodeDeploy names the green task set's target group. Each group's load balancers give the idle
 * timeout (and the `idle-canary:margin` / `idle-canary:path` tags) the tasks are judged against.
 *
 * Why every answer is checked: an ARN, an address or a count from an API goes into a probe or
 * a report; each is matched, bounded, and a missing one is a plain reason, never a crash.
 */
import { GetDeploymentTargetCommand, ListDeploymentTargetsCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DescribeServiceRevisionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { albIdleTimeoutS } from '../discovery/alb';
import { call } from '../discovery/aws';
import { tagOverrides } from '../discovery/select';
import { groupProtocol, type GroupProtocol } from '../discovery/target-group';
import type { LoadBalancerPlan, PlannedBackend, Skipped } from '../discovery/types';
import { withProtocol } from '../probe/protocol-version';
import { isValidRequestField } from '../probe/request';
import { printable } from '../shared/printable';
import { DEFAULTS, PATTERNS, PORT_RANGE } from '../shared/settings';
import { MAX_GATE_TARGETS } from './settings';
import type { GateSubject } from './types';

/** The AWS clients the gate's discovery calls. */
export interface GateClients {
  readonly ecs: ECSClient;
  readonly codeDeploy: CodeDeployClient;
  readonly elb: ElasticLoadBalancingV2Client;
}

/** Why the replacement tasks could not be found: the gate's verdict is then `inconclusive`, with this. */
export class NothingToProbe extends Error {
  public constructor(reason: string) {
    super(reason);
    this.name = 'NothingToProbe';
  }
}

/** An application load balancer's ARN: its name is in it (`loadbalancer/app/NAME/ID`). */
const ALB_ARN = /^arn:aws[a-z-]{0,20}:elasticloadbalancing:[a-z0-9-]{1,30}:\d{12}:loadbalancer\/app\/([A-Za-z0-9-]{1,32})\/[0-9a-f]{1,32}$/;
const TARGET_GROUP_NAME = /^[A-Za-z0-9-]{1,32}$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-fA-F:]{2,39}$/;
/** Target states whose task may take traffic: a draining or unavailable one is on its way out. */
const LEAVING = new Set(['draining', 'unavailable']);

/**
 * The load balancers in front of the deployment's replacement tasks, each with the tasks to
 * probe as its backends.
 *
 * @throws NothingToProbe with the reason when there is no target group, no load balancer or no task to probe
 * @example
 * await replacementTasks(subject, clients); // [{ name: 'web', type: 'application', idleTimeoutS: 60, backends: [...] }]
 */
export async function replacementTasks(subject: GateSubject, clients: GateClients): Promise<LoadBalancerPlan[]> {
  const group = await replacementGroup(subject, clients);
  return loadBalancersOf(clients.elb, group);
}

/** The target group of the replacement tasks, described. */
async function replacementGroup(subject: GateSubject, clients: GateClients): Promise<TargetGroup> {
  const request = subject.system === 'ecs' ? { TargetGroupArns: [await alternateGroupArn(subject.targetServiceRevisionArn, clients.ecs)] } : { Names: [await greenGroupName(subject.deploymentId, clients.codeDeploy)] };
  const output = await call('DescribeTargetGroups', clients.elb.send(new DescribeTargetGroupsCommand(request)));
  const group = output.TargetGroups?.[0];
  if (group === undefined) throw new NothingToProbe(`the replacement tasks' target group ${printable(JSON.stringify(request), 200)} was not found`);
  return group;
}

/**
 * ECS: the alternate target group of the revision's load balancer, where ECS registers the
 * green tasks during a blue/green deployment.
 */
async function alternateGroupArn(revisionArn: string, ecs: ECSClient): Promise<string> {
  const output = await call('DescribeServiceRevisions', ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] })));
  const revision = output.serviceRevisions?.[0];
  if (revision === undefined) throw new NothingToProbe(`the service revision ${revisionArn} was not found (${printable(output.failures?.[0]?.reason ?? 'no reason given', 200)})`);
  const arns = (revision.loadBalancers ?? []).map((lb) => lb.advancedConfiguration?.alternateTargetGroupArn).filter((arn): arn is string => typeof arn === 'string');
  const arn = arns.find((a) => PATTERNS.targetGroupArn.pattern.test(a));
  if (arn === undefined) {
    throw new NothingToProbe(`the service revision ${revisionArn} has no load balancer with an alternate target group: attach the gate to a service with deploymentStrategy BLUE_GREEN and an alternate target group`);
  }
  return arn;
}

/** CodeDeploy: the target group of the deployment's green (replacement) task set. */
async function greenGroupName(deploymentId: string, codeDeploy: CodeDeployClient): Promise<string> {
  const listed = await call('ListDeploymentTargets', codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId })));
  const targetId = listed.targetIds?.[0];
  if (targetId === undefined || targetId.length > 1024) throw new NothingToProbe(`the deployment ${deploymentId} has no ECS target`);
  const output = await call('GetDeploymentTarget', codeDeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId })));
  const sets = output.deploymentTarget?.ecsTarget?.taskSetsInfo ?? [];
  const name = sets.find((set) => set.taskSetLabel === 'Green')?.targetGroup?.name;
  if (name === undefined || !TARGET_GROUP_NAME.test(name)) {
    throw new NothingToProbe(`the deployment ${deploymentId} has no replacement (Green) task set with a target group yet: run the gate at AfterAllowTestTraffic or BeforeAllowTraffic`);
  }
  return name;
}

/** The group's application load balancers, each with the group's tasks as backends. */
async function loadBalancersOf(elb: ElasticLoadBalancingV2Client, group: TargetGroup): Promise<LoadBalancerPlan[]> {
  const groupName = printable(group.TargetGroupName ?? '?', 64);
  const arns = (group.LoadBalancerArns ?? []).filter((arn) => ALB_ARN.test(arn)).slice(0, 10);
  if (arns.length === 0) throw new NothingToProbe(`the target group ${groupName} is behind no application load balancer, so there is no idle timeout to judge against`);
  if (group.TargetType !== 'ip') {
    throw new NothingToProbe(`the target group ${groupName} has targets of type ${printable(String(group.TargetType), 20)}: the gate probes tasks by IP address (network mode awsvpc, as Fargate uses)`);
  }
  const protocol = groupProtocol(group);
  if ('notSpoken' in protocol) throw new NothingToProbe(`the target group ${groupName} is not probed: ${protocol.notSpoken}`);
  const [health, tags, ...attributes] = await Promise.all([
    call('DescribeTargetHealth', elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))),
    call('DescribeTags', elb.send(new DescribeTagsCommand({ ResourceArns: arns }))),
    ...arns.map((arn) => call('DescribeLoadBalancerAttributes', elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })))),
  ]);
  const { backends, skipped, notSampled } = tasksOf(group, protocol, health.TargetHealthDescriptions ?? []);
  if (backends.length === 0) throw new NothingToProbe(`no replacement task is registered in the target group ${groupName}${skipped.length > 0 ? ` (${skipped.map((s) => `${s.what} ${s.reason}`).join('; ')})` : ''}`);
  return arns.map((arn, i) => {
    const tagsOf = Object.fromEntries((tags.TagDescriptions?.find((d) => d.ResourceArn === arn)?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const overrides = tagOverrides(tagsOf);
    return {
      name: ALB_ARN.exec(arn)![1],
      type: 'application',
      arn,
      vpcId: group.VpcId ?? '',
      idleTimeoutS: idleTimeoutOf(attributes[i], arn),
      ...(overrides.marginS !== undefined ? { marginS: overrides.marginS } : {}),
      backends: overrides.path === undefined ? backends : backends.map((b) => ({ ...b, target: { ...b.target, path: overrides.path! } })),
      backendsNotSampled: notSampled,
      skipped,
    };
  });
}

/**
 * The group's registered tasks that may take traffic, at most `MAX_GATE_TARGETS` of them, in the
 * protocol the load balancer speaks to them: a gRPC service's green tasks are probed in HTTP/2.
 */
function tasksOf(group: TargetGroup, protocol: GroupProtocol, descriptions: ReadonlyArray<{ Target?: { Id?: string; Port?: number }; TargetHealth?: { State?: string } }>) {
  const path = group.HealthCheckPath !== undefined && isValidRequestField('path', group.HealthCheckPath) ? group.HealthCheckPath : '/';
  const { tls, protocolVersion } = protocol;
  const skipped: Skipped[] = [];
  const backends: PlannedBackend[] = [];
  for (const { Target: target, TargetHealth: health } of descriptions) {
    const ip = target?.Id ?? '';
    const port = target?.Port ?? group.Port ?? 0;
    const what = `target ${printable(ip, 45)}:${port}`;
    if (!(IPV4.test(ip) || IPV6.test(ip)) || !Number.isInteger(port) || port < PORT_RANGE.min || port > PORT_RANGE.max) skipped.push({ what, reason: 'is not an IP address and port' });
    else if (LEAVING.has(health?.State ?? '')) skipped.push({ what, reason: `is ${printable(health!.State!, 20)}` });
    else {
      const target = { host: ip, port, tls, path, ...(protocolVersion ? { protocolVersion } : {}) };
      backends.push({ id: withProtocol(`${ip}:${port}`, protocolVersion), target, proxyProtocol: false, targetGroup: group.TargetGroupName ?? '' });
    }
  }
  return { backends: backends.slice(0, MAX_GATE_TARGETS), skipped, notSampled: Math.max(0, backends.length - MAX_GATE_TARGETS) };
}

/** The load balancer's idle timeout (ALB's default when not returned); one that is no timeout leaves nothing to judge against. */
function idleTimeoutOf(attributes: Parameters<typeof albIdleTimeoutS>[0], arn: string): number {
  try {
    return albIdleTimeoutS(attributes) ?? DEFAULTS.loadBalancerIdleTimeoutS;
  } catch (error) {
    throw new NothingToProbe(`the load balancer ${arn} answered ${(error as Error).message}`);
  }
}
