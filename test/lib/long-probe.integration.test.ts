import * as childProcess from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';
import { parseConfig } from '../../lib/config';
import { LONG_PROBE_DIR } from '../../lib/handlers';
import { IdleCanary } from '../../lib/idle-canary';
import { LONG_RUN_TIMEOUT_MINUTES, RUN_TIMEOUT_MINUTES } from '../../lambda/run/limits';
import { STACK, VPC, logicalIdOf, roleStatements, stateMachineDefinition, synth, importedVpcs } from './synth';

const SECOND_VPC = { vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080] };
/** A stack for an account whose ALBs hold idle connections 3,600 s (WebSockets, long polling). */
const LONG = { ...STACK, vpcs: [VPC, SECOND_VPC], schedule: 'rate(90 minutes)', longTimeouts: { natGateway: true } };

// Synth must not start Docker: CDK builds container images only when they are published (cdk deploy).
const spawned: string[] = [];
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync'] as const) {
  jest.spyOn(childProcess, name).mockImplementation(((...args: unknown[]) => {
    spawned.push(String(args[0]));
    throw new Error(`synth ran ${String(args[0])}`);
  }) as never);
}
const { template, assembly, stack } = synth(LONG);
const longProbe = stack.canary.longProbe!;
jest.restoreAllMocks();

const REPORTS = { 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] };

