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
    // Fast tests: pure logic and in-process servers with second-scale timeouts.
    project('unit', ['<rootDir>/test/**/*.test.ts'], {
      testPathIgnorePatterns: ['/node_modules/', '\\.compat\\.test\\.ts$'],
    }),
    // Real server binaries (old Node.js, nginx) held for a real load balancer timeout.
    project('compat', ['<rootDir>/test/**/*.compat.test.ts']),
  ],
};
