/**
 * Writes a run report to a file, in the format its extension names.
 */
import { open, rm, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { renderHtmlReport } from '../lambda/report/html';
import { renderMarkdownReport } from '../lambda/report/markdown';
import { toScanJson, type ScanReport } from '../lambda/report/scan';
import { printable, safeJson } from '../lambda/shared/printable';
import { UsageError } from './usage-error';

const FORMATS: Readonly<Record<string, (report: ScanReport) => string>> = {
  '.html': (report) => renderHtmlReport(report),
  '.htm': (report) => renderHtmlReport(report),
  '.md': (report) => renderMarkdownReport(report),
  '.json': (report) => `${safeJson(toScanJson(report))}\n`,
};

/**
 * Checks the file before a run starts, so that a long run never ends in a bad path: its
 * extension, that it is a regular file or none yet, and that it can be written (it is opened
 * for appending, and removed again if it did not exist).
 *
 * @throws UsageError naming the path and why it cannot be written
 */
export async function checkReportPath(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  if (!(extname(path).toLowerCase() in FORMATS)) {
    throw new UsageError(`--report "${printable(path)}": expected a file name ending in .html, .md or .json`);
  }
  const existing = await stat(path).catch(() => undefined);
  // Opening a FIFO for writing waits for a reader, forever: only a regular file is a report.
  if (existing !== undefined && !existing.isFile()) throw new UsageError(`--report "${printable(path)}": not a regular file`);
  try {
    await (await open(path, 'a')).close();
    if (existing === undefined) await rm(path, { force: true });
  } catch (error) {
    throw new UsageError(`--report "${printable(path)}": cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Writes the report as HTML, Markdown or JSON, by the file's extension. */
export async function writeReport(path: string, report: ScanReport): Promise<void> {
  await writeFile(path, FORMATS[extname(path).toLowerCase()](report));
}

/**
 * Writes the report after the results are out; a failure is one line on stderr, never a
 * lost run.
 *
 * @returns whether the report was written
 */
export async function writeReportAfterRun(path: string | undefined, report: ScanReport, stderr: NodeJS.WritableStream): Promise<boolean> {
  if (path === undefined) return true;
  try {
    await writeReport(path, report);
    return true;
  } catch (error) {
    stderr.write(`idle-canary: --report "${printable(path)}" could not be written (${printable((error as NodeJS.ErrnoException).code ?? (error as Error).message)}); the results above are complete\n`);
    return false;
  }
}
