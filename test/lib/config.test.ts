import { parseConfig, STACK_KEYS } from '../../lib/config';
import { hasControlCharacters } from '../../lambda/shared/printable';
import { periodOf } from '../../lib/schedule';
import { STACK, VPC } from './stacks';

describe('parseConfig', () => {
  it('shows a bad value and an unknown key escaped and cut, the error on one line', () => {
    // Prepare
    const flag = `\u001b]0;pwned\u0007\u009b2J${'x'.repeat(1_000_000)}`;
    const unknownKey = `\u001b[2J${'k'.repeat(100_000)}`;
    const messageOf = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('no error');
    };

    // Act
    const fromFlag = messageOf(() => parseConfig(flag));
    const withUnknownKey = messageOf(() => parseConfig({ stacks: [{ ...STACK, [unknownKey]: flag }] }));

    // Assess
    expect(fromFlag).toMatch(/^idle-canary: expected an object, got "\\u001b]0;pwned\\u0007\\x9b2Jx+\.\.\.$/);
    expect(withUnknownKey).toMatch(/^idle-canary\.stacks\[0\]\.\\x1b\[2Jk+\.\.\.: expected no such key \(accepted: [^)]+\), got "\\u001b]0;pwned\\u0007\\x9b2Jx+\.\.\.$/);
    for (const message of [fromFlag, withUnknownKey]) {
      expect(hasControlCharacters(message)).toBe(false);
      expect(message.length).toBeLessThanOrEqual(1000);
    }
  });

  it.each([
    ['rate(1 hour)', undefined, 60],
    ['rate(90 minutes)', 90, 90],
    ['cron(0/20 * * * ? *)', 20, 20],
  ])('derives or checks the heartbeat period of %s', (schedule, periodMinutes, expected) => {
    // Act
    const [stack] = parseConfig({ stacks: [{ ...STACK, schedule, periodMinutes }] }).stacks;

    // Assess
    expect(periodOf(stack.schedule!, stack.periodMinutes)).toBe(expected);
  });

  it.each([
    ['rate(15 minutes)', undefined, 'schedule: expected a period of 90 minutes with longTimeouts, such as rate(90 minutes) (a run with long-horizon probes lasts up to 89 minutes, and runs never overlap), got "rate(15 minutes)"'],
    ['cron(0 * * * ? *)', 60, 'schedule: expected a period of 90 minutes with longTimeouts, such as rate(90 minutes) (a run with long-horizon probes lasts up to 89 minutes, and runs never overlap), got "cron(0 * * * ? *)"'],
  ])('refuses a %s schedule with longTimeouts, naming the schedule', (schedule, periodMinutes, message) => {
    // Act & Assess
    expect(() => periodOf(schedule, periodMinutes, true)).toThrow(message);
    expect(periodOf(schedule, periodMinutes)).toBe(periodMinutes ?? 15);
    expect(periodOf('rate(90 minutes)', undefined, true)).toBe(90);
  });

  it.each([
    [undefined, 'idle-canary: expected an object, got nothing'],
    [{ stacks: [] }, 'idle-canary.stacks: expected a list of at least 1, got []'],
    [{ stacks: [{ ...STACK, account: '1234' }] }, 'idle-canary.stacks[0].account: expected a 12-digit account id, got "1234"'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-x'] }] }] }, 'idle-canary.stacks[0].vpcs[0].subnetIds[1]: expected a subnet id like subnet-0a1b2c3d, got "subnet-x"'],
    [
      { stacks: [{ ...STACK, vpcs: [{ ...VPC, availabilityZones: ['eu-west-1a'] }] }] },
      'idle-canary.stacks[0].vpcs[0].availabilityZones: expected no such key (accepted: vpcId, subnetIds, backendPorts, cidr, backendSecurityGroupIds, addIngress), got ["eu-west-1a"]',
    ],
    [
      { stacks: [{ ...STACK, marginSeconds: 5 }] },
      `idle-canary.stacks[0].marginSeconds: expected no such key (accepted: ${STACK_KEYS.join(', ')}), got 5`,
    ],
    [{ stacks: [STACK], stack: {} }, 'idle-canary.stack: expected no such key (accepted: stacks), got {}'],
    [{ stacks: [{ ...STACK, accessLogBuckets: [{ bucket: 'corp-logs' }] }] }, 'idle-canary.stacks[0].accessLogBuckets[0].bucket: expected no such key (accepted: bucketName, prefix), got "corp-logs"'],
    [{ stacks: [{ ...STACK, schedule: 'rate(1 hour)', periodMinutes: 15 }] }, 'idle-canary.stacks[0].periodMinutes: expected 60 (the period of schedule rate(1 hour)), or no periodMinutes, got 15'],
    [{ stacks: [{ ...STACK, schedule: 'cron(0/20 * * * ? *)' }] }, 'idle-canary.stacks[0].periodMinutes: expected the longest gap in minutes between two runs of cron(0/20 * * * ? *), got nothing'],
    [
      { stacks: [{ ...STACK, schedule: 'rate(2 hours)' }] },
      'idle-canary.stacks[0].schedule: expected a period of at most 90 minutes (the ProbeErrors alarm spans 2 periods, and Metrics Insights evaluates the last 3 hours only), got "rate(2 hours)"',
    ],
    [{ stacks: [{ ...STACK, schedule: 'cron(0 * * * ? *)', periodMinutes: 120 }] }, 'idle-canary.stacks[0].periodMinutes: expected a number of minutes from 1 to 90 (the ProbeErrors alarm spans 2 periods, and Metrics Insights evaluates the last 3 hours only), got 120'],
    [{ stacks: [{ ...STACK, inlineMaxBackends: -1 }] }, 'idle-canary.stacks[0].inlineMaxBackends: expected a whole number from 0 to 10000, got -1'],
    [{ stacks: [{ ...STACK, maxConcurrency: 2.5 }] }, 'idle-canary.stacks[0].maxConcurrency: expected a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once), got 2.5'],
    [{ stacks: [{ ...STACK, toleratedFailurePercentage: 101 }] }, 'idle-canary.stacks[0].toleratedFailurePercentage: expected a percentage from 0 to 100, got 101'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, backendPorts: ['32767-30000'] }] }] }, 'idle-canary.stacks[0].vpcs[0].backendPorts[0]: expected a port (1-65535) or a range such as 30000-32767, got "32767-30000"'],
    [{ stacks: [{ ...STACK, schedule: 'every 15 minutes' }] }, 'idle-canary.stacks[0].schedule: expected rate(N minutes) or cron(...), got "every 15 minutes"'],
    [{ stacks: [{ ...STACK, reportRetentionDays: 1.5 }] }, 'idle-canary.stacks[0].reportRetentionDays: expected a whole number of days from 1 to 3650 (S3 expires objects after whole days), got 1.5'],
    [{ stacks: [{ ...STACK, namespace: 'Idle Canary' }] }, 'idle-canary.stacks[0].namespace: expected a CloudWatch namespace: 1 to 255 letters, digits or . - _ / # :, got "Idle Canary"'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, vpcId: 'vpc-0a' }] }] }, 'idle-canary.stacks[0].vpcs[0].vpcId: expected a VPC id like vpc-0a1b2c3d, got "vpc-0a"'],
    [{ stacks: [{ ...STACK, marginS: -1 }] }, 'idle-canary.stacks[0].marginS: expected a number of seconds from 0 to 600, got -1'],
    [{ stacks: [{ ...STACK, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }] }, 'idle-canary.stacks[0].alarmEmails: expected no emails with a topic of your own (subscribe them to that topic), got ["oncall@example.com"]'],
    [{ stacks: [{ ...STACK, accessLogBuckets: [{ bucketName: 'Corp_Logs' }] }] }, 'idle-canary.stacks[0].accessLogBuckets[0].bucketName: expected an S3 bucket name, got "Corp_Logs"'],
    [{ stacks: [{ ...STACK, accessLogBuckets: [{ bucketName: 'corp-logs', prefix: 'prod/AWSLogs/123456789012' }] }] }, "idle-canary.stacks[0].accessLogBuckets[0].prefix: expected the prefix set in the load balancers' logging, without a leading slash or AWSLogs, got \"prod/AWSLogs/123456789012\""],
    [{ stacks: [{ ...STACK, hangupsAlarmThreshold: 0 }] }, 'idle-canary.stacks[0].hangupsAlarmThreshold: expected a number from 1 to 1000000, got 0'],
    [{ stacks: [{ ...STACK, metrics: 'full' }] }, `idle-canary.stacks[0].metrics: expected 'lean' or 'detailed', got "full"`],
    [{ stacks: [{ ...STACK, loadBalancerNames: ['web', 'k8s prod'] }] }, 'idle-canary.stacks[0].loadBalancerNames[1]: expected a load balancer name, or a pattern with * (letters, digits, - and *; at most 32), got "k8s prod"'],
    [{ stacks: [{ ...STACK, tags: 'team=payments' }] }, 'idle-canary.stacks[0].tags: expected a list, got "team=payments"'],
    [{ stacks: [{ ...STACK, tags: ['team=payments,search'] }] }, 'idle-canary.stacks[0].tags[0]: expected a tag key, or key=value, without commas, got "team=payments,search"'],
    [{ stacks: [{ ...STACK, alarmNamePrefix: '' }] }, 'idle-canary.stacks[0].alarmNamePrefix: expected up to 200 printable ASCII characters, got ""'],
    [{ stacks: [{ ...STACK, okNotifications: 'yes' }] }, 'idle-canary.stacks[0].okNotifications: expected true or false, got "yes"'],
    [{ stacks: [{ ...STACK, probePublicOrigins: true }] }, 'idle-canary.stacks[0].probePublicOrigins: expected true only with cloudFront true (public origins are found in CloudFront distributions), got true'],
    [{ stacks: [{ ...STACK, cloudFront: 'yes' }] }, 'idle-canary.stacks[0].cloudFront: expected true or false, got "yes"'],
  ])('rejects %j naming the key', (value, message) => {
    // Act & Assess
    expect(() => parseConfig(value)).toThrow(message);
  });
});
