/** @type {import('jest').Config} */
const { availableParallelism } = require('node:os');

const transform = { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };

/** The projects that wait on real time: 60 s for a test or hook by default. */
const REAL_TIME = { setupFilesAfterEnv: ['<rootDir>/test/support/real-time-bound.ts'] };

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testMatch,
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
    project('integration', ['<rootDir>/test/**/*.integration.test.ts'], REAL_TIME),
  ],
  // Three times the cores: most of the compat and integration time is waiting on real timeouts
  // (a server's idle limit, a process, moto), which workers spend side by side; jest's default
  // (cores - 1, so one on two cores) ran those waits one after another. Six on two cores start
  // the three compat files (two to three minutes of waiting each) at once: a fresh clone's jest
  // took 234 s, against 323 s with four. Every test listens on port 0 or a free port it asks
  // for, and has its own moto, so files in parallel never collide.
  maxWorkers: Math.max(2, availableParallelism() * 3),
};
