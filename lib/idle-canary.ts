/**
 * The whole monitor as one construct, composed of small constructs, one module each: the run
 * functions, the probe functions per VPC, the long probe, the run state machine, its triggers,
 * the alarms, the dashboard and the access log counter.
 *
 * What stays in this construct's own scope, under the ids of 0.1.0, so that an upgrade keeps
 * it: the reports bucket (`Reports`, retained, holds the reports), the alarm topic (`Alarms`,
 * whose email subscriptions people confirmed), and the imported access log buckets
 * (`AccessLogBucket<i>`, whose notification resource S3 would reject as overlapping if a second
 * one were created beside the old). Everything else is stateless and lives under its
 * construct's path: an upgrade from 0.1.0 creates it anew and deletes the old. The state
 * machine's and the dashboard's names derive from their paths, so old and new never clash.
 */
import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import { dashboardLink } from '../lambda/report/console-links';
import { withDefaults } from '../lambda/shared/defaults';
import { AccessLogCounter } from './access-log-counter';
import { alarmTopic } from './alarm-topic';
import { CanaryAlarms } from './alarms';
import { CanaryDashboard } from './dashboard';
import { LongProbe } from './long-probe';
import { ProbeFunctions } from './probe-functions';
import { checkMetricsProp, checkProps, defaults, secondsOf, type AccessLogBucketConfig, type IdleCanaryProps } from './props';
import { reportsBucket } from './reports';
import { RunFunctions } from './run-functions';
import { RunStateMachine } from './run-state-machine';
import type { ProbeSettingsProps } from './probe-settings';
import { periodOf } from './schedule';
import { RunTriggers } from './triggers';

