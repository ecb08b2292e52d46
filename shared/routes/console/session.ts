import { type AdminApi, AdminApiError } from '../../adapters/admin-api';
import * as z from '../../domain/zod';
import { AppError, parseWith } from '../../errors';
import { httpHandler } from '../../http/handler';
import { formValue, type RawRequest } from '../../http/request';
import { json, prefersJson, redirect } from '../../http/respond';
import { consoleErrorPage } from '../../templates/pages/console/frame';
import { signInPage } from '../../templates/pages/console/sign-in';
import { capitalized } from '../../templates/text';
import type { HttpRouteHandler } from '../route';
import type { ConsoleContext, ConsoleDeps } from './context';
import { inWords } from './refusals';

const NOT_A_KEY = 'That API key is not valid: it is mistyped, revoked, or from another deployment';
const SignInForm = z.object({
  body: z.object({ key: z.pipe(formValue, z._default(z.string().check(z.maxLength(500)), '')) }),
});

/** Signing in with an API key (the console keeps only the session token the API gives back) and out. */
export function sessionRoutes(deps: ConsoleDeps, c: ConsoleContext): HttpRouteHandler[] {
  const signInRoute = httpHandler(
    { input: z.custom<RawRequest>(), body: 'form', pages: consoleErrorPage },
    async (raw, event) => {
      c.assertOwnSite(event);
      const { body } = parseWith(SignInForm, raw);
      const key = body.key.trim();
      const refuse = (message: string) => {
        if (prefersJson(event)) throw new AppError('VALIDATION', message, [{ path: 'key', message }]);
        return c.page(key ? 401 : 400, signInPage({ errors: [{ path: 'key', message }] }));
      };
      if (!key) return refuse('Enter your API key');
      // Keys are printable ASCII: anything else (a line break, a pasted document) is no key, and would not
      // even fit the Authorization header the admin API is asked with.
      if (!/^[\x21-\x7e]+$/.test(key)) return refuse(NOT_A_KEY);
      let created: Awaited<ReturnType<AdminApi['startSession']>>;
      try {
        created = await deps.api.as(key).startSession();
      } catch (error) {
        if (error instanceof AdminApiError && error.status === 401) {
          return refuse(NOT_A_KEY);
        }
        if (error instanceof AdminApiError && error.status === 403) return refuse(capitalized(error.message));
        if (error instanceof AdminApiError) throw inWords(error, { write: false });
        throw error;
      }
      // Signing in again ends the session this browser had: one live session per browser.
      const previous = c.sessionCookie(event).token;
      if (previous)
        await deps.api
          .as(previous)
          .endSession()
          .catch(() => undefined);
      const { token, ...session } = created;
      return {
        ...(prefersJson(event) ? json(201, session) : redirect('/console/subscribers')),
        cookies: [c.cookie(token)],
      };
    },
  );

  const signOut = c.route(
    z.object({}),
    async (_, { api, event }) => {
      try {
        await api.endSession();
      } catch (error) {
        // Already ended: signing out is done either way.
        if (!(error instanceof AdminApiError && error.status === 401)) throw error;
      }
      return {
        ...(prefersJson(event) ? json(200, { signedOut: true }) : redirect('/console?signed-out=1')),
        cookies: [c.cleared()],
      };
    },
    { body: 'form' },
  );

  return [
    {
      method: 'GET',
      path: '/console',
      handler: httpHandler(
        {
          input: z.object({ query: z._default(z.object({ 'signed-out': z.optional(z.string()) }), {}) }),
          pages: consoleErrorPage,
        },
        async ({ query }, event) => {
          const { token, stale } = c.sessionCookie(event);
          if (token) return redirect('/console/subscribers');
          const page = c.page(200, signInPage(query['signed-out'] ? { notice: 'You are signed out.' } : {}));
          return stale ? { ...page, cookies: [c.cleared()] } : page;
        },
      ),
    },
    { method: 'POST', path: '/console/sign-in', handler: signInRoute },
    { method: 'POST', path: '/console/sign-out', handler: signOut },
  ];
}
