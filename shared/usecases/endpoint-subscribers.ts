import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { CreateEndpointSubscriberInput } from '../domain/admin-inputs';
import { endpointKey, HEALTHY, signingSecrets, WebhookChannelInput } from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import { MESSAGES } from '../domain/form-messages';
import { NotificationLevel } from '../domain/levels';
import { createConfirmToken, newNonce } from '../domain/link-tokens';
import { CONFIRM_TOKEN_TTL_HOURS, publicView, type SubscriberRecord } from '../domain/subscriber';
import { TimeZone } from '../domain/time-zone';
import { TopicInput, withoutCovered } from '../domain/topics';
import { plainEventV1 } from '../domain/webhook-events';
import { newSigningSecret, signatureHeaders } from '../domain/webhook-signing';
import { AppError } from '../errors';
import { log } from '../log';
import type { Catalog, Clock, Deliveries, EndpointPoster, Endpoints, Incidents, Subscribers } from '../ports';
import { endpointRegisteredMail } from '../templates/account';
import {
  EmailAddress,
  limitRequests,
  mailQuietly,
  manageLinks,
  type SelfServiceDeps,
  verifiedRecord,
} from './self-service';
import { resolveTopics } from './topics';

export interface EndpointSubscriberDeps {
  subscribers: Pick<Subscribers, 'create'>;
  endpoints: Pick<Endpoints, 'create' | 'remove'>;
  catalog: Catalog;
  poster: Pick<EndpointPoster, 'check'>;
  clock: Clock;
  config: { linkSigningSecret: string };
}

/**
 * Adds a webhook subscriber on support's word: its URL checked as a send would check it (https, a public
 * host whose every address is public), its credentials sealed beside it, confirmed outright. Answers its
 * signing secret, once: it is not shown again.
 */
export async function createEndpointSubscriber(
  deps: EndpointSubscriberDeps,
  input: CreateEndpointSubscriberInput,
) {
  const check = await deps.poster.check(input.channel.url);
  if (!check.ok)
    throw new AppError('VALIDATION', `channel.url ${check.problem}`, [
      { path: 'channel.url', message: check.problem },
    ]);
  const topics = withoutCovered(await resolveTopics(deps.catalog, input.topics));
  const now = deps.clock.now().toISOString();
  const id = randomUUID();
  const url = check.url.href;
  const signingSecret = newSigningSecret();
  const record: SubscriberRecord = {
    id,
    email: input.ownerEmail,
    status: 'confirmed',
    level: input.level,
    topics,
    channel: {
      type: 'webhook',
      format: input.channel.format,
      endpoint: maskedEndpoint(url),
      host: check.url.host,
    },
    endpointKey: endpointKey(url, deps.config.linkSigningSecret),
    createdAt: now,
    confirmedAt: now,
    linkNonce: newNonce(),
    version: 0,
  };
  // The credentials first: a subscriber never exists without them.
  await deps.endpoints.create({
    subscriberId: id,
    url,
    format: input.channel.format,
    secrets: [{ secret: signingSecret, createdAt: now }],
    health: HEALTHY,
  });
  try {
    await deps.subscribers.create(record);
  } catch (error) {
    await deps.endpoints.remove(id);
    if (error instanceof AppError && error.code === 'CONFLICT')
      throw new AppError('CONFLICT', 'this endpoint is subscribed already', [
        { path: 'channel.url', message: 'subscribed already: change that subscriber instead' },
      ]);
    throw error;
  }
  return { ...publicView(record), signingSecret };
}

/** `POST /v1/subscriptions` for a webhook: where to, whose it is, and what it follows. */
export const EndpointSubscribeInput = z.object({
  channel: WebhookChannelInput,
  ownerEmail: EmailAddress,
  topics: z.array(TopicInput).min(1, MESSAGES.noTopics).max(40, MESSAGES.tooManyTopics),
  level: z.enum(NotificationLevel.options, { error: MESSAGES.level }).default('all'),
  timeZone: TimeZone.optional(),
});
export type EndpointSubscribeInput = z.output<typeof EndpointSubscribeInput>;

/**
 * Public subscribe of a webhook. Confirmation proves control of the endpoint: a signed `verification`
 * event carrying the confirm link is POSTed to it, and nothing else is sent before it is confirmed. Its
 * owner gets the management link by mail. Same rate limits as an address, and the same answer whatever
 * the endpoint's state: a subscribed endpoint's owner is mailed its management link instead.
 */
