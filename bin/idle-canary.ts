#!/usr/bin/env node
/**
 * Entry point of the `idle-canary` command: runs `main` with the process's streams.
 */
import { wantsColor } from '../cli/color';
import { main } from '../cli/main';

const abort = new AbortController();
// Ctrl-C, and SIGTERM alike (a CI job's timeout, a container stop): the run stops, what was
// measured is still printed. A second signal exits at once.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) process.exit(code);
    abort.abort();
  });
}
const isTTY = process.stdout.isTTY === true && process.stderr.isTTY === true;
void main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY,
  color: wantsColor(process.env, process.stdout.isTTY === true),
  signal: abort.signal,
}).then((code) => (process.exitCode = code));
