/**
 * The gate run through the Fargate long probe (see gate-harness.ts): when the load balancer's
 * timeout is longer than the probe function can hold, the hook writes the long probe's plan, the
 * run starts the task (its own code, in-process), and conclude reads its result from the bucket.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { startGateHarness } from './gate-harness';

describe('the gate run with the long probe', () => {
  let backend: RunningBackend;
  let gate: ReturnType<typeof startGateHarness>;

  beforeAll(async () => {
    // Prepare: a task that drops idle keep-alive connections after 0.5 s, behind a 2 s load balancer; the probe function holds 5 s
    gate = startGateHarness(2, { longTimeouts: true });
    backend = await startBackend({ name: 'short', description: 'short keep-alive', keepAliveTimeoutMs: 500, headersTimeoutMs: 8000 });
    gate.services.set('slow', { name: 'slow', tasks: [backend] });
  }, 60_000);

  afterAll(async () => {
    gate.stop();
    await backend.stop();
  });

  it('probes the replacement tasks with the long probe task and fails the deployment from its result', async () => {
    // Act
    const { first, last } = await gate.ecsCalls(gate.services.get('slow')!);

    // Assess: the plan went where the task reads it, and the verdict came from the task's result
    const runId = String((first.hookDetails as { runId: string }).runId);
    const keys = gate.mocks.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys).toEqual(expect.arrayContaining([`idle-canary/plans/${runId}/long/vpc-0a1b2c3d4e5f60718.json`, `idle-canary/results/${runId}/long/vpc-0a1b2c3d4e5f60718.json`, `idle-canary/gates/${runId}.json`]));
    expect(last).toMatchObject({ hookStatus: 'FAILED', hookDetails: { verdict: 'fail', reason: expect.stringMatching(/idle keep-alive connections are closed by the server after \d\.\d s/) } });
  }, 60_000);
});
