/**
 * Recognises Elastic Load Balancing access log objects by their documented key layout.
 *
 * Why: the same bucket and prefix also receive the test object written when logging is
 * enabled, ALB connection and health check logs, and NLB logs, in other formats; they are
 * skipped with a reason instead of being counted as thousands of malformed lines.
 */

/** An access log object's key, read. */
export interface AccessLogObject {
  readonly accountId: string;
  readonly region: string;
  readonly kind: 'classic' | 'alb';
  /** Classic: the load balancer's name; ALB: `app.NAME.ID`, as the key spells it. */
  readonly loadBalancerId: string;
  /** End of the interval the object covers, as in the key (`20140215T2340Z`). */
  readonly endTime: string;
}

const KEY = /(?:^|\/)AWSLogs\/(\d{12})\/elasticloadbalancing\/([a-z0-9-]+)\/\d{4}\/\d\d\/\d\d\/\1_elasticloadbalancing_\2_(.+)_(\d{8}T\d{4}Z)_[0-9a-f.:]+_[0-9a-z]+\.log(\.gz)?$/;

/**
 * A key as an S3 notification spells it (URL-encoded, spaces as `+`), decoded; `null` when it
 * is not valid percent-encoding, which S3 never sends but an event from elsewhere may.
 *
 * @example
 * decodeNotifiedKey('logs/my+elb%3A1.log'); // 'logs/my elb:1.log'
 */
export function decodeNotifiedKey(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/**
 * Reads a key (already URL-decoded), or says why the object is not an access log to count.
 *
 * @example
 * describeLogObjectKey('logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2018/12/04/123456789012_elasticloadbalancing_eu-west-1_my-elb_20181204T2150Z_10.0.0.5_2jn4f8x1.log');
 * // { accountId: '123456789012', region: 'eu-west-1', kind: 'classic', loadBalancerId: 'my-elb', endTime: '20181204T2150Z' }
 */
export function describeLogObjectKey(key: string): AccessLogObject | { readonly skip: string } {
  if (key.endsWith('/ELBAccessLogTestFile')) return { skip: 'the test object Elastic Load Balancing writes when logging is enabled' };
  const match = KEY.exec(key);
  if (match === null) return { skip: 'not an Elastic Load Balancing access log key (AWSLogs/ACCOUNT/elasticloadbalancing/REGION/YYYY/MM/DD/ACCOUNT_elasticloadbalancing_REGION_LB_END_IP_RANDOM.log[.gz])' };
  const [, accountId, region, loadBalancerId, endTime] = match;
  if (loadBalancerId.startsWith('net.')) return { skip: 'a Network Load Balancer log: NLBs are not covered' };
  return { accountId, region, kind: loadBalancerId.startsWith('app.') ? 'alb' : 'classic', loadBalancerId, endTime };
}
