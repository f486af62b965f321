/**
 * The stack with CloudFront discovery (`cloudFront`) and the probe for public origins
 * (`probePublicOrigins`): what each adds to the synthesized template, and that a stack without
 * them has none of it. Three configurations, each synthesized once (and shared with
 * config-keys.integration.test.ts through the template cache).
 */
import { CLOUDFRONT_LIST_ACTIONS, CLOUDFRONT_READ_ACTIONS } from '../../lambda/discovery/permissions';
import { SETTINGS } from '../../lambda/shared/settings';
import { STACK, logicalIdOf, roleStatements, stateMachineDefinition, synth } from './synth';

const plain = synth(STACK);
const cloudFront = synth({ ...STACK, cloudFront: true });
const publicOrigins = synth({ ...STACK, cloudFront: true, probePublicOrigins: true });

type Synthesized = ReturnType<typeof synth>;

/** The discover function's variables, as synthesized. */
const discoverVariables = ({ template, stack }: Synthesized): Record<string, unknown> => template.toJSON().Resources[logicalIdOf(stack.canary.discoverFunction)].Properties.Environment.Variables;

/** Discover's statements by Sid. */
const discoverStatements = ({ template, stack }: Synthesized) => roleStatements(template, stack.canary.discoverFunction.role) as Array<{ Sid: string }>;

/** The probe Map's route for a shard: where one without a `vpcId` goes. */
function outsideRoute({ template }: Synthesized): { next: string; states: Record<string, Record<string, unknown>> } {
  const map = stateMachineDefinition(template).States.ProbeShards as { ItemProcessor: { States: Record<string, Record<string, unknown>> } };
  const route = map.ItemProcessor.States.RouteToVpc as { Choices: Array<{ Not?: { Variable: string; IsPresent: boolean }; Next: string }> };
  return { next: route.Choices.find((c) => c.Not?.Variable === '$.vpcId')!.Next, states: map.ItemProcessor.States };
}

