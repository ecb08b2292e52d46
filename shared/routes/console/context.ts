import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AdminApi, AdminApiError } from '../../adapters/admin-api';
import type { SessionView } from '../../domain/admin-views';
import { csrfMatches, csrfToken } from '../../domain/csrf';
import { isSessionToken } from '../../domain/session-token';
import * as z from '../../domain/zod';
import { AppError, parseWith } from '../../errors';
import { cookieOf, setCookie } from '../../http/cookies';
import { httpHandler } from '../../http/handler';
import type { BodyKind, RawRequest } from '../../http/request';
import { type HttpResult, html, json, prefersJson } from '../../http/respond';
import { ownOrigins, sentFromOwnSite } from '../../http/same-origin';
import type { Clock } from '../../ports';
import { type ConsoleViewer, consoleErrorPage } from '../../templates/pages/console/frame';
import { signInPage } from '../../templates/pages/console/sign-in';
import { inWords } from './refusals';

/*
 * What every console route shares: the session from the cookie, the origin and CSRF checks on every
 * request but a GET, and the admin API's refusals said in words (refusals.ts).
 */

export interface ConsoleDeps {
  /** The admin API with no credential of its own: each request acts with the signed-in person's session. */
  api: AdminApi;
  clock: Clock;
  /** `publicBaseUrl`: where people open the console (its origin is the console's; https sets Secure). */
  config: { publicBaseUrl: string };
}

const COOKIE = 'console_session';

/** Results after a redirect, from a fixed list: nothing from the URL is echoed onto the page. */
const NOTICES: Record<string, string> = {
  resumed: 'Webhook resumed: deliveries start again with the next update.',
  'tested-delivered': 'Test event sent: the endpoint took it.',
  'tested-retry':
    'Test event not taken: the endpoint failed or did not answer in time. Updates to it would be retried.',
  'tested-rejected': 'Test event refused: the endpoint answered a 4xx. Updates to it would not be retried.',
  'tested-gone': 'Test event refused: the endpoint answered 410 Gone. Updates to it would not be retried.',
  'tested-blocked': 'Test event not sent: its URL may not be sent to.',
  'tested-not-confirmed': 'Test event not sent: the webhook is not confirmed yet.',
  'tested-unsubscribed': 'Test event not sent: the webhook is unsubscribed.',
  added: 'Subscriber added.',
  'added-pending':
    'Subscriber added. A confirmation mail is on its way to them; nothing else is sent until they confirm.',
  saved: 'Changes saved.',
  suppressed: 'Address suppressed: no mail goes to it now.',
  lifted: 'Suppression lifted: mail goes to this address again.',
  removed: 'Subscriber removed. Their delivery history is kept, without the address.',
};
export const Done = z.optional(z.string().check(z.maxLength(40)));
export const noticeFor = (done: string | undefined) => (done ? NOTICES[done] : undefined);

export interface Session {
  event: APIGatewayProxyEventV2;
  /** The admin API, acting as this session. */
  api: AdminApi;
  /** Who is signed in (asked of the API alongside the page's own data). */
  viewer(): Promise<ConsoleViewer & { session: SessionView }>;
}

/** The request as read (body, path, query): a route checks where it came from before parsing it. */
const Unparsed = z.custom<RawRequest>();

const isWrite = (event: APIGatewayProxyEventV2) => event.requestContext?.http?.method !== 'GET';

/** A form's `csrf` field (the first, if the form sent it more than once). */
function csrfField(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const value = (body as Record<string, unknown>).csrf;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

export type ConsoleContext = ReturnType<typeof consoleContext>;

export function consoleContext(deps: ConsoleDeps) {
  const cookie = (token: string, maxAge?: number) =>
    setCookie(COOKIE, token, {
      path: '/console',
      secure: new URL(deps.config.publicBaseUrl).protocol === 'https:',
      ...(maxAge !== undefined ? { maxAge } : {}),
    });
  const cleared = () => cookie('', 0);
  /**
   * A console page. Its forms post to the console itself, so it sends its origin along (Referrer-Policy
   * same-origin, not the pages' usual no-referrer): a browser without Sec-Fetch-Site needs it to be
   * let in. Other sites still get no referrer.
   */
  const page = (status: number, body: string, cookies: string[] = []): HttpResult => ({
    ...html(status, body, { headers: { 'referrer-policy': 'same-origin' } }),
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

  /**
   * Anything but a GET changes something, so it must come from the console's own pages: refused from
   * another site (login CSRF on the sign-in form included), whatever the browser sends or leaves out.
   */
  function assertOwnSite(event: APIGatewayProxyEventV2) {
    if (!sentFromOwnSite(event.headers, ownOrigins(event, deps.config.publicBaseUrl))) {
      throw new AppError(
        'FORBIDDEN',
        `This form was sent from another site, or the browser did not say where from, so it was not accepted. Open the console at ${new URL('/console', deps.config.publicBaseUrl)} and try again there.`,
      );
    }
  }

  /**
   * A console route: the session from the cookie, and for every method but GET the same-site check and
   * the session's CSRF token (a form's `csrf` field or console.js's header) before the input is even
   * read; then the input parsed by `input`, and the API's refusals in words.
   */
  function route<S extends z.ZodMiniType>(
    input: S,
    run: (input: z.output<S>, session: Session) => Promise<HttpResult>,
    options: { body?: BodyKind; maxBodyBytes?: number } = {},
  ) {
    return httpHandler(
      {
        input: Unparsed,
        pages: consoleErrorPage,
        ...(options.body ? { body: options.body } : {}),
        ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      },
      async (raw, event) => {
        const write = isWrite(event);
        if (write) assertOwnSite(event);
        const { token, stale } = sessionCookie(event);
        if (!token) return signIn(event, write ? 'Sign in first: your session had ended.' : undefined, stale);
        if (write && !csrfMatches(token, event.headers?.['x-csrf-token'] ?? csrfField(raw.body))) {
          throw new AppError(
            'FORBIDDEN',
            'This form has expired or did not come from the console. Go back, reload the page and try again.',
          );
        }
        const valid = parseWith(input, raw);
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
        if (!write) {
          // A page asks at once, in parallel with its own reads.
          current = api.currentSession();
          current.catch(() => undefined);
        }
        try {
          return await run(valid, session);
        } catch (error) {
          if (!(error instanceof AdminApiError)) throw error;
          if (error.status === 401) {
            // The API names why a session ended in its `session` detail ("ended when you signed out").
            const ended = error.details.find((d) => d.path === 'session');
            return signIn(event, ended ? `Your session ${ended.message}.` : undefined, true);
          }
          throw inWords(error, { write });
        }
      },
    );
  }

  /** JSON for a client that asks for it (the page's data), else the page. */
  const respond = (event: APIGatewayProxyEventV2, data: unknown, render: () => string, status = 200) =>
    prefersJson(event) ? json(status, data) : page(status, render());

  return { route, respond, signIn, page, cookie, cleared, assertOwnSite, sessionCookie, clock: deps.clock };
}
