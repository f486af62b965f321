import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { readRecentHangups } from '../../../lambda/access-logs/recent';

describe('readRecentHangups', () => {
  afterEach(() => mockClient(CloudWatchClient).restore());

  it('sums the last hour of hang-ups and requests per load balancer with one Metrics Insights query each, across pages', async () => {
    // Prepare: two pages, series split across them
    const cloudWatch = mockClient(CloudWatchClient);
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'hangups', Label: 'web', Values: [30, 7] }, { Id: 'requests', Label: 'web', Values: [6000, 6345] }], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'hangups', Label: 'api', Values: [0] }, { Id: 'requests', Label: 'api', Values: [500, 300] }] });
    const now = new Date('2026-11-25T18:01:07.000Z');

    // Act
    const recent = await readRecentHangups(new CloudWatchClient({}), 'IdleCanary', now);

    // Assess
    expect(recent).toEqual({ windowMinutes: 60, byLoadBalancer: { web: { hangups: 37, requests: 12345 }, api: { hangups: 0, requests: 800 } } });
    const inputs = cloudWatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      StartTime: new Date('2026-11-25T17:01:07.000Z'),
      EndTime: now,
      MetricDataQueries: [
        { Id: 'hangups', Expression: 'SELECT SUM(BackendHangups) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT 500', Period: 300 },
        { Id: 'requests', Expression: 'SELECT SUM(RequestsLogged) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT 500', Period: 300 },
      ],
      NextToken: undefined,
    });
    expect(inputs[1].NextToken).toBe('page-2');
  });
});
