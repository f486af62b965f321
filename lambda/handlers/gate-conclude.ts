/**
 * The gate run's last step (see `concludeGate`): judge, report, notify, answer CodeDeploy.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { concludeGate, type ConcludeDependencies } from '../gate/conclude';
import { onInconclusiveFromEnv } from '../gate/settings';
import type { GateConcludeInput, GateOutcome } from '../gate/types';
import { logger } from '../shared/logger';
import { ENV, envString, settingFromEnv } from './config';
import { validator } from './validate';

const check = validator('gate conclude');
const input = check.fields(
  {
    runId: check.string,
    startedAt: check.string,
    subject: check.fields({ system: check.matching(/^(ecs|codedeploy)$/, 'ecs or codedeploy') }),
    mode: check.matching(/^(lambda|long|none)$/, 'lambda, long or none'),
    loadBalancers: check.array(check.object),
    long: check.array(check.fields({ vpcId: check.string, resultKey: check.string })),
  },
  ['long'],
);

/**
 * Concludes a gate run with the function's settings.
 *
 * @example
 * await gateConcludeStep({ runId, startedAt, subject, mode: 'lambda', loadBalancers, shard, probed });
 */
export async function gateConcludeStep(event: unknown, env: NodeJS.ProcessEnv = process.env, deps: ConcludeDependencies = defaultDependencies()): Promise<GateOutcome> {
  input(event, '');
  return concludeGate(
    event as GateConcludeInput,
    {
      bucket: envString(env, ENV.bucket),
      prefix: env[ENV.reportPrefix] ?? '',
      topicArn: env[ENV.topicArn] || undefined,
      onInconclusive: onInconclusiveFromEnv(env),
      marginS: settingFromEnv(env, 'marginS'),
    },
    deps,
  );
}

function defaultDependencies(): ConcludeDependencies {
  return { s3: new S3Client({}), sns: new SNSClient({}), codeDeploy: new CodeDeployClient({}) };
}

export const handler = middy((event: unknown) => gateConcludeStep(event)).use(injectLambdaContext(logger));
