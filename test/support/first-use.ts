/**
 * The one line a first-use install prints: what the tests installed and how long it took.
 *
 * Why: `npm test` on a fresh clone is timed without the installs a machine does once (Debian's
 * packages, old Node.js binaries, pip's commands, the package build), so each says its time.
 *
 * @example
 * const started = Date.now();
 * await install();
 * reportFirstUse(`Debian's ${pkg}`, started);
 */
export function reportFirstUse(what: string, startedMs: number): void {
  process.stderr.write(`idle-canary tests: ${what} in ${((Date.now() - startedMs) / 1000).toFixed(1)} s (first use)\n`);
}
