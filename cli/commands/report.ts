/**
 * `idle-canary report RUN.json [--markdown | --html FILE]`: render any saved run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderHtmlReport } from '../../lambda/report/html';
import { renderMarkdownReport } from '../../lambda/report/markdown';
import { asScanReport } from '../../lambda/report/normalize';
import { renderScanReport } from '../../lambda/report/scan-terminal';
import { renderTerminalReport } from '../../lambda/report/terminal';
import type { ProbeResult } from '../../lambda/probe';
import { strictParse } from '../args';
import { colorOf, type CommandIo } from '../io';
import { UsageError } from '../usage-error';

/**
 * Renders a saved run to the terminal (as `probe` or `scan` would have), as Markdown, or as
 * a self-contained HTML page.
 */
export async function reportCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = strictParse(argv, { markdown: { type: 'boolean' }, html: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(`expected one run file, got ${positionals.length}`);
  if (values.markdown && values.html !== undefined) throw new UsageError('--markdown and --html: choose one');
  const file = positionals[0];
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let report;
  try {
    report = asScanReport(json);
  } catch (error) {
    throw new UsageError(`"${file}": ${(error as Error).message}`);
  }
  if (values.html !== undefined) {
    await writeFile(values.html, renderHtmlReport(report));
    io.stdout.write(`wrote ${values.html}\n`);
  } else if (values.markdown) {
    io.stdout.write(renderMarkdownReport(report));
  } else {
    const probeResults = report.loadBalancers.every((lb) => lb.type === 'probe');
    io.stdout.write(probeResults ? renderTerminalReport(report.loadBalancers.map((lb) => lb.backends[0].probe as ProbeResult), { color: colorOf(io) }) : renderScanReport(report));
  }
  return 0;
}
