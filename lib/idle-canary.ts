/**
 * The whole monitor as one construct: functions, state machine, schedule, alarms, reports.
 */
import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import { LONG_RUN_TIMEOUT_MINUTES, PROBE_TASK_MINUTES, RUN_TIMEOUT_MINUTES, STATE_BUDGET_BYTES, STEP_MINUTES } from '../lambda/run/limits';
import { targetsPerInvocation } from '../lambda/run/shards';
import { withDefaults } from '../lambda/shared/defaults';
import { DEFAULTS } from '../lambda/shared/settings';
import { portRange, type AccessLogBucketConfig, type LongTimeoutsConfig, type VpcConfig } from './config';
import { LONG_PROBE_DIR, type HandlerName } from './handlers';
import { handlerCode } from './lambda-code';
import { DEFAULT_SCHEDULE, LONG_TIMEOUTS_MIN_PERIOD_MINUTES, LONG_TIMEOUTS_SCHEDULE_EXPECTED, periodOf, PROBE_ERRORS_PERIODS } from './schedule';

export interface IdleCanaryProps {
  /** VPCs whose load balancers' backends are probed; one probe function each. */
  readonly vpcs: readonly VpcConfig[];
  /**
   * When runs start (EventBridge Scheduler expression).
   * @default 'rate(15 minutes)'
   */
  readonly schedule?: string;
  /**
   * The schedule's period, for the heartbeat alarm and the rotation of sampled backends: with
   * a `rate(...)` schedule it is derived (and must match if given); with `cron(...)`, the
   * longest gap between two runs, required. At most 90 (see `MAX_PERIOD_MINUTES`).
   * @default the period of a `rate(...)` schedule
   */
  readonly periodMinutes?: number;
  /**
   * Topic that alarms notify; one is created when not given.
   * @default a new topic
   */
  readonly topic?: sns.ITopic;
  /**
   * Emails subscribed to the created topic.
   * @default none
   */
  readonly alarmEmails?: readonly string[];
  /**
   * Headroom below which a load balancer fails, in seconds.
   * @default 1
   */
  readonly marginS?: number;
  /**
   * CloudWatch namespace of the metrics.
   * @default 'IdleCanary'
   */
  readonly namespace?: string;
  /**
   * Backends probed per load balancer and port in one run (rotated across runs).
   * @default 2
   */
  readonly maxBackendsPerPort?: number;
  /**
   * When the digest of the fleet's state is sent to the topic (EventBridge Scheduler expression).
   * @default 'rate(1 day)'
   */
  readonly digestSchedule?: string;
  /**
   * Start a run when an ECS service deployment completes.
   * @default true
   */
  readonly runAfterEcsDeployments?: boolean;
  /**
   * Start a run when a CodeDeploy deployment succeeds.
   * @default true
   */
  readonly runAfterCodeDeployDeployments?: boolean;
  /**
   * How long run reports are kept.
   * @default Duration.days(90)
   */
  readonly reportRetention?: Duration;
  /**
   * How long logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Probe shards (inline) or batches (Distributed Map) run at once.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Above this many backends in a run, plans and results go through S3 and Distributed Maps
   * instead of the state (Step Functions carries at most 256 KB).
   * @default 100
   */
  readonly inlineMaxBackends?: number;
  /**
   * Share of a Distributed Map's batches that may fail before the map fails (publish still
   * counts the failed ones as probe errors either way).
   * @default 100
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Buckets the load balancers write their access logs to. Each new log object is counted
   * (requests, and backend hang-ups: 502/504 with no backend response) and published as
   * `BackendHangups` and `RequestsLogged`; the run report shows the last hour's counts next
   * to each verdict.
   * @default none: access logs are not read
   */
  readonly accessLogBuckets?: readonly AccessLogBucketConfig[];
  /**
   * Hang-ups on one load balancer within 5 minutes that raise the hang-up alarm.
   * @default 5
   */
  readonly hangupsAlarmThreshold?: number;
  /**
   * Probe load balancers whose idle timeouts do not fit a Lambda (above 273 s; up to 4,000 s)
   * with a task on ECS Fargate started by the same run, in each VPC's subnets with the probe
   * security group; says how the tasks reach ECR, S3 and CloudWatch Logs (a NAT gateway, or VPC
   * endpoints). Requires a 90-minute schedule: such a run lasts up to 89 minutes.
   * @default none: every backend goes to the probe functions, and a horizon that does not fit one is `inconclusive`
   */
  readonly longTimeouts?: LongTimeoutsConfig;
}

/** Defaults of `IdleCanaryProps`, merged once. */
export const defaults = {
  schedule: DEFAULT_SCHEDULE,
  digestSchedule: 'rate(1 day)',
  marginS: DEFAULTS.marginS,
  namespace: 'IdleCanary',
  maxBackendsPerPort: DEFAULTS.maxBackendsPerPort,
  runAfterEcsDeployments: true,
  runAfterCodeDeployDeployments: true,
  reportRetention: Duration.days(90),
  logRetention: logs.RetentionDays.ONE_MONTH,
  maxConcurrency: DEFAULTS.maxConcurrency,
  inlineMaxBackends: DEFAULTS.inlineMaxBackends,
  toleratedFailurePercentage: 100,
  accessLogBuckets: [],
  hangupsAlarmThreshold: 5,
} as const;

