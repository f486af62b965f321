/**
 * The publish step's handler: the event and the function's variables to `publishRun`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { publishRun, type PublishDependencies, type PublishSummary } from '../run/publish-step';
import type { PublishInput } from '../run/types';
import { logger } from '../shared/logger';
import { ENV, envString, metricSetFromEnv, settingFromEnv } from './config';
import { validator } from './validate';

const check = validator('publish');
const inline = check.fields({
  runId: check.string,
  startedAt: check.string,
  discoveryKey: check.string,
  shards: check.array(check.fields({ shardId: check.integer(0, 1_000_000), vpcId: check.string, items: check.array(check.object) }, ['vpcId'])),
  shardResults: check.array(check.object),
});
const distributed = check.fields({
  runId: check.string,
  startedAt: check.string,
  discoveryKey: check.string,
  plans: check.array(check.fields({ vpcId: check.string, key: check.string }, ['vpcId'])),
  // No vpcId: the map of the probe function outside any VPC.
  vpcResults: check.array(check.fields({ vpcId: check.string }, ['vpcId'])),
});

const longProbes = check.fields({ long: check.array(check.fields({ vpcId: check.string, resultKey: check.string })), longResults: check.array(check.fields({ vpcId: check.string })) }, ['longResults']);

/** The event as the state machine sends it, checked whichever way the results travelled. */
function publishInput(event: unknown): PublishInput {
  if (typeof event === 'object' && event !== null && (event as { mode?: string }).mode === 'distributed') distributed(event, '');
  else inline(event, '');
  if ((event as PublishInput).long !== undefined) longProbes(event, '');
  return event as PublishInput;
}

/**
 * Judges every load balancer, publishes the metrics, writes the reports and notifies changes
 * (see `publishRun`).
 *
 * @example
 * await publishStep(event);
 */
export async function publishStep(event: unknown, env: NodeJS.ProcessEnv = process.env, deps: PublishDependencies = defaultDependencies()): Promise<PublishSummary> {
  const run = publishInput(event);
  return publishRun(
    run,
    {
      bucket: envString(env, ENV.bucket),
      prefix: env[ENV.reportPrefix] ?? '',
      namespace: env[ENV.namespace] || undefined,
      metrics: metricSetFromEnv(env),
      marginS: settingFromEnv(env, 'marginS'),
      accessLogs: env[ENV.accessLogs] === 'on',
      topicArn: env[ENV.topicArn] || undefined,
      stateMachineArn: env[ENV.stateMachineArn] || undefined,
      dashboardName: env[ENV.dashboardName] || undefined,
    },
    deps,
  );
}

function defaultDependencies(): PublishDependencies {
  return { cloudWatch: new CloudWatchClient({}), s3: new S3Client({}), sns: new SNSClient({}) };
}

export const handler = middy((event: unknown) => publishStep(event)).use(injectLambdaContext(logger));
