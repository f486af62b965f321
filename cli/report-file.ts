/**
 * Writes a run report to a file, in the format its extension names.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { renderHtmlReport } from '../lambda/report/html';
import { renderMarkdownReport } from '../lambda/report/markdown';
import type { ScanReport } from '../lambda/report/scan';
import { UsageError } from './usage-error';

const FORMATS: Readonly<Record<string, (report: ScanReport) => string>> = {
  '.html': (report) => renderHtmlReport(report),
  '.htm': (report) => renderHtmlReport(report),
  '.md': (report) => renderMarkdownReport(report),
  '.json': (report) => `${JSON.stringify(report, null, 2)}\n`,
};

/** Checks the file name before a run starts, so that a long run never ends in a bad path. */
export function checkReportPath(path: string | undefined): void {
  if (path !== undefined && !(extname(path).toLowerCase() in FORMATS)) {
    throw new UsageError(`--report "${path}": expected a file name ending in .html, .md or .json`);
  }
}

/** Writes the report as HTML, Markdown or JSON, by the file's extension. */
export async function writeReport(path: string, report: ScanReport): Promise<void> {
  await writeFile(path, FORMATS[extname(path).toLowerCase()](report));
}
