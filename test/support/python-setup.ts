/**
 * The integration project's global setup: installs the Python commands its files need (moto's
 * server, cfn-lint) before any file starts.
 *
 * Why here: `ensurePythonCommand` blocks its jest worker while pip installs (a minute or more on
 * a fresh machine, with Debian's python3-pip first), and a file that installed from its
 * `beforeAll` then failed on the hook's own timeout, which fires as soon as the worker runs
 * again. The global setup has no timeout but the installs' own bounds; the files then find the
 * commands running (noted in `.cache/python/`, a fraction of a second).
 *
 * @example
 * // jest.config.js
 * project('integration', [...], { globalSetup: '<rootDir>/test/support/python-setup.ts' });
 */
import { CFN_LINT, MOTO_SERVER, ensurePythonCommand } from './python';

export default function installPythonCommands(): void {
  for (const { command, pkg } of [MOTO_SERVER, CFN_LINT]) ensurePythonCommand(command, pkg);
}
