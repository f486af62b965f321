import { booleanFromEnv, ENV, envProbeSources, metricSetFromEnv, settingFromEnv, settingsEnvironment } from '../../../lambda/handlers/config';
import { DEFAULTS } from '../../../lambda/shared/settings';

describe('settings from environment variables', () => {
  it('gives the shared default when a variable is unset or empty, and the value when it is in range', () => {
    // Act & Assess
    expect(settingFromEnv({}, 'marginS')).toBe(DEFAULTS.marginS);
    expect(settingFromEnv({ [ENV.maxOpenSockets]: '' }, 'maxOpenSockets')).toBe(900);
    expect(settingFromEnv({ [ENV.maxSocketsPerTarget]: '8' }, 'maxSocketsPerTarget')).toBe(8);
  });

  it('names the variable, its value and the accepted range when the value is out of range or not a number', () => {
    // Act & Assess
    expect(() => settingFromEnv({ [ENV.maxSocketsPerTarget]: '1' }, 'maxSocketsPerTarget')).toThrow('environment variable IDLE_CANARY_MAX_SOCKETS_PER_TARGET="1": expected a whole number from 2 to 900');
    expect(() => settingFromEnv({ [ENV.maxSocketsPerTarget]: '8.5' }, 'maxSocketsPerTarget')).toThrow('environment variable IDLE_CANARY_MAX_SOCKETS_PER_TARGET="8.5": expected a whole number from 2 to 900');
    expect(() => settingFromEnv({ [ENV.marginS]: 'one' }, 'marginS')).toThrow('environment variable IDLE_CANARY_MARGIN_S="one": expected a number of seconds from 0 to 600');
    expect(() => settingFromEnv({ [ENV.marginS]: ' ' }, 'marginS')).toThrow('environment variable IDLE_CANARY_MARGIN_S=" ": expected a number of seconds from 0 to 600');
  });

  it('requires a variable that has no default', () => {
    // Act & Assess
    expect(() => settingFromEnv({}, 'timeBudgetS')).toThrow('environment variable IDLE_CANARY_TIME_BUDGET_S is not set');
    expect(settingFromEnv({ [ENV.timeBudgetS]: '600' }, 'timeBudgetS')).toBe(600);
    expect([settingFromEnv({}, 'probeTimeoutS', 900), settingFromEnv({ [ENV.probeTimeoutS]: '300' }, 'probeTimeoutS', 900)]).toEqual([900, 300]);
  });
});

describe('settingsEnvironment', () => {
  it('writes each setting under its variable, so that settingFromEnv reads back what the construct wrote', () => {
    // Prepare
    const written = { marginS: 2.5, maxConcurrency: 40, periodMinutes: 90, claimStaleS: 360, probeTimeoutS: 900 } as const;

    // Act
    const env = settingsEnvironment(written);

    // Assess
    expect(env).toEqual({ IDLE_CANARY_MARGIN_S: '2.5', IDLE_CANARY_MAX_CONCURRENCY: '40', IDLE_CANARY_PERIOD_MINUTES: '90', IDLE_CANARY_CLAIM_STALE_S: '360', IDLE_CANARY_PROBE_TIMEOUT_S: '900' });
    expect(Object.keys(written).map((name) => settingFromEnv(env, name as keyof typeof written))).toEqual(Object.values(written));
  });
});

describe('metricSetFromEnv', () => {
  it('reads the set the stack sets, the lean set when unset, and names the variable of a set that does not exist', () => {
    // Act & Assess
    expect([metricSetFromEnv({}), metricSetFromEnv({ [ENV.metrics]: 'detailed' }), metricSetFromEnv({ [ENV.metrics]: 'lean' })]).toEqual(['lean', 'detailed', 'lean']);
    expect(() => metricSetFromEnv({ [ENV.metrics]: 'all' })).toThrow(`environment variable IDLE_CANARY_METRICS="all": expected 'lean' or 'detailed'`);
  });
});

describe('envProbeSources', () => {
  it("reads each VPC's probe security groups, and names the variable and the entry that is not vpc=sg", () => {
    // Act
    const sources = envProbeSources({ IDLE_CANARY_PROBE_SECURITY_GROUPS: 'vpc-0a1b2c3d=sg-01a2b3c4, vpc-0b1c2d3e=sg-02a3b4c5' });

    // Assess
    expect(sources).toEqual([
      { vpcId: 'vpc-0a1b2c3d', securityGroupIds: ['sg-01a2b3c4'], cidrs: [] },
      { vpcId: 'vpc-0b1c2d3e', securityGroupIds: ['sg-02a3b4c5'], cidrs: [] },
    ]);
    expect(envProbeSources({})).toEqual([]);
    expect(() => envProbeSources({ IDLE_CANARY_PROBE_SECURITY_GROUPS: 'vpc-0a:sg-01' })).toThrow('environment variable IDLE_CANARY_PROBE_SECURITY_GROUPS: "vpc-0a:sg-01": expected vpc-...=sg-... entries, comma-separated');
  });
});

describe('booleanFromEnv', () => {
  it('reads the CloudFront switches as true or false, off when unset, and names the variable of a value that is neither', () => {
    // Act & Assess
    expect([booleanFromEnv({}, 'cloudFront'), booleanFromEnv({ IDLE_CANARY_CLOUDFRONT: 'true' }, 'cloudFront'), booleanFromEnv({ IDLE_CANARY_PROBE_PUBLIC_ORIGINS: 'false' }, 'probePublicOrigins')]).toEqual([false, true, false]);
    expect(() => booleanFromEnv({ IDLE_CANARY_CLOUDFRONT: 'yes' }, 'cloudFront')).toThrow('environment variable IDLE_CANARY_CLOUDFRONT="yes": expected true or false (on or off)');
  });
});
