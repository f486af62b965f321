/**
 * The gate as ECS and CodeDeploy meet it, for handler tests: the bundled hook handler
 * (`dist/handlers`), AWS calls intercepted with aws-sdk-client-mock (moto has no ECS service
 * revisions), and each gate run the hook starts executed whole from the synthesized definition
 * (aws-local-stepfunctions, its Lambda tasks the bundled probe and conclude handlers). Services
 * are named; each has its green target group, behind one ALB of the given idle timeout, holding
 * the tasks given (loopback backends in the tests).
 */
import '../../support/with-resolvers';
import { CodeDeployClient, GetDeploymentTargetCommand, ListDeploymentTargetsCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServiceRevisionsCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancerAttributesCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { StateMachine } from 'aws-local-stepfunctions';
import { join } from 'node:path';
import { HANDLERS_DIR, type HandlerName } from '../../../lib/handlers';
import { longProbeTask } from '../../../lambda/handlers/long-probe';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { stateMachineDefinition } from '../../lib/synth';
import { gateStack } from '../../lib/gate-stacks';

type Json = Parameters<StateMachine['run']>[0];

const ACCOUNT = '123456789012';
const MACHINE_ARN = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:gate`;
const ALB_ARN = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/shop/0123456789abcdef`;

/** A bundled handler, loaded as the Lambda runtime loads it. */
function bundled(name: HandlerName): (event: unknown, context: unknown) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as the runtime loads it
  return (require(join(HANDLERS_DIR, name, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler;
}

/** One service in ECS and ELB as the mocks answer for it: its revision, its green target group and the tasks registered there. */
export interface Service {
  readonly name: string;
  readonly tasks: ReadonlyArray<{ host: string; port: number }>;
}

const revisionArn = (s: Service) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/shop/${s.name}/1234567890123`;
const groupArn = (s: Service) => `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/${s.name}-green/0123456789abcdef`;
export const ecsEvent = (s: Service) => ({
  executionDetails: { testTrafficWeights: {}, productionTrafficWeights: {}, serviceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop/${s.name}`, targetServiceRevisionArn: revisionArn(s) },
  executionId: `exec-${s.name}`,
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  resourceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/shop/${s.name}/abc`,
});


/**
 * Sets the mocks and the environment up for services behind a load balancer of `idleTimeoutS`.
 * `process.env` and the mocks are restored by `stop()`.
 *
 * @example
 * const gate = startGateHarness(2);
 * gate.services.set('web', { name: 'web', tasks: [backend] });
 * const { first, last } = await gate.ecsCalls(gate.services.get('web')!);
 */
export function startGateHarness(idleTimeoutS: number, options: { readonly longTimeouts?: boolean } = {}) {
  const saved = { ...process.env };
  const mocks = {
    ecs: mockClient(ECSClient),
    elb: mockClient(ElasticLoadBalancingV2Client),
    codeDeploy: mockClient(CodeDeployClient),
    sfn: mockClient(SFNClient),
    // A bucket as a map: what the hook writes (a long plan), the long probe and conclude read.
    s3: inMemoryBucket().s3,
    sns: mockClient(SNSClient),
  };
  const services = new Map<string, Service>();
  const executions = new Map<string, { promise: Promise<Json | Error>; done?: Json | Error; input: string }>();
  // Without the long probe task's TimeoutSecondsPath, which aws-local-stepfunctions resolves against the task's Parameters.
  const definition = JSON.parse(JSON.stringify(stateMachineDefinition(gateStack({ longTimeouts: options.longTimeouts === true }).template)).replace(/,"TimeoutSecondsPath":"\$\.timeoutS"/g, '')) as unknown;

  /** Invokes the bundled hook handler as ECS or CodeDeploy does. */
  const hook = (event: unknown) => bundled('gate-hook')(event, lambdaContext(60_000)) as Promise<Record<string, unknown>>;

  /** The service whose revision, group or deployment a request names. */
  const serviceBy = (text: string | undefined) => [...services.values()].find((s) => text !== undefined && (text.includes(`/${s.name}/`) || text.includes(`${s.name}-green`) || text.includes(`d-${s.name.toUpperCase().padEnd(9, '0').slice(0, 9)}`)))!;

  // Prepare: the synthesized gate run, and the AWS answers for each service's replacement tasks
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    IDLE_CANARY_BUCKET: 'reports',
    IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
    IDLE_CANARY_TOPIC_ARN: `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`,
    IDLE_CANARY_GATE_STATE_MACHINE_ARN: MACHINE_ARN,
    // With the long probe, a probe function that holds 5 s: every load balancer timeout goes to Fargate.
    IDLE_CANARY_PROBE_TIMEOUT_S: options.longTimeouts === true ? '5' : '900',
    IDLE_CANARY_GATE_LONG_TIMEOUTS: options.longTimeouts === true ? 'on' : '',
    IDLE_CANARY_MARGIN_S: '1',
  });
  mocks.ecs.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }: { serviceRevisionArns: string[] }) => {
    const service = serviceBy(serviceRevisionArns[0]);
    return { serviceRevisions: [{ serviceRevisionArn: revisionArn(service), loadBalancers: [{ targetGroupArn: groupArn(service).replace('-green', '-blue'), advancedConfiguration: { alternateTargetGroupArn: groupArn(service) } }] }], failures: [] };
  });
  mocks.codeDeploy.on(ListDeploymentTargetsCommand).callsFake(({ deploymentId }: { deploymentId: string }) => ({ targetIds: [`shop:${serviceBy(deploymentId).name}`] }));
  mocks.codeDeploy.on(GetDeploymentTargetCommand).callsFake(({ deploymentId }: { deploymentId: string }) => {
    const service = serviceBy(deploymentId);
    return { deploymentTarget: { deploymentTargetType: 'ECSTarget', ecsTarget: { taskSetsInfo: [{ taskSetLabel: 'Blue', targetGroup: { name: `${service.name}-blue` } }, { taskSetLabel: 'Green', targetGroup: { name: `${service.name}-green` } }] } } };
  });
  mocks.codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  mocks.elb.on(DescribeTargetGroupsCommand).callsFake(({ TargetGroupArns, Names }: { TargetGroupArns?: string[]; Names?: string[] }) => {
    const service = serviceBy(TargetGroupArns?.[0] ?? Names?.[0]);
    return { TargetGroups: [{ TargetGroupArn: groupArn(service), TargetGroupName: `${service.name}-green`, LoadBalancerArns: [ALB_ARN], TargetType: 'ip', Protocol: 'HTTP', Port: 8080, HealthCheckPath: '/health', VpcId: 'vpc-0a1b2c3d4e5f60718' }] };
  });
  mocks.elb.on(DescribeTargetHealthCommand).callsFake(({ TargetGroupArn }: { TargetGroupArn: string }) => ({
    TargetHealthDescriptions: serviceBy(TargetGroupArn).tasks.map((t) => ({ Target: { Id: t.host, Port: t.port }, TargetHealth: { State: 'healthy' } })),
  }));
  mocks.elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: ALB_ARN, Tags: [{ Key: 'team', Value: 'shop' }] }] });
  mocks.elb.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: String(idleTimeoutS) }] });
  mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

  // Step Functions: StartExecution runs the synthesized definition locally, its tasks the bundled handlers
  mocks.sfn.on(StartExecutionCommand).callsFake(({ name, input }: { name: string; input: string }) => {
    const executionArn = `${MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
    const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
    const run = machine.run(JSON.parse(input) as Json, {
      overrides: {
        taskResourceLocalHandlers: {
          ProbeReplacementTasks: async (shard: Json) => (await bundled('probe')(shard, lambdaContext(900_000))) as Json,
          ConcludeGate: async (state: Json) => (await bundled('gate-conclude')(state, lambdaContext(60_000))) as Json,
          // The long probe task's own code, with the container overrides the state passes.
          'Long probe vpc-0a1b2c3d4e5f60718': async (task: Json) => {
            const overrides = (task as { Overrides: { ContainerOverrides: Array<{ Environment: Array<{ Name: string; Value: string }> }> } }).Overrides.ContainerOverrides[0].Environment;
            await longProbeTask({ ...process.env, ...Object.fromEntries(overrides.map((o) => [o.Name, o.Value])) }, { s3: new S3Client({}) });
            return { StopCode: 'EssentialContainerExited' };
          },
        },
      },
    });
    const execution: { promise: Promise<Json | Error>; done?: Json | Error; input: string } = { input, promise: run.result.catch((error: Error) => error) };
    void execution.promise.then((done) => (execution.done = done));
    executions.set(executionArn, execution);
    return { executionArn, startDate: new Date() };
  });
  mocks.sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
    const execution = executions.get(executionArn);
    if (execution === undefined) throw new ExecutionDoesNotExist({ message: `Execution does not exist: '${executionArn}'`, $metadata: {} });
    if (execution.done === undefined) return { executionArn, status: 'RUNNING', input: execution.input };
    if (execution.done instanceof Error) return { executionArn, status: 'FAILED', error: execution.done.name, cause: execution.done.message };
    return { executionArn, status: 'SUCCEEDED', output: JSON.stringify(execution.done) };
  });


  /** ECS's calls: the first starts the run, one more while it runs, and the last once it has ended. */
  async function ecsCalls(service: Service) {
    const first = await hook(ecsEvent(service));
    const whileRunning = await hook(ecsEvent(service));
    const execution = [...executions.entries()].find(([arn]) => arn.endsWith(String((first.hookDetails as { runId: string }).runId)))![1];
    await execution.promise;
    const last = await hook(ecsEvent(service));
    return { first, whileRunning, last };
  }

  const stop = () => {
    process.env = saved;
    for (const mock of Object.values(mocks)) mock.restore();
  };
  return { mocks, services, executions, hook, ecsCalls, stop };
}
