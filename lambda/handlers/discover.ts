/**
 * The discover step's handler: the event and the function's variables to `planRun`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { planRun, type DiscoverDependencies, type PlanSettings, type RunRequest } from '../run/discover-step';
import { LAMBDA_TIMEOUT_S } from '../run/route';
import type { DiscoverOutput } from '../run/types';
import { logger } from '../shared/logger';
import { ENV, envList, envProbeSources, envString, settingFromEnv } from './config';
import { validator } from './validate';

const check = validator('discover');
const event = check.fields(
  { runId: check.string, source: check.string, execution: check.fields({ stateMachineArn: check.string, executionArn: check.string, startTime: check.string }) },
  ['runId', 'source', 'execution'],
);

/**
 * Discovers and plans a run (see `planRun`). The event may carry `runId` (the execution name),
 * `source`, and `execution` (the state machine's and this execution's ARNs and start time).
 *
 * @example
 * await discoverStep({ runId: 'scheduled-2026-11-24T10-15' });
 */
export async function discoverStep(input: unknown, env: NodeJS.ProcessEnv = process.env, deps: DiscoverDependencies = defaultDependencies()): Promise<DiscoverOutput> {
  event(input, '');
  return planRun(input as RunRequest, planSettings(env), deps);
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
    },
    periodMinutes: settingFromEnv(env, 'periodMinutes'),
    bucket: envString(env, ENV.bucket),
    prefix: env[ENV.reportPrefix] ?? '',
    sockets: { maxOpenSockets: settingFromEnv(env, 'maxOpenSockets'), maxSocketsPerTarget: settingFromEnv(env, 'maxSocketsPerTarget') },
    maxConcurrency: settingFromEnv(env, 'maxConcurrency'),
    inlineMaxBackends: settingFromEnv(env, 'inlineMaxBackends'),
    ...(env[ENV.longTimeouts] === 'on' ? { probeTimeoutS: settingFromEnv(env, 'probeTimeoutS', LAMBDA_TIMEOUT_S) } : {}),
  };
}

function defaultDependencies(): DiscoverDependencies {
  return { s3: new S3Client({}), sfn: new SFNClient({}) };
}

export const handler = middy((input: unknown) => discoverStep(input)).use(injectLambdaContext(logger));
