import { TARGET_FORMS } from '../../cli/target-spec';
import { COMMAND_FLAGS } from '../../cli/usage';
import { SETTINGS } from '../../lambda/shared/settings';
import { PROBE_FLAGS, SCAN_FLAGS, parseProbeArgs, parseScanArgs } from '../../cli/args';

describe('parseProbeArgs', () => {
  it('applies the contract defaults: a 60 s load balancer and a 66 s horizon', () => {
    // Act
    const command = parseProbeArgs(['127.0.0.1:8080']);

    // Assess
    expect(command.jobs).toEqual([{ target: { host: '127.0.0.1', port: 8080, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 60, horizonS: 66 }]);
    expect(command.json).toBe(false);
  });

  it('reads every flag into jobs and engine options', () => {
    // Act
    const command = parseProbeArgs([
      'a:1', 'https://b:2/h', '--lb-idle-timeout', '350', '--horizon', '400', '--phases', 'keepAlive', '--margin', '2',
      '--precision', '0.2', '--max-sockets', '8', '--time-budget', '600', '--host-header', 'shop.example', '--json',
    ]);

    // Assess
    expect(command.jobs.map((j) => [j.target.host, j.target.hostHeader, j.loadBalancerIdleTimeoutS, j.horizonS])).toEqual([
      ['a', 'shop.example', 350, 400],
      ['b', 'shop.example', 350, 400],
    ]);
    expect(command.options).toEqual({ phases: ['keepAlive'], marginS: 2, precisionS: 0.2, maxSocketsPerTarget: 8, timeBudgetMs: 600_000 });
    expect(command.json).toBe(true);
  });

  it.each([
    [['a:1', '--lb-idle-timeout', 'abc'], '--lb-idle-timeout "abc": expected a number of seconds from 1 to 4000'],
    [['a:1', '--lb-idle-timeout', '5000'], '--lb-idle-timeout "5000": expected a number of seconds from 1 to 4000'],
    [['a:1', '--phases', 'preRequest,idle'], '--phases "preRequest,idle": expected a comma-separated list of preRequest, keepAlive'],
    [['a:1', '--max-sockets', '2.5'], '--max-sockets "2.5": expected a whole number from 2 to 900'],
    [['a:1', '--time-budget', '86401'], '--time-budget "86401": expected a number of seconds from 1 to 86400'],
    [['a:1', '--horizon', ' '], '--horizon " ": expected a number of seconds from 0.1 to 4400'],
    [['a:1', '--precision', '0'], '--precision "0": expected a number of seconds from 0.01 to 600'],
    [['a:1', '--nope'], "Unknown option '--nope'"],
    [[], `no target given: expected one or more of ${TARGET_FORMS}`],
  ])('rejects %j with a one-line error naming the flag and value', (argv, message) => {
    // Act & Assess
    expect(() => parseProbeArgs(argv)).toThrow(message);
  });
});

describe('parseScanArgs', () => {
  it('publishes no heartbeat unless --heartbeat is given, and refuses --heartbeat without --publish', () => {
    // Act & Assess
    expect([parseScanArgs(['--publish']).heartbeat, parseScanArgs(['--publish', '--heartbeat']).heartbeat]).toEqual([false, true]);
    expect(() => parseScanArgs(['--heartbeat'])).toThrow('--heartbeat without --publish: the heartbeat is a metric, expected --publish --heartbeat');
  });
});

describe('parseScanArgs ids, namespace and numbers', () => {
  it.each([
    [['--vpc', 'vpc-0a1b2c3d,vpc-0a'], '--vpc "vpc-0a": expected a VPC id like vpc-0a1b2c3d'],
    [['--probe-security-group', 'sg-01'], '--probe-security-group "sg-01": expected a security group id like sg-0a1b2c3d'],
    [['--publish', '--namespace', 'Idle Canary'], '--namespace "Idle Canary": expected a CloudWatch namespace: 1 to 255 letters, digits or . - _ / # :'],
    [['--max-backends', '0'], '--max-backends "0": expected a whole number from 1 to 1000'],
  ])('rejects %j in one line naming the flag, the value and what the same setting accepts in cdk.json', (argv, message) => {
    // Act & Assess
    expect(() => parseScanArgs(argv)).toThrow(message);
  });

  it('accepts the ids AWS gives, of 8 and 17 hexadecimal digits', () => {
    // Act
    const command = parseScanArgs(['--vpc', 'vpc-0a1b2c3d,vpc-0a1b2c3d4e5f60718', '--probe-security-group', 'sg-0a1b2c3d4e5f60718']);

    // Assess
    expect([command.vpcIds, command.probeSource?.securityGroupIds]).toEqual([['vpc-0a1b2c3d', 'vpc-0a1b2c3d4e5f60718'], ['sg-0a1b2c3d4e5f60718']]);
  });
});

describe('parseScanArgs --metrics', () => {
  it('reads the metric set --publish puts, leaves it to the default when not given, and refuses a set that does not exist in one line', () => {
    // Act & Assess
    expect(parseScanArgs(['--publish', '--metrics', 'detailed']).metrics).toBe('detailed');
    expect(parseScanArgs(['--publish']).metrics).toBeUndefined();
    expect(() => parseScanArgs(['--publish', '--metrics', 'full'])).toThrow(`--metrics "full": expected 'lean' or 'detailed'`);
  });
});

describe('the flags of the table of settings', () => {
  it("are flags probe or scan parses, and --help gives each one's default from the table", () => {
    // Prepare
    const parsed = new Set([...Object.keys(PROBE_FLAGS), ...Object.keys(SCAN_FLAGS)].map((flag) => `--${flag}`));
    const help = [...COMMAND_FLAGS.probe, ...COMMAND_FLAGS.scan];

    // Act
    const flagged = Object.values(SETTINGS).flatMap((setting) => ('flag' in setting ? [setting] : []));

    // Assess
    expect(flagged.filter(({ flag }) => !parsed.has(flag))).toEqual([]);
    for (const setting of flagged) {
      const shown = help.find((h) => h.flag.split(' ')[0] === setting.flag);
      if ('default' in setting && setting.default !== undefined) expect([setting.flag, shown?.default]).toEqual([setting.flag, String(setting.default)]);
    }
  });
});
