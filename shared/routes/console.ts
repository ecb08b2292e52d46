import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { type AdminApi, AdminApiError } from '../adapters/admin-api';
import type { ImportReport, IncidentReport, SessionView } from '../domain/admin-views';
import { csrfMatches, csrfToken } from '../domain/csrf';
import { csvChunks } from '../domain/csv';
import { NotificationLevel } from '../domain/levels';
import { topicInputFromKey } from '../domain/topics';
import { AppError, type ErrorDetail } from '../errors';
import { cookieOf, setCookie } from '../http/cookies';
import { httpHandler } from '../http/handler';
import { type BodyKind, formValues } from '../http/request';
import { type HttpResult, html, json, prefersJson, redirect } from '../http/respond';
import { type ConsoleViewer, consoleErrorPage, READ_ONLY } from '../templates/pages/console/frame';
import { importPage } from '../templates/pages/console/import';
import { incidentLookupPage, incidentPage } from '../templates/pages/console/incidents';
import { signInPage } from '../templates/pages/console/sign-in';
import { removePage, subscriberPage } from '../templates/pages/console/subscriber';
import { ADD_MESSAGES, subscribersPage } from '../templates/pages/console/subscribers';
import { suppressionsPage } from '../templates/pages/console/suppressions';
import type { HttpRouteHandler } from './route';

/*
 * The support console: pages over the admin API, and nothing else (no table, no second path into the
 * data). A person signs in with an API key; the console keeps only the session token the API gives
 * back, in an HttpOnly, SameSite=Strict cookie scoped to /console. Every form carries a CSRF token
 * derived from that session. The API decides who may do what; the console says its answers in words.
 */

export interface ConsoleDeps {
  /** The admin API with no credential of its own: each request acts with the signed-in person's session. */
  api: AdminApi;
  config: { secureCookies: boolean };
}

const COOKIE = 'console_session';
/** Rows per page: a full page stays under 50 KB with its assets, even with long addresses. */
const SUBSCRIBERS_PER_PAGE = 50;
const SUPPRESSIONS_PER_PAGE = 30;

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
const Done = z.string().max(40).optional();

interface Session {
  event: APIGatewayProxyEventV2;
  /** The admin API, acting as this session. */
  api: AdminApi;
  /** Who is signed in (asked of the API alongside the page's own data). */
  viewer(): Promise<ConsoleViewer & { session: SessionView }>;
}

