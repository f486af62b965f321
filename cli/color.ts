/**
 * Whether to colour the output: `NO_COLOR` (no-color.org) and `FORCE_COLOR` (Node.js and most
 * command-line tools) before the terminal test.
 */

/**
 * `FORCE_COLOR` set: colours unless it is `0` or `false`; else `NO_COLOR` set and not empty:
 * none; else colours on a terminal only.
 *
 * Why `FORCE_COLOR` first: as in Node.js, it is the explicit request (a CI log that renders
 * colours), `NO_COLOR` the standing preference.
 *
 * @example
 * wantsColor({ NO_COLOR: '1' }, true); // false
 * wantsColor({ FORCE_COLOR: '1' }, false); // true
 */
export function wantsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}
