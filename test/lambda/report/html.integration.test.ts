import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_BACKENDS, startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { probeTargets } from '../../../lambda/probe';
import { compareRuns } from '../../../lambda/report/changes';
import { renderHtmlReport } from '../../../lambda/report/html';
import { asScanReport } from '../../../lambda/report/normalize';
import { probePicture } from '../../../lambda/report/picture';
import type { ScanReport } from '../../../lambda/report/scan';
import { ensureDebianPackage } from '../../support/debian';
import { closedPort } from '../../support/loopback';

const SCREENSHOTS = join(__dirname, '__screenshots__');

describe('the HTML report', () => {
  const backends: RunningBackend[] = [];
  let report: ScanReport;
  let browser: Browser;

  beforeAll(async () => {
    // Prepare: a real run of the demo backends (3 failing, 1 passing) and a refused port (inconclusive)
    backends.push(...(await Promise.all(DEMO_BACKENDS.map(startBackend))));
    const refused = await closedPort();
    const jobs = [...backends.map((b) => b.port), refused].map((port) => ({ target: { host: '127.0.0.1', port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 6 }));
    report = asScanReport(await probeTargets(jobs, { marginS: 0.5, precisionS: 0.1 }));
    browser = await chromium.launch({
      // Debian's Chromium, installed here on first use (playwright's own download is not reachable)
      executablePath: await ensureDebianPackage('/usr/bin/chromium', 'chromium'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(backends.map((b) => b.stop()));
  });

  it('shows, in headless Chromium, the verdict table and one picture per backend and phase, with no external asset', async () => {
    // Act
    const html = renderHtmlReport(report);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.setContent(html, { waitUntil: 'load' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });

    // Assess
    const summaryRows = await page.locator('table').first().locator('tr').count();
    const pictures = await page.locator('figure.phase svg').count();
    const verdicts = await page.locator('h2 > span').allTextContents();
    expect(summaryRows).toBe(1 + 5);
    expect(pictures).toBe(4 * 2);
    expect(verdicts.sort()).toEqual(['FAIL', 'FAIL', 'FAIL', 'INCONCLUSIVE', 'PASS']);
    expect(await page.locator('svg.probe').first().boundingBox()).toMatchObject({ width: 720 });
    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  it("never prints the load balancer timeout's and the limit's labels over each other, however close the two are", async () => {
    // Prepare: limits from well below to well above a 60 s timeout, the lines left and right of the chart's middle
    const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
    const overlaps: string[] = [];

    for (const limitS of [20, 58.5, 59.6, 60, 60.4, 61.5, 64]) {
      const phase = { limitS, survivedS: limitS - 0.4, failedS: limitS, enforcement: 'eager' as const, sweepS: null, closedWith: 'fin' as const, headroomS: limitS - 60, verdict: 'fail' as const, sockets: [] };
      // Act
      await page.setContent(probePicture(phase, 60, 66, `limit ${limitS} s`));
      const boxes = await page.locator('svg > g > text').evaluateAll((texts) => texts.map((t) => (t as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox()).map(({ x, y, width, height }) => ({ x, y, width, height })));
      if (limitS === 60) await page.screenshot({ path: join(SCREENSHOTS, 'labels-60.png') });

      // Assess: the two labels' boxes, as Chromium lays them out, do not intersect, and both are inside the picture
      const [a, b] = boxes;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) overlaps.push(`limit ${limitS} s: ${JSON.stringify(boxes)}`);
      for (const box of boxes) expect(box.y).toBeGreaterThanOrEqual(0);
    }
    await page.close();
    expect(overlaps).toEqual([]);
  });

  it('lists what changed since the previous run at the top', async () => {
    // Prepare: the same run, as if the lazy backend had passed before
    const previous: ScanReport = { ...report, finishedAt: '2026-11-24T10:00:00.000Z', loadBalancers: report.loadBalancers.map((lb) => ({ ...lb, phases: { ...lb.phases, preRequest: { limitS: null, survivedS: lb.idleTimeoutS === null ? null : lb.idleTimeoutS + 1, verdict: 'pass' as const, failingBackends: [] } } })) };
    const changes = compareRuns(previous, report);

    // Act
    const page = await browser.newPage();
    await page.setContent(renderHtmlReport(report, changes));

    // Assess
    expect(await page.locator('h2', { hasText: 'Changed since the last run' }).count()).toBe(1);
    expect(await page.locator('h2 + table tr').count()).toBeGreaterThan(1);
    await page.close();
  });

  it('puts each load balancer’s hang-ups from the access logs next to its verdict', async () => {
    // Prepare: the access logs of the first failing target show 37 hang-ups
    const failing = report.loadBalancers.find((lb) => lb.verdict === 'fail')!;
    const logged: ScanReport = { ...report, accessLogs: { windowMinutes: 60, byLoadBalancer: { [failing.name]: { requests: 12345, hangups: 37 } } } };

    // Act
    const page = await browser.newPage();
    await page.setContent(renderHtmlReport(logged));

    // Assess
    const header = await page.locator('table').first().locator('th').allTextContents();
    expect(header).toContain('hang-ups (last 60 min)');
    expect(await page.locator('table').first().locator('td', { hasText: '37 of 12,345' }).count()).toBe(1);
    expect(await page.locator(`h2[id="lb-${failing.name}"] ~ p.fail`, { hasText: 'Access logs: 37 of 12,345 requests' }).count()).toBe(1);
    await page.close();
  });
});

describe('probePicture', () => {
  it('draws each socket, the load balancer timeout, the limit and its bracket', () => {
    // Prepare
    const phase = {
      limitS: 40.287, survivedS: 39.908, failedS: 40.287, enforcement: 'lazy' as const, sweepS: null, closedWith: 'fin' as const, headroomS: -19.713, verdict: 'fail' as const,
      sockets: [
        { role: 'active' as const, round: 1, plannedIdleS: 38.4, outcome: 'response' as const, idleS: 38.404, unprompted: false, closedWith: null, status: 200 },
        { role: 'active' as const, round: 1, plannedIdleS: 50.4, outcome: 'closed' as const, idleS: 50.401, unprompted: false, closedWith: 'fin' as const, status: null },
        { role: 'passive' as const, round: 1, plannedIdleS: 66, outcome: 'closed' as const, idleS: 66.001, unprompted: false, closedWith: 'fin' as const, status: null },
      ],
    };

    // Act
    const svg = probePicture(phase, 60, 66, 'preRequest of i-0a:30080');
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, 'picture.svg'), svg);

    // Assess
    expect(svg.match(/<g class="socket /g)).toHaveLength(3);
    expect(svg).toContain('load balancer idle timeout 60.0 s');
    expect(svg).toContain('limit 40.3 s');
    expect(svg).toContain('<title>bracket 39.9 .. 40.3 s</title>');
    expect(svg).toContain('active 50.4 s: late request refused (fin) after 50.401 s idle');
  });
});
