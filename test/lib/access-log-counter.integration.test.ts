import { Match } from 'aws-cdk-lib/assertions';
import { STACK, logicalIdOf, roleStatements, synth } from './synth';

const BUCKETS = [{ bucketName: 'corp-elb-logs', prefix: 'prod' }, { bucketName: 'legacy-elb-logs' }];
const { template, assembly, stack } = synth({ ...STACK, accessLogBuckets: BUCKETS, hangupsAlarmThreshold: 3 });

const REPORTS = { 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] };

describe('the IdleCanary stack with access logs', () => {
  it('lets the counter read only this account and region’s log objects, mark them in its own bucket and put metrics in its namespace', () => {
    // Assess
    expect(roleStatements(template, stack.canary.accessLogsFunction!.role)).toEqual([
      {
        Sid: 'ReadAccessLogs',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::corp-elb-logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/*']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::legacy-elb-logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/*']] },
        ],
      },
      { Sid: 'MarkCountedObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [REPORTS, '/idle-canary/access-logs/seen/*']] } },
      // Without it a log object deleted before it is read answers 403, not NoSuchKey.
      {
        Sid: 'ListReadBuckets',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: [REPORTS, ...['corp-elb-logs', 'legacy-elb-logs'].map((name) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${name}`]] }))],
      },
      { Sid: 'PutMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'IdleCanary' } } },
    ]);
  });

  it('notifies the counter of each new object under each bucket’s log prefix, and retries a failed object twice', () => {
    // Assess
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'corp-elb-logs',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf(stack.canary.accessLogsFunction!), 'Arn'] },
          },
        ],
      },
      // Notifications the bucket already has are kept.
      Managed: false,
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', { BucketName: 'legacy-elb-logs' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceAccount: '123456789012', SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::corp-elb-logs']] } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ IDLE_CANARY_CLAIM_STALE_S: '360', IDLE_CANARY_REPORT_PREFIX: 'idle-canary/', IDLE_CANARY_NAMESPACE: 'IdleCanary' }) },
    });
  });

  it('alarms per load balancer on hang-ups at the set threshold, tolerating logs that arrive a period late', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ Expression: 'SELECT SUM(BackendHangups) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT 500', Period: 300 })],
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalIdOf(stack.canary.topic) }],
      // OK notifications are opt-in (okNotifications)
      OKActions: Match.absent(),
    });
  });

  it('lets publish read the recent hang-ups for the report', () => {
    // Assess
    expect(roleStatements(template, stack.canary.publishFunction.role)).toContainEqual({ Sid: 'ReadRecentHangups', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ IDLE_CANARY_ACCESS_LOGS: 'on', IDLE_CANARY_TOPIC_ARN: Match.anyValue() }) } });
  });

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    // Assess
    const messages = assembly.stacks.flatMap((s) => s.messages).filter((m) => m.level === 'error' || m.level === 'warning');
    expect(messages.map((m) => `${m.id}: ${String(m.entry.data).slice(0, 200)}`)).toEqual([]);
  });

  it('deploys no counter, alarm or permission for access logs when no bucket is given', () => {
    // Prepare
    const plain = synth(STACK).template;

    // Assess
    expect(Object.keys(plain.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/BackendHangups|GetMetricData|IDLE_CANARY_ACCESS_LOGS/);
  });
});
