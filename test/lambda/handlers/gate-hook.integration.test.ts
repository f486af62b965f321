/**
 * The gate's hook function, as ECS and CodeDeploy call it: the bundled handlers (`dist/handlers`),
 * AWS calls intercepted with aws-sdk-client-mock (moto has no ECS service revisions), the gate
 * run started by the hook executed whole from the synthesized definition (aws-local-stepfunctions,
 * its Lambda tasks the bundled probe and conclude handlers), and real loopback backends standing
 * in for the replacement tasks, behind a load balancer whose timeout is scaled down to 2 s.
 */
import '../../support/with-resolvers';
import { CodeDeployClient, GetDeploymentTargetCommand, ListDeploymentTargetsCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServiceRevisionsCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancerAttributesCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { StateMachine } from 'aws-local-stepfunctions';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { HANDLERS_DIR, type HandlerName } from '../../../lib/handlers';
import { lambdaContext } from '../../support/lambda-context';
import { stateMachineDefinition } from '../../lib/synth';
import { gateStack } from '../../lib/gate-stacks';

type Json = Parameters<StateMachine['run']>[0];

const ACCOUNT = '123456789012';
const MACHINE_ARN = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:gate`;
const IDLE_TIMEOUT_S = 2;
const ALB_ARN = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/shop/0123456789abcdef`;

/** A bundled handler, loaded as the Lambda runtime loads it. */
function bundled(name: HandlerName): (event: unknown, context: unknown) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as the runtime loads it
  return (require(join(HANDLERS_DIR, name, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler;
}

/** One service in ECS and ELB as the mocks answer for it: its revision, its green target group and the tasks registered there. */
interface Service {
  readonly name: string;
  readonly tasks: ReadonlyArray<{ host: string; port: number }>;
}

const revisionArn = (s: Service) => `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/shop/${s.name}/1234567890123`;
const groupArn = (s: Service) => `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/${s.name}-green/0123456789abcdef`;
const ecsEvent = (s: Service) => ({
  executionDetails: { testTrafficWeights: {}, productionTrafficWeights: {}, serviceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop/${s.name}`, targetServiceRevisionArn: revisionArn(s) },
  executionId: `exec-${s.name}`,
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  resourceArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/shop/${s.name}/abc`,
});

/** A port nothing listens on: the task is registered but cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the gate hook, with the gate run executed', () => {
  const saved = { ...process.env };
  const mocks = {
    ecs: mockClient(ECSClient),
    elb: mockClient(ElasticLoadBalancingV2Client),
    codeDeploy: mockClient(CodeDeployClient),
    sfn: mockClient(SFNClient),
    s3: mockClient(S3Client),
    sns: mockClient(SNSClient),
  };
  const services = new Map<string, Service>();
  const executions = new Map<string, { promise: Promise<Json | Error>; done?: Json | Error; input: string }>();
  let definition: ReturnType<typeof stateMachineDefinition>;
  const backends: RunningBackend[] = [];

  /** Invokes the bundled hook handler as ECS or CodeDeploy does. */
  const hook = (event: unknown) => bundled('gate-hook')(event, lambdaContext(60_000)) as Promise<Record<string, unknown>>;

  /** The service whose revision, group or deployment a request names. */
  const serviceBy = (text: string | undefined) => [...services.values()].find((s) => text !== undefined && (text.includes(`/${s.name}/`) || text.includes(`${s.name}-green`) || text.includes(`d-${s.name.toUpperCase().padEnd(9, '0').slice(0, 9)}`)))!;

  beforeAll(async () => {
    // Prepare: the synthesized gate run, and the AWS answers for each service's replacement tasks
    definition = stateMachineDefinition(gateStack().template);
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      IDLE_CANARY_BUCKET: 'reports',
      IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
      IDLE_CANARY_TOPIC_ARN: `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`,
      IDLE_CANARY_GATE_STATE_MACHINE_ARN: MACHINE_ARN,
      IDLE_CANARY_PROBE_TIMEOUT_S: '900',
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
    mocks.elb.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: String(IDLE_TIMEOUT_S) }] });
    mocks.s3.on(PutObjectCommand).resolves({});
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

    // Replacement tasks: one drops idle keep-alive connections after 0.5 s (Node.js's 5 s, scaled as the 2 s load balancer is);
    // one keeps them 7 s and reads headers for 8 s (65 s and 66 s behind a 60 s load balancer, scaled)
    const [failing, passing] = await Promise.all([
      startBackend({ name: 'default', description: 'Node.js defaults, scaled', keepAliveTimeoutMs: 500, headersTimeoutMs: 8000 }),
      startBackend({ name: 'fixed', description: 'keepAliveTimeout above the load balancer', keepAliveTimeoutMs: 7000, headersTimeoutMs: 8000 }),
    ]);
    backends.push(failing, passing);
    const unreachable = await closedPort();
    for (const service of [
      { name: 'failing', tasks: [failing] },
      { name: 'passing', tasks: [passing] },
      { name: 'gone', tasks: [{ host: '127.0.0.1', port: unreachable }] },
      { name: 'deployed', tasks: [failing] },
    ]) services.set(service.name, service);
  }, 120_000);

  afterEach(() => {
    process.env.IDLE_CANARY_GATE_ON_INCONCLUSIVE = '';
  });

  afterAll(async () => {
    process.env = saved;
    for (const mock of Object.values(mocks)) mock.restore();
    await Promise.all(backends.map((b) => b.stop()));
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

  it('answers IN_PROGRESS and then FAILED for tasks that drop idle connections before the load balancer, with the phase, the limit, the timeout and the fix', async () => {
    // Act: the failing and passing services deploy at once
    const [failing, passing] = await Promise.all([ecsCalls(services.get('failing')!), ecsCalls(services.get('passing')!)]);

    // Assess: both in progress first, with the run's id
    for (const { first, whileRunning } of [failing, passing]) {
      expect(first).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { runId: expect.stringMatching(/^ecs-post-test-traffic-shift-[0-9a-f]{32}$/), executionArn: expect.stringContaining(':execution:gate:ecs-') } });
      expect(whileRunning.hookStatus).toBe('IN_PROGRESS');
    }
    console.log(`failing: ${JSON.stringify(failing.last, null, 1)}\npassing: ${JSON.stringify(passing.last, null, 1)}`);
    expect(failing.last.hookStatus).toBe('FAILED');
    const reason = (failing.last.hookDetails as { reason: string }).reason;
    expect(reason).toMatch(/^idle-canary gate FAILED: ECS service shop\/failing revision 1234567890123 at POST_TEST_TRAFFIC_SHIFT: the replacement tasks drop idle connections/);
    expect(reason).toContain('load balancer shop (idle timeout 2 s, margin 1 s)');
    const limitS = Number(/idle keep-alive connections are closed by the server after (\d+\.\d) s/.exec(reason)?.[1]);
    expect(limitS).toBeLessThan(IDLE_TIMEOUT_S);
    expect(reason).toContain('server.keepAliveTimeout = 7000');
    expect(failing.last.hookDetails).toMatchObject({ verdict: 'fail', reportKey: expect.stringMatching(/^idle-canary\/gates\/ecs-post-test-traffic-shift-[0-9a-f]{32}\.json$/) });

    // Assess: the passing tasks pass, and the StartExecution happened once per deployment
    expect(passing.last).toMatchObject({ hookStatus: 'SUCCEEDED', hookDetails: { verdict: 'pass', reason: expect.stringContaining('outlast the production load balancer idle timeout in both phases') } });
    expect(mocks.sfn.commandCalls(StartExecutionCommand, { name: String((failing.first.hookDetails as { runId: string }).runId) })).toHaveLength(1);

    // Assess: the report is in the bucket, and the topic got the same reason (only for the failure)
    const report = mocks.s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === (failing.last.hookDetails as { reportKey: string }).reportKey)!;
    expect(JSON.parse(String(report.args[0].input.Body))).toMatchObject({ verdict: 'fail', hookStatus: 'FAILED', onInconclusive: 'fail', reason, loadBalancers: [{ name: 'shop', idleTimeoutS: 2, verdict: 'fail' }] });
    const published = mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toEqual([expect.objectContaining({ Subject: 'idle-canary gate FAILED: ECS service shop/failing revision 1234567890123 at POST_TEST_TRAFFIC_SHIFT', Message: expect.stringContaining(reason) })]);
  }, 60_000);

  it('fails a deployment whose tasks cannot be reached, and says so; with onInconclusive continue it succeeds with the same reason', async () => {
    // Act: the default setting
    const failed = await ecsCalls(services.get('gone')!);

    // Assess
    expect(failed.last).toMatchObject({ hookStatus: 'FAILED', hookDetails: { verdict: 'inconclusive' } });
    expect((failed.last.hookDetails as { reason: string }).reason).toMatch(/could not be probed: .*refused.*The gate fails a deployment it cannot judge \(onInconclusive: 'fail'\)/);

    // Act: the same tasks, another revision, the gate set to continue
    process.env.IDLE_CANARY_GATE_ON_INCONCLUSIVE = 'continue';
    services.set('gone2', { name: 'gone2', tasks: services.get('gone')!.tasks });
    const continued = await ecsCalls(services.get('gone2')!);

    // Assess
    expect(continued.last).toMatchObject({ hookStatus: 'SUCCEEDED', hookDetails: { verdict: 'inconclusive' } });
    expect((continued.last.hookDetails as { reason: string }).reason).toMatch(/could not be probed: .*refused.*The gate lets a deployment it cannot judge proceed \(onInconclusive: 'continue'\)/);
  }, 60_000);

  it('reports a CodeDeploy hook once, with PutLifecycleEventHookExecutionStatus Failed, however often CodeDeploy invokes it', async () => {
    // Prepare
    const event = { DeploymentId: 'd-DEPLOYED0', LifecycleEventHookExecutionId: 'eyJlbmNyeXB0ZWREYXRhIjoiYWJjIn0=', LifecycleEvent: 'AfterAllowTestTraffic' };

    // Act: CodeDeploy invokes twice (a retried asynchronous invocation), the run ends
    const first = await hook(event);
    const again = await hook(event);
    await [...executions.entries()].find(([arn]) => arn.endsWith(String(first.runId)))![1].promise;

    // Assess
    expect(first).toMatchObject({ runId: expect.stringMatching(/^codedeploy-d-DEPLOYED0-[0-9a-f]{32}$/), started: true });
    expect(again).toMatchObject({ runId: first.runId, started: false });
    const statuses = mocks.codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((c) => c.args[0].input);
    expect(statuses).toEqual([{ deploymentId: 'd-DEPLOYED0', lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: 'Failed' }]);
  }, 60_000);

  it('refuses a malformed event with one bounded line naming the field, and starts nothing', async () => {
    // Act
    const error = await hook({ lifecycleStage: 'POST_SCALE_UP', executionDetails: { serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web\r\nX', targetServiceRevisionArn: 'x' } }).catch((e: Error) => e);

    // Assess
    expect(String(error)).toMatch(/^InvalidEventError: gate hook event: field "executionDetails.serviceArn" must be an ECS service ARN, got "arn:aws:ecs:eu-west-1:123456789012:servi\.\.\."$/);
    expect(mocks.sfn.commandCalls(StartExecutionCommand, { name: expect.stringMatching(/web/) })).toHaveLength(0);
  });
});
