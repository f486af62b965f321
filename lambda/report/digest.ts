/**
 * The scheduled digest: the fleet's state in a few lines, whether or not anything changed.
 */
import { fmt, label } from './advice';
import type { Notification } from './changes';
import { linkLines, type RunLinks } from './console-links';
import type { ScanReport } from './scan';
import { hangupsPhrase, shownName } from './view';

/**
 * The digest of the latest run.
 *
 * @example
 * digestNotification(latest, runLinks({ region: 'eu-west-1', bucket: 'reports', reportKey: 'idle-canary/latest.html' }));
 */
export function digestNotification(report: ScanReport, links: RunLinks): Notification {
  const count = (verdict: string) => report.loadBalancers.filter((lb) => lb.verdict === verdict).length;
  const failing = report.loadBalancers.filter((lb) => lb.verdict === 'fail');
  const lines = [
    `idle-canary ${report.region} digest: ${report.loadBalancers.length} load balancer(s), ${count('fail')} failing, ${count('inconclusive')} inconclusive, ${count('pass')} passing (latest run finished ${report.finishedAt}).`,
    ...failing.map((lb) => {
      const phases = Object.entries(lb.phases)
        .filter(([, p]) => p?.verdict === 'fail')
        .map(([phase, p]) => `${label(phase as 'preRequest' | 'keepAlive')} ${fmt(p!.limitS ?? 0)} s`);
      const hangups = hangupsPhrase(report, lb);
      return `- FAILING ${shownName(report, lb)} (idle timeout ${lb.idleTimeoutS ?? '?'} s): limit ${phases.join(', ')}${hangups === null ? '' : `; ${hangups}`}`;
    }),
    ...report.loadBalancers.filter((lb) => lb.verdict === 'inconclusive').map((lb) => `- INCONCLUSIVE ${shownName(report, lb)}: ${lb.error ?? `${lb.probeErrors} backend(s) could not be probed`}`),
    '',
    ...linkLines(links),
  ];
  return { subject: `idle-canary ${report.region} digest: ${count('fail')} failing of ${report.loadBalancers.length}`.slice(0, 100), message: lines.join('\n') };
}
