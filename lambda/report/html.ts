/**
 * A run as one self-contained HTML page: per load balancer a verdict table, the advice, and
 * per backend and phase a picture of the probe. No external asset: it opens from S3, a mail
 * attachment or a laptop alike.
 */
import { judgedProbe, phaseHeadroomS, type LoadBalancerVerdict } from '../judge';
import type { PhaseName, Verdict } from '../probe';
import { closedWithText } from '../probe/wire/goaway';
import { fmt, label, sweepWords } from './advice';
import type { Change } from './changes';
import { labelled, type RunLinks } from './console-links';
import { escapeXml as esc, probePicture } from './picture';
import type { ScanReport } from './scan';
import { accessLogsError, backendAdvice, byVerdict, cloudFrontText, hangupsHeading, hangupsSentence, hangupsText, headroomText, limitText, notProbedText, shownName, worstBackend } from './view';
import type { NotCovered } from '../discovery/types';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-top:1px solid #ddd;padding-top:16px}h3{font-size:15px;margin-bottom:4px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b71c1c;font-weight:600}.pass{color:#1b5e20;font-weight:600}.inconclusive{color:#a15c00;font-weight:600}
.advice{background:#fafafa;border-left:4px solid #999;padding:8px 12px}
figure{margin:8px 0 16px}figcaption{font-size:12px;color:#555}
.legend span{margin-right:14px;font-size:12px}.muted{color:#666}
.links a{margin-right:16px}
`;

/**
 * Renders the page; a deployed run's page links, under its heading, to its report object, its
 * execution and the dashboard in the console.
 *
 * @example
 * writeFileSync('run.html', renderHtmlReport(report, changes));
 */
export function renderHtmlReport(report: ScanReport, changes: readonly Change[] = [], links?: RunLinks): string {
  const lbs = byVerdict(report.loadBalancers);
  const count = (verdict: Verdict) => lbs.filter((lb) => lb.verdict === verdict).length;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>idle-canary ${esc(report.region)} ${esc(report.finishedAt)}: ${report.verdict}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>idle-canary ${esc(report.region)}: <span class="${report.verdict}">${report.verdict.toUpperCase()}</span></h1>`,
    `<p class="muted">Run ${esc(report.startedAt)} to ${esc(report.finishedAt)}. ${lbs.length} load balancer(s): ${count('fail')} failing, ${count('inconclusive')} inconclusive, ${count('pass')} passing. ${report.apiCalls} AWS API calls.</p>`,
    links ? linksParagraph(links) : '',
    failParagraph(accessLogsError(report)),
    changesSection(changes),
    summaryTable(lbs, report),
    '<p class="legend"><span style="color:#2ca02c">● answered</span><span style="color:#d62728">✕ late request refused (lazy)</span><span style="color:#ff7f0e">◆ closed by the server (eager)</span><span style="color:#999">- - unused</span><span style="color:#1f77b4">┆ load balancer idle timeout</span><span style="color:#d62728">│ measured limit, shaded: bracket</span></p>',
    ...lbs.map((lb) => loadBalancerSection(lb, report)),
    othersSection(report),
    '</body></html>',
  ].join('\n');
}

function linksParagraph(links: RunLinks): string {
  // The file's own S3 URI is for the CLI, not a link a browser opens.
  const anchors = labelled(links).filter(({ url }) => url.startsWith('https://'));
  return `<p class="links">${anchors.map(({ label, url }) => `<a href="${esc(url)}" rel="noopener noreferrer">${esc(label)}</a>`).join('')}</p>`;
}

function changesSection(changes: readonly Change[]): string {
  if (changes.length === 0) return '';
  const limit = (s: Change['before']) => (s.limitS === null ? 'not measured' : `${s.atLeast ? '≥ ' : ''}${fmt(s.limitS)} s`);
  const rows = changes.map(
    (c) => `<tr><td>${esc(c.loadBalancer)}</td><td>${label(c.phase)}</td><td>${limit(c.before)} (<span class="${c.before.verdict}">${c.before.verdict}</span>, ${esc(c.before.at)})</td><td>${limit(c.after)} (<span class="${c.after.verdict}">${c.after.verdict}</span>, ${esc(c.after.at)})</td></tr>`,
  );
  return `<h2>Changed since the last run</h2><table><tr><th>load balancer</th><th>limit</th><th>before</th><th>now</th></tr>${rows.join('')}</table>`;
}

function summaryTable(lbs: readonly LoadBalancerVerdict[], report: ScanReport): string {
  const heading = hangupsHeading(report);
  const cell = (lb: LoadBalancerVerdict, phase: PhaseName) => {
    const p = lb.phases[phase];
    return p === undefined ? '<td>-</td>' : `<td class="num"><span class="${p.verdict}">${limitText(lb, phase)}</span></td>`;
  };
  const rows = lbs.map(
    (lb) =>
      `<tr><td><a href="#${anchorOf(report, lb)}">${esc(lb.name)}</a></td><td>${lb.type}</td><td class="num">${lb.idleTimeoutS === null ? '?' : `${lb.idleTimeoutS} s`}</td><td class="${lb.verdict}">${lb.verdict.toUpperCase()}</td>${cell(lb, 'preRequest')}${cell(lb, 'keepAlive')}${heading ? `<td class="num">${hangupsText(report, lb)}</td>` : ''}<td class="num">${lb.backends.length}</td><td class="num">${lb.probeErrors}</td></tr>`,
  );
  return `<table><tr><th>load balancer</th><th>type</th><th>idle timeout</th><th>verdict</th><th>pre-request limit</th><th>keep-alive limit</th>${heading ? `<th>${heading}</th>` : ''}<th>backends probed</th><th>probe errors</th></tr>${rows.join('')}</table>`;
}

function loadBalancerSection(lb: LoadBalancerVerdict, report: ScanReport): string {
  const rows = (Object.entries(lb.phases) as Array<[PhaseName, NonNullable<LoadBalancerVerdict['phases'][PhaseName]>]>).map(
    ([phase, p]) =>
      `<tr><td>${label(phase)}</td><td class="${p.verdict}">${p.verdict.toUpperCase()}</td><td class="num">${p.limitS === null ? 'none found' : `${fmt(p.limitS)} s`}</td><td class="num">${headroomText(phaseHeadroomS(p, lb.idleTimeoutS)) ?? '-'}</td><td>${esc(p.failingBackends.join(', ') || '-')}</td></tr>`,
  );
  const worst = worstBackend(lb) ?? lb.backends[0];
  const lbS = lb.idleTimeoutS;
  const backends = lb.backends.map((backend) => {
    // Judged against this load balancer: a shared backend's probe speaks of the longest timeout it serves.
    const judged = judgedProbe(lb, backend);
    // A phase without sockets (a target that could not be probed) has nothing to picture.
    const measuredPhases = (Object.entries(judged.phases) as Array<[PhaseName, NonNullable<(typeof judged.phases)[PhaseName]>]>).filter(([, measured]) => measured.sockets.length > 0);
    const pictures = measuredPhases.map(([phase, measured]) => {
      const sweep = sweepWords(phase, measured);
      const caption = `${label(phase)}: ${measured.verdict}; ${measured.limitS === null ? `no limit up to ${fmt(measured.survivedS ?? backend.probe.horizonS)} s` : `limit ${fmt(measured.limitS)} s (${measured.enforcement}, closed with ${closedWithText(measured)}), bracket ${fmt(measured.survivedS ?? 0)} .. ${fmt(measured.limitS)} s${sweep === null ? '' : `; ${sweep}`}`}${measured.reason ? `; ${measured.reason}` : ''}`;
      return `<figure class="phase">${probePicture(measured, judged.loadBalancerIdleTimeoutS, backend.probe.horizonS, `${phase} of ${backend.id}`)}<figcaption>${esc(caption)}</figcaption></figure>`;
    });
    const server = backend.probe.server;
    const hints = server ? ` · Server: ${esc(server.server ?? 'none')}${server.keepAlive ? ` · Keep-Alive: ${esc(server.keepAlive)}` : ''}` : '';
    return `<h3>${esc(backend.id)} (${esc(`${backend.probe.target.host}:${backend.probe.target.port}${backend.probe.target.path}`)}) <span class="${backend.verdict}">${backend.verdict.toUpperCase()}</span></h3><p class="muted">${backend.probe.error ? esc(backend.probe.error.message) : `${backend.probe.socketsUsed} sockets, ${fmt(backend.probe.elapsedS)} s${hints}`}</p>${pictures.join('')}`;
  });
  const skipped = lb.skipped.length > 0 ? `<p class="muted">Skipped: ${lb.skipped.map((s) => `${esc(s.what)}: ${esc(s.reason)}`).join('; ')}</p>` : '';
  return [
    `<h2 id="${anchorOf(report, lb)}">${esc(shownName(report, lb))} <span class="${lb.verdict}">${lb.verdict.toUpperCase()}</span></h2>`,
    `<p class="muted">${lb.type} · ${esc(lb.vpcId)} · idle timeout ${lbS === null ? 'unknown' : `${lbS} s`} · margin ${lb.marginS} s${lb.backendsNotSampled > 0 ? ` · ${lb.backendsNotSampled} more backend(s) not sampled this run` : ''}</p>`,
    lb.error ? `<p class="fail">Discovery error: ${esc(lb.error)}</p>` : '',
    cloudFrontParagraph(lb),
    rows.length > 0 ? `<table><tr><th>idle</th><th>verdict</th><th>limit</th><th>headroom</th><th>failing backends</th></tr>${rows.join('')}</table>` : '',
    worst ? `<p class="advice">${esc(backendAdvice(lb, worst))}</p>` : '',
    failParagraph(hangupsSentence(report, lb)),
    ...backends,
    skipped,
  ].join('\n');
}

/** A load balancer's section anchor: `lb-NAME`, with its type when another has the same name. */
function anchorOf(report: ScanReport, lb: LoadBalancerVerdict): string {
  return esc(`lb-${shownName(report, lb) === lb.name ? lb.name : `${lb.name}-${lb.type}`}`);
}

/** A CloudFront origin's distribution, keep-alive and chain, in the verdict's colour. */
function cloudFrontParagraph(lb: LoadBalancerVerdict): string {
  const text = cloudFrontText(lb);
  return text === null ? '' : `<p class="${lb.verdict}">${esc(text)}</p>`;
}

function failParagraph(text: string | null): string {
  return text === null ? '' : `<p class="fail">${esc(text)}</p>`;
}

function othersSection(report: ScanReport): string {
  const rows = [...report.notCovered.map((n) => ['not covered', n]), ...report.excluded.map((n) => ['excluded', n])] as Array<[string, NotCovered]>;
  if (rows.length === 0) return '';
  return `<h2>Not probed</h2><table><tr><th></th><th>load balancer</th><th>type</th><th>why</th></tr>${rows.map(([kind, n]) => `<tr><td>${kind}</td><td>${esc(n.name)}</td><td>${esc(n.type)}</td><td>${esc(notProbedText(n))}</td></tr>`).join('')}</table>`;
}
