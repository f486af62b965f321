/** @type {import('jest').Config} */
const { availableParallelism } = require('node:os');

const transform = { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };

/** The projects that wait on real time: 60 s for a test or hook by default. */
const REAL_TIME = { setupFilesAfterEnv: ['<rootDir>/test/support/real-time-bound.ts'] };

/**
 * Integration files that measure time against in-process servers with tolerances of tens of
 * milliseconds (sweep brackets, coarse clocks, time budgets, a horizon cut to the time left).
 * Beside five other workers on two cores the event loop ran 10 to 180 ms late and they failed
 * (0.276 s brackets against 0.15, 15.014 s against 15, a 1.2 s HTTP/2 session timeout read as
 * 0.75 s); `npm test` runs them beside the others, two at a time, at a higher CPU priority
 * than theirs (scripts/test.ts).
 */
const TIMING = [
  '/test/lambda/probe/(wire/)?[^/]+\\.integration\\.test\\.ts$',
  '/test/cli/hostile-backends\\.integration\\.test\\.ts$',
  '/test/cli/probe-http2\\.integration\\.test\\.ts$',
  '/test/cli/commands/scan\\.integration\\.test\\.ts$',
  '/test/lambda/handlers/handlers\\.integration\\.test\\.ts$',
];

/** A project: its files by `testMatch` globs, or by `testRegex` when given `{ testRegex }`. */
const project = (displayName, match, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  ...(Array.isArray(match) ? { testMatch: match } : match),
  ...extra,
});

module.exports = {
  projects: [
    // The edit loop's tests, seconds in all: pure logic, and in-process servers whose timeouts
    // are a second or less. Nothing here builds, spawns a process or synthesizes a template.
    project('unit', ['<rootDir>/test/**/*.test.ts'], {
      testPathIgnorePatterns: ['/node_modules/', '\\.(compat|integration)\\.test\\.ts$'],
    }),
    // Real server binaries (old Node.js, nginx) held for a real load balancer timeout.
    project('compat', ['<rootDir>/test/**/*.compat.test.ts'], REAL_TIME),
    // Anything that takes real seconds: the probe engine and the commands against loopback
    // backends with second-scale limits, CDK templates (the construct deploys the prebuilt
    // Lambda bundles) with cfn-lint and asl-validator, moto's AWS emulator, Chromium, the
    // packed package installed with --omit=dev. The tests that need `dist/` build the package
    // first, once for all workers (test/support/built-package.ts).
    project('integration', ['<rootDir>/test/**/*.integration.test.ts'], {
      ...REAL_TIME,
      // moto and cfn-lint installed before any file starts: a first-use install in a file's beforeAll outlasted its timeout
      globalSetup: '<rootDir>/test/support/python-setup.ts',
      testPathIgnorePatterns: ['/node_modules/', ...TIMING],
    }),
    // The integration files whose tolerances are tens of milliseconds (TIMING): run apart.
    project('timing', { testRegex: TIMING }, REAL_TIME),
  ],
  // The packaging files, then the compat files, then the rest: the longest start first even on a
  // fresh clone, where jest has no timings of its own (test/support/sequencer.js).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // Three times the cores: most of the compat and integration time is waiting on real timeouts
  // (a server's idle limit, a process, moto), which workers spend side by side; jest's default
  // (cores - 1, so one on two cores) ran those waits one after another. Not more: the run is
  // bound by CPU (about 530 CPU-seconds on a fresh clone, 4.4 minutes of two cores at best), so
  // more workers only raise the load, and at eight (a load average of 10 to 14 on two cores) the
  // gate files' 0.5 s keep-alive server, timed by a starved event loop, read as a periodic sweep
  // in two fresh-clone runs of two. Every test listens on port 0 or a free port it asks for, and
  // has its own moto, so files in parallel never collide.
  maxWorkers: Math.max(2, availableParallelism() * 3),
};