/**
 * A scheduled idle-connection monitor for the Classic and Application Load Balancers of one
 * account and region.
 *
 * Why this shape: only the probe functions sit in the VPCs, and they call no AWS API, so no
 * NAT gateway or VPC endpoint is needed; discover and publish call the APIs from outside.
 *
 * @example
 * new IdleCanary(stack, 'IdleCanary', {
 *   vpcs: [{ vpc: ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0a1b2c3d' }), backendPorts: ['30000-32767'] }],
 *   alarmEmails: ['oncall@example.com'],
 *   margin: Duration.seconds(2),
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
  /** The probe function outside any VPC, for public CloudFront origins; set when `probePublicOrigins` is. */
  public readonly probeOutsideVpcFunction?: lambda.Function;
  public readonly alarms: CanaryAlarms;
  public readonly dashboard: CanaryDashboard;
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
    checkProps(props);
    checkMetricsProp(props);
    const periodMinutes = periodOf(settings.schedule, props.periodMinutes, props.longTimeouts !== undefined);
    const { logRetention, namespace, maxConcurrency, metrics } = settings;
    const probeSettings: ProbeSettingsProps = { marginS: secondsOf(settings.margin), ...(props.precision === undefined ? {} : { precisionS: secondsOf(props.precision) }) };
    props.vpcs.forEach(({ vpc }, i) => {
      if (Token.isUnresolved(vpc.vpcId)) throw new Error(`vpcs[${i}].vpc: expected a VPC whose id is known at synth (ec2.Vpc.fromLookup or ec2.Vpc.fromVpcAttributes), got a VPC id that is a token`);
    });
    const accessLogBuckets: readonly AccessLogBucketConfig[] = settings.accessLogBuckets;
    const readsAccessLogs = accessLogBuckets.length > 0;

    this.bucket = reportsBucket(this, { retention: settings.reportRetention });
    this.topic = settings.topic ?? alarmTopic(this, settings.alarmEmails ?? []);
    const run = new RunFunctions(this, 'RunFunctions', {
      bucket: this.bucket,
      topic: this.topic,
      vpcIds: props.vpcs.map((v) => v.vpc.vpcId),
      loadBalancerNames: props.loadBalancerNames,
      tags: props.tags,
      ...probeSettings,
      namespace,
      metrics,
      inlineMaxBackends: settings.inlineMaxBackends,
      maxConcurrency,
      maxBackendsPerPort: settings.maxBackendsPerPort,
      periodMinutes,
      longTimeouts: props.longTimeouts !== undefined,
      readsAccessLogs,
      cloudFront: settings.cloudFront,
      probePublicOrigins: settings.probePublicOrigins,
      logRetention,
    });
    this.discoverFunction = run.discover;
    this.publishFunction = run.publish;
    this.digestFunction = run.digest;
    if (readsAccessLogs) {
      const logBuckets = accessLogBuckets.map((b, i) => ({ bucket: s3.Bucket.fromBucketName(this, `AccessLogBucket${i}`, b.bucketName), prefix: b.prefix }));
      this.accessLogsFunction = new AccessLogCounter(this, 'AccessLogCounter', { bucket: this.bucket, logBuckets, namespace, metrics, logRetention }).function;
    }

    const probes = new ProbeFunctions(this, 'ProbeFunctions', { ...probeSettings, vpcs: props.vpcs, outsideVpc: settings.probePublicOrigins, logRetention });
    this.probeFunctions = probes.functions;
    this.probeOutsideVpcFunction = probes.outsideVpc;
    // Discover checks that each backend's security groups admit these, and names the rule to add when not.
    this.discoverFunction.addEnvironment(ENV.probeSecurityGroups, probes.placements.map((p) => `${p.vpcId}=${p.securityGroup.securityGroupId}`).join(','));
    if (props.longTimeouts) this.longProbe = new LongProbe(this, 'LongProbe', { bucket: this.bucket, placements: probes.placements, ...probeSettings, logRetention });

    const runStateMachine = new RunStateMachine(this, 'RunStateMachine', {
      discover: this.discoverFunction,
      publish: this.publishFunction,
      probes: this.probeFunctions,
      probeOutsideVpc: this.probeOutsideVpcFunction,
      bucket: this.bucket,
      maxConcurrency,
      toleratedFailurePercentage: settings.toleratedFailurePercentage,
      logRetention,
      longProbes: this.longProbe?.states(),
    });
    this.stateMachine = runStateMachine.stateMachine;
    new RunTriggers(this, 'RunTriggers', {
      stateMachine: this.stateMachine,
      digest: this.digestFunction,
      schedule: settings.schedule,
      digestSchedule: settings.digestSchedule,
      runAfterEcsDeployments: settings.runAfterEcsDeployments,
      runAfterCodeDeployDeployments: settings.runAfterCodeDeployDeployments,
    });
    this.alarms = new CanaryAlarms(this, 'CanaryAlarms', {
      topic: this.topic,
      bucket: this.bucket,
      stateMachine: this.stateMachine,
      namespace,
      metrics,
      periodMinutes,
      alarmNamePrefix: props.alarmNamePrefix ?? Stack.of(this).stackName,
      okNotifications: settings.okNotifications,
      hangupsThreshold: readsAccessLogs ? settings.hangupsAlarmThreshold : undefined,
    });
    this.dashboard = new CanaryDashboard(this, 'CanaryDashboard', { namespace, metrics, periodMinutes, readsAccessLogs });
    // The ARN from the machine's name, not the machine: the machine invokes publish, so a reference would be a cycle.
    const links = { [ENV.stateMachineArn]: runStateMachine.stateMachineArn, [ENV.dashboardName]: this.dashboard.dashboard.dashboardName };
    for (const [name, value] of Object.entries(links)) this.publishFunction.addEnvironment(name, value);
    this.digestFunction.addEnvironment(ENV.dashboardName, this.dashboard.dashboard.dashboardName);
    this.outputs(probes);
  }

  /**
   * What a user looks up after a deploy: where the reports are, the run to start by hand, the
   * dashboard, the topic, and each probe security group (for the backends' ingress rule).
   */
  private outputs(probes: ProbeFunctions): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ReportsBucketName', this.bucket.bucketName, 'idle-canary: the bucket of run reports (idle-canary/latest.html is the latest run)');
    output('StateMachineArn', this.stateMachine.stateMachineArn, 'idle-canary: the run state machine (aws stepfunctions start-execution --state-machine-arn ...)');
    output('DashboardUrl', dashboardLink(Stack.of(this).region, this.dashboard.dashboard.dashboardName), 'idle-canary: the dashboard in the CloudWatch console');
    output('AlarmTopicArn', this.topic.topicArn, 'idle-canary: the topic alarms, changes and digests go to');
    for (const { index, vpcId, securityGroup } of probes.placements) {
      output(`ProbeSecurityGroupId${index}`, securityGroup.securityGroupId, `idle-canary: the probe security group in ${vpcId}, which the backends must admit on their ports`);
    }
  }
}
