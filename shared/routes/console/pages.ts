import { AdminApiError } from '../../adapters/admin-api';
import { importDocument } from '../../domain/catalog-import';
import { PageId } from '../../domain/statuspage';
import * as z from '../../domain/zod';
import { AppError, type ErrorDetail, parseWith } from '../../errors';
import { BODY_LIMITS, formField } from '../../http/request';
import { json, prefersJson } from '../../http/respond';
import { type PageImportValues, pagesPage } from '../../templates/pages/console/pages';
import { capitalized } from '../../templates/text';
import type { HttpRouteHandler } from '../route';
import type { ConsoleContext, Session } from './context';

/** A JSON file from the form: blank when none was chosen, else its parsed content. */
const JsonFile = (what: string) =>
  formField((text, ctx) => {
    if (!text?.trim()) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      z.addIssue(ctx, {
        code: 'custom',
        message: `The ${what} is not JSON: choose the file the vendor’s API gave`,
      });
      return z.NEVER;
    }
  });

const PageImportForm = z.object({
  page: z.pipe(
    formField((page) => page?.trim() ?? ''),
    z.pipe(z.string().check(z.minLength(1, 'Enter the page id')), PageId),
  ),
  name: formField((name) => name?.trim() ?? ''),
  components: JsonFile('components file').check(
    z.refine((file) => file !== undefined, 'Choose the components file'),
  ),
  sections: JsonFile('sections file'),
});

/** The status pages, and the import of a page's components from its vendor's list. */
export function pageRoutes(c: ConsoleContext): HttpRouteHandler[] {
  async function showPages(
    session: Session,
    extra: Omit<Parameters<typeof pagesPage>[0], 'viewer' | 'pages'> = {},
  ) {
    const [viewer, catalog] = await Promise.all([session.viewer(), session.api.catalog()]);
    const status = extra.errors?.length ? 400 : 200;
    return c.respond(
      session.event,
      extra.imported ?? catalog,
      () => pagesPage({ viewer, pages: catalog.pages, ...extra }),
      status,
    );
  }

  const importPage = c.route(
    z.object({ body: z.record(z.string(), z.unknown()) }),
    async ({ body }, session) => {
      const values: PageImportValues = {
        page: typeof body.page === 'string' ? body.page : '',
        name: typeof body.name === 'string' ? body.name : '',
      };
      try {
        const form = parseWith(PageImportForm, body);
        const document = importDocument(form.components, {
          ...(form.sections !== undefined ? { sections: form.sections } : {}),
          ...(form.name ? { name: form.name } : {}),
        });
        const imported = await session.api.importComponents(form.page, document);
        if (prefersJson(session.event)) return json(200, imported);
        return showPages(session, { imported });
      } catch (error) {
        const errors = importProblems(error);
        if (!errors || prefersJson(session.event)) throw error;
        return showPages(session, { values, errors });
      }
    },
    { body: 'form', maxBodyBytes: BODY_LIMITS.documents },
  );

  return [
    {
      method: 'GET',
      path: '/console/pages',
      handler: c.route(z.object({}), (_, session) => showPages(session)),
    },
    { method: 'POST', path: '/console/pages', handler: importPage },
  ];
}

/**
 * A refused import on its form: the form's own checks by field; the admin API's refusal of the file on
 * the file's field, each problem with its place in the file (`components.3.name`); a page id the file
 * contradicts on the page id. Undefined for anything else, which becomes an error page.
 */
function importProblems(error: unknown): ErrorDetail[] | undefined {
  if (error instanceof AppError && error.code === 'VALIDATION') return error.details;
  if (!(error instanceof AdminApiError) || (error.status !== 400 && error.status !== 413)) return undefined;
  if (error.status === 413) return [{ path: 'components', message: capitalized(error.message) }];
  const details = error.details.length ? error.details : [{ path: '', message: error.message }];
  return details.map((detail) => {
    const path = detail.path.replace(/^body\.?/, '');
    const message = detail.message.replace(
      /^Invalid input: expected (\w+), received undefined$/,
      'missing ($1 expected)',
    );
    if (path === 'page.id' || path === 'pageId') return { path: 'page', message: capitalized(message) };
    const field = path.startsWith('sections') ? 'sections' : 'components';
    return { path: field, message: path ? `At ${path} in the file: ${message}` : capitalized(message) };
  });
}
