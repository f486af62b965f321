/**
 * The line of a failed tool's output that says why, for a one-line test error.
 */
import { printable } from '../../lambda/shared/printable';

/**
 * The last non-empty line of `output`, printable and at most 300 characters.
 *
 * Why the last: pip, apt-get and Python tracebacks all end with the reason.
 *
 * @example
 * lastLine('Reading package lists...\nE: Unable to locate package nginxx\n'); // 'E: Unable to locate package nginxx'
 */
export function lastLine(output: string | null | undefined): string {
  return printable((output ?? '').trim().split('\n').at(-1) ?? '', 300) || '(no output)';
}
