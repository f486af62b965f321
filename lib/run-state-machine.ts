/**
 * The run: discover -> probe (inline Map over shards, or one Distributed Map per VPC, and the
 * long probes beside them) -> publish.
 */
import { ArnFormat, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { LONG_RUN_TIMEOUT_MINUTES, PROBE_TASK_MINUTES, RUN_TIMEOUT_MINUTES, STATE_BUDGET_BYTES } from '../lambda/run/limits';
import { OUTSIDE_VPC_PLAN } from '../lambda/discovery/types';
import { acknowledge, acknowledgeWildcards, ALL_OBJECTS, CHILD_EXECUTIONS, FUNCTION_VERSIONS, TASK_DEFINITION_REVISIONS } from './nag';
import { TARGETS_PER_INVOCATION } from './probe-settings';
import { REPORT_PREFIX } from './reports';
import { logRetentionOf, type ReportsPartProps } from './part-props';

/**
 * Errors of the Lambda service itself, worth a retry (as the Step Functions documentation
 * recommends for Lambda tasks); a function's own error or timeout is not retried.
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Props of the run state machine. */
export interface RunStateMachineProps extends ReportsPartProps {
  /** The function that plans the run; it is allowed to list the machine's runs (one run at a time). */
  readonly discover: lambda.IFunction;
  /** The function that judges and reports it. */
  readonly publish: lambda.IFunction;
  /** Probe functions by VPC id. */
  readonly probes: Readonly<Record<string, lambda.IFunction>>;
  /**
   * The probe function without VPC configuration, for shards probed from outside any VPC (they
   * carry no `vpcId`).
   * @default none: such a shard is recorded as failed (`NoProbeOutsideVpc`), its backends judged probe errors
   */
  readonly probeOutsideVpc?: lambda.IFunction;
  /** Probe shards (inline) or batches (Distributed Map) run at once. */
  readonly maxConcurrency: number;
  /** Share of a Distributed Map's batches that may fail before the map fails. */
  readonly toleratedFailurePercentage: number;
  /**
   * The long probes' states, run beside the probe functions.
   * @default none: the run has no long probe, and the shorter run timeout
   */
  readonly longProbes?: sfn.IChainable;
}

/**
 * The run's state machine (`Run`), its states and logs, named after this construct's path.
 *
 * Why catches inside the Maps: a shard that fails or times out becomes a failure record, so
 * publish still runs with every other shard's results and counts the lost backends.
 *
 * @example
 * const run = new RunStateMachine(this, 'RunStateMachine', {
 *   discover, publish, probes: { 'vpc-0a1b2c3d': probe }, bucket, maxConcurrency: 10, toleratedFailurePercentage: 100,
 * });
 */
export class RunStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** The machine's name: unique per stack and construct path, so a moved construct is a new machine, not a clash. */
  public readonly stateMachineName: string;
  /**
   * The machine's ARN, built from its name.
   *
   * Why from the name: discover's permission to list the runs would otherwise reference the
   * machine, a cycle (machine -> function -> role policy -> machine).
   */
  public readonly stateMachineArn: string;

  public constructor(scope: Construct, id: string, props: RunStateMachineProps) {
    super(scope, id);
    this.stateMachineName = Names.uniqueResourceName(this, { maxLength: 72, separator: '-' }) + '-run';
    this.stateMachineArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    props.discover.addToRolePolicy(new iam.PolicyStatement({ sid: 'SeeRunningRuns', actions: ['states:ListExecutions'], resources: [this.stateMachineArn] }));
    this.stateMachine = this.machine(props);
  }

  private machine(props: RunStateMachineProps): sfn.StateMachine {
    const discover = retried(
      new tasks.LambdaInvoke(this, 'DiscoverLoadBalancers', {
        lambdaFunction: props.discover,
        payload: sfn.TaskInput.fromObject({
          runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          execution: { stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
          // The execution's input: a `selection` in it is what this run probes (a deployment hook's, an operator's).
          input: sfn.JsonPath.objectAt('$$.Execution.Input'),
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
      }),
    );
    const probeShards = inlineProbes(this, props);
    const publish = retried(new tasks.LambdaInvoke(this, 'PublishResults', { lambdaFunction: props.publish, payloadResponseOnly: true, retryOnServiceExceptions: false }));
    const probeVpcs = distributedProbes(this, props);
    const skipped = new sfn.Succeed(this, 'SkippedAnotherRunInProgress', { comment: 'Another execution was running: discover logged the reason; that run covers this one.' });
    let inlineOrDistributed: sfn.Choice;
    if (props.longProbes === undefined) {
      inlineOrDistributed = new sfn.Choice(this, 'InlineOrDistributed')
        .when(sfn.Condition.stringEquals('$.mode', 'skipped'), skipped)
        .when(sfn.Condition.stringEquals('$.mode', 'distributed'), probeVpcs.next(publish))
        .otherwise(probeShards.next(publish));
    } else {
      // The probe functions and the long probes at once; their outputs merged (the same run, plus longResults) for publish.
      const lambdaProbes = new sfn.Choice(this, 'InlineOrDistributed').when(sfn.Condition.stringEquals('$.mode', 'distributed'), probeVpcs).otherwise(probeShards);
      const probeAll = new sfn.Parallel(this, 'ProbeWithLambdaAndFargate', { resultSelector: { 'run.$': 'States.JsonMerge($[0], $[1], false)' }, outputPath: '$.run' });
      probeAll.branch(lambdaProbes).branch(props.longProbes);
      inlineOrDistributed = new sfn.Choice(this, 'SkippedOrProbe').when(sfn.Condition.stringEquals('$.mode', 'skipped'), skipped).otherwise(probeAll.next(publish));
    }

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention: logRetentionOf(props), removalPolicy: RemovalPolicy.DESTROY });
    const machine = new sfn.StateMachine(this, 'Run', {
      stateMachineName: this.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(discover.next(inlineOrDistributed)),
      // Discover plans no more probe rounds than this holds, and long probes within it (lambda/run/limits.ts).
      timeout: Duration.minutes(props.longProbes === undefined ? RUN_TIMEOUT_MINUTES : LONG_RUN_TIMEOUT_MINUTES),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(machine, ['AwsSolutions-IAM5[Resource::*]'], 'X-Ray trace segments and CloudWatch Logs delivery have no resource-level permissions.');
    acknowledgeWildcards(
      machine,
      { patterns: [FUNCTION_VERSIONS], reason: 'Invoking a function includes its versions and aliases (function:*), as CDK grants it.' },
      { patterns: [ALL_OBJECTS], reason: 'Distributed Maps read plan files and write result files whose names carry run and map ids, in its own bucket (as CDK grants them).' },
      { patterns: [CHILD_EXECUTIONS], reason: 'A Distributed Map starts, describes and redrives its own child executions, whose ids are only known at run time.' },
      ...(props.longProbes === undefined ? [] : [{ patterns: [TASK_DEFINITION_REVISIONS], reason: "Running the long probe's task definition includes its revisions (family:*), as CDK grants it." }]),
    );
    return machine;
  }
}

/** A Lambda task retried on Lambda's own errors, never on the function's error or timeout. */
function retried(task: tasks.LambdaInvoke): sfn.TaskStateBase {
  return task.addRetry({ errors: [...LAMBDA_TRANSIENT_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
}

/** A probe invocation: retried on Lambda's own errors, never on its timeout (15 minutes lost). */
function invokeProbe(scope: Construct, id: string, probe: lambda.IFunction): sfn.TaskStateBase {
  return retried(new tasks.LambdaInvoke(scope, id, { lambdaFunction: probe, payloadResponseOnly: true, retryOnServiceExceptions: false, taskTimeout: sfn.Timeout.duration(Duration.minutes(PROBE_TASK_MINUTES)) }));
}

/** Small runs: a Map over the shards in the state, each routed to its VPC's probe function. */
function inlineProbes(scope: Construct, props: RunStateMachineProps): sfn.Map {
  const shardFailed = new sfn.Pass(scope, 'ShardFailed', { parameters: { 'shardId.$': '$.shardId', 'vpcId.$': '$.vpcId', 'error.$': '$.error' } });
  // First: a shard without a VPC (a comparison on its missing `vpcId` would fail the whole run). As
  // Not(IsPresent) rather than IsPresent false, which aws-local-stepfunctions 3.0 never matches.
  const outside = props.probeOutsideVpc
    ? invokeProbe(scope, 'Probe outside any VPC', props.probeOutsideVpc).addCatch(new sfn.Pass(scope, 'ShardFailedOutsideVpc', { parameters: { 'shardId.$': '$.shardId', 'error.$': '$.error' } }), {
        errors: ['States.ALL'],
        resultPath: '$.error',
      })
    : new sfn.Pass(scope, 'NoProbeOutsideVpc', { parameters: { 'shardId.$': '$.shardId', error: { Error: 'NoProbeFunction', Cause: 'no probe function is deployed outside a VPC' } } });
  const route = new sfn.Choice(scope, 'RouteToVpc').when(sfn.Condition.not(sfn.Condition.isPresent('$.vpcId')), outside);
  for (const [vpcId, probe] of Object.entries(props.probes)) {
    const invoke = invokeProbe(scope, `Probe ${vpcId}`, probe);
    invoke.addCatch(shardFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    route.when(sfn.Condition.stringEquals('$.vpcId', vpcId), invoke);
  }
  route.otherwise(
    new sfn.Pass(scope, 'NoProbeForVpc', {
      parameters: { 'shardId.$': '$.shardId', 'vpcId.$': '$.vpcId', error: { Error: 'NoProbeFunction', Cause: 'no probe function is deployed in this VPC' } },
    }),
  );
  const probeShards = new sfn.Map(scope, 'ProbeShards', { itemsPath: '$.shards', maxConcurrency: props.maxConcurrency, resultPath: '$.shardResults' });
  probeShards.itemProcessor(route);
  return probeShards;
}

/**
 * Large runs: each VPC's Distributed Map (and the one outside any VPC, when that probe function
 * exists) reads its plan from S3, batches it by the socket budget, and writes its results to
 * S3, where publish reads them.
 */
function distributedProbes(scope: Construct, props: RunStateMachineProps): sfn.Parallel {
  const { bucket } = props;
  const probeVpcs = new sfn.Parallel(scope, 'ProbeVpcs', { resultPath: '$.vpcResults' });
  const places: Array<{ vpcId?: string; name: string; plan: string; probe: lambda.IFunction }> = Object.entries(props.probes).map(([vpcId, probe]) => ({ vpcId, name: vpcId, plan: vpcId, probe }));
  // Discover always writes this plan (empty when nothing is outside a VPC) when the function exists.
  if (props.probeOutsideVpc) places.push({ name: 'outside any VPC', plan: OUTSIDE_VPC_PLAN, probe: props.probeOutsideVpc });
  for (const { vpcId, name, plan, probe } of places) {
    const where = vpcId === undefined ? {} : { vpcId };
    const map = new sfn.DistributedMap(scope, `Distributed ${name}`, {
      itemReader: new sfn.S3JsonItemReader({ bucket, key: sfn.JsonPath.format(`${REPORT_PREFIX}plans/{}/${plan}.json`, sfn.JsonPath.stringAt('$.runId')) }),
      // A batch is a child execution's input: held under the state limit even when a backend serves many load balancers.
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: TARGETS_PER_INVOCATION, maxInputBytesPerBatch: STATE_BUDGET_BYTES, batchInput: { 'runId.$': '$.runId', ...where } }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage,
      resultWriterV2: new sfn.ResultWriterV2({ bucket, prefix: `${REPORT_PREFIX}results` }),
      resultSelector: { ...where, 'manifest.$': '$.ResultWriterDetails' },
    });
    map.itemProcessor(invokeProbe(scope, `Probe batch ${name}`, probe));
    map.addCatch(new sfn.Pass(scope, `Map failed ${name}`, { parameters: { ...where, 'error.$': '$.error' } }), { errors: ['States.ALL'], resultPath: '$.error' });
    probeVpcs.branch(map);
  }
  return probeVpcs;
}
