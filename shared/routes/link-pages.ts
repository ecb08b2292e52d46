import { PLATFORM_NAMES } from '../domain/chat-url';
import { MESSAGES } from '../domain/form-messages';
import * as z from '../domain/zod';
import { AppError, parseWith } from '../errors';
import { formValue, formValues } from '../http/request';
import { html, json, prefersJson } from '../http/respond';
import { chosenTopics } from '../http/topic-form';
import { actionPage, messagePage, signingSecretBlock } from '../templates/pages/message';
import { type PreferencesPageInput, preferencesPage } from '../templates/pages/preferences';
import { checkInboxPage } from '../templates/pages/subscribe';
import { pageViews } from '../usecases/catalog';
import {
  type EndpointManageDeps,
  endpointPanel,
  resumeEndpoint,
  rotateSigningSecret,
  sendTestEvent,
} from '../usecases/endpoint-subscribers';
import {
  confirmSubscription,
  getPreferences,
  inspectLink,
  PreferencesUpdate,
  resubscribe,
  unsubscribe,
  updatePreferences,
} from '../usecases/self-service';
import { pageRoute } from './page-route';
import type { HttpRouteHandler } from './route';

/*
 * The pages behind the links in mail: confirm and unsubscribe (a GET shows a button, the POST acts: mail
 * scanners follow links, they do not press buttons), and preferences with its form. The token in the URL
 * is the only credential; every page is sent with no-referrer so it never leaks.
 */

const Token = z.object({
  query: z.object({
    token: z.pipe(
      formValue,
      z
        .string({ error: 'this link is incomplete: open the whole link from the email' })
        .check(z.minLength(1), z.maxLength(300)),
    ),
  }),
});
const PreferencesForm = z.object({
  action: z.pipe(formValue, z.optional(z.enum(['save', 'resubscribe', 'test', 'resume', 'rotate']))),
  remove: formValue,
  topic: formValues,
  level: formValue,
  timeZone: formValue,
});

const NOT_FOLLOWED = 'You do not follow that any more: it may have been removed already';

const linkPath = (path: string, token: string) => `${path}?token=${encodeURIComponent(token)}`;