/** The socket budget of one probe invocation: Lambda's 1,024 descriptors minus headroom, 16 per target. */
const SOCKETS = { maxOpenSockets: DEFAULTS.maxOpenSockets, maxSocketsPerTarget: DEFAULTS.maxSocketsPerTarget } as const;

/** Targets one probe invocation holds: its socket budget over the sockets per target. */
export const TARGETS_PER_INVOCATION = targetsPerInvocation(SOCKETS);

/**
 * Load balancer series a `GROUP BY` alarm evaluates: Metrics Insights returns at most 500, so
 * the queries order them worst first.
 */
export const GROUP_BY_LIMIT = 500;

/** What each function sets beyond the code, runtime and logs all of them share. */
type FunctionExtras = Omit<lambda.FunctionProps, 'code' | 'handler' | 'runtime'>;

/** Prefix of every object the publish function writes. */
export const REPORT_PREFIX = 'idle-canary/';

/** The Describe calls discovery makes, and nothing else. */
export const DISCOVERY_ACTIONS = [
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeLoadBalancerPolicies',
  'elasticloadbalancing:DescribeInstanceHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'ec2:DescribeInstances',
];

/** How long counting one access log object may take (a busy ALB's object is ~1 GB of text). */
const ACCESS_LOG_TIMEOUT = Duration.minutes(5);

/** Where access log objects' markers go, so that each object is counted once. */
const ACCESS_LOG_MARKERS = `${REPORT_PREFIX}access-logs/seen/*`;

