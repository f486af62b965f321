/**
 * The idle-socket probe engine: how long backends really tolerate idle connections.
 *
 * No AWS SDK here, ever: the probe runs inside VPCs that need no endpoint to reach AWS.
 */
export { defaults, probeTargets, runProbe, type ProbeRun, type ProbeRunStats } from './engine';
export { defaultHorizonS } from './plan';
export { judgeLimit, phaseEvidence, phaseVerdict, type Standard } from './phase-result';
export { worstVerdict } from './target';
export * from './types';
