/**
 * One run at a time per state machine: a run that starts while an earlier one is still
 * running ends at once, with the reason.
 */
import { paginateListExecutions, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';

/** This execution, as the state machine's context object names it. */
export interface ThisExecution {
  /** `$$.StateMachine.Id` */
  readonly stateMachineArn: string;
  /** `$$.Execution.Id` */
  readonly executionArn: string;
  /** `$$.Execution.StartTime` */
  readonly startTime: string;
}

/**
 * The earliest other execution that is still running and started before this one (ties go
 * to the smaller ARN, so that of two runs started at once exactly one goes on); `undefined`
 * when this run may go on.
 *
 * Why skip rather than wait: every ECS or CodeDeploy deployment starts a run, and runs that
 * overlap multiply the Describe calls discovery paces; the running run already covers them.
 *
 * @example
 * const earlier = await earlierRunningExecution(sfn, { stateMachineArn, executionArn, startTime });
 * if (earlier) return { mode: 'skipped', reason: `another run is in progress: ${earlier.name}` };
 */
export async function earlierRunningExecution(sfn: SFNClient, self: ThisExecution): Promise<ExecutionListItem | undefined> {
  const start = Date.parse(self.startTime);
  const before = (e: ExecutionListItem) => {
    const other = e.startDate?.getTime() ?? Number.NEGATIVE_INFINITY;
    return other < start || (other === start && (e.executionArn ?? '') < self.executionArn);
  };
  const earlier: ExecutionListItem[] = [];
  for await (const page of paginateListExecutions({ client: sfn, pageSize: 100 }, { stateMachineArn: self.stateMachineArn, statusFilter: 'RUNNING' })) {
    earlier.push(...(page.executions ?? []).filter((e) => e.executionArn !== self.executionArn && before(e)));
  }
  return earlier.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0))[0];
}
