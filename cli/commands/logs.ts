/**
 * `idle-canary logs FILE...`: count backend hang-ups in downloaded access log files, with the
 * parser the deployed counter uses.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tallyLogStream } from '../../lambda/access-logs/stream';
import { AccessLogTally } from '../../lambda/access-logs/tally';
import { strictParse } from '../args';
import { EXIT } from '../exit-code';
import { safeJson } from '../../lambda/shared/printable';
import type { CommandIo } from '../io';
import { renderLogsSummary, summarizeLogs, type LogFileOutcome } from '../logs-summary';
import { UsageError } from '../usage-error';

/**
 * Counts every file, one after the other, and prints the summary; a file that cannot be read
 * (a corrupt gzip) is reported and the others still counted.
 */
export async function logsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = strictParse(argv, { json: { type: 'boolean' } });
  if (positionals.length === 0) throw new UsageError('no log file given: expected one or more access log files or directories');
  const paths = (await Promise.all(positionals.map(filesOf))).flat();
  if (paths.length === 0) throw new UsageError(`no file in ${positionals.map((p) => `"${p}"`).join(', ')}`);

  const tally = new AccessLogTally();
  const files: LogFileOutcome[] = [];
  for (const path of paths) {
    if (io.signal?.aborted) break;
    const before = tally.lines;
    try {
      const stats = await tallyLogStream(createReadStream(path), tally, path);
      files.push({ path, bytesRead: stats.bytesRead, gzip: stats.gzip, lines: tally.lines - before });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      files.push({ path, bytesRead: 0, gzip: false, lines: tally.lines - before, error: `${code ? `${code}: ` : ''}${(error as Error).message}` });
    }
  }
  const summary = summarizeLogs(tally, files);
  io.stdout.write(values.json ? `${safeJson(summary)}\n` : renderLogsSummary(summary));
  if (summary.loadBalancers.some((lb) => lb.hangups > 0)) return EXIT.fail;
  return files.some((f) => f.error !== undefined) ? EXIT.badInput : EXIT.pass;
}

/** The files a path names: itself, or every file under a directory, sorted. */
async function filesOf(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new UsageError(`cannot read "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name)).sort();
}
