import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { z } from 'zod';
import { functionSpecs } from '../infra/functions';
import { DynamoRateLimiter } from '../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { SesMailer } from '../shared/adapters/ses/mailer';
import { AppError } from '../shared/errors';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { type HttpResult, html, json } from '../shared/http/respond';
import { systemClock } from '../shared/ports';
import { loadConfig } from '../shared/secrets';
import { actionPage, messagePage, preferencesPage } from '../shared/templates/account';
import {
  confirmSubscription,
  getPreferences,
  inspectLink,
  PreferencesUpdate,
  requestSubscription,
  SubscribeInput,
  unsubscribe,
  updatePreferences,
} from '../shared/usecases/self-service';

const env = await loadConfig(functionSpecs.subscriptions.env);
const db = createDocumentClient();
const deps = {
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  rateLimiter: new DynamoRateLimiter(db, env.SUBSCRIBERS_TABLE),
  suppressions: new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE),
  mailer: new SesMailer(new SESv2Client({}), {
    from: env.MAIL_FROM,
    ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
  }),
  clock: systemClock,
  config: {
    publicBaseUrl: env.PUBLIC_BASE_URL,
    linkSigningSecret: env.LINK_SIGNING_SECRET,
    limits: { perIp: env.SUBSCRIBE_LIMIT_PER_IP, perAddress: env.SUBSCRIBE_LIMIT_PER_ADDRESS },
  },
};

const Token = z.object({ query: z.object({ token: z.string().min(1).max(300) }) });
const here = (path: string, token: string) =>
  `${env.PUBLIC_BASE_URL}${path}?token=${encodeURIComponent(token)}`;

/** Pages for people answer errors as pages too: an expired link is a sentence, not JSON. */
async function page(render: () => Promise<HttpResult>): Promise<HttpResult> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') {
      return html(404, messagePage('This link does not work', error.message));
    }
    throw error;
  }
}

const subscribe = httpHandler({ input: z.object({ body: SubscribeInput }) }, async ({ body }, event) => {
  await requestSubscription(deps, body, event.requestContext.http.sourceIp);
  // The same answer whatever the address's state: no enumeration.
  return json(202, {
    status: 'accepted',
    message: 'If the address can be subscribed, a mail is on its way to it.',
  });
});

const confirmPage = httpHandler({ input: Token }, ({ query }) =>
  page(async () => {
    const link = await inspectLink(deps, query.token, 'confirm');
    const action = here('/v1/confirm', query.token);
    return html(
      200,
      actionPage({
        title: 'Confirm your subscription',
        message: `Subscribe ${link.email} to status updates?`,
        action,
        button: 'Confirm subscription',
      }),
    );
  }),
);

const confirm = httpHandler({ input: Token, body: 'ignore' }, ({ query }) =>
  page(async () => {
    const done = await confirmSubscription(deps, query.token);
    return html(
      200,
      messagePage('Subscription confirmed', `${done.email} will now receive status updates.`, {
        href: done.preferencesUrl,
        label: 'Manage preferences',
      }),
    );
  }),
);

const unsubscribePage = httpHandler({ input: Token }, ({ query }) =>
  page(async () => {
    const link = await inspectLink(deps, query.token, 'manage');
    const action = here('/v1/unsubscribe', query.token);
    return html(
      200,
      actionPage({
        title: 'Unsubscribe',
        message: `Stop all status updates to ${link.email}?`,
        action,
        button: 'Unsubscribe',
      }),
    );
  }),
);

// RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click`; the page's button posts an empty form.
const unsubscribeNow = httpHandler({ input: Token, body: 'ignore' }, ({ query }) =>
  page(async () => {
    const done = await unsubscribe(deps, query.token);
    return html(200, messagePage('Unsubscribed', `${done.email} will receive no more status updates.`));
  }),
);

const preferences = httpHandler({ input: Token }, async ({ query }, event) => {
  if (!(event.headers?.accept ?? '').includes('text/html'))
    return json(200, await getPreferences(deps, query.token));
  return page(async () => {
    const view = await getPreferences(deps, query.token);
    const unsubscribeAction = here('/v1/unsubscribe', query.token);
    return html(200, preferencesPage({ ...view, topics: view.labels, unsubscribeAction }));
  });
});

const changePreferences = httpHandler(
  { input: Token.extend({ body: PreferencesUpdate }) },
  async ({ query, body }) => json(200, await updatePreferences(deps, query.token, body)),
);

/** The public API for customers: subscribe, confirm, preferences, one-click unsubscribe. No login: links carry tokens. */
export const handler = middy()
  .use(httpErrors())
  .handler(
    httpRouter([
      { method: 'POST', path: '/v1/subscriptions', handler: subscribe },
      { method: 'GET', path: '/v1/confirm', handler: confirmPage },
      { method: 'POST', path: '/v1/confirm', handler: confirm },
      { method: 'GET', path: '/v1/unsubscribe', handler: unsubscribePage },
      { method: 'POST', path: '/v1/unsubscribe', handler: unsubscribeNow },
      { method: 'GET', path: '/v1/preferences', handler: preferences },
      { method: 'PUT', path: '/v1/preferences', handler: changePreferences },
    ]),
  );
