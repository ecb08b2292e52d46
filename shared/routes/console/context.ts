import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { type AdminApi, AdminApiError } from '../../adapters/admin-api';
import type { SessionView } from '../../domain/admin-views';
import { csrfMatches, csrfToken } from '../../domain/csrf';
import { isSessionToken } from '../../domain/session-token';
import { AppError, type ErrorDetail } from '../../errors';
import { cookieOf, setCookie } from '../../http/cookies';
import { httpHandler } from '../../http/handler';
import type { BodyKind } from '../../http/request';
import { type HttpResult, html, json, prefersJson } from '../../http/respond';
import { type ConsoleViewer, consoleErrorPage, READ_ONLY } from '../../templates/pages/console/frame';
import { signInPage } from '../../templates/pages/console/sign-in';

/*
 * What every console route shares: the session from the cookie, the CSRF token on every POST, and the
 * admin API's refusals said in words.
 */

export interface ConsoleDeps {
  /** The admin API with no credential of its own: each request acts with the signed-in person's session. */
  api: AdminApi;
  config: { secureCookies: boolean };
}

const COOKIE = 'console_session';

/** Results after a redirect, from a fixed list: nothing from the URL is echoed onto the page. */
const NOTICES: Record<string, string> = {
  added: 'Subscriber added.',
  'added-pending':
    'Subscriber added. A confirmation mail is on its way to them; nothing else is sent until they confirm.',
  saved: 'Changes saved.',
  suppressed: 'Address suppressed: no mail goes to it now.',
  lifted: 'Suppression lifted: mail goes to this address again.',
  removed: 'Subscriber removed. Their delivery history is kept, without the address.',
};
export const Done = z.string().max(40).optional();
export const noticeFor = (done: string | undefined) => (done ? NOTICES[done] : undefined);

export interface Session {
  event: APIGatewayProxyEventV2;
  /** The admin API, acting as this session. */
  api: AdminApi;
  /** Who is signed in (asked of the API alongside the page's own data). */
  viewer(): Promise<ConsoleViewer & { session: SessionView }>;
}

export const Id = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .transform((id, ctx) => {
      try {
        return decodeURIComponent(id);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'This link is broken: the id in it is not valid' });
        return z.NEVER;
      }
    }),
});
export const Csrf = z.string().max(100).default('');

export type ConsoleContext = ReturnType<typeof consoleContext>;

