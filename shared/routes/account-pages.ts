import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { AppError } from '../errors';
import { httpHandler } from '../http/handler';
import { formValues } from '../http/request';
import { type HttpResult, html, json, type PageOptions, prefersJson } from '../http/respond';
import { topicsFromForm } from '../http/topic-form';
import { actionPage, errorPage, messagePage } from '../templates/pages/message';
import { type PreferencesPageInput, preferencesPage } from '../templates/pages/preferences';
import { checkInboxPage, pageListPage, subscribePage } from '../templates/pages/subscribe';
import { pageView, pageViews } from '../usecases/catalog';
import {
  confirmSubscription,
  getPreferences,
  inspectLink,
  MESSAGES,
  PreferencesUpdate,
  requestSubscription,
  resubscribe,
  type SelfServiceDeps,
  SubscribeInput,
  unsubscribe,
  updatePreferences,
} from '../usecases/self-service';
import type { HttpRouteHandler } from './route';

/*
 * The customer's pages: subscribe (also embeddable), and the pages behind the links in mail: confirm,
 * unsubscribe, preferences. Forms post to the same use-cases as the JSON API and share its validation;
 * a form with errors comes back with them on it, and a client that asks for JSON gets the API's answer.
 */

export interface AccountPagesOptions {
  /** Origins allowed to frame the subscribe form (the page owner's site). */
  embedOrigins: readonly string[];
}

const Token = z.object({
  query: z.object({
    token: z.string({ error: 'this link is incomplete: open the whole link from the email' }).min(1).max(300),
  }),
});
const SubscribeForm = z.object({
  page: z.string({ error: 'the form names no status page' }).min(1),
  email: z.string().default(''),
  topic: formValues,
  level: z.string().optional(),
  embed: z.string().optional(),
});
const PreferencesForm = z.object({
  action: z.enum(['save', 'resubscribe']).optional(),
  remove: z.string().optional(),
  topic: formValues,
  level: z.string().optional(),
});

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.fromZod(parsed.error);
  return parsed.data;
}

const isValidation = (error: unknown): error is AppError =>
  error instanceof AppError && error.code === 'VALIDATION';

const linkPath = (path: string, token: string) => `${path}?token=${encodeURIComponent(token)}`;