/** Links in pages stay on this origin: the path and query of an absolute link made for mail. */
function relative(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

type PreferencesView = Awaited<ReturnType<typeof getPreferences>>;

export function linkPageRoutes(deps: EndpointManageDeps): HttpRouteHandler[] {
  /** The status page a link's subscriber follows, to name the page in its masthead. */
  const brand = async (pageIds: readonly string[]) => {
    const [first] = await pageViews(deps, pageIds.slice(0, 1));
    return first ? { brand: first.name } : {};
  };

  async function showPreferences(
    token: string,
    view: PreferencesView,
    extra: Pick<PreferencesPageInput, 'changes' | 'errors' | 'values' | 'notice' | 'secret'> = {},
    status = 200,
  ) {
    // A webhook's page shows its endpoint, how it fares and its newest deliveries.
    const endpoint =
      view.channel && view.status !== 'unsubscribed' ? await endpointPanel(deps, token) : undefined;
    // A follow's page too: its tree is where a follower can go on to follow components.
    const pages = await pageViews(
      deps,
      [...view.topics, ...view.follows].map((t) => t.pageId),
    );
    const topics = [
      ...view.topics.map((t, i) => ({ key: t.key, label: view.labels[i] ?? t.key })),
      ...view.follows.map((f, i) => ({ key: f.key, label: view.followLabels[i] ?? f.key })),
    ];
    const action = linkPath('/v1/preferences', token);
    const unsubscribeAction = linkPath('/v1/unsubscribe', token);
    return html(
      status,
      preferencesPage({
        ...view,
        topics,
        pages,
        action,
        unsubscribeAction,
        ...(endpoint ? { endpoint } : {}),
        ...extra,
      }),
    );
  }

  /** The saved tree and level as an update; the tree read against what was followed when it was drawn. */
  async function treeUpdate(
    current: PreferencesView,
    sent: readonly string[],
    level: string | undefined,
    timeZone: string | undefined,
  ) {
    const pages = await pageViews(
      deps,
      [...current.topics, ...current.follows].map((t) => t.pageId),
    );
    const topics = chosenTopics(pages, sent, new Set(current.topics.map((t) => t.key)));
    if (topics.length === 0 && current.follows.length === 0) {
      throw new AppError('VALIDATION', MESSAGES.noTopics, [
        { path: 'topics', message: `${MESSAGES.noTopics}, or unsubscribe from everything below` },
      ]);
    }
    return parseWith(PreferencesUpdate, {
      topics,
      level: level ?? current.level,
      ...(timeZone === undefined ? {} : { timeZone }),
    });
  }

  /** Save (the tree and the level), remove one topic, or subscribe again once unsubscribed. */
  const savePreferences = pageRoute(
    z.extend(Token, { body: PreferencesForm }),
    async ({ query, body }, event) => {
      const current = await getPreferences(deps, query.token);
      if (body.action === 'test')
        return showPreferences(query.token, current, { notice: await sendTestEvent(deps, query.token) });
      if (body.action === 'resume') {
        await resumeEndpoint(deps, query.token);
        return showPreferences(query.token, current, {
          notice: 'Resumed: deliveries start again with the next update.',
        });
      }
      if (body.action === 'rotate') {
        const secret = await rotateSigningSecret(deps, query.token);
        return showPreferences(query.token, current, {
          notice: 'A new signing secret signs from now on; the old one signs beside it for 24 hours.',
          secret,
        });
      }
      if (body.action === 'resubscribe') {
        const done = await resubscribe(deps, query.token, event.requestContext.http.sourceIp);
        return html(200, checkInboxPage({ email: done.email, embed: false }));
      }
      try {
        const followed = [...current.topics, ...current.follows];
        if (body.remove && !followed.some((t) => t.key === body.remove)) {
          // A forged or stale button (removed in another tab): nothing to save.
          throw new AppError('VALIDATION', NOT_FOLLOWED, [{ path: 'remove', message: NOT_FOLLOWED }]);
        }
        const update = body.remove
          ? { removeTopics: [body.remove] }
          : await treeUpdate(current, body.topic, body.level, body.timeZone);
        const saved = await updatePreferences(deps, query.token, update);
        return await showPreferences(query.token, saved, { changes: saved.changes });
      } catch (error) {
        if (prefersJson(event) || !(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
        const values = {
          topics: new Set(body.topic),
          level: body.level ?? current.level,
          timeZone: body.timeZone ?? current.timeZone ?? '',
        };
        return showPreferences(query.token, current, { errors: error.details, values }, 400);
      }
    },
    'form',
  );

  return [
    {
      method: 'GET',
      path: '/v1/confirm',
      handler: pageRoute(Token, async ({ query }) => {
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
      handler: pageRoute(
        Token,
        async ({ query }) => {
          const done = await confirmSubscription(deps, query.token);
          const about = done.topics.join(', ');
          return html(
            200,
            messagePage({
              ...(await brand(done.pageIds)),
              title: 'Subscription confirmed',
              message: !done.endpoint
                ? `Status updates about ${about} will go to ${done.email}.`
                : done.channelType && done.channelType !== 'webhook'
                  ? `Status updates about ${about} will be posted in your ${PLATFORM_NAMES[done.channelType]} channel (${done.endpoint}).`
                  : `Status updates about ${about} will be POSTed to ${done.endpoint}, signed per Standard Webhooks.`,
              ...(done.signingSecret ? { details: signingSecretBlock(done.signingSecret) } : {}),
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
      handler: pageRoute(Token, async ({ query }) => {
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
      handler: pageRoute(
        Token,
        async ({ query }) => {
          const done = await unsubscribe(deps, query.token);
          const [onlyPage] = done.pageIds.length === 1 ? done.pageIds : [];
          const again = onlyPage ? `/subscribe?page=${encodeURIComponent(onlyPage)}` : '/subscribe';
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
      handler: pageRoute(Token, async ({ query }, event) => {
        const view = await getPreferences(deps, query.token);
        const browser = !prefersJson(event) && (event.headers?.accept ?? '').includes('text/html');
        return browser ? showPreferences(query.token, view) : json(200, view);
      }),
    },
    { method: 'POST', path: '/v1/preferences', handler: savePreferences },
  ];
}