export function consoleContext(deps: ConsoleDeps) {
  const cookie = (token: string, maxAge?: number) =>
    setCookie(COOKIE, token, {
      path: '/console',
      secure: deps.config.secureCookies,
      ...(maxAge !== undefined ? { maxAge } : {}),
    });
  const cleared = () => cookie('', 0);
  const page = (status: number, body: string, cookies: string[] = []): HttpResult => ({
    ...html(status, body),
    ...(cookies.length ? { cookies } : {}),
  });

  /** Not signed in, or no longer: the sign-in page where they are (JSON clients get the API's 401). */
  function signIn(event: APIGatewayProxyEventV2, notice?: string, hadCookie = false): HttpResult {
    const cookies = hadCookie ? [cleared()] : [];
    if (prefersJson(event)) {
      return {
        ...json(401, { error: { code: 'UNAUTHORIZED', message: notice ?? 'sign in first', details: [] } }),
        ...(cookies.length ? { cookies } : {}),
      };
    }
    return page(401, signInPage(notice ? { notice } : {}), cookies);
  }

  /**
   * The session token in the cookie. Only the shape sessions are minted with counts: anything else (an
   * API key put in the cookie by hand, which would act without the idle and 12-hour limits) is no
   * session, and `stale` says the cookie should be cleared.
   */
  function sessionCookie(event: APIGatewayProxyEventV2): { token?: string; stale: boolean } {
    const value = cookieOf(event, COOKIE);
    if (value === undefined) return { stale: false };
    return isSessionToken(value) ? { token: value, stale: false } : { stale: true };
  }

  /** Forms are posted from the console's own pages only: another site's page is refused outright. */
  function assertSameOrigin(event: APIGatewayProxyEventV2) {
    const site = event.headers?.['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') {
      throw new AppError('FORBIDDEN', 'This form was sent from another site, so it was not accepted.');
    }
  }

  /**
   * A console route: the session from the cookie, the CSRF token checked on every POST, and the API's
   * refusals in words. `run` gets the parsed input and the session.
   */
  function route<S extends z.ZodType>(
    input: S,
    run: (input: z.output<S>, session: Session) => Promise<HttpResult>,
    options: { body?: BodyKind; post?: boolean } = {},
  ) {
    return httpHandler(
      { input, pages: consoleErrorPage, ...(options.body ? { body: options.body } : {}) },
      async (parsed, event) => {
        const { token, stale } = sessionCookie(event);
        if (!token) {
          const notice = options.post ? 'Sign in first: your session had ended.' : undefined;
          return signIn(event, notice, stale);
        }
        if (options.post) {
          assertSameOrigin(event);
          const body = (parsed as { body?: unknown }).body;
          const given =
            event.headers?.['x-csrf-token'] ??
            (body && typeof body === 'object' ? (body as { csrf?: string }).csrf : undefined);
          if (!csrfMatches(token, given)) {
            throw new AppError(
              'FORBIDDEN',
              'This form has expired or did not come from the console. Go back, reload the page and try again.',
            );
          }
        }
        const api = deps.api.as(token);
        let current: Promise<SessionView> | undefined;
        const session: Session = {
          event,
          api,
          viewer: async () => {
            current ??= api.currentSession();
            const view = await current;
            return {
              actor: view.actor,
              canWrite: view.scopes.includes('write'),
              csrf: csrfToken(token),
              session: view,
            };
          },
        };
        if (!options.post) {
          // A page asks at once, in parallel with its own reads.
          current = api.currentSession();
          current.catch(() => undefined);
        }
        try {
          return await run(parsed, session);
        } catch (error) {
          if (!(error instanceof AdminApiError)) throw error;
          if (error.status === 401) {
            // The API names why a session ended in its `session` detail ("ended when you signed out").
            const ended = error.details.find((d) => d.path === 'session');
            return signIn(event, ended ? `Your session ${ended.message}.` : undefined, true);
          }
          throw inWords(error, { write: event.requestContext?.http?.method !== 'GET' });
        }
      },
    );
  }

  /** JSON for a client that asks for it (the page's data), else the page. */
  const respond = (event: APIGatewayProxyEventV2, data: unknown, render: () => string, status = 200) =>
    prefersJson(event) ? json(status, data) : html(status, render());

  return { route, respond, signIn, page, cookie, cleared, assertSameOrigin, sessionCookie };
}

/**
 * The field messages of a refused form: the console's own checks, and the API's validation (its field
 * paths are the form's) or conflict. Undefined for anything else, which becomes an error page.
 */
export function formProblems(
  error: unknown,
  words: { email?: string; conflict?: ErrorDetail },
): ErrorDetail[] | undefined {
  if (error instanceof AppError && error.code === 'VALIDATION') return error.details;
  if (!(error instanceof AdminApiError)) return undefined;
  if (error.status === 409 && words.conflict) return [words.conflict];
  if (error.status !== 400) return undefined;
  const details = error.details.length ? error.details : [{ path: 'form', message: sentence(error.message) }];
  return details.map((d) => {
    const field = d.path.split('.')[0] ?? '';
    return field === 'email' && words.email
      ? { path: 'email', message: words.email }
      : { path: field, message: sentence(d.message) };
  });
}

export const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The admin API's refusal, said for a person at the console. `write`: the console was asked to change
 * something, so a missing scope (the API's `scope` detail) is the read-only key's.
 */
export function inWords(error: AdminApiError, request: { write: boolean }): AppError {
  const message = sentence(error.message);
  switch (error.status) {
    case 400:
      return new AppError('VALIDATION', `The admin API did not accept this: ${error.message}`, error.details);
    case 403:
      return new AppError(
        'FORBIDDEN',
        request.write && error.details.some((d) => d.path === 'scope') ? READ_ONLY : message,
      );
    case 404:
      return new AppError('NOT_FOUND', `${message}: it may have been removed, or the link is incomplete.`);
    case 409:
      return new AppError(
        'CONFLICT',
        `${message}: someone changed it in the meantime. Reload the page and try again.`,
      );
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', message);
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', message);
    case 429:
      return new AppError(
        'RATE_LIMITED',
        `The admin API is busy: try again in ${error.retryAfterSeconds ?? 60} seconds.`,
        [],
        error.retryAfterSeconds ?? 60,
      );
    default:
      return new AppError(
        'BAD_GATEWAY',
        `${error.code === 'UNREACHABLE' || error.code === 'BAD_RESPONSE' ? message : `The admin API failed (${error.status})`}. Try again in a moment; if it keeps happening, tell whoever runs the notifier.`,
      );
  }
}
