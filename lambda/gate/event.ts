/**
 * The hook events of both deployment systems, validated: an ECS native blue/green lifecycle hook
 * (`executionDetails.serviceArn`, `targetServiceRevisionArn`, `lifecycleStage`) or a CodeDeploy
 * hook (`DeploymentId`, `LifecycleEventHookExecutionId`).
 *
 * Why strict: the event comes from outside; every value goes into an AWS call or an execution
 * name, so each is matched against what AWS issues and bounded, and a bad one is named in one line.
 */
import { createHash } from 'node:crypto';
import { InvalidEventError } from '../handlers/validate';
import { MAX_EVENT_BYTES } from './settings';
import { ECS_LIFECYCLE_STAGES, type EcsLifecycleStage, type GateSubject } from './types';

const HANDLER = 'gate hook';

/** What AWS issues, and no more: partitions, regions, accounts, names and ids. */
const ARN_PATTERNS = {
  service: /^arn:aws[a-z-]{0,20}:ecs:[a-z0-9-]{1,30}:\d{12}:service\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/,
  serviceRevision: /^arn:aws[a-z-]{0,20}:ecs:[a-z0-9-]{1,30}:\d{12}:service-revision\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}\/\d{1,40}$/,
} as const;

/** A CodeDeploy deployment id (`d-` and nine characters) and a hook execution id (opaque, base64-like). */
const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/;
const HOOK_EXECUTION_ID = /^[A-Za-z0-9+/=_.:-]{1,2048}$/;
const LIFECYCLE_EVENT = /^[A-Za-z]{1,64}$/;

/**
 * The deployment asking, from a hook event of either system.
 *
 * @throws InvalidEventError naming the field, what is accepted and (printable, bounded) what came
 * @example
 * subjectOf({ DeploymentId: 'd-ABCDEF123', LifecycleEventHookExecutionId: 'eyJ...' });
 * // { system: 'codedeploy', deploymentId: 'd-ABCDEF123', hookExecutionId: 'eyJ...' }
 */
export function subjectOf(event: unknown): GateSubject {
  const bytes = Buffer.byteLength(JSON.stringify(event ?? null) ?? '', 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw new InvalidEventError(HANDLER, '(event)', `at most ${MAX_EVENT_BYTES} bytes of JSON`, `${bytes} bytes`);
  const record = objectOf(event, '(event)');
  if ('DeploymentId' in record || 'LifecycleEventHookExecutionId' in record) {
    return {
      system: 'codedeploy',
      deploymentId: matching(record, 'DeploymentId', DEPLOYMENT_ID, 'a CodeDeploy deployment id (d- and 9 letters or digits)'),
      hookExecutionId: matching(record, 'LifecycleEventHookExecutionId', HOOK_EXECUTION_ID, 'a lifecycle event hook execution id'),
      ...(record.LifecycleEvent !== undefined ? { lifecycleEvent: matching(record, 'LifecycleEvent', LIFECYCLE_EVENT, 'an appspec hook name such as AfterAllowTestTraffic') } : {}),
    };
  }
  // ECS puts the service and revision under executionDetails; accept them at the top level too.
  const details = record.executionDetails === undefined ? record : objectOf(record.executionDetails, 'executionDetails');
  const at = record.executionDetails === undefined ? '' : 'executionDetails.';
  const stage = record.lifecycleStage;
  if (typeof stage !== 'string' || !(ECS_LIFECYCLE_STAGES as readonly string[]).includes(stage)) {
    throw new InvalidEventError(HANDLER, 'lifecycleStage', `one of ${ECS_LIFECYCLE_STAGES.join(', ')} (an ECS lifecycle hook event) or a CodeDeploy hook event with DeploymentId`, stage);
  }
  return {
    system: 'ecs',
    serviceArn: matching(details, 'serviceArn', ARN_PATTERNS.service, 'an ECS service ARN', at),
    targetServiceRevisionArn: matching(details, 'targetServiceRevisionArn', ARN_PATTERNS.serviceRevision, 'an ECS service revision ARN', at),
    lifecycleStage: stage as EcsLifecycleStage,
  };
}

/**
 * The gate run's name, the same for every invocation of one hook: the execution that holds its
 * verdict. Step Functions starts a second execution of that name only when its input differs,
 * so a repeated invocation never probes or reports twice.
 *
 * @example
 * runNameOf({ system: 'codedeploy', deploymentId: 'd-ABCDEF123', hookExecutionId: 'eyJ...' }); // 'codedeploy-d-ABCDEF123-3f2a...'
 */
export function runNameOf(subject: GateSubject): string {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
  if (subject.system === 'codedeploy') return `codedeploy-${subject.deploymentId}-${digest(subject.hookExecutionId)}`;
  return `ecs-${subject.lifecycleStage.toLowerCase().replace(/_/g, '-')}-${digest(subject.targetServiceRevisionArn)}`;
}

function objectOf(value: unknown, field: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new InvalidEventError(HANDLER, field, 'an object', value);
}

function matching(record: Record<string, unknown>, name: string, pattern: RegExp, expected: string, at = ''): string {
  const value = record[name];
  if (typeof value === 'string' && pattern.test(value)) return value;
  throw new InvalidEventError(HANDLER, `${at}${name}`, expected, value);
}
