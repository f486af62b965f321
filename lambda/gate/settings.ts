/**
 * The gate's settings: the names of its functions' variables, which the construct sets, and the
 * numbers its parts share.
 *
 * Why one module: the hook function, the conclude function and the construct must agree on
 * each name and bound; typed twice, they drift.
 */
import { printable } from '../shared/printable';
import { DEFAULT_ON_INCONCLUSIVE, ON_INCONCLUSIVE, type OnInconclusive } from './types';

/** Variables of the gate's functions (beside the shared `IDLE_CANARY_BUCKET`, `..._TOPIC_ARN`, `..._MARGIN_S`). */
export const GATE_ENV = {
  /** The gate state machine the hook starts and reads. */
  stateMachineArn: 'IDLE_CANARY_GATE_STATE_MACHINE_ARN',
  /** `fail` (the default) or `continue`: what an inconclusive gate answers. */
  onInconclusive: 'IDLE_CANARY_GATE_ON_INCONCLUSIVE',
  /** `on` when the gate has the Fargate long probe: long load balancer timeouts go there. */
  longTimeouts: 'IDLE_CANARY_GATE_LONG_TIMEOUTS',
} as const;

/** Seconds ECS waits before invoking the hook again while the probe runs (ECS's own default). */
export const CALL_BACK_DELAY_S = 30;

/** Replacement tasks probed per gate run: one probe invocation's socket budget holds them; all run the same image. */
export const MAX_GATE_TARGETS = 50;

/** Bytes of a hook event the gate reads: its events are well under 10 KiB. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** Characters of a reason in `hookDetails` and CodeDeploy's events; the report holds the whole. */
export const MAX_REASON_CHARS = 2000;

/** Where, under the reports prefix (`idle-canary/`), the gate writes its reports: `gates/RUN.json` and `gates/RUN.md`. */
export const GATE_REPORTS = 'gates/';

/**
 * `fail` or `continue`, `fail` when unset.
 *
 * @throws Error naming the variable, its value and what is accepted
 * @example
 * onInconclusiveFromEnv({ IDLE_CANARY_GATE_ON_INCONCLUSIVE: 'continue' }); // 'continue'
 */
export function onInconclusiveFromEnv(env: NodeJS.ProcessEnv): OnInconclusive {
  const raw = env[GATE_ENV.onInconclusive];
  if (raw === undefined || raw === '') return DEFAULT_ON_INCONCLUSIVE;
  if (!(ON_INCONCLUSIVE as readonly string[]).includes(raw)) throw new Error(`environment variable ${GATE_ENV.onInconclusive}="${printable(raw, 80)}": expected ${ON_INCONCLUSIVE.join(' or ')}`);
  return raw as OnInconclusive;
}
