/**
 * The whole deployed run, executed: the state machine definition of a real `cdk synth` run by
 * `aws-local-stepfunctions`, each Lambda task calling the real bundled handler
 * (`dist/handlers/*`) in-process, the long probe task run as the process its image runs, AWS
 * calls going to moto (S3, CloudWatch, SNS, ELB, ELBv2, EC2, Step Functions) and real backends
 * on loopback. A Classic ELB and an ALB share the name `web`, as AWS allows.
 *
 * What it catches that no handler test can: a wrong `ResultPath`, `ItemSelector`, `Parameters`
 * or payload shape between two states.
 */
import '../support/with-resolvers';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AuthorizeSecurityGroupIngressCommand, CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ConfigureHealthCheckCommand, CreateLoadBalancerCommand as CreateClassic, ElasticLoadBalancingClient, ModifyLoadBalancerAttributesCommand as ModifyClassic, RegisterInstancesWithLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand as CreateV2,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand as ModifyV2,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { StateMachine } from 'aws-local-stepfunctions';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '../../cli/demo/backends';
import { HANDLERS_DIR, LONG_PROBE_DIR, type HandlerName } from '../../lib/handlers';
import { DEFAULT_NAMESPACE, loadBalancerDimension } from '../../lambda/metrics/names';
import type { ScanReportJson } from '../../lambda/report/scan';
import { getJson, putJson } from '../../lambda/shared/s3-json';
import { keepAliveCloseS } from '../support/keep-alive-close';
import { lambdaContext } from '../support/lambda-context';
import { startMoto, useMotoOnly, type RunningMoto } from '../support/moto';
import { STACK, stateMachineDefinition, synth } from './synth';

const NAME = 'web';
const REGION = 'eu-west-1';

type Json = Parameters<StateMachine['run']>[0];

/** One execution: the states it went through, each with its input and output size, and its output. */
interface Execution {
  readonly output: Json;
  /** Why the execution failed; absent when it succeeded. */
  readonly error?: Error;
  /** What discover returned: the run the other states are given. */
  readonly discovered: Json;
  readonly states: ReadonlyArray<{ readonly name: string; readonly inputBytes: number; readonly outputBytes: number }>;
}

/** A bundled handler, loaded as the Lambda runtime loads it. */
function bundledHandler(name: HandlerName): (event: unknown, context: unknown) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as the runtime loads it
  return (require(join(HANDLERS_DIR, name, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<unknown> }).handler;
}

