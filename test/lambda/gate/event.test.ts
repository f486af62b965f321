import { runNameOf, subjectOf } from '../../../lambda/gate/event';

const SERVICE = 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web';
const REVISION = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/shop/web/4555224889395485961';

describe('subjectOf', () => {
  it('reads an ECS lifecycle hook event: the service, the target revision and the stage', () => {
    // Act
    const subject = subjectOf({ executionDetails: { testTrafficWeights: {}, productionTrafficWeights: {}, serviceArn: SERVICE, targetServiceRevisionArn: REVISION }, executionId: 'e-1', lifecycleStage: 'POST_SCALE_UP', resourceArn: 'x' });

    // Assess
    expect(subject).toEqual({ system: 'ecs', serviceArn: SERVICE, targetServiceRevisionArn: REVISION, lifecycleStage: 'POST_SCALE_UP' });
  });

  it('reads a CodeDeploy hook event: the deployment, the hook execution and the hook', () => {
    // Act
    const subject = subjectOf({ DeploymentId: 'd-ABCDEF123', LifecycleEventHookExecutionId: 'eyJlbmNyeXB0ZWREYXRhIjoi+/=', LifecycleEvent: 'AfterAllowTestTraffic' });

    // Assess
    expect(subject).toEqual({ system: 'codedeploy', deploymentId: 'd-ABCDEF123', hookExecutionId: 'eyJlbmNyeXB0ZWREYXRhIjoi+/=', lifecycleEvent: 'AfterAllowTestTraffic' });
  });

  it.each([
    ['a stage ECS does not have', { lifecycleStage: 'WHENEVER', executionDetails: { serviceArn: SERVICE, targetServiceRevisionArn: REVISION } }, /field "lifecycleStage" must be one of RECONCILE_SERVICE, .* or a CodeDeploy hook event with DeploymentId, got "WHENEVER"$/],
    ['a revision of another kind', { lifecycleStage: 'POST_SCALE_UP', executionDetails: { serviceArn: SERVICE, targetServiceRevisionArn: SERVICE } }, /field "executionDetails.targetServiceRevisionArn" must be an ECS service revision ARN/],
    ['a deployment id with a line break', { DeploymentId: 'd-ABCDEF123\n', LifecycleEventHookExecutionId: 'x' }, /field "DeploymentId" must be a CodeDeploy deployment id .*, got "d-ABCDEF123\\n"$/],
    ['no hook execution id', { DeploymentId: 'd-ABCDEF123' }, /field "LifecycleEventHookExecutionId" must be a lifecycle event hook execution id, got nothing$/],
    ['not an object', 'POST_SCALE_UP', /field "\(event\)" must be an object, got "POST_SCALE_UP"$/],
    ['an event of a megabyte', { DeploymentId: 'd-ABCDEF123', LifecycleEventHookExecutionId: 'x', padding: 'x'.repeat(1_000_000) }, /field "\(event\)" must be at most 65536 bytes of JSON, got "1000\d+ bytes"$/],
  ])('refuses %s in one line naming the field, what is accepted and what came', (_what, event, message) => {
    // Act
    const act = () => subjectOf(event);

    // Assess
    expect(act).toThrow(message);
    expect(() => subjectOf(event)).toThrow(/^gate hook event: [^\n]*$/);
  });
});

describe('runNameOf', () => {
  it('names one run per hook: the same for every call, another for another stage, revision or hook execution, within the 80 characters Step Functions allows', () => {
    // Prepare
    const ecs = { system: 'ecs', serviceArn: SERVICE, targetServiceRevisionArn: REVISION, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } as const;
    const codeDeploy = { system: 'codedeploy', deploymentId: 'd-ABCDEF123', hookExecutionId: 'h'.repeat(2048) } as const;

    // Act
    const names = [runNameOf(ecs), runNameOf({ ...ecs }), runNameOf({ ...ecs, lifecycleStage: 'POST_SCALE_UP' }), runNameOf({ ...ecs, targetServiceRevisionArn: `${REVISION}1` }), runNameOf(codeDeploy), runNameOf({ ...codeDeploy, hookExecutionId: 'other' })];

    // Assess
    expect(names[0]).toBe(names[1]);
    expect(new Set(names).size).toBe(5);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
