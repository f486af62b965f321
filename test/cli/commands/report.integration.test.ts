import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BACKENDS, startBackend } from '../../../cli/demo/backends';
import { main } from '../../../cli/main';
import { capture } from '../../support/capture';

describe('idle-canary report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-report-'));
  const runFile = join(dir, 'probe.json');

  beforeAll(async () => {
    // Prepare: a saved `probe --json` run, also written with --report as HTML
    const backend = await startBackend(DEMO_BACKENDS[0]);
    const { io, out } = capture();
    await main(['probe', `127.0.0.1:${backend.port}`, '--lb-idle-timeout', '6', '--margin', '0.5', '--json', '--report', join(dir, 'probe.html')], io);
    await backend.stop();
    writeFileSync(runFile, out());
  }, 30_000);

  it('probe --report writes a self-contained HTML page', () => {
    // Assess
    const html = readFileSync(join(dir, 'probe.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
  });

  it('renders a saved probe run to the terminal as probe does', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const status = await main(['report', runFile], io);

    // Assess
    expect(status).toBe(0);
    expect(out()).toMatch(/^127\.0\.0\.1:\d+ {2}FAIL {2}\(load balancer idle timeout 6\.0 s/);
    expect(out()).toContain('drops idle connections before the load balancer does');
    expect(out()).toContain('keepAlive   FAIL');
  });

  it('renders Markdown and HTML', async () => {
    // Prepare
    const markdown = capture();
    const html = capture();

    // Act
    await main(['report', runFile, '--markdown'], markdown.io);
    await main(['report', runFile, '--html', join(dir, 'again.html')], html.io);

    // Assess
    expect(markdown.out()).toMatch(/^# idle-canary local: FAIL\n/);
    expect(markdown.out()).toContain('| load balancer | type | idle timeout | verdict | pre-request limit | keep-alive limit | failing backends |');
    expect(html.out()).toBe(`wrote ${join(dir, 'again.html')}\n`);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toContain('<figure class="phase">');
  });

  it.each([
    [['report', '/nonexistent/run.json'], 'idle-canary: cannot read "/nonexistent/run.json": ENOENT'],
    [['report', join(tmpdir(), 'idle-canary-not-a-run.json')], `idle-canary: "${join(tmpdir(), 'idle-canary-not-a-run.json')}": expected the JSON of \`idle-canary scan --json\`, \`idle-canary probe --json\` or a run report from the bucket`],
    [['probe', '127.0.0.1:80', '--report', 'run.txt'], 'idle-canary: --report "run.txt": expected a file name ending in .html, .md or .json'],
  ])('rejects %j with one line naming the problem', async (argv, message) => {
    // Prepare
    writeFileSync(join(tmpdir(), 'idle-canary-not-a-run.json'), '{"hello":"world"}');
    const { io, err } = capture();

    // Act
    const status = await main(argv, io);

    // Assess
    expect(status).toBe(2);
    expect(err().split('\n')[0]).toBe(message);
  });
});