/** The long probe task: the image's command (`node index.js`) with the container overrides the state passes. */
function longProbeTask(env: Record<string, string>) {
  return async (input: Json): Promise<Json> => {
    const overrides = (input as { Overrides: { ContainerOverrides: Array<{ Environment: Array<{ Name: string; Value: string }> }> } }).Overrides.ContainerOverrides[0].Environment;
    let output = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [join(LONG_PROBE_DIR, 'index.js')], {
        cwd: LONG_PROBE_DIR,
        env: { PATH: process.env.PATH, ...env, ...Object.fromEntries(overrides.map((o) => [o.Name, o.Value])) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      // Bounded: the task's budget is seconds here; a hung process fails the state.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    if (code !== 0) throw new Error(`long probe task exited ${code}: ${output}`);
    return { StopCode: 'EssentialContainerExited' };
  };
}

/**
 * The definition as `aws-local-stepfunctions` can run it: without the long probe task's
 * `TimeoutSecondsPath`, which the library resolves against the task's `Parameters` rather than
 * against the state input as Step Functions does (`$.timeoutS` is in the input, a `LongProbe`,
 * and RunTask takes no such parameter). The tests check that every long probe item has it.
 */
function forLocalRun(definition: unknown): unknown {
  if (Array.isArray(definition)) return definition.map(forLocalRun);
  if (typeof definition !== 'object' || definition === null) return definition;
  const entries = Object.entries(definition).filter(([key, value]) => !(key === 'TimeoutSecondsPath' && value === '$.timeoutS'));
  return Object.fromEntries(entries.map(([key, value]) => [key, forLocalRun(value)]));
}

/** Receives what SNS delivers to an HTTP subscription: moto posts each message as JSON. */
async function startSnsEndpoint(): Promise<{ server: Server; url: string; messages: Array<{ Subject?: string; Message: string }> }> {
  const messages: Array<{ Subject?: string; Message: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body = (body + chunk).slice(0, 100_000)));
    request.on('end', () => {
      const posted = JSON.parse(body) as { Type: string; Subject?: string; Message: string };
      if (posted.Type === 'Notification') messages.push({ Subject: posted.Subject, Message: posted.Message });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/sns`, messages };
}

describe('the synthesized state machine, executed', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  const backends: Record<'failing' | 'passing' | 'fixed', RunningBackend> = {} as never;
  let sns: Awaited<ReturnType<typeof startSnsEndpoint>>;
  let machine: StateMachine;
  let stateMachineArn: string;
  let vpcId: string;
  let albArn: string;
  let albGroupArn: string;
  let bucket: string;
  let taskEnv: Record<string, string>;
  let failingCloseS: number;
  let alarmExpression: string;
  let definition: ReturnType<typeof stateMachineDefinition>;

  /** Runs the definition once, as the schedule (or, with an input, an operator) starts it, and records every state it went through. */
  async function execute(name: string, probeTimeoutS: number, input: Record<string, Json> = {}): Promise<Execution> {
    process.env.IDLE_CANARY_PROBE_TIMEOUT_S = String(probeTimeoutS);
    const invoke = (handler: HandlerName, timeoutS: number) => {
      const run = bundledHandler(handler);
      return async (input: Json) => (await run(input, lambdaContext(timeoutS * 1000))) as Json;
    };
    const startTime = new Date().toISOString();
    const execution = machine.run(
      input,
      {
        context: {
          Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Name: name, StartTime: startTime, Input: input },
          StateMachine: { Id: stateMachineArn, Name: 'IdleCanaryRun' },
        },
        overrides: {
          taskResourceLocalHandlers: {
            DiscoverLoadBalancers: invoke('discover', 900),
            [`Probe ${vpcId}`]: invoke('probe', probeTimeoutS),
            [`Long probe ${vpcId}`]: longProbeTask(taskEnv),
            PublishResults: invoke('publish', 300),
          },
        },
      },
    );
    const states: Array<Execution['states'][number]> = [];
    let discovered: Json = null;
    const events = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateExited' && event.state.name === 'DiscoverLoadBalancers') discovered = event.state.output as Json;
        if (event.type === 'StateExited') states.push({ name: event.state.name, inputBytes: Buffer.byteLength(JSON.stringify(event.state.input)), outputBytes: Buffer.byteLength(JSON.stringify(event.state.output ?? null)) });
      }
    })();
    const output = await execution.result.catch((error: Error) => error);
    await events;
    console.log(`${name}: states visited (input -> output bytes):\n${states.map((s) => `  ${s.name}: ${s.inputBytes} -> ${s.outputBytes}`).join('\n')}`);
    return output instanceof Error ? { output: null, error: output, states, discovered } : { output, states, discovered };
  }

  /** A run report the publish step wrote. */
  async function readReport(key: string): Promise<ScanReportJson> {
    const s3 = new S3Client({});
    try {
      return await getJson<ScanReportJson>(s3, bucket, key);
    } finally {
      s3.destroy();
    }
  }

  /** The latest value of a metric in the default namespace, per load balancer series. */
  async function readMetrics(queries: ReadonlyArray<readonly [id: string, metric: string, series?: string]>): Promise<Record<string, number[]>> {
    const cloudWatch = new CloudWatchClient({});
    const query = ([Id, MetricName, series]: readonly [string, string, string?]): MetricDataQuery => ({
      Id,
      MetricStat: { Metric: { Namespace: DEFAULT_NAMESPACE, MetricName, Dimensions: series === undefined ? [] : [{ Name: 'LoadBalancer', Value: series }] }, Period: 60, Stat: 'Maximum' },
    });
    const output = await cloudWatch.send(new GetMetricDataCommand({ StartTime: new Date(Date.now() - 15 * 60_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: queries.map(query), ScanBy: 'TimestampDescending' }));
    cloudWatch.destroy();
    return Object.fromEntries(output.MetricDataResults!.map((r) => [r.Id!, r.Values!]));
  }

  beforeAll(async () => {
    // Prepare: real backends: one drops idle keep-alive connections after 1 s, two keep them 20 s
    const base = { description: 'whole run', headersTimeoutMs: 20_000, keepAliveTimeoutMs: 20_000 };
    [backends.failing, backends.passing, backends.fixed] = await Promise.all([
      startBackend({ ...base, name: 'failing', keepAliveTimeoutMs: 1000 }),
      startBackend({ ...base, name: 'passing' }),
      startBackend({ ...base, name: 'fixed' }),
    ]);
    failingCloseS = await keepAliveCloseS(backends.failing.port);

    // The emulator, and only its settings for the SDK
    moto = await startMoto();
    useMotoOnly(moto);
    const [ec2, elb, elbv2] = [new EC2Client({}), new ElasticLoadBalancingClient({}), new ElasticLoadBalancingV2Client({})];

    // A loopback VPC: its instance and its ip targets are 127.0.0.1
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '127.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const subnets = [await subnet('127.0.0.0/24', 'eu-west-1a'), await subnet('127.0.1.0/24', 'eu-west-1b')];
    const [instance] = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnets[0], PrivateIpAddress: '127.0.0.1' }))).Instances!;
    // The instance's group, the VPC's default, admits all traffic from itself as AWS's default groups do (moto's admits nothing):
    // standing in for the probe's group, it lets discover find the backends admitted
    const defaultGroup = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0].GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: defaultGroup, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: defaultGroup }] }] }));

    // Classic ELB "web", 3 s idle timeout, in front of the passing backend
    await elb.send(new CreateClassic({ LoadBalancerName: NAME, Subnets: [subnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: backends.passing.port }] }));
    await elb.send(new ConfigureHealthCheckCommand({ LoadBalancerName: NAME, HealthCheck: { Target: `HTTP:${backends.passing.port}/`, Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 } }));
    await elb.send(new ModifyClassic({ LoadBalancerName: NAME, LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 3 } } }));
    await elb.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: NAME, Instances: [{ InstanceId: instance.InstanceId }] }));

    // ALB "web", 2 s idle timeout, in front of the failing backend
    const alb = (await elbv2.send(new CreateV2({ Name: NAME, Subnets: subnets, Type: 'application' }))).LoadBalancers![0];
    albArn = alb.LoadBalancerArn!;
    await elbv2.send(new ModifyV2({ LoadBalancerArn: albArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '2' }] }));
    const group = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: backends.failing.port, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/' }))).TargetGroups![0];
    albGroupArn = group.TargetGroupArn!;
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: albGroupArn, Targets: [{ Id: '127.0.0.1', Port: backends.failing.port }] }));
    await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: albArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: albGroupArn }] }));
    [ec2, elb, elbv2].forEach((client) => client.destroy());

    // The stack, synthesized for this VPC, with long-horizon probes
    // The detailed set: its per-load-balancer metrics and Metrics Insights alarm are what this run reads back
    const { template } = synth({ ...STACK, metrics: 'detailed', schedule: 'rate(90 minutes)', longTimeouts: { vpcEndpoints: true }, vpcs: [{ vpcId, subnetIds: subnets, cidr: '127.0.0.0/16', backendPorts: ['1024-65535'] }] });
    definition = stateMachineDefinition(template);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => (a.Properties.Metrics ?? []) as Array<{ Expression?: string }>);
    alarmExpression = alarms.find((m) => m.Expression?.includes('MAX(BackendsFailing)'))!.Expression!;

    // Its bucket, topic (delivering to a loopback endpoint) and state machine, in the emulator
    bucket = 'idle-canary-reports';
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    s3.destroy();
    sns = await startSnsEndpoint();
    const snsClient = new SNSClient({});
    const topicArn = (await snsClient.send(new CreateTopicCommand({ Name: 'idle-canary-alarms' }))).TopicArn!;
    await snsClient.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: sns.url }));
    snsClient.destroy();
    const sfn = new SFNClient({});
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'IdleCanaryRun', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/idle-canary-run' }))).stateMachineArn!;
    sfn.destroy();

    // Each function's and the task's environment as the template sets it, the bucket and topic being the emulator's
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const { Ref: ref, 'Fn::GetAtt': getAtt, 'Fn::Join': join } = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
      if (join !== undefined) return join[1].map(resolve).join(join[0]);
      const id = ref ?? getAtt![0];
      if (pseudo[id] !== undefined) return pseudo[id];
      const type = resources[id]?.Type;
      if (type === 'AWS::S3::Bucket') return bucket;
      if (type === 'AWS::SNS::Topic') return topicArn;
      if (type === 'AWS::EC2::SecurityGroup') return defaultGroup;
      return id;
    };
    const functionEnv = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((f) => Object.entries((f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>));
    Object.assign(process.env, Object.fromEntries(functionEnv.map(([key, value]) => [key, resolve(value)])));
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const containerEnv = (task.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>).map(({ Name, Value }) => [Name, resolve(Value)]);
    taskEnv = { ...moto.env, ...Object.fromEntries(containerEnv), POWERTOOLS_LOG_LEVEL: 'SILENT' };

    // Resources are the template's references: the tasks are run locally, by state name
    machine = new StateMachine(forLocalRun(definition) as never, { validationOptions: { checkArn: false } });
  }, 180_000);

  afterAll(async () => {
    process.env = saved;
    sns?.server.closeAllConnections();
    sns?.server.close();
    await Promise.all(Object.values(backends).map((b) => b.stop()));
    await moto?.stop();
  });

  describe('an inline run', () => {
    let execution: Execution;
    let report: ScanReportJson;

    beforeAll(async () => {
      // Act: the probe function's real timeout (900 s): both load balancers fit it
      execution = await execute('run-inline', 900);
      expect(execution.error).toBeUndefined();
      report = await readReport( (execution.output as { report: string }).report);
    }, 120_000);

    it('goes from discovery through the inline Map to publish, with every payload within the 256 KB state limit', () => {
      // Assess
      // The Parallel state's two branches interleave: their states are compared as a set
      const names = execution.states.map((s) => s.name);
      expect([names[0], names.at(-1)]).toEqual(['DiscoverLoadBalancers', 'PublishResults']);
      expect([...names].sort()).toEqual(['DiscoverLoadBalancers', 'InlineOrDistributed', 'LongProbeOutcomes', 'LongProbes', `Probe ${vpcId}`, 'ProbeShards', 'ProbeWithLambdaAndFargate', 'PublishResults', 'RouteToVpc', 'SkippedOrProbe']);
      expect(Math.max(...execution.states.flatMap((s) => [s.inputBytes, s.outputBytes]))).toBeLessThan(256 * 1024);
      expect(execution.output).toMatchObject({ runId: 'run-inline', loadBalancers: 2, failing: [NAME], shardFailureCount: 0, metricsFailed: 0 });
    });

    it('keeps the Classic ELB and the ALB of one name apart: two report rows, two series', async () => {
      // Prepare
      const alb = report.loadBalancers.find((lb) => lb.type === 'application')!;
      const albSeries = loadBalancerDimension(alb);

      // Act
      const metrics = await readMetrics([
        ['albKeepAlive', 'BackendKeepAliveTimeout', albSeries],
        ['albHeadroom', 'KeepAliveHeadroom', albSeries],
        ['albFailing', 'BackendsFailing', albSeries],
        ['classicKeepAlive', 'BackendKeepAliveTimeout', NAME],
        ['classicFailing', 'BackendsFailing', NAME],
        ['runs', 'RunCompleted'],
      ]);

      // Assess
      console.log(`run-inline report s3://${bucket}/${(execution.output as { report: string }).report}: ${report.loadBalancers.map((lb) => `${lb.name} (${lb.type}) ${lb.verdict} keep-alive ${lb.phases.keepAlive?.limitS ?? `>= ${lb.phases.keepAlive?.survivedS}`} s`).join('; ')}`);
      console.log(`run-inline metrics read back: ${JSON.stringify(metrics)}; keep-alive close measured apart ${failingCloseS.toFixed(3)} s`);
      expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.verdict])).toEqual([
        [NAME, 'classic', 'pass'],
        [NAME, 'application', 'fail'],
      ]);
      expect(albSeries).toBe(`app/${NAME}/${albArn.split('/').at(-1)}`);
      expect([metrics.albFailing[0], metrics.classicFailing[0]]).toEqual([1, 0]);
      expect(Math.abs(metrics.albKeepAlive[0] - failingCloseS)).toBeLessThan(0.25);
      expect(metrics.albHeadroom[0]).toBeCloseTo(metrics.albKeepAlive[0] - 2, 3);
      expect(metrics.classicKeepAlive[0]).toBeGreaterThanOrEqual(3);
      // The deployed run is the one that sends the heartbeat
      expect(metrics.runs).toEqual([1]);
    });

    it('lets the LoadBalancersFailing alarm see each load balancer of the name as its own contributor', async () => {
      // Prepare: the alarm's Metrics Insights query, as synthesized (moto does not evaluate Metrics Insights)
      const [, metricName, dimension] = /^SELECT MAX\((\w+)\) FROM SCHEMA\("[^"]+", (\w+)\) GROUP BY \2 /.exec(alarmExpression)!;
      const cloudWatch = new CloudWatchClient({});

      // Act: its GROUP BY over what the run published: one contributor per series of the schema
      const listed = await cloudWatch.send(new ListMetricsCommand({ Namespace: DEFAULT_NAMESPACE, MetricName: metricName }));
      cloudWatch.destroy();
      const series = listed.Metrics!.filter((m) => m.Dimensions?.length === 1 && m.Dimensions[0].Name === dimension).map((m) => m.Dimensions![0].Value!);
      const values = await readMetrics(series.map((value, i) => [`s${i}`, metricName, value] as const));
      const contributors = Object.fromEntries(series.map((value, i) => [value, Math.max(...values[`s${i}`])]));

      // Assess: above zero (the alarm's threshold) for the ALB alone
      const albSeries = loadBalancerDimension(report.loadBalancers.find((lb) => lb.type === 'application')!);
      console.log(`alarm query ${alarmExpression}: contributors ${JSON.stringify(contributors)}`);
      expect(contributors).toEqual({ [albSeries]: 1, [NAME]: 0 });
    });
  });

  describe('a run of one target group, asked for in the execution input', () => {
    let execution: Execution;
    let report: ScanReportJson;

    beforeAll(async () => {
      // Act: as `aws stepfunctions start-execution --input '{"selection":{"targetGroup":"..."}}'` starts it
      execution = await execute('run-target-group', 900, { selection: { targetGroup: albGroupArn } });
      expect(execution.error).toBeUndefined();
      report = await readReport((execution.output as { report: string }).report);
    }, 120_000);

    it('probes the ALB that forwards to the group, its targets only, and leaves the Classic ELB out with the reason', () => {
      // Assess
      console.log(`run-target-group: discover returned ${JSON.stringify(execution.discovered).slice(0, 400)}...; publish ${JSON.stringify(execution.output)}`);
      expect(execution.discovered).toMatchObject({ mode: 'inline', selection: `target group ${albGroupArn}`, shards: [{ vpcId, items: [{ loadBalancers: [NAME] }] }] });
      expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.verdict, lb.backends.map((b) => b.targetGroup)])).toEqual([[NAME, 'application', 'fail', ['web-tg']]]);
      expect(report.excluded).toEqual([{ name: NAME, type: 'classic', reason: 'has no target groups, and the selection names target groups' }]);
      expect(execution.output).toMatchObject({ runId: 'run-target-group', selection: `target group ${albGroupArn}`, verdict: 'fail', loadBalancers: 1, failing: [NAME], shardFailureCount: 0 });
    });

    it('moves no alarm and no baseline: no metric published, latest.json still the last run of the whole scope', async () => {
      // Act
      const latest = await readReport('idle-canary/latest.json');

      // Assess
      expect(execution.output).toMatchObject({ metricsPublished: 0, changes: 0, notified: false });
      expect(latest.startedAt).not.toBe(report.startedAt);
      expect(latest.loadBalancers.map((lb) => lb.type)).toEqual(['classic', 'application']);
    });
  });

  describe('a run of targets, one of them outside any VPC', () => {
    it('probes the one in the VPC and records the other shard as failed, with the reason, without failing the run', async () => {
      // Prepare: the passing backend in the stack's VPC, and an address to probe from outside any VPC (no such probe is deployed)
      const targets: Json[] = [
        { host: '127.0.0.1', port: backends.passing.port, idleTimeoutS: 2, vpcId, name: 'green' },
        { host: '127.0.0.1', port: backends.fixed.port, idleTimeoutS: 2, name: 'public' },
      ];

      // Act
      const execution = await execute('run-targets', 900, { source: 'operator', selection: { targets } });
      const report = await readReport((execution.output as { report: string }).report);

      // Assess
      expect(execution.error).toBeUndefined();
      expect(execution.states.map((s) => s.name)).toEqual(expect.arrayContaining([`Probe ${vpcId}`, 'NoProbeOutsideVpc', 'PublishResults']));
      expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.vpcId, lb.verdict, lb.probeErrors])).toEqual([
        ['green', 'probe', vpcId, 'pass', 0],
        ['public', 'probe', '-', 'inconclusive', 1],
      ]);
      expect(execution.output).toMatchObject({ runId: 'run-targets', selection: '2 target(s)', shardFailureCount: 1, shardFailures: [{ shardId: 1, error: 'NoProbeFunction: no probe function is deployed outside a VPC' }], metricsPublished: 0 });
    }, 120_000);
  });

  describe('a run with one long probe, after the ALB was fixed', () => {
    let execution: Execution;
    let report: ScanReportJson;

    beforeAll(async () => {
      // Prepare: the ALB now forwards to a backend that keeps idle connections 20 s
      const elbv2 = new ElasticLoadBalancingV2Client({});
      await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: albGroupArn, Targets: [{ Id: '127.0.0.1', Port: backends.failing.port }] }));
      await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: albGroupArn, Targets: [{ Id: '127.0.0.1', Port: backends.fixed.port }] }));
      elbv2.destroy();

      // Act: a probe function timeout scaled down to 75 s, so that the 3 s Classic ELB's horizon needs the long probe task
      execution = await execute('run-long', 75);
      expect(execution.error).toBeUndefined();
      report = await readReport( (execution.output as { report: string }).report);
      // SNS delivers over HTTP after publish returns: wait for it, bounded
      for (let i = 0; i < 50 && sns.messages.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    }, 120_000);

    it('runs the long probe task in its Map and the ALB in the inline Map, and publish judges both', () => {
      // Assess
      const names = execution.states.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['DiscoverLoadBalancers', `Probe ${vpcId}`, 'RouteLongProbeToVpc', `Long probe ${vpcId}`, 'LongProbes', 'LongProbeOutcomes', 'ProbeWithLambdaAndFargate', 'PublishResults']));
      expect(names).not.toContain('LongProbeFailed');
      // Step Functions reads the task's timeout from its input (TimeoutSecondsPath $.timeoutS): each long probe item has it
      const long = (execution.discovered as { long: Array<{ timeoutS: unknown; budgetS: number }> }).long;
      console.log(`run-long long probes: ${JSON.stringify(long)}`);
      expect(long).toHaveLength(1);
      expect(long.every((item) => Number.isInteger(item.timeoutS) && (item.timeoutS as number) > item.budgetS)).toBe(true);
      expect(Math.max(...execution.states.flatMap((s) => [s.inputBytes, s.outputBytes]))).toBeLessThan(256 * 1024);
      console.log(`run-long report: ${report.loadBalancers.map((lb) => `${lb.name} (${lb.type}) ${lb.verdict} keep-alive ${lb.phases.keepAlive?.limitS ?? `>= ${lb.phases.keepAlive?.survivedS}`} s, horizon ${lb.backends[0]?.probe.horizonS} s`).join('; ')}`);
      expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.verdict])).toEqual([
        [NAME, 'classic', 'pass'],
        [NAME, 'application', 'pass'],
      ]);
      expect(execution.output).toMatchObject({ runId: 'run-long', loadBalancers: 2, failing: [], shardFailureCount: 0, changes: 1, notified: true });
    });

    it('notifies the recovery of the ALB alone, named with its type', () => {
      // Assess
      console.log(`SNS message: ${JSON.stringify(sns.messages)}`);
      expect(sns.messages).toHaveLength(1);
      expect(sns.messages[0].Subject).toBe(`idle-canary ${REGION}: 1 change, 0 load balancers failing`);
      expect(sns.messages[0].Message).toContain(`RECOVERED ${NAME} (application): the limit between requests went from`);
    });
  });

  describe('a distributed run', () => {
    it('stops at the Distributed Map, which aws-local-stepfunctions cannot run (no ItemReader)', async () => {
      // Prepare: an inline limit of 1 backend, below the run's 2
      process.env.IDLE_CANARY_INLINE_MAX_BACKENDS = '1';

      // Act
      const execution = await execute('run-distributed', 900);
      process.env.IDLE_CANARY_INLINE_MAX_BACKENDS = '100';

      // Assess: discover planned to S3, the Choice chose the Distributed Maps, and the library cannot read their items
      console.log(`run-distributed: ${execution.error?.message}; discover returned ${JSON.stringify(execution.discovered)}`);
      expect(execution.discovered).toMatchObject({ mode: 'distributed', plans: [{ vpcId, key: `idle-canary/plans/run-distributed/${vpcId}.json`, items: 2 }] });
      expect(execution.states.map((s) => s.name)).toEqual(expect.arrayContaining(['DiscoverLoadBalancers', 'InlineOrDistributed']));
      expect(execution.error?.message).toBe('Execution has failed with the following error: Input of Map state must be an array or ItemsPath property must point to an array');

      // Act 2: that Map's items as its definition reads, batches and writes them (ItemReader, ItemBatcher,
      // ResultWriter, ResultSelector), each batch given to the bundled probe handler; then the Parallel
      // states' merge and the bundled publish handler
      const run = execution.discovered as { runId: string; long: unknown[] };
      type Branches = { Branches: Array<{ States: Record<string, Branches & Record<string, never>> }> };
      const map = (definition.States.ProbeWithLambdaAndFargate as unknown as Branches).Branches[0].States.ProbeVpcs.Branches[0].States[`Distributed ${vpcId}`] as unknown as {
        ItemReader: { Parameters: { 'Key.$': string } };
        ItemBatcher: { MaxItemsPerBatch: number; BatchInput: Record<string, string> };
        ResultWriter: { Parameters: { Prefix: string } };
      };
      const s3 = new S3Client({});
      const planKey = /^States\.Format\('([^']+)', \$\.runId\)$/.exec(map.ItemReader.Parameters['Key.$'])![1].replace('{}', run.runId);
      const items = await getJson<unknown[]>(s3, bucket, planKey);
      const batchInput = Object.fromEntries(Object.entries(map.ItemBatcher.BatchInput).map(([key, value]) => (key.endsWith('.$') ? [key.slice(0, -2), run.runId] : [key, value])));
      const probe = bundledHandler('probe');
      const children = [];
      for (let i = 0; i < items.length; i += map.ItemBatcher.MaxItemsPerBatch) {
        const output = await probe({ BatchInput: batchInput, Items: items.slice(i, i + map.ItemBatcher.MaxItemsPerBatch) }, lambdaContext(900_000));
        children.push({ Status: 'SUCCEEDED', Output: JSON.stringify(output) });
      }
      const prefix = `${map.ResultWriter.Parameters.Prefix}/${run.runId}`;
      await putJson(s3, bucket, `${prefix}/SUCCEEDED_0.json`, children);
      await putJson(s3, bucket, `${prefix}/manifest.json`, { DestinationBucket: bucket, ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json` }], FAILED: [], PENDING: [] } });
      const vpcResults = [{ vpcId, manifest: { Bucket: bucket, Key: `${prefix}/manifest.json` } }];
      const summary = (await bundledHandler('publish')({ ...run, vpcResults, longResults: [] }, lambdaContext(300_000))) as { report: string };
      const report = await getJson<ScanReportJson>(s3, bucket, summary.report);
      s3.destroy();

      // Assess: the same verdicts as the inline run of the same load balancers
      console.log(`run-distributed through the Distributed Map's fields: ${items.length} items in ${children.length} batch(es); publish ${JSON.stringify(summary)}`);
      expect(batchInput).toEqual({ runId: 'run-distributed', vpcId });
      expect(summary).toMatchObject({ runId: 'run-distributed', loadBalancers: 2, shardFailureCount: 0, metricsFailed: 0 });
      expect(report.loadBalancers.map((lb) => [lb.name, lb.type, lb.verdict])).toEqual([
        [NAME, 'classic', 'pass'],
        [NAME, 'application', 'pass'],
      ]);
    }, 120_000);
  });
});
