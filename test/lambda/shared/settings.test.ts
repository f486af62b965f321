import { ACCESS_LOG_TIMEOUT_S, DEFAULTS, RANGES, SETTINGS, STACK_SETTINGS, VPC_SETTINGS, acceptedNumber, settingIssue, type NumberSetting, type NumberSettingName, type Setting } from '../../../lambda/shared/settings';

const rows = Object.entries(SETTINGS) as Array<[string, Setting]>;
const numbers = rows.filter((entry): entry is [NumberSettingName, NumberSetting] => entry[1].kind === 'number');

describe('the table of settings', () => {
  it('has a default within its range for every number setting that has one, whole where the setting is', () => {
    // Act
    const outside = numbers.filter(([name, { default: value }]) => value !== undefined && settingIssue(name, value) !== undefined);

    // Assess
    expect(outside).toEqual([]);
    expect(numbers.filter(([, { min, max }]) => !(min < max)).map(([name]) => name)).toEqual([]);
  });

  it('names each variable, cdk.json key and flag once', () => {
    // Act
    const written = (field: 'env' | 'config' | 'flag') => rows.flatMap(([, row]) => (row[field] === undefined ? [] : [row[field]]));

    // Assess
    for (const field of ['env', 'config', 'flag'] as const) expect(new Set(written(field)).size).toBe(written(field).length);
  });

  it('derives the defaults, the ranges and the keys of a stack and a VPC entry from the rows', () => {
    // Assess
    expect(DEFAULTS).toMatchObject({ marginS: 1, periodMinutes: 15, maxConcurrency: 10, loadBalancerIdleTimeoutS: 60, claimStaleS: ACCESS_LOG_TIMEOUT_S + 60 });
    expect(RANGES.periodMinutes).toEqual({ min: 1, max: 90 });
    expect(STACK_SETTINGS.slice(0, 4)).toEqual(['account', 'region', 'vpcs', 'loadBalancerNames']);
    expect(VPC_SETTINGS).toEqual(['vpcId', 'subnetIds', 'backendPorts', 'cidr', 'backendSecurityGroupIds', 'addIngress']);
  });

  it.each([
    ['marginS', -0.5, 'a number of seconds from 0 to 600'],
    ['maxBackendsPerPort', 1.5, 'a whole number from 1 to 1000'],
    ['toleratedFailurePercentage', '50', 'a percentage from 0 to 100'],
    ['inlineMaxBackends', Number.NaN, 'a whole number from 0 to 10000'],
    ['tags', 'a,b', 'a tag key, or key=value, without commas'],
    ['vpcId', 'vpc-12345', 'a VPC id like vpc-0a1b2c3d'],
  ] as const)('says what %s accepts when given %p, in the words every front door uses', (name, value, expected) => {
    // Act & Assess
    expect(settingIssue(name, value)).toBe(expected);
    if (SETTINGS[name].kind === 'number') expect(acceptedNumber(name as NumberSettingName)).toBe(expected);
  });
});
