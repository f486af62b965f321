/**
 * Command-line arguments of `idle-canary probe` (and the options it shares with `demo`).
 */
import { parseArgs } from 'node:util';
import { PHASE_NAMES, defaultHorizonS, type PhaseName, type ProbeJob, type ProbeOptions } from '../lambda/probe';
import { parseTargetSpec } from './target-spec';

/** What `probe` runs: jobs, engine options, output mode. */
export interface ProbeCommand {
  readonly jobs: ProbeJob[];
  readonly options: ProbeOptions;
  readonly json: boolean;
  readonly help: boolean;
}

/** Defaults of the command line, merged once. */
export const defaults = {
  loadBalancerIdleTimeoutS: 60,
} as const;

const FLAGS = {
  'lb-idle-timeout': { type: 'string' },
  horizon: { type: 'string' },
  phases: { type: 'string' },
  margin: { type: 'string' },
  precision: { type: 'string' },
  'max-sockets': { type: 'string' },
  'time-budget': { type: 'string' },
  'host-header': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `probe`'s arguments.
 *
 * @throws Error with a one-line message naming the flag, the bad value and what is accepted
 * @example
 * parseProbeArgs(['10.0.3.17:30080', '--lb-idle-timeout', '60', '--json']);
 */
export function parseProbeArgs(argv: readonly string[]): ProbeCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new Error((error as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return { jobs: [], options: {}, json: false, help: true };
  if (positionals.length === 0) throw new Error('no target given: expected one or more of host:port, http://host:port/path or https://host:port/path');

  const loadBalancerIdleTimeoutS = seconds('--lb-idle-timeout', values['lb-idle-timeout'], 1, 4000) ?? defaults.loadBalancerIdleTimeoutS;
  const horizonS = seconds('--horizon', values.horizon, 0.1, 4400);
  const hostHeader = values['host-header'];
  const jobs = positionals.map((spec) => ({
    target: { ...parseTargetSpec(spec), ...(hostHeader !== undefined ? { hostHeader } : {}) },
    loadBalancerIdleTimeoutS,
    horizonS: horizonS ?? defaultHorizonS(loadBalancerIdleTimeoutS),
  }));
  const timeBudgetS = seconds('--time-budget', values['time-budget'], 1, 86_400);
  return {
    jobs,
    options: {
      phases: phases(values.phases),
      marginS: seconds('--margin', values.margin, 0, 600),
      precisionS: seconds('--precision', values.precision, 0.01, 600),
      maxSocketsPerTarget: integer('--max-sockets', values['max-sockets'], 2, 900),
      timeBudgetMs: timeBudgetS === undefined ? undefined : timeBudgetS * 1000,
    },
    json: values.json === true,
    help: false,
  };
}

function seconds(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${flag} "${raw}": expected a number of seconds from ${min} to ${max}`);
  }
  return value;
}

function integer(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${flag} "${raw}": expected a whole number from ${min} to ${max}`);
  return value;
}

function phases(raw: string | undefined): PhaseName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(PHASE_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined || names.length === 0) {
    throw new Error(`--phases "${raw}": expected a comma-separated list of ${PHASE_NAMES.join(', ')}`);
  }
  return [...new Set(names as PhaseName[])];
}