const Id = z.object({
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
const Csrf = z.string().max(100).default('');

export function consoleRoutes(deps: ConsoleDeps): HttpRouteHandler[] {
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
        const token = cookieOf(event, COOKIE);
        if (!token) return signIn(event, options.post ? 'Sign in first: your session had ended.' : undefined);
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
            const ended = error.details.some((d) => d.path === 'session');
            return signIn(event, ended ? error.message.replace(/: sign in again$/, '.') : undefined, true);
          }
          throw inWords(error);
        }
      },
    );
  }

  /** JSON for a client that asks for it (the page's data), else the page. */
  const respond = (event: APIGatewayProxyEventV2, data: unknown, render: () => string, status = 200) =>
    prefersJson(event) ? json(status, data) : html(status, render());

  const signInRoute = httpHandler(
    {
      input: z.object({ body: z.object({ key: z.string().max(500).default('') }) }),
      body: 'form',
      pages: consoleErrorPage,
    },
    async ({ body }, event) => {
      assertSameOrigin(event);
      const key = body.key.trim();
      const refuse = (message: string) => {
        if (prefersJson(event)) throw new AppError('VALIDATION', message, [{ path: 'key', message }]);
        return page(key ? 401 : 400, signInPage({ errors: [{ path: 'key', message }] }));
      };
      if (!key) return refuse('Enter your API key');
      let created: Awaited<ReturnType<AdminApi['startSession']>>;
      try {
        created = await deps.api.as(key).startSession();
      } catch (error) {
        if (error instanceof AdminApiError && error.status === 401) {
          return refuse('That API key is not valid: it is mistyped, revoked, or from another deployment');
        }
        if (error instanceof AdminApiError && error.status === 403) return refuse(sentence(error.message));
        if (error instanceof AdminApiError) throw inWords(error);
        throw error;
      }
      // Signing in again ends the session this browser had: one live session per browser.
      const previous = cookieOf(event, COOKIE);
      if (previous)
        await deps.api
          .as(previous)
          .endSession()
          .catch(() => undefined);
      const { token, ...session } = created;
      return {
        ...(prefersJson(event) ? json(201, session) : redirect('/console/subscribers')),
        cookies: [cookie(token)],
      };
    },
  );

  const signOut = route(
    z.object({ body: z.object({ csrf: Csrf }) }),
    async (_, { api, event }) => {
      try {
        await api.endSession();
      } catch (error) {
        // Already ended: signing out is done either way.
        if (!(error instanceof AdminApiError && error.status === 401)) throw error;
      }
      return {
        ...(prefersJson(event) ? json(200, { signedOut: true }) : redirect('/console?signed-out=1')),
        cookies: [cleared()],
      };
    },
    { body: 'form', post: true },
  );

  // ---- subscribers -------------------------------------------------------------------------------------

  const SearchQuery = z.object({
    email: z.string().max(254, 'Search for at most 254 characters').default(''),
    status: z
      .enum(['', 'pending', 'confirmed', 'unsubscribed'], { error: 'Choose a status from the list' })
      .default(''),
    cursor: z.string().max(2000).optional(),
    done: Done,
  });
  const AddForm = z.object({
    csrf: Csrf,
    email: z.string().max(254, 'An email address has at most 254 characters').default(''),
    topic: formValues,
    level: z.string().max(20).default('all'),
    confirmed: z.string().optional(),
  });
  type AddForm = z.output<typeof AddForm>;
  type Search = z.output<typeof SearchQuery>;

  async function showSubscribers(
    session: Session,
    query: Search,
    add?: { values: AddForm; errors: ErrorDetail[] },
  ): Promise<HttpResult> {
    const [viewer, found, catalog] = await Promise.all([
      session.viewer(),
      session.api.searchSubscribers({
        ...(query.email.trim() ? { email: query.email.trim() } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: SUBSCRIBERS_PER_PAGE,
      }),
      session.api.catalog(),
    ]);
    const notice = query.done ? NOTICES[query.done] : undefined;
    return respond(
      session.event,
      found,
      () =>
        subscribersPage({
          viewer,
          catalog,
          search: {
            email: query.email,
            status: query.status,
            items: found.items,
            paged: Boolean(query.cursor),
            ...(found.cursor ? { cursor: found.cursor } : {}),
          },
          ...(notice ? { notice } : {}),
          ...(add
            ? {
                add: {
                  values: {
                    email: add.values.email,
                    topics: new Set(add.values.topic),
                    level: add.values.level,
                    confirmed: add.values.confirmed === 'true',
                  },
                  errors: add.errors,
                },
              }
            : {}),
        }),
      add ? 400 : 200,
    );
  }

  const addSubscriber = route(
    z.object({ body: AddForm }),
    async ({ body }, session) => {
      const email = body.email.trim();
      const errors: ErrorDetail[] = [];
      if (!email) errors.push({ path: 'email', message: ADD_MESSAGES.emailMissing });
      else if (!z.email().safeParse(email).success)
        errors.push({ path: 'email', message: ADD_MESSAGES.emailFormat });
      const topics = topicsFromKeys(body.topic, errors, ADD_MESSAGES.noTopics);
      const level = NotificationLevel.safeParse(body.level);
      if (!level.success) errors.push({ path: 'level', message: 'Choose how often' });
      try {
        if (errors.length) throw new AppError('VALIDATION', errors[0]?.message ?? 'invalid', errors);
        const created = await session.api.createSubscriber({
          email,
          topics,
          confirmed: body.confirmed === 'true',
          level: level.data ?? 'all',
        });
        if (prefersJson(session.event)) return json(201, created);
        const done = created.status === 'pending' ? 'added-pending' : 'added';
        return redirect(`/console/subscribers/${encodeURIComponent(created.id)}?done=${done}`);
      } catch (error) {
        const details = formProblems(error, {
          email: ADD_MESSAGES.emailFormat,
          conflict: {
            path: 'email',
            message: 'That address is already a subscriber: search for it to change it',
          },
        });
        if (!details || prefersJson(session.event)) throw error;
        return showSubscribers(session, { email: '', status: '' }, { values: body, errors: details });
      }
    },
    { body: 'form', post: true },
  );

  const SubscriberQuery = z.object({ done: Done, history: z.string().max(2000).optional() });

  async function showSubscriber(
    session: Session,
    id: string,
    query: z.output<typeof SubscriberQuery>,
    edit?: { values: { topics: ReadonlySet<string>; level: string }; errors: ErrorDetail[] },
  ): Promise<HttpResult> {
    const { api } = session;
    const [viewer, subscriber, history, catalog] = await Promise.all([
      session.viewer(),
      api.getSubscriber(id),
      api.deliveries(id, query.history, 50),
      api.catalog(),
    ]);
    // The incidents the history is about, for their names and updates; one that cannot be read shows its id.
    const incidentIds = [...new Set(history.items.map((d) => d.incidentId))].slice(0, 10);
    const [suppression, reports] = await Promise.all([
      api.suppression(subscriber.email),
      Promise.all(incidentIds.map((incidentId) => api.incident(incidentId).catch(() => undefined))),
    ]);
    const incidents = new Map<string, IncidentReport>();
    reports.forEach((report, index) => {
      if (report) incidents.set(incidentIds[index] ?? '', report);
    });
    const notice = query.done ? NOTICES[query.done] : undefined;
    return respond(
      session.event,
      { subscriber, suppression: suppression ?? null, deliveries: history },
      () =>
        subscriberPage({
          viewer,
          subscriber,
          catalog,
          deliveries: history.items,
          ...(history.cursor ? { deliveriesCursor: history.cursor } : {}),
          incidents,
          ...(suppression ? { suppression } : {}),
          ...(notice ? { notice } : {}),
          ...(edit ? { values: edit.values, errors: edit.errors } : {}),
        }),
      edit ? 400 : 200,
    );
  }

  const changeSubscriber = route(
    z.object({
      path: Id,
      body: z.object({
        csrf: Csrf,
        action: z.enum(['save', 'suppress', 'lift'], {
          error: 'The form asked for something the console does not do',
        }),
        topic: formValues,
        level: z.string().max(20).default('all'),
      }),
    }),
    async ({ path, body }, session) => {
      const back = (done: string) =>
        prefersJson(session.event)
          ? json(200, { done })
          : redirect(`/console/subscribers/${encodeURIComponent(path.id)}?done=${done}`);
      if (body.action !== 'save') {
        const { email } = await session.api.getSubscriber(path.id);
        if (body.action === 'suppress') {
          await session.api.suppress(email, 'suppressed in the support console');
          return back('suppressed');
        }
        try {
          await session.api.liftSuppression(email);
        } catch (error) {
          // Lifted in the meantime (another tab, a colleague): the result is what was asked for.
          if (!(error instanceof AdminApiError && error.status === 404)) throw error;
        }
        return back('lifted');
      }
      const errors: ErrorDetail[] = [];
      const topics = topicsFromKeys(
        body.topic,
        errors,
        'Choose at least one topic: to stop all mail, suppress the address or remove the subscriber',
      );
      const level = NotificationLevel.safeParse(body.level);
      if (!level.success) errors.push({ path: 'level', message: 'Choose how often' });
      try {
        if (errors.length) throw new AppError('VALIDATION', errors[0]?.message ?? 'invalid', errors);
        await session.api.changeSubscriber(path.id, { topics, level: level.data ?? 'all' });
        return back('saved');
      } catch (error) {
        const details = formProblems(error, {});
        if (!details || prefersJson(session.event)) throw error;
        return showSubscriber(
          session,
          path.id,
          {},
          {
            values: { topics: new Set(body.topic), level: body.level },
            errors: details,
          },
        );
      }
    },
    { body: 'form', post: true },
  );

  // ---- suppressions ------------------------------------------------------------------------------------

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
    const notice = query.done ? NOTICES[query.done] : undefined;
    return respond(
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

  const changeSuppressions = route(
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
    { body: 'form', post: true },
  );

  // ---- import and export -------------------------------------------------------------------------------

  const ImportForm = z.object({
    csrf: Csrf,
    mode: z.enum(['check', 'import'], { error: 'Press Check file or Import' }).default('check'),
    file: z.string().default(''),
  });
  const importFile = route(
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
        return html(400, importPage({ viewer, errors: [{ path: 'file', message }] }));
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
          return fileProblem(sentence(error.message));
        }
        throw error;
      }
      return respond(session.event, report, () => importPage({ viewer, report }));
    },
    { body: 'form-or-text', post: true },
  );

  const MAX_EXPORT_BYTES = 5 * 1024 * 1024; // under Lambda's 6 MB response limit
  const exportCsv = route(z.object({}), async (_, { api }) => {
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

  // ---- incidents ---------------------------------------------------------------------------------------

  const lookupIncident = route(
    z.object({
      query: z
        .object({ id: z.string().max(300, 'An incident id is shorter than that').default('') })
        .default({ id: '' }),
    }),
    async ({ query }, session) => {
      const viewer = await session.viewer();
      const id = query.id.trim();
      if (!id) return html(200, incidentLookupPage({ viewer }));
      // Statuspage's own id is what support people have; the notifier's id adds the source and the page.
      const candidates = id.includes(':')
        ? [id]
        : (await session.api.catalog()).pages.flatMap((p) => [
            `statuspage:${p.id}:${id}`,
            `api:${p.id}:${id}`,
          ]);
      for (const candidate of candidates) {
        try {
          await session.api.incident(candidate);
          return redirect(`/console/incidents/${encodeURIComponent(candidate)}`);
        } catch (error) {
          if (!(error instanceof AdminApiError && error.status === 404)) throw error;
        }
      }
      const message = `No incident ${id} here: check the id, or the incident has not reached the notifier`;
      if (prefersJson(session.event)) throw new AppError('NOT_FOUND', message);
      return html(404, incidentLookupPage({ viewer, id, errors: [{ path: 'id', message }] }));
    },
  );

  return [
    {
      method: 'GET',
      path: '/console',
      handler: httpHandler(
        {
          input: z.object({ query: z.object({ 'signed-out': z.string().optional() }).default({}) }),
          pages: consoleErrorPage,
        },
        async ({ query }, event) =>
          cookieOf(event, COOKIE)
            ? redirect('/console/subscribers')
            : html(200, signInPage(query['signed-out'] ? { notice: 'You are signed out.' } : {})),
      ),
    },
    { method: 'POST', path: '/console/sign-in', handler: signInRoute },
    { method: 'POST', path: '/console/sign-out', handler: signOut },
    {
      method: 'GET',
      path: '/console/subscribers',
      handler: route(
        z.object({ query: SearchQuery.default({ email: '', status: '' }) }),
        ({ query }, session) => showSubscribers(session, query),
      ),
    },
    { method: 'POST', path: '/console/subscribers', handler: addSubscriber },
    {
      method: 'GET',
      path: '/console/subscribers/{id}',
      handler: route(z.object({ path: Id, query: SubscriberQuery.default({}) }), ({ path, query }, session) =>
        showSubscriber(session, path.id, query),
      ),
    },
    { method: 'POST', path: '/console/subscribers/{id}', handler: changeSubscriber },
    {
      method: 'GET',
      path: '/console/subscribers/{id}/remove',
      handler: route(z.object({ path: Id }), async ({ path }, session) => {
        const [viewer, subscriber] = await Promise.all([
          session.viewer(),
          session.api.getSubscriber(path.id),
        ]);
        if (!viewer.canWrite) throw new AppError('FORBIDDEN', READ_ONLY);
        return respond(session.event, subscriber, () => removePage({ viewer, subscriber }));
      }),
    },
    {
      method: 'POST',
      path: '/console/subscribers/{id}/remove',
      handler: route(
        z.object({ path: Id, body: z.object({ csrf: Csrf }) }),
        async ({ path }, session) => {
          const erased = await session.api.eraseSubscriber(path.id);
          return prefersJson(session.event)
            ? json(200, erased)
            : redirect('/console/subscribers?done=removed');
        },
        { body: 'form', post: true },
      ),
    },
    {
      method: 'GET',
      path: '/console/suppressions',
      handler: route(z.object({ query: SuppressionsQuery.default({}) }), ({ query }, session) =>
        showSuppressions(session, query),
      ),
    },
    { method: 'POST', path: '/console/suppressions', handler: changeSuppressions },
    {
      method: 'GET',
      path: '/console/import',
      handler: route(z.object({}), async (_, session) =>
        html(200, importPage({ viewer: await session.viewer() })),
      ),
    },
    { method: 'POST', path: '/console/import', handler: importFile },
    { method: 'GET', path: '/console/export', handler: exportCsv },
    { method: 'GET', path: '/console/incidents', handler: lookupIncident },
    {
      method: 'GET',
      path: '/console/incidents/{id}',
      handler: route(z.object({ path: Id }), async ({ path }, session) => {
        const [viewer, report, catalog] = await Promise.all([
          session.viewer(),
          session.api.incident(path.id),
          session.api.catalog(),
        ]);
        const pageName = catalog.pages.find((p) => p.id === report.incident.pageId)?.name;
        return respond(session.event, report, () =>
          incidentPage({ viewer, report, ...(pageName ? { pageName } : {}) }),
        );
      }),
    },
    {
      method: 'GET',
      path: '/console/{proxy+}',
      handler: httpHandler({ input: z.object({}), pages: consoleErrorPage }, async () => {
        throw new AppError('NOT_FOUND', 'There is no console page at this address.');
      }),
    },
  ];
}

/** Checkbox values are topic keys; none ticked, or one that is not a key, is a message on the tree. */
function topicsFromKeys(keys: readonly string[], errors: ErrorDetail[], noneMessage: string) {
  const topics = keys.map(topicInputFromKey);
  if (keys.length === 0) errors.push({ path: 'topics', message: noneMessage });
  else if (topics.some((t) => !t)) {
    errors.push({ path: 'topics', message: 'One of the choices is not a topic any more: choose again' });
  }
  return topics.flatMap((t) => (t ? [t] : []));
}

/**
 * The field messages of a refused form: the console's own checks, and the API's validation (its field
 * paths are the form's) or conflict. Undefined for anything else, which becomes an error page.
 */
function formProblems(
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

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The admin API's refusal, said for a person at the console. */
function inWords(error: AdminApiError): AppError {
  const message = sentence(error.message);
  switch (error.status) {
    case 400:
      return new AppError('VALIDATION', `The admin API did not accept this: ${error.message}`, error.details);
    case 403:
      return new AppError('FORBIDDEN', /write scope/.test(error.message) ? READ_ONLY : message);
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
