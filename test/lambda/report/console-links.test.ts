import { consoleHome, executionArn, linkLines, runLinks } from '../../../lambda/report/console-links';

describe('console links', () => {
  it('links the report object, the execution and the dashboard in the region\'s console, keeping the s3:// URI beside them', () => {
    // Act
    const links = runLinks({
      region: 'eu-west-1',
      bucket: 'idle-canary-reports',
      reportKey: 'idle-canary/runs/scheduled 2026-11-24T10:15.html',
      execution: { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:IdleCanary-run', runId: 'scheduled-1' },
      dashboardName: 'IdleCanary-Dashboard',
    });

    // Assess
    expect(linkLines(links)).toEqual([
      'Report: https://eu-west-1.console.aws.amazon.com/s3/object/idle-canary-reports?region=eu-west-1&bucketType=general&prefix=idle-canary%2Fruns%2Fscheduled%202026-11-24T10%3A15.html',
      'Report file: s3://idle-canary-reports/idle-canary/runs/scheduled 2026-11-24T10:15.html',
      'Run: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3Aexecution%3AIdleCanary-run%3Ascheduled-1',
      'Dashboard: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/IdleCanary-Dashboard',
    ]);
  });

  it('leaves out the execution and the dashboard when the stack does not say them', () => {
    // Act
    const lines = linkLines(runLinks({ region: 'eu-west-1', bucket: 'b', reportKey: 'latest.html' }));

    // Assess
    expect(lines.map((line) => line.split(':')[0])).toEqual(['Report', 'Report file']);
  });

  it('uses the partition\'s own console in China and GovCloud', () => {
    // Act, Assess
    expect([consoleHome('cn-north-1'), consoleHome('us-gov-west-1'), consoleHome('ap-southeast-2')]).toEqual([
      'https://console.amazonaws.cn',
      'https://console.amazonaws-us-gov.com',
      'https://ap-southeast-2.console.aws.amazon.com',
    ]);
    expect(executionArn('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:m', 'r')).toBe('arn:aws-cn:states:cn-north-1:123456789012:execution:m:r');
  });
});
