import { AdminApiError } from '../../adapters/admin-api';
import { MESSAGES } from '../../domain/form-messages';
import * as z from '../../domain/zod';
import type { ErrorDetail } from '../../errors';
import { parseWith } from '../../errors';
import { formField, formValue } from '../../http/request';
import { json, prefersJson, redirect } from '../../http/respond';
import { suppressionsPage } from '../../templates/pages/console/suppressions';
import type { HttpRouteHandler } from '../route';
import { type ConsoleContext, Done, noticeFor, type Session } from './context';
import { SuppressForm } from './forms';
import { formProblems } from './refusals';

/** Rows per page: a full page stays under 50 KB with its assets, even with long addresses. */
const SUPPRESSIONS_PER_PAGE = 30;

/** The suppression list: suppress an address, lift one. */
export function suppressionRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const SuppressionsQuery = z.object({ cursor: z.optional(z.string().check(z.maxLength(2000))), done: Done });
  async function showSuppressions(
    session: Session,
    query: z.output<typeof SuppressionsQuery>,
    add?: { values: { email: string; reason: string }; errors: ErrorDetail[] },
  ) {
    const [viewer, list] = await Promise.all([
      session.viewer(),
      session.api.suppressions(query.cursor, SUPPRESSIONS_PER_PAGE),
    ]);
    const notice = noticeFor(query.done);
    return c.respond(
      session.event,
      list,
      () =>
        suppressionsPage({
          viewer,
          items: list.items,
          paged: Boolean(query.cursor),
          ...(list.cursor ? { cursor: list.cursor } : {}),
          ...(notice ? { notice } : {}),
          ...(add ? { values: add.values, errors: add.errors } : {}),
        }),
      add ? 400 : 200,
    );
  }

  const changeSuppressions = c.route(
    z.object({
      body: z.object({
        action: z.pipe(
          formValue,
          z.enum(['add', 'lift'], { error: 'The form asked for something the console does not do' }),
        ),
        email: formField((email) => email ?? ''),
        reason: formField((reason) => reason ?? ''),
      }),
    }),
    async ({ body }, session) => {
      const done = (what: string) =>
        prefersJson(session.event)
          ? json(200, { done: what })
          : redirect(`/console/suppressions?done=${what}`);
      if (body.action === 'lift') {
        try {
          await session.api.liftSuppression(body.email.trim());
        } catch (error) {
          if (!(error instanceof AdminApiError && error.status === 404)) throw error;
        }
        return done('lifted');
      }
      try {
        const { email, reason } = parseWith(SuppressForm, body);
        await session.api.suppress(email, reason || undefined);
        return done('suppressed');
      } catch (error) {
        const details = formProblems(error, { email: MESSAGES.emailFormat });
        if (!details || prefersJson(session.event)) throw error;
        return showSuppressions(session, {}, { values: body, errors: details });
      }
    },
    { body: 'form' },
  );

  return [
    {
      method: 'GET',
      path: '/console/suppressions',
      handler: c.route(z.object({ query: z._default(SuppressionsQuery, {}) }), ({ query }, session) =>
        showSuppressions(session, query),
      ),
    },
    { method: 'POST', path: '/console/suppressions', handler: changeSuppressions },
  ];
}
