/** @type {import('jest').Config} */
const transform = { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };

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
    // Fast tests: pure logic and in-process servers with second-scale timeouts. The construct
    // deploys prebuilt Lambda bundles, so they are built first.
    project('unit', ['<rootDir>/test/**/*.test.ts'], {
      testPathIgnorePatterns: ['/node_modules/', '\\.(compat|integration)\\.test\\.ts$'],
      globalSetup: '<rootDir>/test/support/global-build-handlers.ts',
    }),
    // Real server binaries (old Node.js, nginx) held for a real load balancer timeout.
    project('compat', ['<rootDir>/test/**/*.compat.test.ts']),
    // The built package as users get it: packed, installed with --omit=dev, the single file
    // alone, a CDK app of their own. Slow (npm install), so apart.
    project('integration', ['<rootDir>/test/**/*.integration.test.ts'], {
      globalSetup: '<rootDir>/test/support/global-build-package.ts',
    }),
  ],
};
