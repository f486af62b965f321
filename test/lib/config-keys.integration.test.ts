import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_KEYS, VPC_KEYS } from '../../lib/config';
import { STACK, VPC, synth } from './synth';

/** The stack entry with its first VPC changed. */
const withVpc = (change: Record<string, unknown>) => ({ ...STACK, vpcs: [{ ...VPC, ...change }] });
const LOGS = { accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] };
const CRON = { schedule: 'cron(0/20 * * * ? *)' };
const SECURITY_GROUPS = { cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] };

/**
 * For every documented key: a configuration without it (or with another value) and one with
 * it, differing in that key only.
 */
const CASES: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
  account: [STACK, { ...STACK, account: '210987654321' }],
  region: [STACK, { ...STACK, region: 'eu-central-1' }],
  vpcs: [STACK, { ...STACK, vpcs: [VPC, { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788' }] }],
  loadBalancerNames: [STACK, { ...STACK, loadBalancerNames: ['k8s-prod-*'] }],
  tags: [STACK, { ...STACK, tags: ['team=payments'] }],
  alarmNamePrefix: [STACK, { ...STACK, alarmNamePrefix: 'prod-eu' }],
  okNotifications: [STACK, { ...STACK, okNotifications: true }],
  schedule: [STACK, { ...STACK, schedule: 'rate(30 minutes)' }],
  periodMinutes: [{ ...STACK, ...CRON, periodMinutes: 20 }, { ...STACK, ...CRON, periodMinutes: 30 }],
  topicArn: [{ ...STACK, alarmEmails: undefined }, { ...STACK, alarmEmails: undefined, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }],
  alarmEmails: [STACK, { ...STACK, alarmEmails: ['sre@example.com'] }],
  marginS: [STACK, { ...STACK, marginS: 5 }],
  precisionS: [STACK, { ...STACK, precisionS: 0.2 }],
  namespace: [STACK, { ...STACK, namespace: 'Platform/IdleCanary' }],
  metrics: [STACK, { ...STACK, metrics: 'detailed' }],
  maxBackendsPerPort: [STACK, { ...STACK, maxBackendsPerPort: 3 }],
  digestSchedule: [STACK, { ...STACK, digestSchedule: 'rate(7 days)' }],
  runAfterEcsDeployments: [STACK, { ...STACK, runAfterEcsDeployments: false }],
  runAfterCodeDeployDeployments: [STACK, { ...STACK, runAfterCodeDeployDeployments: false }],
  cloudFront: [STACK, { ...STACK, cloudFront: true }],
  probePublicOrigins: [{ ...STACK, cloudFront: true }, { ...STACK, cloudFront: true, probePublicOrigins: true }],
  reportRetentionDays: [STACK, { ...STACK, reportRetentionDays: 30 }],
  logRetentionDays: [STACK, { ...STACK, logRetentionDays: 7 }],
  maxConcurrency: [STACK, { ...STACK, maxConcurrency: 5 }],
  inlineMaxBackends: [STACK, { ...STACK, inlineMaxBackends: 5 }],
  toleratedFailurePercentage: [STACK, { ...STACK, toleratedFailurePercentage: 0 }],
  accessLogBuckets: [STACK, { ...STACK, ...LOGS }],
  hangupsAlarmThreshold: [{ ...STACK, ...LOGS }, { ...STACK, ...LOGS, hangupsAlarmThreshold: 20 }],
  longTimeouts: [{ ...STACK, schedule: 'rate(90 minutes)' }, { ...STACK, schedule: 'rate(90 minutes)', longTimeouts: { vpcEndpoints: true } }],
  'accessLogBuckets[].prefix': [{ ...STACK, ...LOGS }, { ...STACK, accessLogBuckets: [{ bucketName: 'corp-elb-logs', prefix: 'prod' }] }],
  'vpcs[].vpcId': [STACK, withVpc({ vpcId: 'vpc-0f1e2d3c4b5a69788' })],
  'vpcs[].subnetIds': [STACK, withVpc({ subnetIds: ['subnet-0c3d4e5f607182930', 'subnet-0b2c3d4e5f6071829'] })],
  'vpcs[].backendPorts': [STACK, withVpc({ backendPorts: [8080] })],
  'vpcs[].cidr': [STACK, withVpc({ cidr: '10.1.0.0/16' })],
  'vpcs[].backendSecurityGroupIds': [STACK, withVpc(SECURITY_GROUPS)],
  'vpcs[].addIngress': [withVpc(SECURITY_GROUPS), withVpc({ ...SECURITY_GROUPS, addIngress: true })],
};

const templateOf = (stack: Record<string, unknown>) => JSON.stringify(synth(stack).template.toJSON());

describe('the configuration keys', () => {
  it('has a case for every key the configuration accepts, and the README documents each one', () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

    // Assess
    expect(Object.keys(CASES).filter((k) => !k.includes('[]')).sort()).toEqual([...STACK_KEYS].sort());
    expect(Object.keys(CASES).filter((k) => k.startsWith('vpcs[].')).map((k) => k.slice(7)).sort()).toEqual([...VPC_KEYS].sort());
    for (const key of [...STACK_KEYS, ...VPC_KEYS.map((k) => `vpcs[].${k}`)]) expect(readme).toContain(`| \`${key}\` |`);
  });

  it.each(Object.entries(CASES))('%s changes the synthesized template', (_key, [without, withKey]) => {
    // Act & Assess
    expect(templateOf(withKey)).not.toEqual(templateOf(without));
  });
});