export async function requestEndpointSubscription(
  deps: SelfServiceDeps & { endpoints: Pick<Endpoints, 'create'>; poster: EndpointPoster },
  input: EndpointSubscribeInput,
  clientIp: string,
) {
  await limitRequests(deps, input.ownerEmail, clientIp);
  const check = await deps.poster.check(input.channel.url);
  if (!check.ok)
    throw new AppError('VALIDATION', `channel.url ${check.problem}`, [
      { path: 'channel.url', message: check.problem },
    ]);
  const topics = withoutCovered(await resolveTopics(deps.catalog, input.topics));
  const url = check.url.href;
  const key = endpointKey(url, deps.config.linkSigningSecret);
  const existing = await deps.subscribers.findByEndpoint(key);
  const now = deps.clock.now();
  const endpoint = maskedEndpoint(url);
  if (existing?.status === 'confirmed') {
    // Its owner hears of it, not whoever asked: an endpoint is not handed over by a form.
    await mailQuietly(
      deps,
      existing.email,
      endpointRegisteredMail({ endpoint, preferencesUrl: manageLinks(deps, existing).preferencesUrl }),
    );
    return;
  }
  const id = existing?.id ?? randomUUID();
  const confirm = createConfirmToken(id);
  const signingSecret = newSigningSecret();
  const record: SubscriberRecord = {
    ...(existing ?? { id, createdAt: now.toISOString(), version: 0 }),
    email: input.ownerEmail,
    linkNonce: newNonce(),
    status: 'pending',
    level: input.level,
    topics,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    channel: { type: 'webhook', format: input.channel.format, endpoint, host: check.url.host },
    endpointKey: key,
    confirmTokenHash: confirm.hash,
    confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
    lastInviteAt: now.toISOString(),
  };
  await deps.endpoints.create({
    subscriberId: id,
    url,
    format: input.channel.format,
    secrets: [{ secret: signingSecret, createdAt: now.toISOString() }],
    health: HEALTHY,
  });
  if (existing) await deps.subscribers.save(record, existing);
  else await deps.subscribers.create(record);

  const links = manageLinks(deps, record);
  const firstPage = (await deps.catalog.getPage(topics[0]?.pageId ?? '')).page;
  const event = plainEventV1({
    type: 'verification',
    eventId: `evt_verify_${randomUUID()}`,
    at: now,
    page: { id: topics[0]?.pageId ?? '', name: firstPage?.name ?? topics[0]?.pageId ?? '' },
    links: { manageUrl: links.preferencesUrl, unsubscribeUrl: links.unsubscribeUrl },
    confirmUrl: `${deps.config.publicBaseUrl}/v1/confirm?token=${encodeURIComponent(confirm.token)}`,
  });
  const body = JSON.stringify(event);
  const posted = await deps.poster.post(url, body, {
    ...signatureHeaders([signingSecret], { id: event.id, timestamp: now, body }),
  });
  if (posted.kind !== 'delivered')
    log.warn('verification event not delivered', { subscriberId: id, outcome: posted.kind });
  await mailQuietly(
    deps,
    input.ownerEmail,
    endpointRegisteredMail({ endpoint, preferencesUrl: links.preferencesUrl }),
  );
}

/** What an endpoint's owner does from its management link besides what every subscriber does. */
export type EndpointManageDeps = SelfServiceDeps & {
  endpoints: Endpoints;
  deliveries: Pick<Deliveries, 'history'>;
  incidents: Pick<Incidents, 'get'>;
  poster: EndpointPoster;
};

/** Deliveries listed on an endpoint's page: the newest. */
export const ENDPOINT_HISTORY = 50;

/** The endpoint behind a management link: its health and its newest deliveries. */
export async function endpointPanel(deps: EndpointManageDeps, token: string) {
  const record = await verifiedRecord(deps, token, 'manage');
  const endpoint = record.channel ? await deps.endpoints.get(record.id) : undefined;
  if (!record.channel || !endpoint) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  const { items } = await deps.deliveries.history(record.id, undefined, ENDPOINT_HISTORY);
  const incidents = new Map(
    await Promise.all(
      [...new Set(items.map((d) => d.incidentId))].map(
        async (id) => [id, await deps.incidents.get(id)] as const,
      ),
    ),
  );
  return {
    channel: record.channel,
    health: endpoint.health,
    deliveries: items.map((d) => {
      const stored = incidents.get(d.incidentId);
      const update = stored?.updates.find((u) => u.updateId === d.updateId);
      return {
        ...d,
        incidentName: stored?.incident.name ?? d.incidentId,
        updateStatus: update?.kind === 'update' ? update.status : (update?.kind ?? 'update'),
      };
    }),
  };
}

/** A signed `test` event, now: what the endpoint answered, in words. */
export async function sendTestEvent(deps: EndpointManageDeps, token: string): Promise<string> {
  const record = await verifiedRecord(deps, token, 'manage');
  const endpoint = record.channel ? await deps.endpoints.get(record.id) : undefined;
  if (!endpoint) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  const now = deps.clock.now();
  const links = manageLinks(deps, record);
  const pageId = record.topics[0]?.pageId ?? '';
  const page = (await deps.catalog.getPage(pageId)).page;
  const event = plainEventV1({
    type: 'test',
    eventId: `evt_test_${randomUUID()}`,
    at: now,
    page: { id: pageId, name: page?.name ?? pageId },
    links: { manageUrl: links.preferencesUrl, unsubscribeUrl: links.unsubscribeUrl },
  });
  const body = JSON.stringify(event);
  const headers = signatureHeaders(signingSecrets(endpoint, now), { id: event.id, timestamp: now, body });
  const posted = await deps.poster.post(endpoint.url, body, { ...headers });
  switch (posted.kind) {
    case 'delivered':
      return `Test event sent: the endpoint answered ${posted.status} in ${posted.latencyMs} ms.`;
    case 'blocked':
      return `Test event not sent: the URL ${posted.reason}.`;
    case 'retry':
      return `Test event not taken: ${posted.reason}. Updates would be retried.`;
    default:
      return `Test event not taken: the endpoint answered ${posted.status}. Updates would not be retried.`;
  }
}

/** Deliveries start again with the next update, its failures forgotten. */
export async function resumeEndpoint(deps: EndpointManageDeps, token: string) {
  const record = await verifiedRecord(deps, token, 'manage');
  if (!record.channel) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  await deps.endpoints.recordHealth(record.id, HEALTHY);
}

/** A new signing secret, shown once; the old one signs too for a day, while receivers switch. */
export async function rotateSigningSecret(deps: EndpointManageDeps, token: string): Promise<string> {
  const record = await verifiedRecord(deps, token, 'manage');
  const endpoint = record.channel ? await deps.endpoints.get(record.id) : undefined;
  if (!endpoint) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  const secret = newSigningSecret();
  const [current] = endpoint.secrets;
  await deps.endpoints.create({
    ...endpoint,
    secrets: [{ secret, createdAt: deps.clock.now().toISOString() }, ...(current ? [current] : [])],
  });
  return secret;
}
