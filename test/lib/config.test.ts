import { parseConfig } from '../../lib/config';
import { STACK, VPC } from './synth';

describe('parseConfig', () => {
  it('accepts the example configuration', () => {
    // Act & Assess
    expect(parseConfig({ stacks: [STACK] }).stacks[0].vpcs[0].vpcId).toBe('vpc-0a1b2c3d4e5f60718');
  });

  it.each([
    [undefined, 'idle-canary: expected an object, got nothing'],
    [{ stacks: [] }, 'idle-canary.stacks: expected a list of at least 1, got []'],
    [{ stacks: [{ ...STACK, account: '1234' }] }, 'idle-canary.stacks[0].account: expected a 12-digit account id, got "1234"'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-x'] }] }] }, 'idle-canary.stacks[0].vpcs[0].subnetIds[1]: expected a subnet id like subnet-0a1b2c3d, got "subnet-x"'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, availabilityZones: ['eu-west-1a'] }] }] }, 'idle-canary.stacks[0].vpcs[0].availabilityZones: expected one zone per subnet (2), got ["eu-west-1a"]'],
    [{ stacks: [{ ...STACK, vpcs: [{ ...VPC, backendPorts: ['32767-30000'] }] }] }, 'idle-canary.stacks[0].vpcs[0].backendPorts[0]: expected a port (1-65535) or a range such as 30000-32767, got "32767-30000"'],
    [{ stacks: [{ ...STACK, schedule: 'every 15 minutes' }] }, 'idle-canary.stacks[0].schedule: expected rate(N minutes) or cron(...), got "every 15 minutes"'],
    [{ stacks: [{ ...STACK, marginS: -1 }] }, 'idle-canary.stacks[0].marginS: expected a number from 0 to 600, got -1'],
    [{ stacks: [{ ...STACK, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }] }, 'idle-canary.stacks[0].alarmEmails: expected no emails when topicArn is given (subscribe them to that topic), got ["oncall@example.com"]'],
    [{ stacks: [{ ...STACK, accessLogBuckets: [{ bucketName: 'Corp_Logs' }] }] }, 'idle-canary.stacks[0].accessLogBuckets[0].bucketName: expected an S3 bucket name, got "Corp_Logs"'],
    [{ stacks: [{ ...STACK, accessLogBuckets: [{ bucketName: 'corp-logs', prefix: 'prod/AWSLogs/123456789012' }] }] }, "idle-canary.stacks[0].accessLogBuckets[0].prefix: expected the prefix set in the load balancers' logging, without a leading slash or AWSLogs, got \"prod/AWSLogs/123456789012\""],
    [{ stacks: [{ ...STACK, hangupsAlarmThreshold: 0 }] }, 'idle-canary.stacks[0].hangupsAlarmThreshold: expected a number from 1 to 1000000, got 0'],
  ])('rejects %j naming the key', (value, message) => {
    // Act & Assess
    expect(() => parseConfig(value)).toThrow(message);
  });
});