export function accountPageRoutes(deps: SelfServiceDeps, options: AccountPagesOptions): HttpRouteHandler[] {
  const framing = (embed: boolean): PageOptions => (embed ? { frameAncestors: options.embedOrigins } : {});
  const page = <S extends z.ZodType>(
    input: S,
    run: (input: z.output<S>, event: APIGatewayProxyEventV2) => Promise<HttpResult>,
    body?: 'form' | 'ignore',
  ) => httpHandler({ input, pages: errorPage, ...(body ? { body } : {}) }, run);

  async function knownPage(pageId: string) {
    const view = pageView(await deps.catalog.getPage(pageId));
    if (!view) throw new AppError('NOT_FOUND', 'There is no status page with that name here.');
    return view;
  }

  async function showSubscribe(pageId: string | undefined, embed: boolean) {
    if (!pageId) {
      const pages = (await deps.catalog.listPages()).flatMap((p) => pageView(p) ?? []);
      if (pages.length !== 1 || embed) return html(200, pageListPage(pages), framing(embed));
      pageId = pages[0]?.id ?? '';
    }
    const view = await knownPage(pageId);
    const values = { email: '', topics: new Set<string>(), level: 'all' };
    return html(200, subscribePage({ page: view, values, errors: [], embed }), framing(embed));
  }

  /** The status page a link's subscriber follows, to name the page in its masthead. */
  const brand = async (pageIds: readonly string[]) => {
    const [first] = await pageViews(deps, pageIds.slice(0, 1));
    return first ? { brand: first.name } : {};
  };

  const Page = z.object({ query: z.object({ page: z.string().min(1).optional() }).default({}) });

  const subscribe = page(
    z.object({ body: SubscribeForm }),
    async ({ body }, event) => {
      const embed = body.embed === '1';
      const view = await knownPage(body.page);
      try {
        const input = parseWith(SubscribeInput, {
          email: body.email.trim(),
          topics: topicsFromForm(body.topic),
          level: body.level ?? 'all',
        });
        await requestSubscription(deps, input, event.requestContext.http.sourceIp);
      } catch (error) {
        if (prefersJson(event) || !(error instanceof AppError)) throw error;
        const values = { email: body.email, topics: new Set(body.topic), level: body.level ?? 'all' };
        return error.code === 'VALIDATION'
          ? html(400, subscribePage({ page: view, values, errors: error.details, embed }), framing(embed))
          : html(429, errorPage(429, error.message), {
              ...framing(embed),
              headers: { 'retry-after': String(error.retryAfterSeconds ?? 60) },
            });
      }
      if (prefersJson(event)) return json(202, { status: 'accepted' });
      return html(200, checkInboxPage({ email: body.email.trim(), page: view, embed }), framing(embed));
    },
    'form',
  );

  async function showPreferences(
    token: string,
    extra: Pick<PreferencesPageInput, 'changes' | 'errors' | 'values'> = {},
    status = 200,
  ) {
    const view = await getPreferences(deps, token);
    const pages = await pageViews(
      deps,
      view.topics.map((t) => t.pageId),
    );
    return html(
      status,
      preferencesPage({
        email: view.email,
        status: view.status,
        level: view.level,
        topics: view.topics.map((t, i) => ({ key: t.key, label: view.labels[i] ?? t.key })),
        pages,
        action: linkPath('/v1/preferences', token),
        unsubscribeAction: linkPath('/v1/unsubscribe', token),
        ...extra,
      }),
    );
  }

  const savePreferences = page(
    Token.extend({ body: PreferencesForm }),
    async ({ query, body }, event) => {
      if (body.action === 'resubscribe') {
        const done = await resubscribe(deps, query.token, event.requestContext.http.sourceIp);
        return html(200, checkInboxPage({ email: done.email, embed: false }));
      }
      let update: PreferencesUpdate;
      try {
        update = body.remove
          ? { removeTopics: [body.remove] }
          : parseWith(PreferencesUpdate, {
              topics: topicsFromForm(body.topic),
              ...(body.level ? { level: body.level } : {}),
            });
        if (!body.remove && body.topic.length === 0) {
          throw new AppError('VALIDATION', MESSAGES.noTopics, [
            { path: 'topics', message: `${MESSAGES.noTopics}, or unsubscribe from everything below` },
          ]);
        }
        const saved = await updatePreferences(deps, query.token, update);
        return await showPreferences(query.token, { changes: saved.changes });
      } catch (error) {
        if (prefersJson(event) || !isValidation(error)) throw error;
        const values = { topics: new Set(body.topic), level: body.level ?? 'all' };
        return showPreferences(query.token, { errors: error.details, values }, 400);
      }
    },
    'form',
  );

  return [
    {
      method: 'GET',
      path: '/subscribe',
      handler: page(Page, ({ query }) => showSubscribe(query.page, false)),
    },
    {
      method: 'GET',
      path: '/subscribe/embed',
      handler: page(Page, ({ query }) => showSubscribe(query.page, true)),
    },
    { method: 'POST', path: '/subscribe', handler: subscribe },
    {
      method: 'GET',
      path: '/v1/confirm',
      handler: page(Token, async ({ query }) => {
        const link = await inspectLink(deps, query.token, 'confirm');
        return html(
          200,
          actionPage({
            ...(await brand(link.pageIds)),
            title: 'Confirm your subscription',
            message: `Start sending status updates to ${link.email}?`,
            action: linkPath('/v1/confirm', query.token),
            button: 'Confirm subscription',
          }),
        );
      }),
    },
    {
      method: 'POST',
      path: '/v1/confirm',
      handler: page(
        Token,
        async ({ query }) => {
          const done = await confirmSubscription(deps, query.token);
          return html(
            200,
            messagePage({
              ...(await brand(done.pageIds)),
              title: 'Subscription confirmed',
              message: `Status updates about ${done.topics.join(', ')} will go to ${done.email}.`,
              links: [{ href: relative(done.preferencesUrl), label: 'Manage preferences' }],
            }),
          );
        },
        'ignore',
      ),
    },
    {
      method: 'GET',
      path: '/v1/unsubscribe',
      handler: page(Token, async ({ query }) => {
        const link = await inspectLink(deps, query.token, 'manage');
        return html(
          200,
          actionPage({
            ...(await brand(link.pageIds)),
            title: 'Unsubscribe',
            message: `Stop all status updates to ${link.email}?`,
            action: linkPath('/v1/unsubscribe', query.token),
            button: 'Unsubscribe',
            hint: 'You can subscribe again at any time.',
          }),
        );
      }),
    },
    {
      // RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click`; the page's button posts an empty form.
      method: 'POST',
      path: '/v1/unsubscribe',
      handler: page(
        Token,
        async ({ query }) => {
          const done = await unsubscribe(deps, query.token);
          const again =
            done.pageIds.length === 1
              ? `/subscribe?page=${encodeURIComponent(done.pageIds[0] ?? '')}`
              : '/subscribe';
          return html(
            200,
            messagePage({
              ...(await brand(done.pageIds)),
              title: 'You are unsubscribed',
              message: `${done.email} will get no more status updates.`,
              links: [
                { href: linkPath('/v1/preferences', query.token), label: 'Subscribe again' },
                { href: again, label: 'Subscribe another address', secondary: true },
              ],
            }),
          );
        },
        'ignore',
      ),
    },
    {
      method: 'GET',
      path: '/v1/preferences',
      handler: page(Token, async ({ query }, event) =>
        prefersJson(event) || !(event.headers?.accept ?? '').includes('text/html')
          ? json(200, await getPreferences(deps, query.token))
          : showPreferences(query.token),
      ),
    },
    { method: 'POST', path: '/v1/preferences', handler: savePreferences },
  ];
}

/** Links in pages stay on this origin: the path and query of an absolute link made for mail. */
function relative(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
