import { z } from 'zod';
import { AdminApiError } from '../../adapters/admin-api';
import { AppError, type ErrorDetail } from '../../errors';
import { json, prefersJson, redirect } from '../../http/respond';
import { ADD_MESSAGES } from '../../templates/pages/console/subscribers';
import { suppressionsPage } from '../../templates/pages/console/suppressions';
import type { HttpRouteHandler } from '../route';
import { type ConsoleContext, Csrf, Done, formProblems, noticeFor, type Session } from './context';

/** Rows per page: a full page stays under 50 KB with its assets, even with long addresses. */
const SUPPRESSIONS_PER_PAGE = 30;

/** The suppression list: suppress an address, lift one. */
export function suppressionRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const SuppressionsQuery = z.object({ cursor: z.string().max(2000).optional(), done: Done });
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
        csrf: Csrf,
        action: z.enum(['add', 'lift'], { error: 'The form asked for something the console does not do' }),
        email: z.string().max(254, 'An email address has at most 254 characters').default(''),
        reason: z.string().max(500, 'Keep the reason under 500 characters').default(''),
      }),
    }),
    async ({ body }, session) => {
      const email = body.email.trim();
      const done = (what: string) =>
        prefersJson(session.event)
          ? json(200, { done: what })
          : redirect(`/console/suppressions?done=${what}`);
      if (body.action === 'lift') {
        try {
          await session.api.liftSuppression(email);
        } catch (error) {
          if (!(error instanceof AdminApiError && error.status === 404)) throw error;
        }
        return done('lifted');
      }
      try {
        if (!email)
          throw new AppError('VALIDATION', 'Enter the email address', [
            { path: 'email', message: 'Enter the email address' },
          ]);
        await session.api.suppress(email, body.reason.trim() || undefined);
        return done('suppressed');
      } catch (error) {
        const details = formProblems(error, { email: ADD_MESSAGES.emailFormat });
        if (!details || prefersJson(session.event)) throw error;
        return showSuppressions(
          session,
          {},
          { values: { email: body.email, reason: body.reason }, errors: details },
        );
      }
    },
    { body: 'form' },
  );

  return [
    {
      method: 'GET',
      path: '/console/suppressions',
      handler: c.route(z.object({ query: SuppressionsQuery.default({}) }), ({ query }, session) =>
        showSuppressions(session, query),
      ),
    },
    { method: 'POST', path: '/console/suppressions', handler: changeSuppressions },
  ];
}
