/**
 * What starts a run (the schedule, and ECS and CodeDeploy deployments) and the digest.
 */
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { withDefaults } from '../lambda/shared/defaults';
import { acknowledgeWildcards, FUNCTION_VERSIONS } from './nag';
import { defaults } from './props';

/** Props of the triggers. */
export interface RunTriggersProps {
  /** The run state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** The digest function. */
  readonly digest: lambda.IFunction;
  /**
   * When runs start (EventBridge Scheduler expression).
   * @default 'rate(15 minutes)', as IdleCanary
   */
  readonly schedule?: string;
  /**
   * When the digest is sent (EventBridge Scheduler expression).
   * @default 'rate(1 day)', as IdleCanary
   */
  readonly digestSchedule?: string;
  /**
   * Start a run when an ECS service deployment completes.
   * @default true, as IdleCanary
   */
  readonly runAfterEcsDeployments?: boolean;
  /**
   * Start a run when a CodeDeploy deployment succeeds.
   * @default true, as IdleCanary
   */
  readonly runAfterCodeDeployDeployments?: boolean;
}

/**
 * The schedules (`Schedule`, `DigestSchedule`) and deployment rules (`AfterEcsDeployment`,
 * `AfterCodeDeployDeployment`).
 *
 * Why after deployments: a runtime upgrade can change a backend's idle timeout; the run
 * checks it at once rather than at the next scheduled run.
 *
 * @example
 * new RunTriggers(this, 'RunTriggers', { stateMachine, digest, schedule: 'rate(30 minutes)', runAfterCodeDeployDeployments: false });
 */
export class RunTriggers extends Construct {
  public readonly schedule: scheduler.Schedule;
  public readonly digestSchedule: scheduler.Schedule;

  public constructor(scope: Construct, id: string, props: RunTriggersProps) {
    super(scope, id);
    const settings = withDefaults(defaults, props);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(settings.schedule),
      description: 'Starts an idle-canary run',
      target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, { input: scheduler.ScheduleTargetInput.fromObject({ source: 'schedule' }) }),
    });
    const deployment = (id: string, pattern: events.EventPattern, description: string) =>
      new events.Rule(this, id, { eventPattern: pattern, description, targets: [new eventTargets.SfnStateMachine(props.stateMachine, { input: events.RuleTargetInput.fromObject({ source: id }) })] });
    if (settings.runAfterEcsDeployments) {
      deployment(
        'AfterEcsDeployment',
        { source: ['aws.ecs'], detailType: ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] } },
        'Runs idle-canary after an ECS service deployment, so that a runtime upgrade is checked at once',
      );
    }
    if (settings.runAfterCodeDeployDeployments) {
      deployment(
        'AfterCodeDeployDeployment',
        { source: ['aws.codedeploy'], detailType: ['CodeDeploy Deployment State-change Notification'], detail: { state: ['SUCCESS'] } },
        'Runs idle-canary after a CodeDeploy deployment, so that a runtime upgrade is checked at once',
      );
    }
    // The digest's role is this construct's own, not CDK's one per stack and target, so that its
    // wildcard finding is acknowledged on the role that holds it and on no other.
    const digestRole = new iam.Role(this, 'DigestScheduleRole', {
      assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('scheduler.amazonaws.com'), { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } }),
    });
    this.digestSchedule = new scheduler.Schedule(this, 'DigestSchedule', {
      schedule: scheduler.ScheduleExpression.expression(settings.digestSchedule),
      description: "Sends the idle-canary fleet's state to the alarm topic",
      target: new schedulerTargets.LambdaInvoke(props.digest, { role: digestRole }),
    });
    acknowledgeWildcards(digestRole, { patterns: [FUNCTION_VERSIONS], reason: 'Invoking the digest function includes its versions and aliases (function:*), as CDK grants it.' });
  }
}