describe('the IdleCanary stack with long timeouts', () => {
  it('synthesizes the long probe image from the prebuilt bundle without running Docker', () => {
    // Assess: the image is an asset of the bundle's directory, built with its Dockerfile at deploy time only
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${assembly.stacks[0].stackName}.assets.json`), 'utf8'));
    const images = Object.values(manifest.dockerImages) as Array<{ source: { directory: string; platform?: string } }>;
    expect(spawned).toEqual([]);
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/arm64');
    expect(readFileSync(join(assembly.directory, images[0].source.directory, 'Dockerfile'), 'utf8')).toBe(readFileSync(join(LONG_PROBE_DIR, 'Dockerfile'), 'utf8'));
    expect(readFileSync(join(assembly.directory, images[0].source.directory, 'index.js'), 'utf8')).toContain('IDLE_CANARY_RESULT_KEY');
  });

  it('defines one Fargate task definition on ARM64, with its logs, and one cluster', () => {
    // Assess
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'long-probe',
          ReadonlyRootFilesystem: true,
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          Environment: Match.arrayWith([{ Name: 'IDLE_CANARY_MAX_OPEN_SOCKETS', Value: '900' }, { Name: 'IDLE_CANARY_BUCKET', Value: { Ref: logicalIdOf(stack.canary.bucket) } }]),
        }),
      ],
    });
  });

  it("lets the task read its plan and write its result under the run's long/ keys, and nothing else", () => {
    // Assess
    expect(roleStatements(template, longProbe.taskDefinition.taskRole)).toEqual([
      { Sid: 'ReadLongProbePlan', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [REPORTS, '/idle-canary/plans/*/long/*']] } },
      { Sid: 'WriteLongProbeResult', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [REPORTS, '/idle-canary/results/*/long/*']] } },
    ]);
    const taskRole = template.toJSON().Resources[logicalIdOf(longProbe.taskDefinition.taskRole)];
    expect(taskRole.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the execution role pull the image from the asset repository and write the task logs, and nothing else', () => {
    // Assess
    expect(roleStatements(template, longProbe.taskDefinition.executionRole)).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:123456789012:repository/cdk-hnb659fds-container-assets-123456789012-eu-west-1']] },
      },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(longProbe.node.findChild('LongProbeLogs')), 'Arn'] } },
    ]);
  });

  it('runs the task from the same run, in parallel with the probe functions, one .sync task per VPC in its subnets with the probe security group', () => {
    // Prepare
    const definition = stateMachineDefinition(template);
    const parallel = definition.States.ProbeWithLambdaAndFargate as { Branches: Array<{ StartAt: string; States: Record<string, Record<string, unknown>> }>; ResultSelector: unknown; OutputPath: string; Next: string };
    const long = parallel.Branches[1].States.LongProbes as { ItemsPath: string; ResultPath: string; ItemProcessor: { States: Record<string, Record<string, unknown>> } };
    const task = long.ItemProcessor.States[`Long probe ${VPC.vpcId}`] as {
      Resource: string;
      TimeoutSecondsPath: string;
      ResultPath: null;
      Catch: unknown[];
      Parameters: { LaunchType: string; NetworkConfiguration: { AwsvpcConfiguration: unknown }; Overrides: { ContainerOverrides: Array<{ Environment: unknown[] }> } };
    };

    // Assess
    expect(definition.States.SkippedOrProbe).toMatchObject({ Default: 'ProbeWithLambdaAndFargate' });
    expect(parallel.Branches.map((b) => b.StartAt)).toEqual(['InlineOrDistributed', 'LongProbes']);
    expect(parallel).toMatchObject({ ResultSelector: { 'run.$': 'States.JsonMerge($[0], $[1], false)' }, OutputPath: '$.run', Next: 'PublishResults' });
    expect(long).toMatchObject({ ItemsPath: '$.long', ResultPath: '$.longResults', Next: 'LongProbeOutcomes' });
    // The long branch hands back its outcomes only: the other branch's result already holds the whole state.
    expect(parallel.Branches[1].States.LongProbeOutcomes).toEqual({ Type: 'Pass', Parameters: { 'longResults.$': '$.longResults' }, End: true });
    expect(Object.keys(long.ItemProcessor.States).filter((name) => name.startsWith('Long probe '))).toEqual([`Long probe ${VPC.vpcId}`, `Long probe ${SECOND_VPC.vpcId}`]);
    expect(task.Resource).toMatch(/:states:::ecs:runTask\.sync$/);
    expect(task.TimeoutSecondsPath).toBe('$.timeoutS');
    expect(task.ResultPath).toBeNull();
    expect(task.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'LongProbeFailed' }]);
    expect(task.Parameters.LaunchType).toBe('FARGATE');
    // No public address (AssignPublicIp left out is DISABLED): the task reaches AWS through the NAT gateway or the endpoints.
    expect(task.Parameters.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      Subnets: VPC.subnetIds,
      SecurityGroups: [expect.stringMatching(/IdleCanaryProbeFunctionsProbeSecurityGroup0/), expect.stringMatching(/IdleCanaryLongProbeLongProbeAwsAccess0/)],
    });
    expect(task.Parameters.Overrides.ContainerOverrides[0].Environment).toEqual([
      { Name: 'IDLE_CANARY_PLAN_KEY', 'Value.$': '$.planKey' },
      { Name: 'IDLE_CANARY_RESULT_KEY', 'Value.$': '$.resultKey' },
      { Name: 'IDLE_CANARY_TIME_BUDGET_S', 'Value.$': 'States.JsonToString($.budgetS)' },
    ]);
  });

  it('lets the state machine run the task definition, stop and describe its tasks, and pass its two roles only', () => {
    // Prepare
    const statements = roleStatements(template, stack.canary.stateMachine.role) as Array<{ Action: string | string[]; Resource: unknown }>;
    const about = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));

    // Assess
    expect(about('ecs:RunTask')).toHaveLength(1);
    expect(about('ecs:StopTask')).toEqual([expect.objectContaining({ Action: ['ecs:StopTask', 'ecs:DescribeTasks'] })]);
    expect(about('iam:PassRole')).toEqual([
      expect.objectContaining({ Resource: [{ 'Fn::GetAtt': [logicalIdOf(longProbe.taskDefinition.taskRole), 'Arn'] }, { 'Fn::GetAtt': [logicalIdOf(longProbe.taskDefinition.executionRole!), 'Arn'] }] }),
    ]);
  });

  it('lets the long probe tasks reach ECR, S3 and CloudWatch Logs over HTTPS only', () => {
    // Assess
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^idle-canary long probe: HTTPS'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
    });
  });

  it('routes by horizon in discover, and gives the run the long timeout', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ IDLE_CANARY_LONG_TIMEOUTS: 'on', IDLE_CANARY_PROBE_TIMEOUT_S: '900' }) },
    });
    expect(stateMachineDefinition(template)).toMatchObject({ TimeoutSeconds: LONG_RUN_TIMEOUT_MINUTES * 60 });
  });

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    // Assess: synth itself fails on a finding; the report lists none
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((p: { summary: { status: string } }) => p.summary.status !== 'success')).toEqual([]);
  });
});

describe('the IdleCanary stack without long timeouts', () => {
  it('has no cluster, task, image, long states or routing, and the 78-minute run timeout', () => {
    // Act
    const { template: plain, assembly: plainAssembly } = synth(STACK);

    // Assess
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::TaskDefinition', 'AWS::ECS::ClusterCapacityProviderAssociations']) plain.resourceCountIs(type, 0);
    const manifest = JSON.parse(readFileSync(join(plainAssembly.directory, `${plainAssembly.stacks[0].stackName}.assets.json`), 'utf8'));
    expect(manifest.dockerImages ?? {}).toEqual({});
    const definition = stateMachineDefinition(plain);
    expect(JSON.stringify(definition)).not.toMatch(/LongProbe|ecs:runTask|ProbeWithLambdaAndFargate/);
    expect(definition).toMatchObject({ TimeoutSeconds: RUN_TIMEOUT_MINUTES * 60 });
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/IDLE_CANARY_LONG_TIMEOUTS|IDLE_CANARY_PROBE_TIMEOUT_S/);
  });
});

describe('the longTimeouts configuration', () => {
  const stack = (extra: Record<string, unknown>) => ({ stacks: [{ ...STACK, schedule: 'rate(90 minutes)', ...extra }] });

  it.each([
    [{ longTimeouts: {} }, 'idle-canary.stacks[0].longTimeouts: expected how the long probe tasks reach ECR, S3 and CloudWatch Logs: { "natGateway": true } or { "vpcEndpoints": true }, got {}'],
    [{ longTimeouts: { natGateway: true, vpcEndpoints: true } }, 'idle-canary.stacks[0].longTimeouts: expected how the long probe tasks reach ECR, S3 and CloudWatch Logs'],
    [{ longTimeouts: { natGateway: false } }, '{"natGateway":false}'],
    [{ longTimeouts: { vpcEndpoint: true } }, '{"vpcEndpoint":true}'],
    [{ longTimeouts: true }, 'idle-canary.stacks[0].longTimeouts: expected an object, got true'],
    [{ longTimeouts: { natGateway: true }, schedule: 'rate(15 minutes)' }, 'idle-canary.stacks[0].schedule: expected a period of 90 minutes with longTimeouts, such as rate(90 minutes) (a run with long-horizon probes lasts up to 89 minutes, and runs never overlap), got "rate(15 minutes)"'],
  ])('rejects %j with a message naming the key and what is accepted', (extra, message) => {
    // Act & Assess
    expect(() => parseConfig(stack(extra))).toThrow(message);
  });

  it('accepts a NAT gateway or VPC endpoints with a 90-minute schedule', () => {
    // Act & Assess
    expect(parseConfig(stack({ longTimeouts: { vpcEndpoints: true } })).stacks[0].longTimeouts).toEqual({ vpcEndpoints: true });
    expect(parseConfig(stack({ longTimeouts: { natGateway: true }, schedule: 'cron(0 0/3 * * ? *)', periodMinutes: 90 })).stacks[0].longTimeouts).toEqual({ natGateway: true });
  });

  it('is checked by the construct too, for apps that do not use the configuration', () => {
    // Prepare
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));

    // Act & Assess
    expect(() => new IdleCanary(app.node.children[0], 'Second', { vpcs: importedVpcs(app.node.children[0]), longTimeouts: { vpcEndpoints: true } })).toThrow('schedule: expected a period of 90 minutes with longTimeouts');
  });
});