/** Seconds a probe invocation may run: Lambda's maximum. */
const PROBE_TIMEOUT = Duration.minutes(STEP_MINUTES.probe);

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
  public readonly alarms: {
    readonly loadBalancersFailing: cloudwatch.Alarm;
    readonly heartbeat: cloudwatch.Alarm;
    readonly probeErrors: cloudwatch.Alarm;
    /** Set when access logs are read. */
    readonly hangups?: cloudwatch.Alarm;
  };
  /** Counts access log objects; set when `accessLogBuckets` are given. */
  public readonly accessLogsFunction?: lambda.Function;
  /** The long-horizon probe on ECS Fargate; set when `longTimeouts` is given. */
  public readonly longProbe?: { readonly cluster: ecs.Cluster; readonly taskDefinition: ecs.FargateTaskDefinition };

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

    this.bucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: settings.reportRetention, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.bucket, ['AwsSolutions-S1'], 'The bucket holds generated run reports only; access logs would need a second bucket for no security gain.');

    this.topic = settings.topic ?? this.createTopic(settings.alarmEmails ?? []);

    const logGroup = (name: string) => new logs.LogGroup(this, `${name}Logs`, { retention: settings.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // The code is the bundle `npm run build` wrote (esbuild, target node22): no bundling at synth.
    const fn = (name: string, entry: HandlerName, extra: FunctionExtras) =>
      new lambda.Function(this, name, {
        code: handlerCode(entry),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        logGroup: logGroup(name),
        ...extra,
        environment: { POWERTOOLS_SERVICE_NAME: 'idle-canary', NODE_OPTIONS: '--enable-source-maps', ...extra.environment },
      });

    const reports = { [ENV.bucket]: this.bucket.bucketName, [ENV.reportPrefix]: REPORT_PREFIX, [ENV.topicArn]: this.topic.topicArn };
    const readLatest = new iam.PolicyStatement({ sid: 'ReadLatestRun', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}latest.json`)] });
    // S3 answers a missing object with 404 (NoSuchKey) only to a caller that may list the
    // bucket, else with 403: without it, the digest before the first run would fail.
    const listReports = new iam.PolicyStatement({ sid: 'ListReports', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] });
    const notify = (sid: string) => new iam.PolicyStatement({ sid, actions: ['sns:Publish'], resources: [this.topic.topicArn] });
    const shared = {
      [ENV.marginS]: String(settings.marginS),
      [ENV.maxSocketsPerTarget]: String(SOCKETS.maxSocketsPerTarget),
      [ENV.maxOpenSockets]: String(SOCKETS.maxOpenSockets),
    };
    this.discoverFunction = fn('Discover', 'discover', {
      // Paced at 8 calls a second per API family, 2,000 load balancers take about 4.5 minutes.
      timeout: Duration.minutes(STEP_MINUTES.discover),
      environment: {
        ...shared,
        [ENV.vpcIds]: props.vpcs.map((v) => v.vpcId).join(','),
        [ENV.bucket]: this.bucket.bucketName,
        [ENV.reportPrefix]: REPORT_PREFIX,
        [ENV.inlineMaxBackends]: String(settings.inlineMaxBackends),
        [ENV.maxConcurrency]: String(settings.maxConcurrency),
        [ENV.maxBackendsPerPort]: String(settings.maxBackendsPerPort),
        [ENV.periodMinutes]: String(periodMinutes),
        ...(props.longTimeouts ? { [ENV.longTimeouts]: 'on', [ENV.probeTimeoutS]: String(PROBE_TIMEOUT.toSeconds()) } : {}),
      },
    });
    this.discoverFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'DescribeLoadBalancers', actions: DISCOVERY_ACTIONS, resources: ['*'] }));
    this.discoverFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'WritePlans', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}plans/*`)] }));
    // The machine's ARN from its name: a reference to it would make a cycle (machine -> function -> role policy -> machine).
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 72, separator: '-' }) + '-run';
    const stateMachineArn = Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.discoverFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'SeeRunningRuns', actions: ['states:ListExecutions'], resources: [stateMachineArn] }));

    const readsAccessLogs = settings.accessLogBuckets.length > 0;
    this.publishFunction = fn('Publish', 'publish', {
      timeout: Duration.minutes(STEP_MINUTES.publish),
      environment: { ...shared, ...reports, [ENV.namespace]: settings.namespace, ...(readsAccessLogs ? { [ENV.accessLogs]: 'on' } : {}) },
    });
    putMetricsIn(this.publishFunction, settings.namespace);
    this.publishFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'WriteReports', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}*`)] }));
    this.publishFunction.addToRolePolicy(readLatest);
    this.publishFunction.addToRolePolicy(listReports);
    this.publishFunction.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadPlansAndResults', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}plans/*`), this.bucket.arnForObjects(`${REPORT_PREFIX}results/*`)] }),
    );
    this.publishFunction.addToRolePolicy(notify('NotifyChanges'));
    if (readsAccessLogs) {
      this.publishFunction.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadRecentHangups', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
      this.accessLogsFunction = this.countAccessLogs(fn, settings.accessLogBuckets, settings.namespace);
    }

    this.digestFunction = fn('Digest', 'digest', { timeout: Duration.minutes(1), environment: reports });
    this.digestFunction.addToRolePolicy(readLatest);
    this.digestFunction.addToRolePolicy(listReports);
    this.digestFunction.addToRolePolicy(notify('SendDigest'));

    const placements = props.vpcs.map((vpcConfig, index): ProbePlacement => {
      // CloudFormation places the probe by subnet id alone; CDK's imported VPC wants a list of
      // zones it never writes to the template, so none is asked of the user.
      const vpc = ec2.Vpc.fromVpcAttributes(this, `Vpc${index}`, { vpcId: vpcConfig.vpcId, availabilityZones: ['not-needed'], ...(vpcConfig.cidr ? { vpcCidrBlock: vpcConfig.cidr } : {}) });
      const securityGroup = this.probeSecurityGroup(`ProbeSecurityGroup${index}`, vpc, vpcConfig);
      const subnets = vpcConfig.subnetIds.map((id, i) => ec2.Subnet.fromSubnetAttributes(this, `Vpc${index}Subnet${i}`, { subnetId: id }));
      return { index, vpcId: vpcConfig.vpcId, vpc, subnets, securityGroup };
    });
    this.probeFunctions = Object.fromEntries(
      placements.map(({ index, vpcId, vpc, subnets, securityGroup }) => {
        const probe = fn(`Probe${index}`, 'probe', {
          description: `idle-canary probe for ${vpcId}: opens idle sockets to backends; calls no AWS API`,
          timeout: PROBE_TIMEOUT,
          vpc,
          vpcSubnets: { subnets: [...subnets] },
          securityGroups: [securityGroup],
          environment: shared,
        });
        acknowledge(probe, [MANAGED_POLICY('AWSLambdaVPCAccessExecutionRole')], 'The minimum for a function in a VPC: its network interfaces. The probe has no other permission.');
        return [vpcId, probe];
      }),
    );
    if (props.longTimeouts) this.longProbe = this.createLongProbe(placements[0].vpc, settings.logRetention, shared);
    for (const fnConstruct of [this.discoverFunction, this.publishFunction, this.digestFunction, ...Object.values(this.probeFunctions), ...(this.accessLogsFunction ? [this.accessLogsFunction] : [])]) {
      acknowledge(fnConstruct, [MANAGED_POLICY('AWSLambdaBasicExecutionRole')], 'Writing its own logs, nothing else.');
    }
    acknowledge(this.discoverFunction, ['AwsSolutions-IAM5[Resource::*]'], 'Elastic Load Balancing and EC2 Describe actions do not support resource-level permissions.');
    acknowledge(this.discoverFunction, [`AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${REPORT_PREFIX}plans/*]`], 'Each run writes its plan files under the plans/ prefix of its own bucket.');
    acknowledge(
      this.publishFunction,
      ['plans', 'results'].map((dir) => `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${REPORT_PREFIX}${dir}/*]`),
      "Each run reads its own plan files and its Distributed Maps' result files, whose names carry run and map ids.",
    );
    acknowledge(this.publishFunction, [`AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${REPORT_PREFIX}*]`], 'Reports are written under one prefix of their own bucket, one object per run.');

    // Subnets given by id: the probe only places its network interfaces in them.
    Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'The probe function only places its network interfaces in these subnets.');
    const longTasks = this.longProbe ? this.longProbeTasks(this.longProbe, placements) : undefined;
    this.stateMachine = this.createStateMachine(stateMachineName, settings.maxConcurrency, settings.toleratedFailurePercentage, settings.logRetention, longTasks);
    this.schedule(settings.schedule, settings.runAfterEcsDeployments, settings.runAfterCodeDeployDeployments);
    new scheduler.Schedule(this, 'DigestSchedule', {
      schedule: scheduler.ScheduleExpression.expression(settings.digestSchedule),
      description: "Sends the idle-canary fleet's state to the alarm topic",
      target: new schedulerTargets.LambdaInvoke(this.digestFunction, {}),
    });
    // The scheduler's target role is shared by the stack, so its finding is acknowledged there.
    acknowledge(Stack.of(this), [`AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.digestFunction)}.Arn>:*]`], 'Invoking the digest function includes its versions and aliases (function:*), as CDK grants it.');
    this.alarms = this.createAlarms(settings.namespace, periodMinutes, readsAccessLogs ? settings.hangupsAlarmThreshold : undefined);
    this.createDashboard(settings.namespace, periodMinutes, readsAccessLogs);
  }

  /**
   * The long-horizon probe: a cluster and a Fargate task definition whose container runs the
   * probe function's code (`lambda/handlers/long-probe.ts`) from the prebuilt bundle.
   *
   * Why these permissions only: the task role reads its shard and writes its result under the
   * run's `long/` keys, nothing else; the execution role (CDK's) pulls the image and writes the
   * task's logs. The image is built by Docker where `cdk deploy` runs; synth only hashes the
   * bundle's directory.
   */
  private createLongProbe(vpc: ec2.IVpc, retention: logs.RetentionDays, shared: Record<string, string>) {
    // The cluster's VPC is only its default for capacity (CDK would create one): every task is placed by subnet id.
    const cluster = new ecs.Cluster(this, 'LongProbeCluster', { vpc, enableFargateCapacityProviders: true });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'LongProbeTask', {
      cpu: LONG_PROBE_TASK.cpu,
      memoryLimitMiB: LONG_PROBE_TASK.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    taskDefinition.addContainer(LONG_PROBE_CONTAINER, {
      image: ecs.ContainerImage.fromAsset(LONG_PROBE_DIR, { platform: Platform.LINUX_ARM64 }),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'long-probe', logGroup: new logs.LogGroup(this, 'LongProbeLogs', { retention, removalPolicy: RemovalPolicy.DESTROY }) }),
      environment: { POWERTOOLS_SERVICE_NAME: 'idle-canary', AWS_REGION: Stack.of(this).region, ...shared, [ENV.bucket]: this.bucket.bucketName },
      // The probe's sockets, as many as a probe function may hold, and more descriptors than they need.
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 4096, hardLimit: 4096 }],
      readonlyRootFilesystem: true,
    });
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ sid: 'ReadLongProbePlan', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}plans/*/long/*`)] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ sid: 'WriteLongProbeResult', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${REPORT_PREFIX}results/*/long/*`)] }));
    acknowledge(taskDefinition, [`AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${REPORT_PREFIX}plans/*/long/*]`, `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${REPORT_PREFIX}results/*/long/*]`], "The task reads its run's long probe plan and writes its result; the keys carry the run's id, known only at run time.");
    acknowledge(taskDefinition, ['AwsSolutions-ECS2'], 'The environment holds the bucket name and probe settings, no secret.');
    acknowledge(taskDefinition, ['AwsSolutions-IAM5[Resource::*]'], 'ecr:GetAuthorizationToken (the execution role pulling the image) has no resource-level permission.');
    acknowledge(cluster, ['AwsSolutions-ECS4'], 'One short-lived task per VPC and run, whose results and logs are already kept; Container Insights would add cost and nothing to read.');
    return { cluster, taskDefinition };
  }

  /**
   * One run-task state per VPC, in its subnets with the probe security group and one allowing
   * HTTPS out (ECR, S3, CloudWatch Logs through the NAT gateway or the VPC endpoints).
   *
   * Why `.sync`: the run waits for the task, and Step Functions stops the task when the run is
   * stopped or the state times out (after the time discover gave it).
   */
  private longProbeTasks(long: NonNullable<IdleCanary['longProbe']>, placements: readonly ProbePlacement[]): sfn.IChainable {
    const container = long.taskDefinition.defaultContainer!;
    const route = new sfn.Choice(this, 'RouteLongProbeToVpc');
    const failed = new sfn.Pass(this, 'LongProbeFailed', { parameters: { 'vpcId.$': '$.vpcId', 'error.$': '$.error' } });
    for (const { index, vpcId, vpc, subnets, securityGroup } of placements) {
      const awsAccess = new ec2.SecurityGroup(this, `LongProbeAwsAccess${index}`, { vpc, allowAllOutbound: false, description: `idle-canary long probe: HTTPS to ECR, S3 and CloudWatch Logs from ${vpcId}` });
      awsAccess.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'ECR, S3 and CloudWatch Logs (NAT gateway or VPC endpoints)');
      const run = new tasks.EcsRunTask(this, `Long probe ${vpcId}`, {
        cluster: long.cluster,
        taskDefinition: long.taskDefinition,
        launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        subnets: { subnets: [...subnets] },
        securityGroups: [securityGroup, awsAccess],
        assignPublicIp: false,
        containerOverrides: [
          {
            containerDefinition: container,
            environment: [
              { name: ENV.planKey, value: sfn.JsonPath.stringAt('$.planKey') },
              { name: ENV.resultKey, value: sfn.JsonPath.stringAt('$.resultKey') },
              { name: ENV.timeBudgetS, value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.budgetS')) },
            ],
          },
        ],
        taskTimeout: sfn.Timeout.at('$.timeoutS'),
        // The task's description is large and of no use to publish, which reads the result from S3.
        resultPath: sfn.JsonPath.DISCARD,
      });
      run.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
      route.when(sfn.Condition.stringEquals('$.vpcId', vpcId), run);
    }
    route.otherwise(new sfn.Pass(this, 'NoLongProbeForVpc', { parameters: { 'vpcId.$': '$.vpcId', error: { Error: 'NoLongProbe', Cause: 'no long probe is deployed in this VPC' } } }));
    const map = new sfn.Map(this, 'LongProbes', { itemsPath: '$.long', resultPath: '$.longResults', maxConcurrency: placements.length });
    map.itemProcessor(route);
    // Only the outcomes leave the branch: the Parallel's result holds the other branch's whole state already.
    return map.next(new sfn.Pass(this, 'LongProbeOutcomes', { parameters: { 'longResults.$': '$.longResults' } }));
  }

  /** The logical id a resource's `Fn::GetAtt` shows in cdk-nag findings. */
  private logicalIdOf(construct: Construct): string {
    const resource = (construct.node.defaultChild ?? construct) as import('aws-cdk-lib').CfnElement;
    return Stack.of(this).resolve(resource.logicalId) as string;
  }

  /**
   * The function S3 notifies of each new access log object, with read access to the logs of
   * this account and region only, and its markers in the reports bucket.
   *
   * Why S3 notifications on the existing buckets: the logs are already there; CDK adds the
   * notification next to any the bucket already has (it needs a prefix of its own).
   */
  private countAccessLogs(fn: (name: string, entry: HandlerName, extra: FunctionExtras) => lambda.Function, buckets: readonly AccessLogBucketConfig[], namespace: string): lambda.Function {
    const { account, region, partition } = Stack.of(this);
    const counter = fn('AccessLogs', 'access-logs', {
      description: 'idle-canary: counts backend hang-ups in new load balancer access log objects',
      timeout: ACCESS_LOG_TIMEOUT,
      memorySize: 1024,
      environment: {
        [ENV.bucket]: this.bucket.bucketName,
        [ENV.reportPrefix]: REPORT_PREFIX,
        [ENV.namespace]: namespace,
        // A claim older than the timeout belongs to an invocation that died.
        [ENV.claimStaleS]: String(ACCESS_LOG_TIMEOUT.toSeconds() + 60),
      },
    });
    // Lambda retries a failed object twice; objects already counted are skipped by their marker.
    counter.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    const logPrefixes = buckets.map((b) => `${b.prefix ? `${b.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${account}/elasticloadbalancing/${region}/`);
    counter.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ReadAccessLogs', actions: ['s3:GetObject'], resources: buckets.map((b, i) => `arn:${partition}:s3:::${b.bucketName}/${logPrefixes[i]}*`) }),
    );
    counter.addToRolePolicy(new iam.PolicyStatement({ sid: 'MarkCountedObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(ACCESS_LOG_MARKERS)] }));
    // A log object deleted before it is read must be NoSuchKey (skipped), not AccessDenied (retried, then dropped).
    counter.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'ListReadBuckets', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn, ...[...new Set(buckets.map((b) => b.bucketName))].map((name) => `arn:${partition}:s3:::${name}`)] }),
    );
    putMetricsIn(counter, namespace);
    buckets.forEach((config, i) => {
      const bucket = s3.Bucket.fromBucketName(this, `AccessLogBucket${i}`, config.bucketName);
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(counter), { prefix: logPrefixes[i] });
    });
    // CDK's notification handler (one per stack) sets the notification on each imported bucket.
    const notificationsHandler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler !== undefined) {
      acknowledge(notificationsHandler, [MANAGED_POLICY('AWSLambdaBasicExecutionRole')], "CDK's bucket notification handler writes its own logs, nothing else.");
      acknowledge(notificationsHandler, ['AwsSolutions-IAM5[Resource::*]'], "CDK's bucket notification handler sets the notification configuration of the buckets named in the configuration, at deployment only.");
    }
    acknowledge(
      counter,
      [`AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.bucket)}.Arn>/${ACCESS_LOG_MARKERS}]`, ...buckets.map((b, i) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b.bucketName}/${logPrefixes[i]}*]`)],
      "Log objects are read under this account and region's log prefix only, whose keys carry dates and node addresses; markers are one object per log object, under one prefix.",
    );
    return counter;
  }

  private createTopic(emails: readonly string[]): sns.Topic {
    const topic = new sns.Topic(this, 'Alarms', { displayName: 'idle-canary alarms', enforceSSL: true });
    // enforceSSL's policy replaces SNS's default one: without this statement no alarm could publish.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    acknowledge(topic, ['AwsSolutions-SNS2'], 'Alarm notifications carry load balancer names and verdicts only; CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key.');
    return topic;
  }

  /** The probe's security group: egress to the backend ports only, never anywhere else. */
  private probeSecurityGroup(id: string, vpc: ec2.IVpc, config: VpcConfig): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, id, { vpc, allowAllOutbound: false, description: `idle-canary probe: egress to backend ports in ${config.vpcId}` });
    const ports = config.backendPorts.map((port, i) => {
      const [from, to] = portRange(port, `backendPorts[${i}]`);
      return from === to ? ec2.Port.tcp(from) : ec2.Port.tcpRange(from, to);
    });
    const backendIds = config.backendSecurityGroupIds ?? [];
    const backends = backendIds.map((sgId, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `${id}Backend${i}`, sgId, { mutable: config.addIngress === true }));
    for (const port of ports) {
      if (backends.length > 0) {
        backends.forEach((backend, i) => {
          // A peer by id is written inside the group; a separate egress resource would leave
          // the group with no egress of its own, which EC2 turns into allow-all.
          group.addEgressRule(ec2.Peer.securityGroupId(backendIds[i]), port, 'to backends');
          if (config.addIngress === true) backend.addIngressRule(group, port, 'from idle-canary probe');
        });
      } else {
        group.addEgressRule(config.cidr ? ec2.Peer.ipv4(config.cidr) : ec2.Peer.anyIpv4(), port, 'to backends');
      }
    }
    return group;
  }

  /**
   * discover -> Map over shards (routed to the probe function of the shard's VPC) -> publish.
   *
   * Why catches inside the Map: a shard that fails or times out becomes a failure record, so
   * publish still runs with every other shard's results and counts the lost backends.
   */
  private createStateMachine(stateMachineName: string, maxConcurrency: number, toleratedFailurePercentage: number, retention: logs.RetentionDays, longProbes?: sfn.IChainable): sfn.StateMachine {
    const retryLambda = (task: tasks.LambdaInvoke) => task.addRetry({ errors: [...LAMBDA_TRANSIENT_ERRORS], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    const discover = retryLambda(
      new tasks.LambdaInvoke(this, 'DiscoverLoadBalancers', {
        lambdaFunction: this.discoverFunction,
        payload: sfn.TaskInput.fromObject({
          runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          execution: { stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
      }),
    );
    /** A probe invocation: retried on Lambda's own errors, never on its timeout (15 minutes lost). */
    const invokeProbe = (id: string, probe: lambda.Function) =>
      retryLambda(new tasks.LambdaInvoke(this, id, { lambdaFunction: probe, payloadResponseOnly: true, retryOnServiceExceptions: false, taskTimeout: sfn.Timeout.duration(Duration.minutes(PROBE_TASK_MINUTES)) }));
    const shardFailed = new sfn.Pass(this, 'ShardFailed', {
      parameters: { 'shardId.$': '$.shardId', 'vpcId.$': '$.vpcId', 'error.$': '$.error' },
    });
    const route = new sfn.Choice(this, 'RouteToVpc');
    for (const [vpcId, probe] of Object.entries(this.probeFunctions)) {
      const invoke = invokeProbe(`Probe ${vpcId}`, probe);
      invoke.addCatch(shardFailed, { errors: ['States.ALL'], resultPath: '$.error' });
      route.when(sfn.Condition.stringEquals('$.vpcId', vpcId), invoke);
    }
    route.otherwise(
      new sfn.Pass(this, 'NoProbeForVpc', {
        parameters: { 'shardId.$': '$.shardId', 'vpcId.$': '$.vpcId', error: { Error: 'NoProbeFunction', Cause: 'no probe function is deployed in this VPC' } },
      }),
    );
    const probeShards = new sfn.Map(this, 'ProbeShards', { itemsPath: '$.shards', maxConcurrency, resultPath: '$.shardResults' });
    probeShards.itemProcessor(route);
    const publish = retryLambda(new tasks.LambdaInvoke(this, 'PublishResults', { lambdaFunction: this.publishFunction, payloadResponseOnly: true, retryOnServiceExceptions: false }));

    // Large runs: each VPC's Distributed Map reads its plan from S3, batches it by the socket
    // budget, and writes its results to S3, where publish reads them.
    const probeVpcs = new sfn.Parallel(this, 'ProbeVpcs', { resultPath: '$.vpcResults' });
    for (const [vpcId, probe] of Object.entries(this.probeFunctions)) {
      const map = new sfn.DistributedMap(this, `Distributed ${vpcId}`, {
        itemReader: new sfn.S3JsonItemReader({ bucket: this.bucket, key: sfn.JsonPath.format(`${REPORT_PREFIX}plans/{}/${vpcId}.json`, sfn.JsonPath.stringAt('$.runId')) }),
        // A batch is a child execution's input: held under the state limit even when a backend serves many load balancers.
        itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: TARGETS_PER_INVOCATION, maxInputBytesPerBatch: STATE_BUDGET_BYTES, batchInput: { 'runId.$': '$.runId', vpcId } }),
        maxConcurrency,
        toleratedFailurePercentage,
        resultWriterV2: new sfn.ResultWriterV2({ bucket: this.bucket, prefix: `${REPORT_PREFIX}results` }),
        resultSelector: { vpcId, 'manifest.$': '$.ResultWriterDetails' },
      });
      map.itemProcessor(invokeProbe(`Probe batch ${vpcId}`, probe));
      map.addCatch(new sfn.Pass(this, `Map failed ${vpcId}`, { parameters: { vpcId, 'error.$': '$.error' } }), { errors: ['States.ALL'], resultPath: '$.error' });
      probeVpcs.branch(map);
    }
    const skipped = new sfn.Succeed(this, 'SkippedAnotherRunInProgress', { comment: 'Another execution was running: discover logged the reason; that run covers this one.' });
    let inlineOrDistributed: sfn.Choice;
    if (longProbes === undefined) {
      inlineOrDistributed = new sfn.Choice(this, 'InlineOrDistributed')
        .when(sfn.Condition.stringEquals('$.mode', 'skipped'), skipped)
        .when(sfn.Condition.stringEquals('$.mode', 'distributed'), probeVpcs.next(publish))
        .otherwise(probeShards.next(publish));
    } else {
      // The probe functions and the long probes at once; their outputs merged (the same run, plus longResults) for publish.
      const lambdaProbes = new sfn.Choice(this, 'InlineOrDistributed').when(sfn.Condition.stringEquals('$.mode', 'distributed'), probeVpcs).otherwise(probeShards);
      const probeAll = new sfn.Parallel(this, 'ProbeWithLambdaAndFargate', { resultSelector: { 'run.$': 'States.JsonMerge($[0], $[1], false)' }, outputPath: '$.run' });
      probeAll.branch(lambdaProbes).branch(longProbes);
      inlineOrDistributed = new sfn.Choice(this, 'SkippedOrProbe').when(sfn.Condition.stringEquals('$.mode', 'skipped'), skipped).otherwise(probeAll.next(publish));
    }

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const machine = new sfn.StateMachine(this, 'Run', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(discover.next(inlineOrDistributed)),
      // Discover plans no more probe rounds than this holds, and long probes within it (lambda/run/limits.ts).
      timeout: Duration.minutes(longProbes === undefined ? RUN_TIMEOUT_MINUTES : LONG_RUN_TIMEOUT_MINUTES),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(
      machine,
      [this.discoverFunction, this.publishFunction, ...Object.values(this.probeFunctions)].map((f) => `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(f)}.Arn>:*]`),
      'Invoking a function includes its versions and aliases (function:*), as CDK grants it.',
    );
    acknowledge(machine, ['AwsSolutions-IAM5[Resource::*]'], 'X-Ray trace segments and CloudWatch Logs delivery have no resource-level permissions.');
    acknowledge(machine, [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${this.logicalIdOf(this.bucket)}>/*]`], 'Distributed Maps read plan files and write result files whose names carry run and map ids, in its own bucket (as CDK grants them).');
    const { region, account } = Stack.of(this);
    const executions = `arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.logicalIdOf(machine)}"}]}]}`;
    acknowledge(machine, [`AwsSolutions-IAM5[Resource::${executions}:*]`, `AwsSolutions-IAM5[Resource::${executions}/*:*]`], "A Distributed Map starts, describes and redrives its own child executions, whose ids are only known at run time.");
    if (this.longProbe) {
      // The task definition's ARN without its revision, as CDK's run-task grant writes it.
      const arnPart = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":[":",{"Ref":"${this.logicalIdOf(this.longProbe!.taskDefinition)}"}]}]}`;
      const familyPart = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":["/",${arnPart(5)}]}]}`;
      acknowledge(machine, [`AwsSolutions-IAM5[Resource::arn:${arnPart(1)}:${arnPart(2)}:${arnPart(3)}:${arnPart(4)}:${familyPart(0)}/${familyPart(1)}:*]`], "Running the long probe's task definition includes its revisions (family:*), as CDK grants it.");
    }
    return machine;
  }

  private schedule(expression: string, afterEcs: boolean, afterCodeDeploy: boolean): void {
    new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(expression),
      description: 'Starts an idle-canary run',
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, { input: scheduler.ScheduleTargetInput.fromObject({ source: 'schedule' }) }),
    });
    const deployment = (id: string, pattern: events.EventPattern, description: string) =>
      new events.Rule(this, id, { eventPattern: pattern, description, targets: [new eventTargets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({ source: id }) })] });
    if (afterEcs) {
      deployment(
        'AfterEcsDeployment',
        { source: ['aws.ecs'], detailType: ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] } },
        'Runs idle-canary after an ECS service deployment, so that a runtime upgrade is checked at once',
      );
    }
    if (afterCodeDeploy) {
      deployment(
        'AfterCodeDeployDeployment',
        { source: ['aws.codedeploy'], detailType: ['CodeDeploy Deployment State-change Notification'], detail: { state: ['SUCCESS'] } },
        'Runs idle-canary after a CodeDeploy deployment, so that a runtime upgrade is checked at once',
      );
    }
  }

  private createAlarms(namespace: string, periodMinutes: number, hangupsThreshold: number | undefined) {
    const period = Duration.minutes(periodMinutes);
    /** An alarm notifying the topic of both ALARM and OK, so on-call also learns of recoveries. */
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      return created;
    };
    /** A Metrics Insights query over the per-load-balancer metrics, above zero. */
    const aboveZero = (expression: string, label: string, evaluationPeriods: number) => ({
      metric: new cloudwatch.MathExpression({ expression: expression.replace('NAMESPACE', namespace), period, label }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return {
      loadBalancersFailing: alarm('LoadBalancersFailing', {
        alarmDescription:
          'A load balancer has backends that drop idle connections sooner than its idle timeout (plus margin): clients get intermittent 502/504s. ' +
          `Each failing load balancer is a contributor. Open the latest report (s3://${this.bucket.bucketName}/${REPORT_PREFIX}runs/) for the backend, the measured limit and the setting to change; ` +
          'raise the backend keep-alive/header timeout above the load balancer idle timeout, or lower the idle timeout.',
        ...aboveZero(`SELECT MAX(BackendsFailing) FROM SCHEMA("NAMESPACE", LoadBalancer) GROUP BY LoadBalancer ORDER BY MAX() DESC LIMIT ${GROUP_BY_LIMIT}`, 'BackendsFailing', 1),
      }),
      heartbeat: alarm('Heartbeat', {
        alarmDescription:
          `No idle-canary run completed within two schedule periods (${2 * periodMinutes} minutes): the monitor itself is down, so failures would go unseen. ` +
          'Check the state machine executions and the discover/publish logs.',
        metric: new cloudwatch.Metric({ namespace, metricName: 'RunCompleted', statistic: 'Sum', period }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      probeErrors: alarm('ProbeErrors', {
        alarmDescription:
          'Backends could not be probed in two runs in a row (refused, unreachable, TLS, AWS calls failing or shards timing out): their load balancers are unjudged. ' +
          'Check the report for the error of each backend, the probe security group and the discover logs.',
        ...aboveZero('SELECT SUM(ProbeErrors) FROM SCHEMA("NAMESPACE", LoadBalancer)', 'ProbeErrors', PROBE_ERRORS_PERIODS),
      }),
      ...(hangupsThreshold === undefined
        ? {}
        : {
            hangups: alarm('Hangups', {
              alarmDescription:
                `At least ${hangupsThreshold} requests in 5 minutes died on one load balancer because its backend had already closed the connection (access logs: 502/504 with no backend response). ` +
                'Each load balancer is a contributor. Compare with its probe verdict in the latest report: a backend idle limit below the load balancer idle timeout is the cause; raise the backend keep-alive/header timeout above it.',
              metric: new cloudwatch.MathExpression({
                expression: `SELECT SUM(BackendHangups) FROM SCHEMA("${namespace}", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT ${GROUP_BY_LIMIT}`,
                period: Duration.minutes(5),
                label: 'BackendHangups',
              }),
              threshold: hangupsThreshold,
              comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              // Log objects arrive about 5 minutes after their lines: one period out of three.
              evaluationPeriods: 3,
              datapointsToAlarm: 1,
              treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
            }),
          }),
    };
  }

  private createDashboard(namespace: string, periodMinutes: number, readsAccessLogs: boolean): void {
    const period = Duration.minutes(periodMinutes);
    const query = (expression: string, label: string) => new cloudwatch.MathExpression({ expression, period, label });
    new cloudwatch.Dashboard(this, 'Dashboard', {
      // Unique per stack and construct: dashboards are named per account, not per stack.
      dashboardName: Names.uniqueResourceName(this, { maxLength: 255, separator: '-' }),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Pre-request headroom by load balancer (s)',
            left: [query(`SELECT MIN(PreRequestHeadroom) FROM SCHEMA("${namespace}", LoadBalancer) GROUP BY LoadBalancer ORDER BY MIN() ASC LIMIT ${GROUP_BY_LIMIT}`, 'PreRequestHeadroom')],
            leftAnnotations: [{ value: 0, label: 'load balancer idle timeout', color: '#d62728' }],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Keep-alive headroom by load balancer (s)',
            left: [query(`SELECT MIN(KeepAliveHeadroom) FROM SCHEMA("${namespace}", LoadBalancer) GROUP BY LoadBalancer ORDER BY MIN() ASC LIMIT ${GROUP_BY_LIMIT}`, 'KeepAliveHeadroom')],
            leftAnnotations: [{ value: 0, label: 'load balancer idle timeout', color: '#d62728' }],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Runs completed', left: [new cloudwatch.Metric({ namespace, metricName: 'RunCompleted', statistic: 'Sum', period })], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Load balancers failing', left: [new cloudwatch.Metric({ namespace, metricName: 'LoadBalancersFailing', statistic: 'Maximum', period })], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Probe errors', left: [query(`SELECT SUM(ProbeErrors) FROM SCHEMA("${namespace}", LoadBalancer)`, 'ProbeErrors')], width: 8 }),
        ],
        ...(readsAccessLogs
          ? [[new cloudwatch.GraphWidget({ title: 'Backend hang-ups by load balancer (access logs)', left: [query(`SELECT SUM(BackendHangups) FROM SCHEMA("${namespace}", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT ${GROUP_BY_LIMIT}`, 'BackendHangups')], width: 24 })]]
          : []),
      ],
    });
  }
}

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

/** Where one VPC's probes run: its subnets and the probe security group. */
interface ProbePlacement {
  readonly index: number;
  readonly vpcId: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.SecurityGroup;
}

/** The long probe task's size: the smallest Fargate task; waiting on sockets needs little of either. */
export const LONG_PROBE_TASK = { cpu: 256, memoryMiB: 512 } as const;

/** The long probe task's container, whose environment each run overrides. */
const LONG_PROBE_CONTAINER = 'long-probe';

/** A cdk-nag finding id for an AWS managed policy on a role. */
const MANAGED_POLICY = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;

/**
 * Lets a function put metrics in the namespace, and nowhere else.
 *
 * Why a condition: PutMetricData has no resource-level permission, so `*` is limited by the
 * `cloudwatch:namespace` condition, and cdk-nag's finding is acknowledged with that reason.
 */
function putMetricsIn(fn: lambda.Function, namespace: string): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'PutMetrics', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': namespace } } }));
  acknowledge(fn, ['AwsSolutions-IAM5[Resource::*]'], 'PutMetricData has no resource-level permissions; it is limited to the namespace by the cloudwatch:namespace condition.');
}

/** Acknowledges cdk-nag findings on a construct, each with the reason it is right here. */
function acknowledge(scope: Construct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}
