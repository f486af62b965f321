/**
 * The deployment gate: hook functions for ECS native blue/green lifecycle hooks and CodeDeploy
 * ECS blue/green hooks, and the gate state machine that probes a deployment's replacement tasks
 * with the monitor's probe, in their VPC, before production traffic moves to them.
 *
 * Why a state machine: a probe holds idle sockets for the load balancer's timeout and more,
 * longer than a hook may take to answer; the hook starts the run and answers `IN_PROGRESS`
 * (ECS calls it again) or nothing (CodeDeploy waits for `PutLifecycleEventHookExecutionStatus`).
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import { GATE_ENV, GATE_REPORTS } from '../lambda/gate/settings';
import { DEFAULT_ON_INCONCLUSIVE, ON_INCONCLUSIVE, type OnInconclusive } from '../lambda/gate/types';
import { LONG_RUN_TIMEOUT_MINUTES, PROBE_TASK_MINUTES } from '../lambda/run/limits';
import { functionFactory } from './canary-function';
import { LongProbe } from './long-probe';
import { acknowledge, acknowledgeWildcards, FUNCTION_VERSIONS, objectsUnder, TASK_DEFINITION_REVISIONS } from './nag';
import { logRetentionOf, type LoggingPartProps } from './part-props';
import { ProbeFunctions } from './probe-functions';
import { PROBE_TIMEOUT } from './probe-settings';
import { checkProps, defaults, secondsOf, type VpcConfig } from './props';
import { REPORT_KEYS, REPORT_PREFIX, reportsBucket } from './reports';
import { LAMBDA_TRANSIENT_ERRORS } from './run-state-machine';

/** Props of the gate: the replacement tasks' VPC (as the monitor's `vpcs` entries), and how it judges. */
export interface IdleCanaryGateProps extends VpcConfig, LoggingPartProps {
  /**
   * Where the gate's reports go (`idle-canary/gates/RUN.json` and `.md`), e.g. the monitor's `bucket`.
   * @default a bucket of its own, as the monitor's
   */
  readonly bucket?: s3.IBucket;
  /**
   * The topic told of every deployment the gate fails or lets through unjudged, e.g. the monitor's `topic`.
   * @default none
   */
  readonly topic?: sns.ITopic;
  /**
   * What a deployment gets when the gate cannot judge its tasks (unreachable, not registered):
   * `fail` rolls it back, `continue` lets it proceed; the reason says which either way.
   * @default 'fail'
   */
  readonly onInconclusive?: OnInconclusive;
  /**
   * Headroom below which a task fails, for load balancers without an `idle-canary:margin` tag.
   * @default Duration.seconds(1), as the monitor
   */
  readonly margin?: Duration;
  /**
   * Probe load balancers whose timeout is longer than a Lambda invocation can hold on ECS
   * Fargate, as the monitor's `longTimeouts` (the image is built where `cdk deploy` runs).
   * @default false: such tasks are probed for 15 minutes and judged `inconclusive`
   */
  readonly longTimeouts?: boolean;
}

/** The lifecycle stage the gate runs at by default: the green tasks are registered and take test traffic; production has not moved. */
export const DEFAULT_GATE_STAGES: readonly ecs.DeploymentLifecycleStage[] = [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT];

/** Seconds a hook or conclude invocation may take: a few AWS calls. */
const STEP_TIMEOUT = Duration.minutes(1);

/**
 * A deployment gate for ECS blue/green deployments, usable alone or beside `IdleCanary`.
 *
 * Why in the tasks' VPC: the probe opens idle connections to the replacement tasks as the load
 * balancer will; the hook and conclude functions call AWS from outside it.
 *
 * @example
 * const gate = new IdleCanaryGate(this, 'Gate', { vpc, backendPorts: [8080], backendSecurityGroups: [serviceSg], addIngress: true, topic: canary.topic, bucket: canary.bucket });
 * new ecs.FargateService(this, 'Web', { ...rest, deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, lifecycleHooks: [gate.ecsLifecycleHook()] });
 */
export class IdleCanaryGate extends Construct {
  /** ECS lifecycle hooks and CodeDeploy appspec hooks invoke this function. */
  public readonly hookFunction: lambda.Function;
  /** The run's last step: judge, report, notify, answer CodeDeploy. */
  public readonly concludeFunction: lambda.Function;
  /** The probe function in the tasks' VPC. */
  public readonly probeFunction: lambda.Function;
  public readonly stateMachine: sfn.StateMachine;
  public readonly bucket: s3.IBucket;
  /** The long-horizon probe on ECS Fargate; set with `longTimeouts`. */
  public readonly longProbe?: LongProbe;

