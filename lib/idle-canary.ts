/**
 * The whole monitor as one construct, composed of its parts: the reports bucket and topic, the
 * run functions, the probe functions per VPC, the long probe, the run state machine, its
 * triggers, the alarms, the dashboard and the access log counter (one module each).
 *
 * Why the parts build into this construct's scope rather than a scope of their own: a
 * resource's logical id comes from its construct path, so a new level would rename (replace)
 * every resource of a deployed monitor, and CloudFormation cannot replace the named state
 * machine and dashboard in place.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { withDefaults } from '../lambda/shared/defaults';
import { accessLogCounter } from './access-log-counter';
import { alarmTopic, canaryAlarms, type CanaryAlarms } from './alarms';
import { functionFactory } from './canary-function';
import { canaryDashboard } from './dashboard';
import { LongProbe } from './long-probe';
import { ProbeVpcs } from './probe-vpcs';
import { defaults, type IdleCanaryProps } from './props';
import { reportsBucket } from './reports';
import { RunFunctions } from './run-functions';
import { runStateMachine, stateMachineIdentity } from './run-state-machine';
import { LONG_TIMEOUTS_MIN_PERIOD_MINUTES, LONG_TIMEOUTS_SCHEDULE_EXPECTED, periodOf } from './schedule';
import { triggers } from './triggers';

export { defaults, type IdleCanaryProps } from './props';

/**
 * A scheduled idle-connection monitor for the Classic and Application Load Balancers of one
 * account and region.
 *
 * Why this shape: only the probe functions sit in the VPCs, and they call no AWS API, so no
 * NAT gateway or VPC endpoint is needed; discover and publish call the APIs from outside.
 *
 * @example
 * new IdleCanary(stack, 'IdleCanary', {
 *   vpcs: [{ vpcId: 'vpc-0a1b2c3d', subnetIds: ['subnet-0a1b2c3d'], backendPorts: ['30000-32767'] }],
 *   alarmEmails: ['oncall@example.com'],
 * });
 */
export class IdleCanary extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly topic: sns.ITopic;
  public readonly stateMachine: sfn.StateMachine;
  public readonly discoverFunction: lambda.Function;
  public readonly publishFunction: lambda.Function;
  public readonly digestFunction: lambda.Function;
  /** Probe functions by VPC id. */
  public readonly probeFunctions: Readonly<Record<string, lambda.Function>>;
  public readonly alarms: CanaryAlarms;
  /** Counts access log objects; set when `accessLogBuckets` are given. */
  public readonly accessLogsFunction?: lambda.Function;
  /** The long-horizon probe on ECS Fargate; set when `longTimeouts` is given. */
  public readonly longProbe?: LongProbe;

  public constructor(scope: Construct, id: string, props: IdleCanaryProps) {
    super(scope, id);
    // The Distributed Maps write results with ResultWriterV2, which renders only behind this
    // flag: set on this construct's own node, it holds whatever app the construct is used in.
    this.node.setContext(cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);
    const settings = withDefaults(defaults, props);
    const periodMinutes = periodOf(settings.schedule, props.periodMinutes);
    if (props.longTimeouts !== undefined && periodMinutes < LONG_TIMEOUTS_MIN_PERIOD_MINUTES) {
      throw new Error(`schedule: expected ${LONG_TIMEOUTS_SCHEDULE_EXPECTED}, got ${JSON.stringify(settings.schedule)}`);
    }
    const readsAccessLogs = settings.accessLogBuckets.length > 0;
    const functions = functionFactory(this, settings.logRetention);

    this.bucket = reportsBucket(this, { retention: settings.reportRetention });
    this.topic = settings.topic ?? alarmTopic(this, settings.alarmEmails ?? []);
    const machine = stateMachineIdentity(this);
    const run = new RunFunctions({
      functions,
      bucket: this.bucket,
      topic: this.topic,
      stateMachineArn: machine.arn,
      vpcIds: props.vpcs.map((v) => v.vpcId),
      marginS: settings.marginS,
      namespace: settings.namespace,
      inlineMaxBackends: settings.inlineMaxBackends,
      maxConcurrency: settings.maxConcurrency,
      maxBackendsPerPort: settings.maxBackendsPerPort,
      periodMinutes,
      longTimeouts: props.longTimeouts !== undefined,
      readsAccessLogs,
    });
    this.discoverFunction = run.discover;
    this.publishFunction = run.publish;
    this.digestFunction = run.digest;
    if (readsAccessLogs) this.accessLogsFunction = accessLogCounter(this, { functions, bucket: this.bucket, buckets: settings.accessLogBuckets, namespace: settings.namespace });

    const probes = new ProbeVpcs(this, { functions, vpcs: props.vpcs, marginS: settings.marginS });
    this.probeFunctions = probes.functions;
    if (props.longTimeouts) this.longProbe = new LongProbe(this, { bucket: this.bucket, placements: probes.placements, marginS: settings.marginS, logRetention: settings.logRetention });

    this.stateMachine = runStateMachine(this, {
      stateMachineName: machine.name,
      discover: this.discoverFunction,
      publish: this.publishFunction,
      probes: this.probeFunctions,
      bucket: this.bucket,
      maxConcurrency: settings.maxConcurrency,
      toleratedFailurePercentage: settings.toleratedFailurePercentage,
      logRetention: settings.logRetention,
      longProbes: this.longProbe?.states(),
    });
    triggers(this, {
      stateMachine: this.stateMachine,
      digest: this.digestFunction,
      schedule: settings.schedule,
      digestSchedule: settings.digestSchedule,
      runAfterEcsDeployments: settings.runAfterEcsDeployments,
      runAfterCodeDeployDeployments: settings.runAfterCodeDeployDeployments,
    });
    this.alarms = canaryAlarms(this, { topic: this.topic, bucket: this.bucket, namespace: settings.namespace, periodMinutes, hangupsThreshold: readsAccessLogs ? settings.hangupsAlarmThreshold : undefined });
    canaryDashboard(this, { namespace: settings.namespace, periodMinutes, readsAccessLogs });
  }
}
