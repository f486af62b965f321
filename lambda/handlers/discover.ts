/**
 * The discover step's handler: the event and the function's variables to `planRun`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { planRun, type DiscoverDependencies, type PlanSettings, type RunRequest } from '../run/discover-step';
import { RUN_SELECTION, type RunSelection } from '../run/selection';
import { PATTERNS, PORT_RANGE, RANGES } from '../shared/settings';
import { LAMBDA_TIMEOUT_S } from '../run/route';
import type { DiscoverOutput } from '../run/types';
import { logger } from '../shared/logger';
import { booleanSettingFromEnv, ENV, envList, envProbeSources, envString, settingFromEnv } from './config';
import { discoverySources } from '../discovery/source';
import { validator } from './validate';

const check = validator('discover');
const { loadBalancer, frontName, maxLoadBalancers, maxTargets } = RUN_SELECTION;
const { vpcId, targetGroupArn } = PATTERNS;
const selectedTarget = check.fields(
  {
    host: check.requestField('host'),
    port: check.integer(PORT_RANGE.min, PORT_RANGE.max),
    tls: check.boolean,
    path: check.requestField('path'),
    protocolVersion: check.protocolVersion,
    idleTimeoutS: check.number(RANGES.loadBalancerIdleTimeoutS.min, RANGES.loadBalancerIdleTimeoutS.max),
    vpcId: check.matching(vpcId.pattern, vpcId.expected),
    name: check.matching(frontName.pattern, frontName.expected),
  },
  ['tls', 'path', 'protocolVersion', 'vpcId', 'name'],
  true,
);
const selection = check.oneOf({
  loadBalancers: check.array(check.matching(loadBalancer.pattern, loadBalancer.expected), maxLoadBalancers),
  targetGroup: check.matching(targetGroupArn.pattern, targetGroupArn.expected),
  targets: check.array(selectedTarget, maxTargets),
});
const event = check.fields(
  {
    runId: check.string,
    source: check.string,
    execution: check.fields({ stateMachineArn: check.string, executionArn: check.string, startTime: check.string }),
    // The execution's input, as whoever started it wrote it: a schedule, a rule, an operator, a deployment hook.
    // Comment: a note, ignored (the Step Functions console's default input has one).
    input: check.fields({ source: check.string, selection, Comment: check.string }, ['source', 'selection', 'Comment'], true),
  },
  ['runId', 'source', 'execution', 'input'],
);

/** The discover step's event, as the state machine sends it. */
interface DiscoverEvent extends Omit<RunRequest, 'selection'> {
  /** The execution's input: its `selection`, when given, is what this run probes. */
  readonly input?: { readonly source?: string; readonly selection?: RunSelection };
}

/**
 * Discovers and plans a run (see `planRun`). The event may carry `runId` (the execution name),
 * `source`, `execution` (the state machine's and this execution's ARNs and start time) and
 * `input` (the execution's input), whose `selection` names what to probe instead of the
 * configured selection; it is checked, bounded, as input from outside.
 *
 * @example
 * await discoverStep({ runId: 'scheduled-2026-11-24T10-15' });
 * await discoverStep({ runId: 'deploy-42', input: { selection: { targetGroup: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0123456789abcdef' } } });
 */
export async function discoverStep(input: unknown, env: NodeJS.ProcessEnv = process.env, deps: DiscoverDependencies = defaultDependencies()): Promise<DiscoverOutput> {
  event(input, '');
  const { input: executionInput, ...request } = input as DiscoverEvent;
  return planRun({ ...request, ...(executionInput?.selection ? { selection: executionInput.selection } : {}) }, planSettings(env), deps);
}

/** The run's settings from the function's variables, each checked. */
function planSettings(env: NodeJS.ProcessEnv): PlanSettings {
  return {
    selection: {
      region: envString(env, 'AWS_REGION'),
      vpcIds: envList(env, ENV.vpcIds),
      names: envList(env, ENV.loadBalancers),
      tags: envList(env, ENV.tags),
      maxBackendsPerPort: settingFromEnv(env, 'maxBackendsPerPort'),
      probeSources: envProbeSources(env),
      sources: discoverySources({ cloudFront: booleanSettingFromEnv(env, 'cloudFront'), probePublicOrigins: booleanSettingFromEnv(env, 'probePublicOrigins') }),
    },
    periodMinutes: settingFromEnv(env, 'periodMinutes'),
    bucket: envString(env, ENV.bucket),
    prefix: env[ENV.reportPrefix] ?? '',
    sockets: { maxOpenSockets: settingFromEnv(env, 'maxOpenSockets'), maxSocketsPerTarget: settingFromEnv(env, 'maxSocketsPerTarget') },
    maxConcurrency: settingFromEnv(env, 'maxConcurrency'),
    inlineMaxBackends: settingFromEnv(env, 'inlineMaxBackends'),
    ...(env[ENV.longTimeouts] === 'on' ? { probeTimeoutS: settingFromEnv(env, 'probeTimeoutS', LAMBDA_TIMEOUT_S) } : {}),
    // The stack deploys the probe function outside any VPC exactly when it probes public origins.
    probesOutsideVpc: booleanSettingFromEnv(env, 'probePublicOrigins'),
  };
}

function defaultDependencies(): DiscoverDependencies {
  return { s3: new S3Client({}), sfn: new SFNClient({}) };
}

export const handler = middy((input: unknown) => discoverStep(input)).use(injectLambdaContext(logger));
