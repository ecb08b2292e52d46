import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type PageView, pageView } from '../domain/catalog';
import { ChannelType } from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import { WEBHOOK_LIMITS } from '../domain/statuspage';
import { isTimeZone } from '../domain/time-zone';
import * as z from '../domain/zod';
import { AppError, parseWith } from '../errors';
import { formField, formValue, formValues } from '../http/request';
import { html, json, type PageOptions, prefersJson } from '../http/respond';
import { chosenTopics } from '../http/topic-form';
import { errorPage } from '../templates/pages/message';
import { checkEndpointPage, checkInboxPage, pageListPage, subscribePage } from '../templates/pages/subscribe';
import { EndpointSubscribeInput, requestEndpointSubscription } from '../usecases/endpoint-subscribers';
import { type FollowDeps, openIncidents } from '../usecases/follow';
import { requestSubscription, SubscribeInput } from '../usecases/self-service';
import { pageRoute } from './page-route';
import type { HttpRouteHandler } from './route';

/*
 * The subscribe form, on its own page or framed by the page owner's site (/subscribe/embed). It posts to
 * the same use-case as POST /v1/subscriptions, with its validation: a mistake comes back on the form (or as
 * the API's JSON when asked for), and the answer is "check your inbox" whatever the address's state.
 */

const PageQuery = z.object({ query: z._default(z.object({ page: formValue }), { page: undefined }) });
const SubscribeForm = z.object({
  page: z.pipe(formValue, z.string({ error: 'the form names no status page' }).check(z.minLength(1))),
  email: formField((email) => email ?? ''),
  channel: formValue,
  webhookUrl: formField((url) => url ?? ''),
  slackUrl: formValue,
  teamsUrl: formValue,
  discordUrl: formValue,
  googlechatUrl: formValue,
  ownerEmail: formField((email) => email ?? ''),
  format: formValue,
  topic: formValues,
  level: formValue,
  embed: formValue,
  timeZone: formValue,
});

/** An endpoint's form fields named as the API's (`channel.url`), for the form's own names. */
const endpointFields = (type: ChannelType): Record<string, string> => ({
  'channel.url': `${type}Url`,
  'channel.format': 'format',
  ownerEmail: 'ownerEmail',
});

export function subscribePageRoutes(
  deps: FollowDeps & Parameters<typeof requestEndpointSubscription>[0],
  options: { embedOrigins: readonly string[] },
): HttpRouteHandler[] {
  const framing = (embed: boolean): PageOptions => (embed ? { frameAncestors: options.embedOrigins } : {});

  async function knownPage(pageId: string): Promise<PageView> {
    // No page id is longer than the webhook's ids: a longer one is not looked up (nor is it a valid key).
    const view =
      pageId.length <= WEBHOOK_LIMITS.idLength ? pageView(await deps.catalog.getPage(pageId)) : undefined;
    if (!view) throw new AppError('NOT_FOUND', 'There is no status page with that name here.');
    return view;
  }

  /** Answers a page, or a mistake as a page that keeps to the frame when embedded (JSON when asked for). */
  async function answer(
    embed: boolean,
    event: APIGatewayProxyEventV2,
    render: () => Promise<string>,
    status = 200,
  ) {
    try {
      return html(status, await render(), framing(embed));
    } catch (error) {
      if (!embed || prefersJson(event) || !(error instanceof AppError) || error.code !== 'NOT_FOUND')
        throw error;
      return html(404, errorPage(404, error.message, [], { embed }), framing(embed));
    }
  }

  const showForm = (embed: boolean) =>
    pageRoute(PageQuery, ({ query }, event) =>
      answer(embed, event, async () => {
        let pageId = query.page;
        if (!pageId) {
          const pages = (await deps.catalog.listPages()).flatMap((p) => pageView(p) ?? []);
          if (pages.length !== 1) return pageListPage(pages, embed);
          pageId = pages[0]?.id ?? '';
        }
        const values = { email: '', topics: new Set<string>(), level: 'all' };
        const page = await knownPage(pageId);
        // An embedded form shows no list: it lives on the page owner's site, in a frame.
        const open = embed ? [] : await openIncidents(deps, page.id);
        return subscribePage({
          page,
          values,
          errors: [],
          embed,
          openIncidents: open,
          feedsBaseUrl: deps.config.publicBaseUrl,
        });
      }),
    );

  const subscribe = pageRoute(
    z.object({ body: SubscribeForm }),
    async ({ body }, event) => {
      const embed = body.embed === '1';
      const view = await knownPage(body.page);
      const type = ChannelType.safeParse(body.channel).data;
      const url =
        (type === 'webhook' ? body.webhookUrl : type ? body[`${type}Url`] : undefined)?.trim() ?? '';
      try {
        const common = {
          topics: chosenTopics([view], body.topic),
          level: body.level ?? 'all',
          // The script's guess: a zone this runtime does not know is left out, never a refusal.
          ...(body.timeZone && isTimeZone(body.timeZone) ? { timeZone: body.timeZone } : {}),
        };
        const ip = event.requestContext.http.sourceIp;
        if (type) {
          const input = parseWith(EndpointSubscribeInput, {
            ...common,
            channel: type === 'webhook' ? { type, url, format: body.format ?? 'v1' } : { type, url },
            ownerEmail: body.ownerEmail.trim(),
          });
          await requestEndpointSubscription(deps, input, ip);
        } else {
          await requestSubscription(
            deps,
            parseWith(SubscribeInput, { ...common, email: body.email.trim() }),
            ip,
          );
        }
      } catch (error) {
        if (prefersJson(event) || !(error instanceof AppError)) throw error;
        if (error.code === 'VALIDATION') {
          const values = {
            email: body.email,
            topics: new Set(body.topic),
            level: body.level ?? 'all',
            channel: type ?? 'email',
            webhookUrl: body.webhookUrl,
            ...(type && type !== 'webhook' ? { [`${type}Url`]: url } : {}),
            ownerEmail: body.ownerEmail,
            ...(body.format ? { format: body.format } : {}),
          };
          const named = type ? endpointFields(type) : {};
          const errors = error.details.map((d) => ({ ...d, path: named[d.path] ?? d.path }));
          const page = subscribePage({
            page: view,
            values,
            errors,
            embed,
            feedsBaseUrl: deps.config.publicBaseUrl,
          });
          return html(400, page, framing(embed));
        }
        if (error.code !== 'RATE_LIMITED') throw error;
        return html(429, errorPage(429, error.message, [], { embed }), {
          ...framing(embed),
          headers: { 'retry-after': String(error.retryAfterSeconds ?? 60) },
        });
      }
      if (prefersJson(event)) return json(202, { status: 'accepted' });
      const done = type
        ? checkEndpointPage({ endpoint: maskedEndpoint(url), type, page: view, embed })
        : checkInboxPage({ email: body.email.trim(), page: view, embed });
      return html(200, done, framing(embed));
    },
    'form',
  );

  return [
    { method: 'GET', path: '/subscribe', handler: showForm(false) },
    { method: 'GET', path: '/subscribe/embed', handler: showForm(true) },
    { method: 'POST', path: '/subscribe', handler: subscribe },
  ];
}
