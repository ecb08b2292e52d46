import { AdminApiError } from '../../adapters/admin-api';
import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import { BODY_LIMITS, formField, formValue } from '../../http/request';
import { json, prefersJson } from '../../http/respond';
import { importPage, type StoppedImport } from '../../templates/pages/console/import';
import { capitalized } from '../../templates/text';
import { exportFile, importFile } from '../../usecases/console-import';
import type { HttpRouteHandler } from '../route';
import type { ConsoleContext } from './context';
import { inWords } from './refusals';

/** Rows per call to the admin API: the CLI's default, well under the API's 5000. */
const ROWS_PER_PART = 1000;
/** The page size the export asks for (the admin API's most; it may send fewer). */
const EXPORT_PAGE = 1000;
/** Under Lambda's 6 MB response limit. */
const MAX_EXPORT_BYTES = 5 * 1024 * 1024;
/** How long an import or export may take: API Gateway ends a request at 30 seconds. */
const BUDGET_MS = 20_000;

/** CSV import (a check first, then the import) and the CSV export. */
export function importRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const ImportForm = z.object({
    mode: z.pipe(
      formValue,
      z._default(z.enum(['check', 'import'], { error: 'Press Check file or Import' }), 'check'),
    ),
    file: formField((file) => file ?? ''),
  });
  const importCsv = c.route(
    z.object({
      body: z.union([z.string(), ImportForm]),
      query: z._default(z.object({ dryRun: z._default(z.enum(['true', 'false']), 'true') }), {
        dryRun: 'true',
      }),
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
      let progress: Awaited<ReturnType<typeof importFile>>;
      try {
        progress = await importFile(
          { api: session.api, clock: c.clock },
          { file: body.file, dryRun: body.mode === 'check', rowsPerPart: ROWS_PER_PART, budgetMs: BUDGET_MS },
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'VALIDATION') return fileProblem(error.message);
        if (error instanceof AdminApiError && (error.status === 400 || error.status === 413)) {
          return fileProblem(capitalized(error.message));
        }
        throw error;
      }
      const { report, stopped, rowsDone, rowsTotal, restFromLine } = progress;
      const partial: StoppedImport | undefined = stopped && {
        rowsDone,
        rowsTotal,
        ...(restFromLine !== undefined ? { restFromLine } : {}),
        ...(stopped.reason === 'time'
          ? { afterSeconds: BUDGET_MS / 1000 }
          : { because: reasonOf(stopped.error) }),
      };
      return c.respond(session.event, { ...report, ...(partial ? { stopped: partial } : {}) }, () =>
        importPage({ viewer, report, ...(partial ? { stopped: partial } : {}) }),
      );
    },
    // A whole file, as a form's upload: as large as an export (MAX_EXPORT_BYTES) and then some.
    { body: 'form-or-text', maxBodyBytes: BODY_LIMITS.documents },
  );

  const exportCsv = c.route(z.object({}), async (_, { api }) => {
    const { csv, stoppedBy } = await exportFile(
      { api, clock: c.clock },
      { pageSize: EXPORT_PAGE, maxBytes: MAX_EXPORT_BYTES, budgetMs: BUDGET_MS },
    );
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="subscribers-${c.clock.now().toISOString().slice(0, 10)}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(stoppedBy ? { 'x-export-incomplete': stoppedBy } : {}),
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
    { method: 'POST', path: '/console/import', handler: importCsv },
    { method: 'GET', path: '/console/export', handler: exportCsv },
  ];
}

/** Why a later part was not imported, in words: the admin API's refusal, or our own failure. */
function reasonOf(error: unknown): string {
  if (error instanceof AdminApiError) return inWords(error, { write: true }).message;
  if (error instanceof AppError) return capitalized(error.message);
  return 'Something went wrong on our side';
}
