/**
 * The packed package in a CDK app pinned at the lowest versions its peer ranges allow: what a
 * user on an older aws-cdk-lib, constructs or cdk-nag gets.
 *
 * A file of its own, apart from `package.integration`: its npm install, type check and synth
 * are half a minute of one core that ran after the others' in one file, the last to end of
 * `npm test`; apart, jest runs them beside the rest.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../support/built-package';
import { ROOT, packInto, readmeExample, userTsconfig } from './packed';
import { USER_ENV, runIn } from './run';

ensureBuilt();

describe('the packed package in an app pinned at the lowest versions the peer ranges allow', () => {
  let pinned: string;
  afterAll(() => pinned && rmSync(pinned, { recursive: true, force: true }));

  it("type-checks and synthesizes the README's example app from the npm registry's lowest peers, cdk-nag clean", async () => {
    // Prepare: the peer ranges' floors, pinned exactly, beside the packed package
    pinned = mkdtempSync(join(tmpdir(), 'idle-canary-lowest-peers-'));
    const tarball = await packInto(pinned);
    const { peerDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    const lowest = Object.fromEntries(Object.entries(peerDependencies).map(([name, range]) => [name, range.replace(/^\^/, '')]));
    writeFileSync(join(pinned, 'package.json'), JSON.stringify({ name: 'lowest-peers', private: true, dependencies: { ...lowest, 'idle-canary': `file:${tarball}` } }));
    writeFileSync(join(pinned, 'app.ts'), readmeExample());
    writeFileSync(join(pinned, 'tsconfig.json'), userTsconfig(['app.ts']));

    // Act: install (no ERESOLVE), type-check against the lowest declarations, synthesize as `cdk synth` runs an app
    const installed = await runIn(pinned, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { timeoutMs: 540_000 });
    const versions = Object.fromEntries(Object.keys(lowest).map((name) => [name, (JSON.parse(readFileSync(join(pinned, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version]));
    const compiled = await runIn(pinned, process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.']);
    const synth = await runIn(pinned, process.execPath, ['app.js'], { timeoutMs: 180_000, env: { ...USER_ENV, CDK_OUTDIR: 'cdk.out' } });

    // Assess
    expect([installed.status, installed.stderr]).toEqual([0, expect.not.stringMatching(/ERESOLVE|ERR!/)]);
    expect(versions).toEqual(lowest);
    expect(compiled).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(synth.stderr).not.toMatch(/AwsSolutions|Error/);
    expect(synth.status).toBe(0);
  }, 600_000);
});
