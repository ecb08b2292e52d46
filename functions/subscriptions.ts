import middy from '@middy/core';
import httpRouter from '@middy/http-router';
import { DynamoRateLimiter } from '../shared/adapters/dynamo/admin-records';
import { DynamoCatalog } from '../shared/adapters/dynamo/catalog';
import { createDocumentClient } from '../shared/adapters/dynamo/client';
import { DynamoDeliveries } from '../shared/adapters/dynamo/deliveries';
import { DynamoEndpoints } from '../shared/adapters/dynamo/endpoints';
import { DynamoIncidents } from '../shared/adapters/dynamo/incidents';
import { DynamoSubscribers } from '../shared/adapters/dynamo/subscribers';
import { DynamoSuppressions } from '../shared/adapters/dynamo/suppressions';
import { EndpointClient } from '../shared/adapters/endpoint-client';
import { lazySesClient, SesMailer } from '../shared/adapters/ses/mailer';
import { addressOrChannel } from '../shared/domain/endpoint';
import * as z from '../shared/domain/zod';
import { FUNCTION_ENV } from '../shared/function-env';
import { httpErrors } from '../shared/http/errors';
import { httpHandler } from '../shared/http/handler';
import { json } from '../shared/http/respond';
import { systemClock } from '../shared/ports';
import { followPageRoutes } from '../shared/routes/follow-pages';
import { linkPageRoutes } from '../shared/routes/link-pages';
import { subscribePageRoutes } from '../shared/routes/subscribe-pages';
import { loadConfig } from '../shared/secrets';
import { errorPage } from '../shared/templates/pages/message';
import { EndpointSubscribeInput, requestEndpointSubscription } from '../shared/usecases/endpoint-subscribers';
import {
  PreferencesUpdate,
  requestSubscription,
  SubscribeInput,
  updatePreferences,
} from '../shared/usecases/self-service';

const env = await loadConfig(FUNCTION_ENV.subscriptions);
const db = createDocumentClient();
const deps = {
  subscribers: new DynamoSubscribers(db, env.SUBSCRIBERS_TABLE),
  catalog: new DynamoCatalog(db, env.CATALOG_TABLE),
  incidents: new DynamoIncidents(db, env.INCIDENTS_TABLE),
  rateLimiter: new DynamoRateLimiter(db, env.SUBSCRIBERS_TABLE),
  suppressions: new DynamoSuppressions(db, env.SUBSCRIBERS_TABLE),
  mailer: new SesMailer(lazySesClient(), {
    from: env.MAIL_FROM,
    ...(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}),
  }),
  endpoints: new DynamoEndpoints(db, env.SUBSCRIBERS_TABLE, env.CHANNEL_SEALING_SECRET),
  deliveries: new DynamoDeliveries(db, env.DELIVERIES_TABLE),
  poster: new EndpointClient({ allowLoopback: env.CHANNELS_ALLOW_LOOPBACK }),
  clock: systemClock,
  config: {
    publicBaseUrl: env.PUBLIC_BASE_URL,
    linkSigningSecret: env.LINK_SIGNING_SECRET,
    limits: { perIp: env.SUBSCRIBE_LIMIT_PER_IP, perAddress: env.SUBSCRIBE_LIMIT_PER_ADDRESS },
  },
};

/** An address, or a webhook (`channel`), told apart by `channel`. */
const NewSubscription = addressOrChannel(SubscribeInput, EndpointSubscribeInput);

const subscribe = httpHandler({ input: z.object({ body: NewSubscription }) }, async ({ body }, event) => {
  const ip = event.requestContext.http.sourceIp;
  if ('channel' in body) await requestEndpointSubscription(deps, body, ip);
  else await requestSubscription(deps, body, ip);
  // The same answer whatever the address's state: no enumeration.
  return json(202, {
    status: 'accepted',
    message:
      'channel' in body
        ? 'If the webhook can be subscribed, a verification event is on its way to it, and a mail to its owner.'
        : 'If the address can be subscribed, a mail is on its way to it.',
  });
});

const changePreferences = httpHandler(
  {
    input: z.object({
      query: z.object({ token: z.string().check(z.minLength(1), z.maxLength(300)) }),
      body: PreferencesUpdate,
    }),
  },
  async ({ query, body }) => json(200, await updatePreferences(deps, query.token, body)),
);

/**
 * Customers: the JSON API (subscribe, follow one incident, change preferences) and the pages for people
 * (the subscribe form, following an incident, confirm, unsubscribe including RFC 8058 one-click,
 * preferences). No login: links carry tokens.
 */
export const handler = middy()
  .use(httpErrors({ pages: errorPage }))
  .handler(
    httpRouter([
      { method: 'POST', path: '/v1/subscriptions', handler: subscribe },
      { method: 'PUT', path: '/v1/preferences', handler: changePreferences },
      ...subscribePageRoutes(deps, { embedOrigins: env.SUBSCRIBE_EMBED_ORIGINS }),
      ...linkPageRoutes(deps),
      ...followPageRoutes(deps),
    ]),
  );