  public constructor(scope: Construct, id: string, props: IdleCanaryGateProps) {
    super(scope, id);
    // Refused here, as the monitor's props are: a bad value would fail every hook at run time, so every deployment.
    checkProps({ margin: props.margin });
    if (props.onInconclusive !== undefined && !ON_INCONCLUSIVE.includes(props.onInconclusive)) {
      throw new Error(`onInconclusive: expected ${ON_INCONCLUSIVE.map((v) => `'${v}'`).join(' or ')}, got ${JSON.stringify(props.onInconclusive)}`);
    }
    const marginS = secondsOf(props.margin ?? defaults.margin);
    const logRetention = logRetentionOf(props);
    this.bucket = props.bucket ?? reportsBucket(this, { retention: defaults.reportRetention });
    const probes = new ProbeFunctions(this, 'ProbeFunctions', { vpcs: [props], marginS, logRetention });
    this.probeFunction = Object.values(probes.functions)[0];
    if (props.longTimeouts === true) this.longProbe = new LongProbe(this, 'LongProbe', { bucket: this.bucket, placements: probes.placements, marginS, logRetention });

    const functions = functionFactory(this, logRetention);
    const shared = { [ENV.bucket]: this.bucket.bucketName, [ENV.reportPrefix]: REPORT_PREFIX, [GATE_ENV.onInconclusive]: props.onInconclusive ?? DEFAULT_ON_INCONCLUSIVE };
    this.concludeFunction = functions('Conclude', 'gate-conclude', {
      description: 'idle-canary gate: judges the replacement tasks, writes the report, notifies, answers CodeDeploy',
      timeout: STEP_TIMEOUT,
      environment: { ...shared, [ENV.marginS]: String(marginS), ...(props.topic ? { [ENV.topicArn]: props.topic.topicArn } : {}) },
    });
    this.stateMachine = this.machine(logRetention);
    this.hookFunction = functions('Hook', 'gate-hook', {
      description: 'idle-canary gate: ECS lifecycle and CodeDeploy hooks; starts and reads the gate run',
      timeout: STEP_TIMEOUT,
      environment: {
        ...shared,
        [GATE_ENV.stateMachineArn]: this.stateMachine.stateMachineArn,
        [ENV.probeTimeoutS]: String(PROBE_TIMEOUT.toSeconds()),
        ...(this.longProbe ? { [GATE_ENV.longTimeouts]: 'on' } : {}),
      },
    });
    this.grantHook(this.hookFunction);
    this.grantConclude(this.concludeFunction, props.topic);
    // What an appspec names, and where a person looks for a gate run.
    new CfnOutput(this, 'HookFunctionName', { value: this.hookFunction.functionName, description: 'idle-canary gate: the hook function (ECS lifecycle hooks, CodeDeploy appspec Hooks)' });
    new CfnOutput(this, 'GateStateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'idle-canary gate: the gate runs, one per deployment hook' });
  }

  /**
   * The hook for an ECS service's `lifecycleHooks` (deployment strategy `BLUE_GREEN`).
   *
   * @example
   * service.addLifecycleHook(gate.ecsLifecycleHook());
   */
  public ecsLifecycleHook(stages: readonly ecs.DeploymentLifecycleStage[] = DEFAULT_GATE_STAGES): ecs.DeploymentLifecycleLambdaTarget {
    return new ecs.DeploymentLifecycleLambdaTarget(this.hookFunction, `${this.node.id}Hook`, { lifecycleStages: [...stages] });
  }

  /** probe (Lambda or Fargate) -> conclude; whatever the probe does, conclude runs and answers. */
  private machine(retention: logs.RetentionDays): sfn.StateMachine {
    const conclude = new tasks.LambdaInvoke(this, 'ConcludeGate', { lambdaFunction: this.concludeFunction, payloadResponseOnly: true, retryOnServiceExceptions: false });
    conclude.addRetry({ errors: [...LAMBDA_TRANSIENT_ERRORS, 'States.TaskFailed'], interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    const probe = new tasks.LambdaInvoke(this, 'ProbeReplacementTasks', {
      lambdaFunction: this.probeFunction,
      // The shard alone goes to the probe function; its result joins the run's state.
      inputPath: '$.shard',
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.probed',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(PROBE_TASK_MINUTES)),
    });
    probe.addRetry({ errors: [...LAMBDA_TRANSIENT_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    probe.addCatch(conclude, { errors: ['States.ALL'], resultPath: '$.probeError' });
    const route = new sfn.Choice(this, 'ProbeOrConclude').when(sfn.Condition.stringEquals('$.mode', 'lambda'), probe.next(conclude));
    if (this.longProbe) {
      const long = new sfn.Parallel(this, 'LongProbeReplacementTasks', { resultPath: sfn.JsonPath.DISCARD });
      long.branch(this.longProbe.states());
      long.addCatch(conclude, { errors: ['States.ALL'], resultPath: '$.probeError' });
      route.when(sfn.Condition.stringEquals('$.mode', 'long'), long.next(conclude));
    }
    route.otherwise(conclude);
    const machine = new sfn.StateMachine(this, 'GateRun', {
      definitionBody: sfn.DefinitionBody.fromChainable(route),
      timeout: Duration.minutes(this.longProbe ? LONG_RUN_TIMEOUT_MINUTES : PROBE_TASK_MINUTES + 10),
      tracingEnabled: true,
      logs: { destination: new logs.LogGroup(this, 'GateRunLogs', { retention, removalPolicy: RemovalPolicy.DESTROY }), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(machine, ['AwsSolutions-IAM5[Resource::*]'], 'X-Ray trace segments and CloudWatch Logs delivery have no resource-level permissions.');
    acknowledgeWildcards(
      machine,
      { patterns: [FUNCTION_VERSIONS], reason: 'Invoking a function includes its versions and aliases (function:*), as CDK grants it.' },
      ...(this.longProbe ? [{ patterns: [TASK_DEFINITION_REVISIONS], reason: "Running the long probe's task definition includes its revisions (family:*), as CDK grants it." }] : []),
    );
    return machine;
  }

  /** Describe the deployment's revision, task set and target groups; start and read its own runs; write long plans. */
  private grantHook(fn: lambda.Function): void {
    const stack = Stack.of(this);
    const arn = (service: string, resource: string) => stack.formatArn({ service, resource, resourceName: '*' });
    const statements = [
      new iam.PolicyStatement({ sid: 'DescribeServiceRevisions', actions: ['ecs:DescribeServiceRevisions'], resources: [arn('ecs', 'service-revision')] }),
      new iam.PolicyStatement({ sid: 'ReadCodeDeployTargets', actions: ['codedeploy:GetDeploymentTarget', 'codedeploy:ListDeploymentTargets'], resources: [deploymentGroups(stack)] }),
      new iam.PolicyStatement({
        sid: 'ReadTargetGroups',
        actions: ['elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ sid: 'StartGateRun', actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
      new iam.PolicyStatement({ sid: 'ReadGateRuns', actions: ['states:DescribeExecution'], resources: [executionsOf(this.stateMachine)] }),
      ...(this.longProbe ? [new iam.PolicyStatement({ sid: 'WriteLongProbePlan', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(REPORT_KEYS.longPlans)] })] : []),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    acknowledge(fn, ['AwsSolutions-IAM5[Resource::*]'], 'Describe calls of Elastic Load Balancing have no resource-level permissions.');
    acknowledgeWildcards(fn, {
      patterns: [/^Resource::arn:<AWS::Partition>:ecs:.+:service-revision\/\*$/, /^Resource::arn:<AWS::Partition>:codedeploy:.+:deploymentgroup:\*$/, /:execution:.+:\*$/, objectsUnder(REPORT_KEYS.longPlans)],
      reason: "The deployment's service revision, deployment group, gate run and long probe plan are known only when the hook is called.",
    });
  }

  /** Write its reports, read long results, tell the topic, report CodeDeploy's hook status. */
  private grantConclude(fn: lambda.Function, topic: sns.ITopic | undefined): void {
    const stack = Stack.of(this);
    const reports = `${REPORT_PREFIX}${GATE_REPORTS}*`;
    const statements = [
      new iam.PolicyStatement({ sid: 'WriteGateReports', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(reports)] }),
      new iam.PolicyStatement({ sid: 'AnswerCodeDeploy', actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: [deploymentGroups(stack)] }),
      ...(topic ? [new iam.PolicyStatement({ sid: 'NotifyTopic', actions: ['sns:Publish'], resources: [topic.topicArn] })] : []),
      ...(this.longProbe ? [new iam.PolicyStatement({ sid: 'ReadLongProbeResult', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(REPORT_KEYS.longResults)] })] : []),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    acknowledgeWildcards(fn, {
      patterns: [objectsUnder(reports), objectsUnder(REPORT_KEYS.longResults), /^Resource::arn:<AWS::Partition>:codedeploy:.+:deploymentgroup:\*$/],
      reason: "Reports and long probe results carry the run's id, and the deployment group is named by the hook's event: both known only at run time.",
    });
  }
}

/** Every execution of a state machine (`arn:...:execution:NAME:*`). */
function executionsOf(machine: sfn.StateMachine): string {
  return Stack.of(machine).formatArn({ service: 'states', resource: 'execution', resourceName: `${machine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** Every CodeDeploy deployment group of the account and region (`arn:...:deploymentgroup:*`). */
function deploymentGroups(stack: Stack): string {
  return stack.formatArn({ service: 'codedeploy', resource: 'deploymentgroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
