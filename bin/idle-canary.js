#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, so `npx idle-canary` works without a build step.
require('tsx/cjs');
require('./idle-canary.ts');
