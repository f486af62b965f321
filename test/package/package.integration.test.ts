/**
 * The package as users get it: `npm pack`, installed into an empty directory outside the
 * repository with `--omit=dev`, every command run from there, and a CDK app of the user's own
 * that synthesizes `new IdleCanary(...)` from it.
 *
 * The package is built first (`ensureBuilt`, once for all the tests that need `dist/`).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BACKENDS, startBackend, type RunningBackend } from '../../cli/demo/backends';
import type { ProbeResult } from '../../lambda/probe';
import { CLASSIC } from '../lambda/access-logs/lines';
import { ensureBuilt } from '../support/built-package';
import { measureKeepAliveCloseS } from '../support/loopback';
import { ROOT, packInto, readmeExample, userTsconfig } from './packed';
import { USER_ENV, runIn } from './run';

ensureBuilt();

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the packed package, installed with --omit=dev in an empty directory', () => {
  let user: string;
  let backend: RunningBackend;
  let trueLimitS: number;
  const npx = (...args: string[]) => runIn(user, 'npx', ['--no-install', 'idle-canary', ...args]);

  beforeAll(async () => {
    // Prepare: pack what the build wrote, install the tarball as a user would
    user = mkdtempSync(join(tmpdir(), 'idle-canary-user-'));
    const tarball = await packInto(user);
    writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
    const installed = await runIn(user, 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { timeoutMs: 540_000 });
    expect(installed.stderr).not.toMatch(/ERR!/);
    // A backend whose keep-alive limit is known: Node's keepAliveTimeout of 2 s
    backend = await startBackend(DEMO_BACKENDS[0]);
    trueLimitS = await measureKeepAliveCloseS(backend.port);
  }, 600_000);

  afterAll(async () => {
    await backend?.stop();
    if (user) rmSync(user, { recursive: true, force: true });
  });

  it('holds the compiled command, the construct and the prebuilt bundles, and none of the development tools', () => {
    // Act
    const pkg = join(user, 'node_modules', 'idle-canary');
    const installed = readdirSync(join(user, 'node_modules'));

    // Assess
    expect(existsSync(join(pkg, 'dist', 'bin', 'idle-canary.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'lib', 'index.d.ts'))).toBe(true);
    expect(readdirSync(join(pkg, 'dist', 'handlers')).sort()).toEqual(['access-logs', 'digest', 'discover', 'gate-conclude', 'gate-hook', 'long-probe', 'probe', 'publish']);
    // The long probe's image context, which CDK builds at deploy time with longTimeouts.
    expect(readdirSync(join(pkg, 'dist', 'handlers', 'long-probe')).sort()).toEqual(['Dockerfile', 'index.js', 'index.js.map']);
    expect(existsSync(join(pkg, 'docs', 'CONTRACTS.md'))).toBe(true);
    expect(installed).not.toEqual(expect.arrayContaining(['esbuild']));
    expect(installed).not.toEqual(expect.arrayContaining(['typescript']));
    expect(installed).not.toEqual(expect.arrayContaining(['tsx']));
    expect(installed).not.toEqual(expect.arrayContaining(['aws-cdk-lib']));
  });

  it('requires at run time nothing but its dependencies, its CDK peer dependencies and Node.js', () => {
    // Prepare
    const pkg = join(user, 'node_modules', 'idle-canary');
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
    const allowed = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)];
    const sources = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f));

    // Act: every module the compiled code requires (the Lambda bundles take the AWS SDK from the runtime)
    const required = ['bin', 'cli', 'lib', 'lambda'].flatMap((dir) => sources(join(pkg, 'dist', dir))).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]));
    const packageOf = (name: string) => name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');

    // Assess
    expect(required.length).toBeGreaterThan(20);
    expect([...new Set(required.filter((name) => !name.startsWith('node:')).map(packageOf))].filter((name) => !allowed.includes(name))).toEqual([]);
  });

  it('npx idle-canary --version prints the package version, for every command', async () => {
    // Act
    const runs = await Promise.all([[], ['probe'], ['scan'], ['report'], ['logs'], ['demo']].map((command) => npx(...command, '--version')));

    // Assess
    for (const run of runs) expect(run).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('npx idle-canary --help prints the usage of every command', async () => {
    // Act
    const runs = await Promise.all([[], ['probe'], ['scan'], ['report'], ['logs'], ['demo']].map((command) => npx(...command, '--help')));

    // Assess
    runs.forEach((run, i) => {
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(i === 0 ? /^usage: idle-canary <command>/ : /^usage: idle-canary (probe|scan|report|logs|demo)/);
    });
  });

  it('npx idle-canary probe --json measures the loopback backend and report renders its result', async () => {
    // Act
    const probe = await npx('probe', `127.0.0.1:${backend.port}`, '--lb-idle-timeout', '3', '--json');
    writeFileSync(join(user, 'result.json'), probe.stdout);
    const report = await npx('report', 'result.json', '--markdown');

    // Assess: keep-alive fails at the limit a plain socket sees; the pre-request phase passes
    const result = JSON.parse(probe.stdout) as ProbeResult;
    expect(probe.status).toBe(1);
    expect(result.phases.keepAlive).toMatchObject({ enforcement: 'eager', verdict: 'fail', closedWith: 'fin' });
    expect(Math.abs(result.phases.keepAlive!.limitS! - trueLimitS)).toBeLessThan(0.25);
    expect(result.phases.preRequest).toMatchObject({ verdict: 'pass', limitS: null });
    expect(report.status).toBe(0);
    expect(report.stdout).toContain(`127.0.0.1:${backend.port}`);
  }, 60_000);

  it('npx idle-canary logs counts the hang-ups of a Classic ELB log file', async () => {
    // Prepare
    writeFileSync(join(user, 'elb.log'), `${CLASSIC.seed}\n${CLASSIC.slow504}\n`);

    // Act
    const logs = await npx('logs', 'elb.log', '--json');

    // Assess
    expect(logs.status).toBe(1);
    expect(JSON.parse(logs.stdout).loadBalancers).toEqual([expect.objectContaining({ name: 'my-elb', requests: 2, hangups: 1 })]);
  });

  it('npx idle-canary scan loads the AWS SDK from the installed dependencies and says in one line what to set', async () => {
    // Prepare: no credentials anywhere in the chain (no profile, no instance role)
    const env = { PATH: process.env.PATH, HOME: user, AWS_EC2_METADATA_DISABLED: 'true' };

    // Act
    const scan = await runIn(user, 'npx', ['--no-install', 'idle-canary', 'scan', '--region', 'eu-west-1'], { env });

    // Assess
    expect(scan.status).toBe(2);
    expect(scan.stderr.split('\n')).toContain('idle-canary: no AWS credentials: pass --profile, set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role is available');
  });

  it('npx idle-canary demo probes its four local backends', async () => {
    // Act
    const demo = await npx('demo');

    // Assess
    expect(demo.status).toBe(0);
    expect(demo.stdout.split('\n').filter((line) => /^127\.0\.0\.1:\d+ {2}(PASS|FAIL)/.test(line))).toHaveLength(4);
  }, 60_000);

  describe('a CDK app of the user’s own', () => {
    it('synthesizes the README\'s example app offline from the package, without esbuild or Docker, and cdk-nag finds nothing unacknowledged', async () => {
      // Prepare: the user's CDK libraries (the repository's own copies: offline), their app in TypeScript
      for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) symlinkSync(join(ROOT, 'node_modules', name), join(user, 'node_modules', name), 'dir');
      writeFileSync(join(user, 'app.ts'), readmeExample());
      // The same app with a bucket of the user's that nobody acknowledged: cdk-nag must stop it
      writeFileSync(join(user, 'app-unacknowledged.ts'), readmeExample().replace("import { IdleCanary } from 'idle-canary';", "import { IdleCanary } from 'idle-canary';\nimport { Bucket } from 'aws-cdk-lib/aws-s3';").replace('Validations.of(app)', "new Bucket(stack, 'Unacknowledged');\nValidations.of(app)"));
      writeFileSync(join(user, 'tsconfig.json'), userTsconfig(['app.ts', 'app-unacknowledged.ts']));

      // Act: type-check against the package's declarations, then synthesize
      const compiled = await runIn(user, process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.']);
      // As `cdk synth` runs an app: CDK_OUTDIR set
      const synth = await runIn(user, process.execPath, ['app.js'], { timeoutMs: 180_000, env: { ...USER_ENV, CDK_OUTDIR: 'cdk.out' } });
      // Without CDK's built-in validation, whose engine takes 8 CPU-seconds to start: cdk-nag is what must stop this one
      const unacknowledged = await runIn(user, process.execPath, ['app-unacknowledged.js'], { timeoutMs: 180_000, env: { ...USER_ENV, CDK_OUTDIR: 'cdk.out.unacknowledged', CDK_VALIDATION: 'false' } });

      // Assess
      expect(compiled).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(synth.stderr).not.toMatch(/AwsSolutions|Error/);
      expect(synth.status).toBe(0);
      expect(unacknowledged.status).not.toBe(0);
      expect(unacknowledged.stderr).toMatch(/AwsSolutions-S1/);
      const template = JSON.parse(readFileSync(join(user, 'cdk.out', 'Monitoring.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, never> }> };
      const ofType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
      const functions = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Runtime === 'nodejs24.x');
      expect(functions).toHaveLength(5);
      expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(1);
      expect(ofType('AWS::Scheduler::Schedule').map((s) => s.Properties.ScheduleExpression)).toContain('rate(30 minutes)');
      expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(5);
      expect(ofType('AWS::CloudWatch::CompositeAlarm')).toHaveLength(1);
      expect(ofType('AWS::SNS::Subscription')).toEqual([expect.objectContaining({ Properties: expect.objectContaining({ Endpoint: 'oncall@example.com' }) })]);
      // Each function's code is the prebuilt bundle, staged as an asset: index.js with its handler
      for (const fn of functions) {
        const asset = join(user, 'cdk.out', `asset.${String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`);
        expect(readFileSync(join(asset, 'index.js'), 'utf8')).toMatch(/handler/);
      }
      expect(existsSync(join(user, 'node_modules', 'esbuild'))).toBe(false);
    }, 240_000);
  });
});

describe('the single-file command, copied alone into an empty directory', () => {
  it('runs with plain node: --version, and probe against a loopback backend', async () => {
    // Prepare: nothing but the file; no node_modules anywhere above it
    const alone = mkdtempSync(join(tmpdir(), 'idle-canary-alone-'));
    writeFileSync(join(alone, 'idle-canary.cjs'), readFileSync(join(ROOT, 'dist', 'idle-canary.cjs')));
    const backend = await startBackend(DEMO_BACKENDS[0]);
    const node = (...args: string[]) => runIn(alone, process.execPath, ['idle-canary.cjs', ...args], { env: { PATH: '/usr/bin:/bin' } });

    // Act
    const versionRun = await node('--version');
    const probe = await node('probe', `127.0.0.1:${backend.port}`, '--lb-idle-timeout', '3', '--json');
    const scanHelp = await node('scan', '--help');
    await backend.stop();
    rmSync(alone, { recursive: true, force: true });

    // Assess
    expect(existsSync(join(tmpdir(), 'node_modules'))).toBe(false);
    expect(versionRun).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    expect(probe.status).toBe(1);
    expect(JSON.parse(probe.stdout).phases.keepAlive).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
    expect(scanHelp.stdout).toMatch(/^usage: idle-canary scan/);
  }, 60_000);
});

