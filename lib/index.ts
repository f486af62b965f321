/**
 * idle-canary as a CDK construct library: `import { IdleCanary } from 'idle-canary'`.
 *
 * The probe engine is `idle-canary/probe` and the command line `idle-canary/cli`; the result
 * JSON, metrics, exit codes and report files they produce are in docs/CONTRACTS.md.
 *
 * @example
 * import { App, Stack } from 'aws-cdk-lib';
 * import * as ec2 from 'aws-cdk-lib/aws-ec2';
 * import { IdleCanary } from 'idle-canary';
 *
 * const app = new App();
 * const stack = new Stack(app, 'Monitoring', { env: { account: '123456789012', region: 'eu-west-1' } });
 * new IdleCanary(stack, 'IdleCanary', {
 *   vpcs: [{ vpc: ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0a1b2c3d' }), backendPorts: [80, '30000-32767'] }],
 *   alarmEmails: ['oncall@example.com'],
 * });
 */
export { IdleCanary } from './idle-canary';
export { DEFAULT_GATE_STAGES, IdleCanaryGate, type IdleCanaryGateProps } from './gate';
export type { OnInconclusive } from '../lambda/gate/types';
export { defaults, type AccessLogBucketConfig, type IdleCanaryProps, type LongTimeoutsConfig, type VpcConfig, type VpcIdsConfig } from './props';
// The parts IdleCanary composes, for an app that wants one of them on its own or to extend one.
export { AccessLogCounter, type AccessLogCounterProps, type AccessLogSource } from './access-log-counter';
export { CanaryAlarms, type CanaryAlarmsProps } from './alarms';
export { CanaryDashboard, type CanaryDashboardProps } from './dashboard';
export { LongProbe, type LongProbeProps } from './long-probe';
export { ProbeFunctions, type ProbeFunctionsProps, type ProbePlacement } from './probe-functions';
export { RunFunctions, type RunFunctionsProps } from './run-functions';
export { RunStateMachine, type RunStateMachineProps } from './run-state-machine';
export { RunTriggers, type RunTriggersProps } from './triggers';
export type { LoggingPartProps, ReportsPartProps } from './part-props';
export type { ProbeSettingsProps } from './probe-settings';
export type { MetricsTarget } from './canary-function';
export type { MetricSet } from '../lambda/metrics/names';
