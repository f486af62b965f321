import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_FLAGS, SCAN_FLAGS } from '../../cli/args';
import { main } from '../../cli/main';
import { COMMAND_FLAGS } from '../../cli/usage';
import { DEMO_BACKENDS, startBackend } from '../../cli/demo/backends';
import { capture } from '../support/capture';

describe('idle-canary probe', () => {
  it('exits 2 with a one-line error naming the bad value', async () => {
    // Prepare
    const { io, err, out } = capture();

    // Act
    const status = await main(['probe', '127.0.0.1:8080', '--lb-idle-timeout', 'soon'], io);

    // Assess
    expect(status).toBe(2);
    expect(err().split('\n')[0]).toBe('idle-canary: --lb-idle-timeout "soon": expected a number of seconds from 1 to 4000');
    expect(out()).toBe('');
  });

  it('exits 2 when the target cannot be probed at all, saying why in the report', async () => {
    // Prepare: a port that was just released
    const backend = await startBackend(DEMO_BACKENDS[3]);
    await backend.stop();
    const { io, out } = capture();

    // Act
    const status = await main(['probe', `127.0.0.1:${backend.port}`, '--lb-idle-timeout', '2'], io);

    // Assess
    expect(status).toBe(2);
    expect(out()).toContain(`127.0.0.1:${backend.port} could not be probed: 127.0.0.1:${backend.port}: connection refused`);
  });
});

describe('idle-canary --help and --version', () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

  it.each([['idle-canary', []], ...['probe', 'scan', 'report', 'logs', 'demo'].map((name) => [name, [name]])] as Array<[string, string[]]>)('%s --version prints the package version and exits 0', async (_name, command) => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const status = await main([...command, '--version'], io);

    // Assess
    expect({ status, out: out(), err: err() }).toEqual({ status: 0, out: `${version}\n`, err: '' });
  });

  it.each(['probe', 'scan', 'report', 'logs', 'demo'])('%s --help prints its usage and exits 0', async (command) => {
    // Prepare
    const { io, out } = capture();

    // Act
    const status = await main([command, '--help'], io);

    // Assess
    expect(status).toBe(0);
    expect(out()).toMatch(new RegExp(`^usage: idle-canary ${command}`));
  });

  it('answers -h among a command\'s other arguments with its usage, before checking them', async () => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const status = await main(['probe', 'not-a-target', '--margin', 'x', '-h'], io);

    // Assess
    expect({ status, err: err() }).toEqual({ status: 0, err: '' });
    expect(out()).toMatch(/^usage: idle-canary probe TARGET\.\.\./);
  });

  it('names an unknown command and the known ones, exiting 2', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await main(['probes'], io);

    // Assess
    expect(status).toBe(2);
    expect(err().split('\n')[0]).toBe('idle-canary: unknown command "probes": expected probe, scan, report, logs or demo');
  });

  it('rejects an argument demo does not take, with its usage', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await main(['demo', '--fast'], io);

    // Assess
    expect(status).toBe(2);
    expect(err()).toMatch(/^idle-canary: Unknown option '--fast'\nusage: idle-canary demo/);
  });
});

describe('--help', () => {
  it("explains every flag each command's parser accepts, with its default where it has one", async () => {
    // Prepare: the flags the parsers accept
    const accepted: Record<string, readonly string[]> = { probe: Object.keys(PROBE_FLAGS), scan: Object.keys(SCAN_FLAGS), report: ['markdown', 'html'], logs: ['json'], demo: [] };

    for (const [command, flags] of Object.entries(accepted)) {
      // Act
      const { io, out } = capture();
      await main([command, '--help'], io);

      // Assess: one line per flag, in the table's words
      const listed = COMMAND_FLAGS[command as keyof typeof COMMAND_FLAGS];
      expect(listed.map((f) => f.flag.split(' ')[0]).sort()).toEqual(flags.map((f) => `--${f}`).sort());
      for (const help of listed) expect(out()).toContain(`  ${help.flag.padEnd(Math.max(...listed.map((f) => f.flag.length)))}  ${help.meaning}${help.default ? ` (default: ${help.default})` : ''}\n`.trimEnd());
    }
  });
});
