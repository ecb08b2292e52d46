import { z } from 'zod';
import { AdminApiError } from '../../adapters/admin-api';
import type { ImportReport } from '../../domain/admin-views';
import { csvChunks } from '../../domain/csv';
import { AppError } from '../../errors';
import { formValue } from '../../http/request';
import { json, prefersJson } from '../../http/respond';
import { importPage } from '../../templates/pages/console/import';
import { capitalized } from '../../templates/text';
import type { HttpRouteHandler } from '../route';
import type { ConsoleContext } from './context';

/** CSV import (a check first, then the import) and the CSV export. */
export function importRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const ImportForm = z.object({
    mode: formValue.pipe(
      z.enum(['check', 'import'], { error: 'Press Check file or Import' }).default('check'),
    ),
    file: formValue.transform((file) => file ?? ''),
  });
  const importFile = c.route(
    z.object({
      body: z.union([z.string(), ImportForm]),
      query: z.object({ dryRun: z.enum(['true', 'false']).default('true') }).default({ dryRun: 'true' }),
    }),
    async ({ body, query }, session) => {
      // console.js: one part of the file as text/csv; the script maps its lines back to the file's.
      if (typeof body === 'string') {
        return json(200, await session.api.importCsv(body, query.dryRun === 'true'));
      }
      const viewer = await session.viewer();
      const fileProblem = (message: string) => {
        if (prefersJson(session.event))
          throw new AppError('VALIDATION', message, [{ path: 'file', message }]);
        return c.page(400, importPage({ viewer, errors: [{ path: 'file', message }] }));
      };
      const { header, chunks } = csvChunks(body.file, 1000);
      if (!header) return fileProblem('Choose a CSV file: the one chosen is empty, or none was');
      const dryRun = body.mode === 'check';
      const report: ImportReport = { imported: 0, updated: 0, unchanged: 0, rejected: [], dryRun };
      try {
        for (const chunk of chunks) {
          const part = await session.api.importCsv(chunk.csv, dryRun);
          report.imported += part.imported;
          report.updated += part.updated;
          report.unchanged += part.unchanged;
          report.rejected.push(
            ...part.rejected.map((r) => ({ line: chunk.fileLine.get(r.line) ?? r.line, error: r.error })),
          );
        }
        if (chunks.length === 0) await session.api.importCsv(`${body.file.split(/\r?\n/)[0] ?? ''}\n`, true);
      } catch (error) {
        if (error instanceof AdminApiError && (error.status === 400 || error.status === 413)) {
          return fileProblem(capitalized(error.message));
        }
        throw error;
      }
      return c.respond(session.event, report, () => importPage({ viewer, report }));
    },
    { body: 'form-or-text' },
  );

  const MAX_EXPORT_BYTES = 5 * 1024 * 1024; // under Lambda's 6 MB response limit
  const exportCsv = c.route(z.object({}), async (_, { api }) => {
    let csv = '';
    let cursor: string | undefined;
    do {
      const part = await api.exportPage(cursor, 200);
      csv += part.csv;
      cursor = part.cursor;
      if (Buffer.byteLength(csv) > MAX_EXPORT_BYTES) {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          'The export is larger than the console can send (5 MB): use the CLI instead, `npx status-notifier subscribers export`.',
        );
      }
    } while (cursor);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="subscribers-${new Date().toISOString().slice(0, 10)}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: csv,
    };
  });

  return [
    {
      method: 'GET',
      path: '/console/import',
      handler: c.route(z.object({}), async (_, session) =>
        c.page(200, importPage({ viewer: await session.viewer() })),
      ),
    },
    { method: 'POST', path: '/console/import', handler: importFile },
    { method: 'GET', path: '/console/export', handler: exportCsv },
  ];
}
