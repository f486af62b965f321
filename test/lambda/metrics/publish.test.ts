import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { publishMetrics, type Datum } from '../../../lambda/metrics';
import { awsError } from '../discovery/fixtures';

const at = new Date('2026-11-24T10:15:00Z');
const datum = (i: number): Datum => ({ MetricName: 'LoadBalancerIdleTimeout', Unit: 'Seconds', Value: 60, Timestamp: at, Dimensions: [{ Name: 'LoadBalancer', Value: `lb-${i}` }] });

describe('publishMetrics', () => {
  it('puts the datums in the configured namespace, in batches of at most 1,000', async () => {
    // Prepare
    const client = new CloudWatchClient({ region: 'eu-west-1' });
    const cloudWatch = mockClient(client);
    cloudWatch.on(PutMetricDataCommand).resolves({});

    // Act
    const report = await publishMetrics(client, Array.from({ length: 1500 }, (_, i) => datum(i)), { namespace: 'Platform/IdleCanary' });

    // Assess
    expect(report).toEqual({ namespace: 'Platform/IdleCanary', published: 1500, calls: 2, failed: [] });
    expect(cloudWatch).toHaveReceivedCommandTimes(PutMetricDataCommand, 2);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)[1].args[0].input).toEqual({ Namespace: 'Platform/IdleCanary', MetricData: Array.from({ length: 500 }, (_, i) => datum(1000 + i)) });
  });

  it('retries a failed batch and reports one that keeps failing, while the others are published', async () => {
    // Prepare: the first batch fails once then passes; the second always fails
    const client = new CloudWatchClient({ region: 'eu-west-1' });
    const cloudWatch = mockClient(client);
    let calls = 0;
    cloudWatch.on(PutMetricDataCommand).callsFake((input) => {
      calls++;
      if (calls === 1 || input.MetricData.length === 2) throw awsError('InternalServiceError', 'try again');
      return {};
    });

    // Act
    const report = await publishMetrics(client, Array.from({ length: 1002 }, (_, i) => datum(i)), { backoffMs: 1 });

    // Assess
    expect(report.published).toBe(1000);
    expect(report.calls).toBe(2 + 3);
    expect(report.failed).toEqual([{ datums: 2, metrics: ['LoadBalancerIdleTimeout'], error: 'PutMetricData: InternalServiceError: try again' }]);
  });
});
