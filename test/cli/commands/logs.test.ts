import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../../../cli/main';
import type { LogsSummary } from '../../../cli/logs-summary';
import { hasControlCharacters } from '../../../lambda/shared/printable';
import { capture } from '../../support/capture';
import { ALB, CLASSIC, MALFORMED } from '../../lambda/access-logs/lines';

describe('idle-canary logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-logs-'));
  const classic = join(dir, 'elb.log');
  const alb = join(dir, 'alb', 'node-1.log.gz');
  beforeAll(() => {
    // Prepare: a Classic ELB file as the bucket holds it, and a gzip ALB file in a subdirectory
    writeFileSync(classic, [CLASSIC.seed, CLASSIC.hangup, CLASSIC.http.replace('my-loadbalancer', 'my-elb'), CLASSIC.slow504, MALFORMED.garbage].join('\n') + '\n');
    mkdirSync(join(dir, 'alb'));
    writeFileSync(alb, gzipSync([ALB.current, ALB.slow504, ALB.undispatched504, ALB.undispatched504.replace('18:01:06', '18:01:09')].join('\n') + '\n'));
  });

  it('counts hang-ups per load balancer in files and directories, worst first, and exits 1 when there are any', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const code = await main(['logs', dir], io);

    // Assess
    expect(code).toBe(1);
    expect(out()).toBe(
      [
        'idle-canary logs: 2 file(s), 9 line(s), 1 malformed, 2 load balancer(s)',
        '',
        'load balancer  type     requests  hang-ups    share  first .. last entry (UTC)',
        'k8s-web        alb             4         3  75.00 %  2026-11-25 18:00 .. 2026-11-25 18:01',
        'my-elb         classic         4         2  50.00 %  2015-05-13 23:39 .. 2018-12-04 21:47',
        '',
        'k8s-web: 3 request(s) died on a backend connection that had already been closed (ELB 502/504, target status -).',
        '  worst minutes: 2026-11-25 18:01 (2 of 3), 2026-11-25 18:00 (1 of 1)',
        '',
        'my-elb: 2 request(s) died on a backend connection that had already been closed (ELB 502/504, backend status 0 or -, processing times -1).',
        '  worst minutes: 2018-12-04 21:46 (1 of 1), 2018-12-04 21:47 (1 of 2)',
        '',
        "Measure the backends' idle limits: idle-canary probe BACKEND:PORT --lb-idle-timeout <the load balancer's idle timeout>",
        '',
        '1 malformed line(s) skipped:',
        `  ${classic}:5: "<html><body>Access" starts neither an ALB entry (a type such as http) nor a Classic ELB entry (a timestamp)`,
        '',
      ].join('\n'),
    );
  });

  it('prints the counts as JSON, with the minutes that had hang-ups', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    await main(['logs', alb, '--json'], io);

    // Assess
    const summary = JSON.parse(out()) as LogsSummary;
    expect(summary.files).toEqual([{ path: alb, bytesRead: expect.any(Number), gzip: true, lines: 4 }]);
    expect(summary.loadBalancers).toEqual([
      {
        name: 'k8s-web',
        type: 'alb',
        requests: 4,
        hangups: 3,
        first: '2026-11-25T18:00:01.123Z',
        last: '2026-11-25T18:01:09.000Z',
        hangupMinutes: [
          { minute: '2026-11-25T18:00:00.000Z', hangups: 1, requests: 1 },
          { minute: '2026-11-25T18:01:00.000Z', hangups: 2, requests: 3 },
        ],
      },
    ]);
  });

  it('exits 0 for logs without hang-ups', async () => {
    // Prepare
    const clean = join(mkdtempSync(join(tmpdir(), 'idle-canary-logs-')), 'clean.log');
    writeFileSync(clean, `${CLASSIC.http}\n${CLASSIC.tcp}\n`);
    const { io } = capture();

    // Act & Assess
    expect(await main(['logs', clean], io)).toBe(0);
  });

  it('reports a corrupt file and still counts the others, exiting 2 when nothing else failed', async () => {
    // Prepare
    const other = mkdtempSync(join(tmpdir(), 'idle-canary-logs-'));
    const broken = join(other, 'broken.log.gz');
    writeFileSync(broken, Buffer.concat([gzipSync(CLASSIC.seed).subarray(0, 12), Buffer.from('not deflate')]));
    const clean = join(other, 'clean.log');
    writeFileSync(clean, `${CLASSIC.http}\n${CLASSIC.tcp}\n`);
    const { io, out } = capture();

    // Act
    const code = await main(['logs', broken, clean], io);

    // Assess
    expect(code).toBe(2);
    expect(out()).toMatch(new RegExp(`not read: ${broken}: Z_DATA_ERROR: `));
    expect(out()).toContain('idle-canary logs: 1 file(s), 2 line(s), 0 malformed, 1 load balancer(s)');
  });

  it('names a path that does not exist, in one line with the usage, exit 2', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const code = await main(['logs', join(dir, 'missing.log')], io);

    // Assess
    expect(code).toBe(2);
    expect(err().split('\n')[0]).toBe(`idle-canary: cannot read "${join(dir, 'missing.log')}": ENOENT`);
  });

  it('echoes load balancer names and malformed lines with escape sequences as visible text, never raw', async () => {
    // Prepare: a name that would retitle the window and clear the screen, and a malformed line full of escapes
    const other = mkdtempSync(join(tmpdir(), 'idle-canary-logs-'));
    const hostile = join(other, 'hostile.log');
    writeFileSync(hostile, `${CLASSIC.hangup.replace('my-elb', 'my-elb\u001b]0;pwned\u0007\u001b[2J')}\n\u001b[2J\u001b[1;32mALL CLEAR\u009b0m\n`);
    const { io, out } = capture();

    // Act
    const code = await main(['logs', hostile], io);

    // Assess
    expect(code).toBe(1);
    expect(hasControlCharacters(out().replace(/\n/g, ''))).toBe(false);
    expect(out()).toContain('my-elb\\x1b]0;pwned\\x07\\x1b[2J: 1 request(s) died');
    expect(out()).toContain('1 malformed');
  });
});
