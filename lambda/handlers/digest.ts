/**
 * The scheduled digest: the fleet's state from the latest run, sent to the topic.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { runLinks } from '../report/console-links';
import { digestNotification } from '../report/digest';
import { readLatest } from '../report/store';
import { ENV, envString } from './config';
import { logger } from '../shared/logger';

export interface DigestDependencies {
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

/**
 * Sends the digest; when no run has completed yet, says so (the heartbeat alarm covers a
 * monitor that stopped, the digest covers an operator who wants the state anyway).
 */
export async function digestStep(env: NodeJS.ProcessEnv = process.env, deps: DigestDependencies = { s3: new S3Client({}), sns: new SNSClient({}) }): Promise<{ subject: string }> {
  const bucket = envString(env, ENV.bucket);
  const prefix = env[ENV.reportPrefix] ?? '';
  const latest = await readLatest(deps.s3, bucket, prefix);
  const notification =
    latest === null
      ? { subject: 'idle-canary digest: no run has completed yet', message: `No run report in s3://${bucket}/${prefix}latest.json yet. Check the state machine's executions.` }
      : digestNotification(latest, runLinks({ region: latest.region, bucket, reportKey: `${prefix}latest.html`, ...(env[ENV.dashboardName] ? { dashboardName: env[ENV.dashboardName] } : {}) }));
  await deps.sns.send(new PublishCommand({ TopicArn: envString(env, ENV.topicArn), Subject: notification.subject, Message: notification.message }));
  logger.info('digest sent', { subject: notification.subject });
  return { subject: notification.subject };
}

export const handler = middy(() => digestStep()).use(injectLambdaContext(logger));
