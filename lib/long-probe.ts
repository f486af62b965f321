/**
 * The long-horizon probe: a cluster and a Fargate task definition whose container runs the
 * probe function's code (`lambda/handlers/long-probe.ts`) from the prebuilt bundle, and the
 * run's states that start one task per VPC.
 *
 * Why these permissions only: the task role reads its shard and writes its result under the
 * run's `long/` keys, nothing else; the execution role (CDK's) pulls the image and writes the
 * task's logs. The image is built by Docker where `cdk deploy` runs; synth only hashes the
 * bundle's directory.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import { LONG_PROBE_DIR } from './handlers';
import { acknowledge, acknowledgeWildcards, objectsUnder } from './nag';
import { probeEnvironment, type ProbeSettingsProps } from './probe-settings';
import type { ProbePlacement } from './probe-functions';
import { REPORT_KEYS } from './reports';
import { logRetentionOf, type ReportsPartProps } from './part-props';

/** The long probe task's size: the smallest Fargate task; waiting on sockets needs little of either. */
export const LONG_PROBE_TASK = { cpu: 256, memoryMiB: 512 } as const;

/** The long probe task's container, whose environment each run overrides. */
const LONG_PROBE_CONTAINER = 'long-probe';

/** Props of the long probe. */
export interface LongProbeProps extends ReportsPartProps, ProbeSettingsProps {
  /** Where each VPC's probes run: the tasks go to the same subnets and security group. */
  readonly placements: readonly ProbePlacement[];
}

/**
 * The cluster (`LongProbeCluster`), the task definition (`LongProbeTask`) and its logs, and
 * (from `states()`) the run's states that start the tasks.
 *
 * Why Fargate: a Lambda invocation lasts 15 minutes at most, too short to hold a socket idle
 * past a 4,000 s load balancer timeout.
 *
 * @example
 * const long = new LongProbe(this, 'LongProbe', { bucket, placements: probes.placements, marginS: 1 });
 * new RunStateMachine(this, 'RunStateMachine', { ...rest, longProbes: long.states() });
 */
export class LongProbe extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  private readonly placements: readonly ProbePlacement[];

  public constructor(scope: Construct, id: string, props: LongProbeProps) {
    super(scope, id);
    const { bucket } = props;
    this.placements = props.placements;
    // The cluster's VPC is only its default for capacity (CDK would create one): every task is placed by subnet id.
    this.cluster = new ecs.Cluster(this, 'LongProbeCluster', { vpc: this.placements[0].vpc, enableFargateCapacityProviders: true });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'LongProbeTask', {
      cpu: LONG_PROBE_TASK.cpu,
      memoryLimitMiB: LONG_PROBE_TASK.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskDefinition.addContainer(LONG_PROBE_CONTAINER, {
      image: ecs.ContainerImage.fromAsset(LONG_PROBE_DIR, { platform: Platform.LINUX_ARM64 }),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'long-probe', logGroup: new logs.LogGroup(this, 'LongProbeLogs', { retention: logRetentionOf(props), removalPolicy: RemovalPolicy.DESTROY }) }),
      environment: { POWERTOOLS_SERVICE_NAME: 'idle-canary', AWS_REGION: Stack.of(this).region, ...probeEnvironment(props), [ENV.bucket]: bucket.bucketName },
      // The probe's sockets, as many as a probe function may hold, and more descriptors than they need.
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 4096, hardLimit: 4096 }],
      readonlyRootFilesystem: true,
    });
    this.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ sid: 'ReadLongProbePlan', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(REPORT_KEYS.longPlans)] }));
    this.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ sid: 'WriteLongProbeResult', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(REPORT_KEYS.longResults)] }));
    acknowledgeWildcards(this.taskDefinition, { patterns: [objectsUnder(REPORT_KEYS.longPlans), objectsUnder(REPORT_KEYS.longResults)], reason: "The task reads its run's long probe plan and writes its result; the keys carry the run's id, known only at run time." });
    acknowledge(this.taskDefinition, ['AwsSolutions-ECS2'], 'The environment holds the bucket name and probe settings, no secret.');
    acknowledge(this.taskDefinition, ['AwsSolutions-IAM5[Resource::*]'], 'ecr:GetAuthorizationToken (the execution role pulling the image) has no resource-level permission.');
    acknowledge(this.cluster, ['AwsSolutions-ECS4'], 'One short-lived task per VPC and run, whose results and logs are already kept; Container Insights would add cost and nothing to read.');
  }

  /**
   * One run-task state per VPC, in its subnets with the probe security group and one allowing
   * HTTPS out (ECR, S3, CloudWatch Logs through the NAT gateway or the VPC endpoints).
   *
   * Why `.sync`: the run waits for the task, and Step Functions stops the task when the run is
   * stopped or the state times out (after the time discover gave it).
   */
  public states(): sfn.IChainable {
    const container = this.taskDefinition.defaultContainer!;
    const route = new sfn.Choice(this, 'RouteLongProbeToVpc');
    const failed = new sfn.Pass(this, 'LongProbeFailed', { parameters: { 'vpcId.$': '$.vpcId', 'error.$': '$.error' } });
    for (const { index, vpcId, vpc, subnets, securityGroup } of this.placements) {
      const awsAccess = new ec2.SecurityGroup(this, `LongProbeAwsAccess${index}`, { vpc, allowAllOutbound: false, description: `idle-canary long probe: HTTPS to ECR, S3 and CloudWatch Logs from ${vpcId}` });
      awsAccess.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'ECR, S3 and CloudWatch Logs (NAT gateway or VPC endpoints)');
      const task = new tasks.EcsRunTask(this, `Long probe ${vpcId}`, {
        cluster: this.cluster,
        taskDefinition: this.taskDefinition,
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
      task.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
      route.when(sfn.Condition.stringEquals('$.vpcId', vpcId), task);
    }
    route.otherwise(new sfn.Pass(this, 'NoLongProbeForVpc', { parameters: { 'vpcId.$': '$.vpcId', error: { Error: 'NoLongProbe', Cause: 'no long probe is deployed in this VPC' } } }));
    const map = new sfn.Map(this, 'LongProbes', { itemsPath: '$.long', resultPath: '$.longResults', maxConcurrency: this.placements.length });
    map.itemProcessor(route);
    // Only the outcomes leave the branch: the Parallel's result holds the other branch's whole state already.
    return map.next(new sfn.Pass(this, 'LongProbeOutcomes', { parameters: { 'longResults.$': '$.longResults' } }));
  }
}