describe('cloudFront', () => {
  it("lets discover list the account's distributions and VPC origins, and read distributions and VPC origins only, with cloudFront only", () => {
    // Act
    const [without, withCloudFront] = [plain, cloudFront].map(discoverStatements);

    // Assess: "*" where AWS allows nothing narrower (ListDistributions, ListVpcOrigins), the account's distributions and VPC origins for GetDistribution and GetVpcOrigin
    expect(withCloudFront).toEqual([
      ...without.filter((s) => s.Sid !== 'SeeRunningRuns'),
      { Sid: 'ListCloudFrontOrigins', Effect: 'Allow', Action: [...CLOUDFRONT_LIST_ACTIONS], Resource: '*' },
      { Sid: 'ReadCloudFrontOrigins', Effect: 'Allow', Action: [...CLOUDFRONT_READ_ACTIONS], Resource: ['distribution', 'vpcorigin'].map((kind) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudfront::123456789012:${kind}/*`]] })) },
      without.find((s) => s.Sid === 'SeeRunningRuns'),
    ]);
    expect(JSON.stringify(without)).not.toContain('cloudfront:');
  });

  it('tells discover to read CloudFront, and a stack without it keeps the environment it had', () => {
    // Assess
    expect(discoverVariables(cloudFront)).toMatchObject({ [SETTINGS.cloudFront.env]: 'true' });
    expect(discoverVariables(cloudFront)).not.toHaveProperty(SETTINGS.probePublicOrigins.env);
    expect(discoverVariables(plain)).not.toHaveProperty(SETTINGS.cloudFront.env);
  });

  it('deploys no probe outside a VPC without probePublicOrigins: such a shard is still recorded as failed', () => {
    // Assess
    expect(cloudFront.stack.canary.probeOutsideVpcFunction).toBeUndefined();
    expect(outsideRoute(cloudFront).next).toBe('NoProbeOutsideVpc');
    expect(Object.values(cloudFront.template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Description?.includes('probe'))).toHaveLength(1);
    expect(Object.values(publicOrigins.template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Description?.includes('probe'))).toHaveLength(2);
  });
});

describe('probePublicOrigins', () => {
  it('deploys the probe function outside any VPC: the probe code and settings, no VPC configuration, its own log group, no permission', () => {
    // Prepare
    const { template, stack } = publicOrigins;
    const resources = template.toJSON().Resources;
    const outside = resources[logicalIdOf(stack.canary.probeOutsideVpcFunction!)].Properties;
    const [inVpc] = Object.values(stack.canary.probeFunctions).map((fn) => resources[logicalIdOf(fn)].Properties);

    // Assess
    expect(outside.VpcConfig).toBeUndefined();
    expect(inVpc.VpcConfig).toBeDefined();
    for (const key of ['Code', 'Handler', 'Runtime', 'Architectures', 'MemorySize', 'Timeout', 'Environment'] as const) expect([key, outside[key]]).toEqual([key, inVpc[key]]);
    expect(outside.LoggingConfig.LogGroup).not.toEqual(inVpc.LoggingConfig.LogGroup);
    expect(roleStatements(template, stack.canary.probeOutsideVpcFunction!.role)).toEqual([]);
    expect(JSON.stringify(resources[logicalIdOf(stack.canary.probeOutsideVpcFunction!.role!)].Properties.ManagedPolicyArns)).not.toContain('AWSLambdaVPCAccessExecutionRole');
    expect(plain.stack.canary.probeOutsideVpcFunction).toBeUndefined();
  });

  it('routes a shard without a VPC to that function, retried and caught like the VPCs\' probes', () => {
    // Act
    const { next, states } = outsideRoute(publicOrigins);

    // Assess
    expect(next).toBe('Probe outside any VPC');
    expect(states[next]).toMatchObject({
      Type: 'Task',
      Resource: `\${{'Fn::GetAtt':['${logicalIdOf(publicOrigins.stack.canary.probeOutsideVpcFunction!)}','Arn']}}`,
      TimeoutSeconds: 960,
      Retry: [expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']), MaxAttempts: 3 })],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ShardFailedOutsideVpc' }],
    });
    expect(states).not.toHaveProperty('NoProbeOutsideVpc');
    expect(outsideRoute(plain).next).toBe('NoProbeOutsideVpc');
  });

  it("probes a large run's plan outside any VPC with a Distributed Map of its own, whose batches and result carry no vpcId", () => {
    // Prepare
    const branches = (definition: ReturnType<typeof stateMachineDefinition>) => (definition.States.ProbeVpcs as { Branches: Array<{ StartAt: string; States: Record<string, Record<string, unknown>> }> }).Branches;
    const [inVpc, outside] = branches(stateMachineDefinition(publicOrigins.template));

    // Assess
    expect([inVpc.StartAt, outside.StartAt]).toEqual([`Distributed ${STACK.vpcs[0].vpcId}`, 'Distributed outside any VPC']);
    expect(outside.States['Distributed outside any VPC']).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'Probe batch outside any VPC' },
      ItemReader: { Parameters: { 'Key.$': "States.Format('idle-canary/plans/{}/outside-vpc.json', $.runId)" } },
      ItemBatcher: { BatchInput: { 'runId.$': '$.runId' } },
      ResultSelector: { 'manifest.$': '$.ResultWriterDetails' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Map failed outside any VPC' }],
    });
    expect(JSON.stringify(outside)).not.toContain('vpcId');
    expect(outside.States['Map failed outside any VPC']).toMatchObject({ Type: 'Pass', Parameters: { 'error.$': '$.error' } });
    expect(branches(stateMachineDefinition(cloudFront.template))).toHaveLength(1);
  });

  it('tells discover to plan public origins for it', () => {
    // Assess
    expect(discoverVariables(publicOrigins)).toMatchObject({ [SETTINGS.cloudFront.env]: 'true', [SETTINGS.probePublicOrigins.env]: 'true' });
  });
});
