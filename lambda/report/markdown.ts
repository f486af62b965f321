/**
 * A run as a Markdown summary: what an on-call engineer reads in a minute.
 */
import type { Verdict } from '../probe';
import { fmt } from './advice';
import type { Change } from './changes';
import { labelled, type RunLinks } from './console-links';
import type { ScanReport } from './scan';
import { printable } from '../shared/printable';
import { accessLogsError, backendAdvice, byVerdict, cloudFrontText, hangupsHeading, hangupsSentence, hangupsText, limitText, notProbedText, shownName, worstBackend } from './view';

/**
 * Renders the summary: verdict, changes, the links of a deployed run (the console's pages of
 * the full report, the run and the dashboard), one table row per load balancer, then the
 * advice for each one that is not passing.
 *
 * @example
 * renderMarkdownReport(report, changes, reportLinks('reports', 'idle-canary/', 'run-1', report));
 */
export function renderMarkdownReport(report: ScanReport, changes: readonly Change[] = [], links?: RunLinks): string {
  const lbs = byVerdict(report.loadBalancers);
  const count = (verdict: Verdict) => lbs.filter((lb) => lb.verdict === verdict).length;
  const lines = [
    `# idle-canary ${md(report.region)}: ${md(report.verdict.toUpperCase())}`,
    '',
    `Run ${md(report.startedAt)} to ${md(report.finishedAt)}: ${lbs.length} load balancer(s), ${count('fail')} failing, ${count('inconclusive')} inconclusive, ${count('pass')} passing.`,
  ];
  if (links) lines.push('', labelled(links).map(({ label, url }) => (url.startsWith('https://') ? `[${label}](<${url}>)` : `${label}: \`${url}\``)).join(' · '));
  const logsError = accessLogsError(report);
  if (logsError !== null) lines.push('', md(logsError));
  if (changes.length > 0) {
    lines.push('', '## Changed since the last run', '', ...changes.map((c) => `- **${md(c.loadBalancer)}** ${c.phase}: ${c.before.limitS === null ? '-' : `${c.before.atLeast ? '≥ ' : ''}${fmt(c.before.limitS)} s`} (${c.before.verdict}, ${md(c.before.at)}) → ${c.after.limitS === null ? '-' : `${c.after.atLeast ? '≥ ' : ''}${fmt(c.after.limitS)} s`} (${c.after.verdict}, ${md(c.after.at)})`));
  }
  const logs = hangupsHeading(report);
  lines.push(
    '',
    `| load balancer | type | idle timeout | verdict | pre-request limit | keep-alive limit |${logs ? ` ${logs} |` : ''} failing backends |`,
    `|---|---|---|---|---|---|${logs ? '---|' : ''}---|`,
    ...lbs.map((lb) => {
      const failing = [...new Set(Object.values(lb.phases).flatMap((p) => p?.failingBackends ?? []))];
      return `| ${md(lb.name)} | ${md(lb.type)} | ${lb.idleTimeoutS === null ? '?' : `${lb.idleTimeoutS} s`} | ${lb.verdict.toUpperCase()} | ${limitText(lb, 'preRequest')} | ${limitText(lb, 'keepAlive')} |${logs ? ` ${hangupsText(report, lb)} |` : ''} ${md(failing.join(', ')) || '-'} |`;
    }),
  );
  for (const lb of lbs.filter((l) => l.verdict !== 'pass')) {
    const worst = worstBackend(lb);
    const why = lb.error ?? (worst ? backendAdvice(lb, worst) : (cloudFrontText(lb) ?? 'No backend was probed.'));
    const hangups = hangupsSentence(report, lb);
    lines.push('', `## ${md(shownName(report, lb))}: ${md(lb.verdict.toUpperCase())}`, '', md(why), ...(hangups ? ['', md(hangups)] : []));
    if (lb.skipped.length > 0) lines.push('', ...lb.skipped.map((s) => `- skipped ${md(s.what)}: ${md(s.reason)}`));
  }
  const others = [...report.notCovered, ...report.excluded];
  if (others.length > 0) lines.push('', '## Not probed', '', ...others.map((n) => `- ${md(n.name)} (${md(n.type)}): ${md(notProbedText(n))}`));
  return `${lines.join('\n')}\n`;
}

/**
 * Text embedded in Markdown: control characters made visible, HTML markup and entities as
 * entities, and what could start a link, an image, a table cell or a heading escaped.
 *
 * Why not escape everything: the advice's own code spans (`keepalive_timeout 65s;`) must stay
 * code, and within a code span nothing renders as HTML anyway.
 *
 * @example
 * md('<svg onload=alert(1)> [x](http://evil) a|b'); // '&lt;svg onload=alert(1)&gt; \\[x\\](http://evil) a\\|b'
 */
function md(text: string): string {
  return printable(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[[\]|\\]/g, '\\$&')
    .replace(/^([#=+-])/, '\\$1');
}
