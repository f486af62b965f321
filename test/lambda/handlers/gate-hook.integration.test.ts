/**
 * The gate's hook function, as ECS and CodeDeploy call it (see gate-harness.ts): the gate run it
 * starts executed whole, real loopback backends standing in for the replacement tasks, behind a
 * load balancer whose timeout is scaled down to 2 s. The 60 s case is gate-hook.compat.test.ts.
 */
import { PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { startGateHarness } from './gate-harness';

const IDLE_TIMEOUT_S = 2;

/** A port nothing listens on: the task is registered but cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The field names a JSON value holds, at any depth. */
function fieldsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => fieldsOf(item, into));
  else if (value !== null && typeof value === 'object') for (const [key, child] of Object.entries(value)) fieldsOf(child, into.add(key));
  return into;
}

describe('the gate hook, with the gate run executed', () => {
  let gate: ReturnType<typeof startGateHarness>;
  const backends: RunningBackend[] = [];

  beforeAll(async () => {
    // Prepare: the gate, its AWS answers and its runs
    gate = startGateHarness(IDLE_TIMEOUT_S);
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
    ]) gate.services.set(service.name, service);
  }, 120_000);

  afterEach(() => {
    process.env.IDLE_CANARY_GATE_ON_INCONCLUSIVE = '';
  });

  afterAll(async () => {
    gate.stop();
    await Promise.all(backends.map((b) => b.stop()));
  });

  it('answers IN_PROGRESS and then FAILED for tasks that drop idle connections before the load balancer, with the phase, the limit, the timeout and the fix', async () => {
    // Act: the failing and passing services deploy at once
    const [failing, passing] = await Promise.all([gate.ecsCalls(gate.services.get('failing')!), gate.ecsCalls(gate.services.get('passing')!)]);

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
    expect(gate.mocks.sfn.commandCalls(StartExecutionCommand, { name: String((failing.first.hookDetails as { runId: string }).runId) })).toHaveLength(1);

    // Assess: the report is in the bucket, and the topic got the same reason (only for the failure)
    const report = gate.mocks.s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === (failing.last.hookDetails as { reportKey: string }).reportKey)!;
    const reportJson = JSON.parse(String(report.args[0].input.Body)) as unknown;
    const contracts = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'CONTRACTS.md'), 'utf8').split('\n');
    const undocumented = [...fieldsOf([reportJson, failing.first, failing.last])].filter((field) => !contracts.some((line) => line.startsWith('|') && line.includes(`\`${field}\``)));
    expect(undocumented).toEqual([]);
    expect(reportJson).toMatchObject({ verdict: 'fail', hookStatus: 'FAILED', onInconclusive: 'fail', reason, loadBalancers: [{ name: 'shop', idleTimeoutS: 2, verdict: 'fail' }] });
    const published = gate.mocks.sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toEqual([expect.objectContaining({ Subject: 'idle-canary gate FAILED: ECS service shop/failing revision 1234567890123 at POST_TEST_TRAFFIC_SHIFT', Message: expect.stringContaining(reason) })]);
  }, 60_000);

  it('fails a deployment whose tasks cannot be reached, and says so; with onInconclusive continue it succeeds with the same reason', async () => {
    // Act: the default setting
    const failed = await gate.ecsCalls(gate.services.get('gone')!);

    // Assess
    expect(failed.last).toMatchObject({ hookStatus: 'FAILED', hookDetails: { verdict: 'inconclusive' } });
    expect((failed.last.hookDetails as { reason: string }).reason).toMatch(/could not be probed: .*refused.*The gate fails a deployment it cannot judge \(onInconclusive: 'fail'\)/);

    // Act: the same tasks, another revision, the gate set to continue
    process.env.IDLE_CANARY_GATE_ON_INCONCLUSIVE = 'continue';
    gate.services.set('gone2', { name: 'gone2', tasks: gate.services.get('gone')!.tasks });
    const continued = await gate.ecsCalls(gate.services.get('gone2')!);

    // Assess
    expect(continued.last).toMatchObject({ hookStatus: 'SUCCEEDED', hookDetails: { verdict: 'inconclusive' } });
    expect((continued.last.hookDetails as { reason: string }).reason).toMatch(/could not be probed: .*refused.*The gate lets a deployment it cannot judge proceed \(onInconclusive: 'continue'\)/);
  }, 60_000);

  it('reports a CodeDeploy hook once, with PutLifecycleEventHookExecutionStatus Failed, however often CodeDeploy invokes it', async () => {
    // Prepare
    const event = { DeploymentId: 'd-DEPLOYED0', LifecycleEventHookExecutionId: 'eyJlbmNyeXB0ZWREYXRhIjoiYWJjIn0=', LifecycleEvent: 'AfterAllowTestTraffic' };

    // Act: CodeDeploy invokes twice (a retried asynchronous invocation), the run ends
    const first = await gate.hook(event);
    const again = await gate.hook(event);
    await [...gate.executions.entries()].find(([arn]) => arn.endsWith(String(first.runId)))![1].promise;

    // Assess
    expect(first).toMatchObject({ runId: expect.stringMatching(/^codedeploy-d-DEPLOYED0-[0-9a-f]{32}$/), started: true });
    expect(again).toMatchObject({ runId: first.runId, started: false });
    const statuses = gate.mocks.codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((c) => c.args[0].input);
    expect(statuses).toEqual([{ deploymentId: 'd-DEPLOYED0', lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: 'Failed' }]);
  }, 60_000);

  it('refuses a malformed event with one bounded line naming the field, and starts nothing', async () => {
    // Act
    const error = await gate.hook({ lifecycleStage: 'POST_SCALE_UP', executionDetails: { serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web\r\nX', targetServiceRevisionArn: 'x' } }).catch((e: Error) => e);

    // Assess
    expect(String(error)).toMatch(/^InvalidEventError: gate hook event: field "executionDetails.serviceArn" must be an ECS service ARN, got "arn:aws:ecs:eu-west-1:123456789012:servi\.\.\."$/);
    expect(gate.mocks.sfn.commandCalls(StartExecutionCommand, { name: expect.stringMatching(/web/) })).toHaveLength(0);
  });
});
