/**
 * Links to a deployed run in the AWS console (https), for notifications and report headers:
 * the report object, the run's execution and the dashboard.
 *
 * Why console links and not only `s3://` URIs: an `s3://` URI opens nowhere, least of all on
 * the phone that receives the alarm; the console page opens after sign-in. The URI stays beside
 * it, for `aws s3 cp`.
 */

/** Where a run's pages are: what the publish and digest functions know of their stack. */
export interface RunPlace {
  readonly region: string;
  readonly bucket: string;
  /** Key of the HTML report in the bucket. */
  readonly reportKey: string;
  /**
   * The run state machine's ARN and the run's id (its execution name), for the execution's page.
   * @default no execution link
   */
  readonly execution?: { readonly stateMachineArn: string; readonly runId: string };
  /**
   * The dashboard's name.
   * @default no dashboard link
   */
  readonly dashboardName?: string;
}

/** The links of one run, each an https console address except `reportUri`. */
export interface RunLinks {
  /** The HTML report's object page in the S3 console (its Open button shows the page). */
  readonly report: string;
  /** `s3://bucket/key` of the HTML report, for the AWS CLI. */
  readonly reportUri: string;
  /** The run's execution in the Step Functions console. */
  readonly execution?: string;
  /** The dashboard in the CloudWatch console. */
  readonly dashboard?: string;
}

/**
 * The console's address for a region: the partition's own domain in China and GovCloud.
 *
 * @example
 * consoleHome('eu-west-1'); // 'https://eu-west-1.console.aws.amazon.com'
 */
export function consoleHome(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The dashboard's page. The name is not encoded: CloudWatch allows only letters, digits, `-`
 * and `_` in it, and the CDK passes it as a token at synth.
 *
 * @example
 * dashboardLink('eu-west-1', 'IdleCanary-Dashboard'); // 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/IdleCanary-Dashboard'
 */
export function dashboardLink(region: string, dashboardName: string): string {
  return `${consoleHome(region)}/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/**
 * The execution's ARN: the state machine's, with `execution` for `stateMachine` and the
 * execution's name appended.
 *
 * @example
 * executionArn('arn:aws:states:eu-west-1:123456789012:stateMachine:run', 'r-1'); // 'arn:aws:states:eu-west-1:123456789012:execution:run:r-1'
 */
export function executionArn(stateMachineArn: string, runId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
}

/**
 * The run's links.
 *
 * @example
 * runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'idle-canary/runs/r-1.html', dashboardName: 'IdleCanary' });
 */
export function runLinks(place: RunPlace): RunLinks {
  const home = consoleHome(place.region);
  const { execution, dashboardName } = place;
  return {
    report: `${home}/s3/object/${encodeURIComponent(place.bucket)}?region=${place.region}&bucketType=general&prefix=${encodeURIComponent(place.reportKey)}`,
    reportUri: `s3://${place.bucket}/${place.reportKey}`,
    ...(execution ? { execution: `${home}/states/home?region=${place.region}#/v2/executions/details/${encodeURIComponent(executionArn(execution.stateMachineArn, execution.runId))}` } : {}),
    ...(dashboardName ? { dashboard: dashboardLink(place.region, dashboardName) } : {}),
  };
}

/**
 * The links as lines of a plain-text notification, labelled.
 *
 * @example
 * linkLines(links); // ['Report: https://...', 'Report file: s3://...', 'Run: https://...', 'Dashboard: https://...']
 */
export function linkLines(links: RunLinks): string[] {
  return labelled(links).map(({ label, url }) => `${label}: ${url}`);
}

/** The links with their labels, in the order notifications and reports show them. */
export function labelled(links: RunLinks): Array<{ label: string; url: string }> {
  return [
    { label: 'Report', url: links.report },
    { label: 'Report file', url: links.reportUri },
    ...(links.execution ? [{ label: 'Run', url: links.execution }] : []),
    ...(links.dashboard ? [{ label: 'Dashboard', url: links.dashboard }] : []),
  ];
}
