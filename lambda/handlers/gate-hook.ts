/**
 * The gate's hook function: ECS native blue/green lifecycle hooks and CodeDeploy ECS hooks call
 * it (see `answerHook`).
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { answerHook, type EcsHookResponse, type CodeDeployHookResponse, type HookDependencies, type HookSettings } from '../gate/hook';
import { GATE_ENV, onInconclusiveFromEnv } from '../gate/settings';
import { LAMBDA_TIMEOUT_S } from '../run/route';
import { logger } from '../shared/logger';
import { ENV, envString, settingFromEnv } from './config';

/**
 * The hook's settings from its variables.
 *
 * @throws Error naming the variable when one is missing or bad
 */
export function hookSettingsFromEnv(env: NodeJS.ProcessEnv, s3: () => S3Client): HookSettings {
  return {
    stateMachineArn: envString(env, GATE_ENV.stateMachineArn),
    onInconclusive: onInconclusiveFromEnv(env),
    probeTimeoutS: settingFromEnv(env, 'probeTimeoutS', LAMBDA_TIMEOUT_S),
    ...(env[GATE_ENV.longTimeouts] === 'on' ? { long: { s3: s3(), bucket: envString(env, ENV.bucket), prefix: env[ENV.reportPrefix] ?? '' } } : {}),
  };
}

/**
 * Answers a hook invocation of either system.
 *
 * @example
 * await gateHookStep({ executionDetails: { serviceArn, targetServiceRevisionArn }, lifecycleStage: 'POST_SCALE_UP' });
 */
export async function gateHookStep(event: unknown, env: NodeJS.ProcessEnv = process.env, deps?: HookDependencies & { readonly s3?: S3Client }): Promise<EcsHookResponse | CodeDeployHookResponse> {
  const clients = deps ?? { ecs: new ECSClient({}), codeDeploy: new CodeDeployClient({}), elb: new ElasticLoadBalancingV2Client({}), sfn: new SFNClient({}) };
  return answerHook(event, hookSettingsFromEnv(env, () => deps?.s3 ?? new S3Client({})), clients);
}

export const handler = middy((event: unknown) => gateHookStep(event)).use(injectLambdaContext(logger));
