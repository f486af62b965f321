/**
 * The console links as people see them, in headless Chromium: a change notification's body as
 * a mail client shows a plain-text message (addresses made links, as clients do), and the
 * report's header. Screenshots go to `__screenshots__/` (git-ignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { changeNotification, compareRuns } from '../../../lambda/report/changes';
import { renderHtmlReport } from '../../../lambda/report/html';
import { fromScanJson, type SavedScanReport } from '../../../lambda/report/normalize';
import type { ScanReport } from '../../../lambda/report/scan';
import { reportLinks } from '../../../lambda/report/store';
import { ensureDebianPackage } from '../../support/debian';

const SCREENSHOTS = join(__dirname, '__screenshots__');
const REGION = 'eu-west-1';
const PLACE = { execution: { stateMachineArn: `arn:aws:states:${REGION}:123456789012:stateMachine:IdleCanary-run`, runId: 'scheduled-2026-12-04T05-00' }, dashboardName: 'IdleCanary-Dashboard' };

describe('console links, seen in a browser', () => {
  let browser: Browser;
  // A saved run (lb-short passing, others failing), in this region, and the same run before with every load balancer passing
  const report: ScanReport = { ...fromScanJson(JSON.parse(readFileSync(join(__dirname, 'fixtures', 'report-0.1.0.json'), 'utf8')) as SavedScanReport), region: REGION };
  const previous: ScanReport = { ...report, finishedAt: '2026-11-30T19:49:44.000Z', loadBalancers: report.loadBalancers.map((lb) => ({ ...lb, verdict: 'pass' as const, phases: { ...lb.phases, keepAlive: { limitS: null, survivedS: (lb.idleTimeoutS ?? 0) + 1, verdict: 'pass' as const, failingBackends: [] } } })) };
  const links = reportLinks('idle-canary-reports', 'idle-canary/', PLACE.execution.runId, report, PLACE);

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: await ensureDebianPackage('/usr/bin/chromium', 'chromium'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a change notification whose links open the report, the run and the dashboard in the console over https', async () => {
    // Prepare: the message as SNS e-mails it, shown as a mail client shows plain text
    const notification = changeNotification(compareRuns(previous, report), report, links)!;
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const body = escape(notification.message).replace(/https:\/\/\S+/g, (url) => `<a href="${url}">${url}</a>`);
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    // Act
    await page.setContent(`<!doctype html><meta charset="utf-8"><body style="font:14px system-ui;margin:16px"><p><b>Subject:</b> ${escape(notification.subject)}</p><pre style="white-space:pre-wrap;word-break:break-all">${body}</pre></body>`);
    await page.screenshot({ path: join(SCREENSHOTS, 'notification-links.png'), fullPage: true });
    const anchors = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));

    // Assess
    expect(anchors).toEqual([links.report, links.execution, links.dashboard]);
    for (const href of anchors) expect(new URL(href)).toMatchObject({ protocol: 'https:', host: `${REGION}.console.aws.amazon.com` });
    expect(notification.message).toContain(`Report file: s3://idle-canary-reports/idle-canary/runs/${PLACE.execution.runId}.html`);
    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  it('shows the report\'s header with the same three console links, and loads nothing from them', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    // Act
    await page.setContent(renderHtmlReport(report, compareRuns(previous, report), links), { waitUntil: 'load' });
    const header = await page.locator('h1').boundingBox();
    const linksBox = await page.locator('p.links').boundingBox();
    await page.screenshot({ path: join(SCREENSHOTS, 'report-header-links.png'), clip: { x: 0, y: 0, width: 1100, height: Math.ceil(linksBox!.y + linksBox!.height + 24) } });
    const anchors = await page.locator('p.links a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]));

    // Assess: under the heading, before the tables
    expect(anchors).toEqual([
      ['Report', links.report, 'noopener noreferrer'],
      ['Run', links.execution, 'noopener noreferrer'],
      ['Dashboard', links.dashboard, 'noopener noreferrer'],
    ]);
    expect(linksBox!.y).toBeGreaterThan(header!.y);
    expect(linksBox!.y).toBeLessThan((await page.locator('table').first().boundingBox())!.y);
    expect(requests.filter((url) => !url.startsWith('about:') && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
