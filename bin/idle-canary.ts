#!/usr/bin/env node
/**
 * Entry point of the `idle-canary` command: runs `main` with the process's streams.
 */
import { main } from '../cli/main';

const abort = new AbortController();
// Ctrl-C stops the run; what was measured is still printed.
process.once('SIGINT', () => abort.abort());
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true,
  signal: abort.signal,
}).then((code) => (process.exitCode = code));
