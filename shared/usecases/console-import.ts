import type { ImportReport } from '../domain/admin-views';
import { type CsvChunk, csvChunks, csvField } from '../domain/csv';
import { AppError } from '../errors';
import type { Clock } from '../ports';

/*
 * Import and export through the admin API, a page of rows per call, within what one request to the
 * console may take: API Gateway ends it at 30 seconds, so both stop at a time budget well before, and
 * say how far they got rather than fail with nothing to show.
 */

/** What importing asks of the admin API: one part of a file (a CSV with the header) per call. */
export interface ImportTarget {
  importCsv(csv: string, dryRun: boolean): Promise<ImportReport>;
}

/** What exporting asks of the admin API: a page of the CSV, and the cursor of the next. */
export interface ExportSource {
  exportPage(cursor: string | undefined, limit: number): Promise<{ csv: string; cursor?: string }>;
}

export const emptyReport = (dryRun: boolean): ImportReport => ({
  imported: 0,
  updated: 0,
  unchanged: 0,
  rejected: [],
  dryRun,
});

/** The file's report so far plus one part's, each rejected row named by its line in the whole file. */
export function withPart(total: ImportReport, part: ImportReport, chunk: CsvChunk): ImportReport {
  return {
    ...total,
    imported: total.imported + part.imported,
    updated: total.updated + part.updated,
    unchanged: total.unchanged + part.unchanged,
    rejected: [
      ...total.rejected,
      ...part.rejected.map((r) => ({ line: chunk.fileLine.get(r.line) ?? r.line, error: r.error })),
    ],
  };
}

/**
 * Whether another call of about the average length so far would end after `budgetMs`: better to stop
 * and say so than to be cut off by the gateway with nothing said.
 */
export function outOfTime(elapsedMs: number, callsDone: number, budgetMs: number): boolean {
  if (callsDone === 0) return false;
  return elapsedMs + elapsedMs / callsDone > budgetMs;
}

export interface ImportProgress {
  report: ImportReport;
  /** Data rows sent and answered, counted from the file's first. */
  rowsDone: number;
  rowsTotal: number;
  /** The file's line where the rows not sent begin, when it stopped before the end. */
  restFromLine?: number;
  /** Why it stopped before the end: out of time, or a part the API refused (after earlier parts went in). */
  stopped?: { reason: 'time' } | { reason: 'failed'; error: unknown };
}

/**
 * Imports (or, `dryRun`, checks) a whole CSV file in parts of `rowsPerPart` rows. A refusal of the
 * first part is thrown as it is (nothing was written); a later one, or running out of `budgetMs`, ends
 * the import with what was done so far, so the person knows which rows went in.
 */
export async function importFile(
  deps: { api: ImportTarget; clock: Clock },
  input: { file: string; dryRun: boolean; rowsPerPart: number; budgetMs: number },
): Promise<ImportProgress> {
  const started = deps.clock.now().getTime();
  const { header, chunks } = csvChunks(input.file, input.rowsPerPart);
  if (!header) {
    const message = 'Choose a CSV file: the one chosen is empty, or none was';
    throw new AppError('VALIDATION', message, [{ path: 'file', message }]);
  }
  const rowsTotal = chunks.reduce((n, chunk) => n + chunk.rows, 0);
  if (chunks.length === 0) {
    // A header and nothing else: still checked, so a wrong header is said.
    await deps.api.importCsv(`${input.file.split(/\r?\n/)[0] ?? ''}\n`, true);
  }
  let progress: ImportProgress = { report: emptyReport(input.dryRun), rowsDone: 0, rowsTotal };
  for (const [index, chunk] of chunks.entries()) {
    const restFromLine = chunk.fileLine.values().next().value;
    const stop = (stopped: NonNullable<ImportProgress['stopped']>) => ({
      ...progress,
      ...(restFromLine !== undefined ? { restFromLine } : {}),
      stopped,
    });
    if (outOfTime(deps.clock.now().getTime() - started, index, input.budgetMs))
      return stop({ reason: 'time' });
    try {
      const part = await deps.api.importCsv(chunk.csv, input.dryRun);
      progress = {
        ...progress,
        report: withPart(progress.report, part, chunk),
        rowsDone: progress.rowsDone + chunk.rows,
      };
    } catch (error) {
      if (index === 0) throw error;
      return stop({ reason: 'failed', error });
    }
  }
  return progress;
}

export interface ExportResult {
  csv: string;
  /** Why the file ends before the last subscriber: the size the console can send, or the time it may take. */
  stoppedBy?: 'size' | 'time';
}

/**
 * Every subscriber as CSV, a page of `pageSize` at a time, up to `maxBytes` and `budgetMs`. A file cut
 * short ends with a line that says so and how to get all of it; whole pages only, so every subscriber
 * in it has all their rows.
 */
export async function exportFile(
  deps: { api: ExportSource; clock: Clock },
  limits: { pageSize: number; maxBytes: number; budgetMs: number },
): Promise<ExportResult> {
  const started = deps.clock.now().getTime();
  let csv = '';
  let cursor: string | undefined;
  for (let calls = 0; ; calls++) {
    if (outOfTime(deps.clock.now().getTime() - started, calls, limits.budgetMs)) {
      return { csv: csv + exportNote('time', limits), stoppedBy: 'time' };
    }
    const page = await deps.api.exportPage(cursor, limits.pageSize);
    const note = exportNote('size', limits);
    if (Buffer.byteLength(csv) + Buffer.byteLength(page.csv) + Buffer.byteLength(note) > limits.maxBytes) {
      return { csv: csv + note, stoppedBy: 'size' };
    }
    csv += page.csv;
    cursor = page.cursor;
    if (!cursor) return { csv };
  }
}

/** The last line of an export cut short: one quoted field, which an import rejects as a row. */
export function exportNote(reason: 'size' | 'time', limits: { maxBytes: number; budgetMs: number }): string {
  const why =
    reason === 'size'
      ? `the console sends at most ${Math.round(limits.maxBytes / 1024 / 1024)} MB`
      : `the console may take at most ${Math.round(limits.budgetMs / 1000)} seconds`;
  return `${csvField(`# INCOMPLETE: this file stops here because ${why}. Export every subscriber with the CLI: npx status-notifier subscribers export --out subscribers.csv`)}\n`;
}
