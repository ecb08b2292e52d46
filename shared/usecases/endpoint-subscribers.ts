import { randomUUID } from 'node:crypto';
import type { CreateEndpointSubscriberInput } from '../domain/admin-inputs';
import { isDiscordForumRefusal, PLATFORM_NAMES } from '../domain/chat-url';
import {
  ChannelInput,
  type EndpointFormat,
  formatOf,
  HEALTHY,
  lastSuccessAt,
  type PostOutcome,
  signingSecrets,
} from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import { MESSAGES } from '../domain/form-messages';
import { NotificationLevel } from '../domain/levels';
import { createConfirmToken, newNonce } from '../domain/link-tokens';
import { CONFIRM_TOKEN_TTL_HOURS, publicView, type SubscriberRecord } from '../domain/subscriber';
import { TimeZone } from '../domain/time-zone';
import { TopicInput, withoutCovered } from '../domain/topics';
import { newSigningSecret, signatureHeaders } from '../domain/webhook-signing';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { log } from '../log';
import type { Catalog, Clock, Deliveries, EndpointPoster, Endpoints, Incidents, Subscribers } from '../ports';
import { endpointAddedMail, endpointRegisteredMail } from '../templates/account';
import { endpointPost } from '../templates/endpoint-post';
import { manageLinks } from './manage-links';
import {
  EmailAddress,
  limitRequests,
  mailQuietly,
  mayMailAgain,
  type SelfServiceDeps,
  verifiedRecord,
} from './self-service';
import { resolveTopics } from './topics';

export interface EndpointSubscriberDeps extends Pick<SelfServiceDeps, 'mailer' | 'suppressions'> {
  subscribers: Pick<Subscribers, 'create'>;
  endpoints: Pick<Endpoints, 'create' | 'remove' | 'keyOf'>;
  catalog: Catalog;
  poster: Pick<EndpointPoster, 'check'>;
  clock: Clock;
  config: { publicBaseUrl: string; linkSigningSecret: string };
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
  const check = await deps.poster.check(input.channel.url, input.channel.type);
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
      type: input.channel.type,
      format: formatOf(input.channel),
      endpoint: maskedEndpoint(url),
      host: check.url.host,
    },
    endpointKey: deps.endpoints.keyOf(url),
    createdAt: now,
    confirmedAt: now,
    linkNonce: newNonce(),
    version: 0,
  };
  // The credentials first: a subscriber never exists without them.
  await deps.endpoints.create({
    subscriberId: id,
    url,
    format: formatOf(input.channel),
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
  // Its owner learns of it, and where to manage it; a suppressed address gets nothing.
  if ((await deps.suppressions.suppressed([record.email])).size === 0)
    await mailQuietly(
      deps,
      record.email,
      endpointAddedMail({
        endpoint: record.channel?.endpoint ?? '',
        preferencesUrl: manageLinks(deps, record).preferencesUrl,
      }),
    );
  // A chat platform checks no signature: its channel has no secret to answer.
  return { ...publicView(record), ...(input.channel.type === 'webhook' ? { signingSecret } : {}) };
}

/** `POST /v1/subscriptions` for a webhook: where to, whose it is, and what it follows. */
export const EndpointSubscribeInput = z.object({
  channel: ChannelInput,
  ownerEmail: EmailAddress,
  topics: z
    .array(TopicInput)
    .check(z.minLength(1, MESSAGES.noTopics), z.maxLength(40, MESSAGES.tooManyTopics)),
  level: z._default(z.enum(NotificationLevel.options, { error: MESSAGES.level }), 'all'),
  timeZone: z.optional(TimeZone),
});
export type EndpointSubscribeInput = z.output<typeof EndpointSubscribeInput>;

/**
 * Public subscribe of a webhook. Confirmation proves control of the endpoint: a signed `verification`
 * event carrying the confirm link is POSTed to it, and nothing else is sent before it is confirmed. Its
 * owner gets the management link by mail. Same rate limits as an address. A form hands no endpoint
 * over: asked again for one that is known, its owner hears of it (and one waiting for confirmation gets
 * its verification again), whoever asked; only an unsubscribed endpoint starts over.
 */
export async function requestEndpointSubscription(
  deps: EndpointSubscribeDeps,
  input: EndpointSubscribeInput,
  clientIp: string,
) {
  await limitRequests(deps, input.ownerEmail, clientIp);
  const check = await deps.poster.check(input.channel.url, input.channel.type);
  if (!check.ok)
    throw new AppError('VALIDATION', `channel.url ${check.problem}`, [
      { path: 'channel.url', message: check.problem },
    ]);
  const topics = withoutCovered(await resolveTopics(deps.catalog, input.topics));
  const url = check.url.href;
  const key = deps.endpoints.keyOf(url);
  const existing = await deps.subscribers.findByEndpoint(key);
  const now = deps.clock.now();
  const endpoint = maskedEndpoint(url);
  if (existing && existing.status !== 'unsubscribed') {
    if (!mayMailAgain(existing, now)) return;
    const known = existing.status === 'pending' ? await verifyAgain(deps, existing, url, now) : existing;
    await mailQuietly(
      deps,
      known.email,
      endpointRegisteredMail({
        endpoint,
        preferencesUrl: manageLinks(deps, known).preferencesUrl,
        ...platformOf(input.channel.type),
      }),
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
    channel: { type: input.channel.type, format: formatOf(input.channel), endpoint, host: check.url.host },
    endpointKey: key,
    confirmTokenHash: confirm.hash,
    confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
    lastInviteAt: now.toISOString(),
  };
  await deps.endpoints.create({
    subscriberId: id,
    url,
    format: formatOf(input.channel),
    secrets: [{ secret: signingSecret, createdAt: now.toISOString() }],
    health: HEALTHY,
  });
  try {
    if (existing) await deps.subscribers.save(record, existing);
    else await deps.subscribers.create(record);
  } catch (error) {
    // Asked twice at once: the other request goes on; this one leaves nothing behind.
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    if (!existing) await deps.endpoints.remove(id);
    return;
  }
  await postVerification(deps, record, url, signingSecret, confirm.token, now);
  await mailQuietly(
    deps,
    input.ownerEmail,
    endpointRegisteredMail({
      endpoint,
      preferencesUrl: manageLinks(deps, record).preferencesUrl,
      ...platformOf(input.channel.type),
    }),
  );
}

type EndpointSubscribeDeps = SelfServiceDeps & {
  endpoints: Pick<Endpoints, 'create' | 'get' | 'remove' | 'keyOf'>;
  poster: EndpointPoster;
};

/** A waiting endpoint's verification again: a new confirm link; its owner and topics as they were. */
async function verifyAgain(deps: EndpointSubscribeDeps, existing: SubscriberRecord, url: string, now: Date) {
  const secret = (await deps.endpoints.get(existing.id))?.secrets[0]?.secret;
  if (!secret) return existing;
  const confirm = createConfirmToken(existing.id);
  const record = await deps.subscribers.save(
    {
      ...existing,
      confirmTokenHash: confirm.hash,
      confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
      lastInviteAt: now.toISOString(),
    },
    existing,
  );
  await postVerification(deps, record, url, secret, confirm.token, now);
  return record;
}

/** The signed `verification` event carrying the confirm link: it proves control of the endpoint. */
async function postVerification(
  deps: EndpointSubscribeDeps,
  record: SubscriberRecord,
  url: string,
  signingSecret: string,
  confirmToken: string,
  now: Date,
) {
  const confirmUrl = `${deps.config.publicBaseUrl}/v1/confirm?token=${encodeURIComponent(confirmToken)}`;
  const posted = await postPlainEvent(
    deps,
    record,
    { url, format: record.channel?.format ?? 'v1', secrets: [signingSecret] },
    'verification',
    now,
    confirmUrl,
  );
  if (posted.kind !== 'delivered')
    log.warn('verification event not delivered', { subscriberId: record.id, outcome: posted.kind });
}

/** A `test` or `verification` event about the subscriber's first page, signed with `secrets`, POSTed now. */
async function postPlainEvent(
  deps: Pick<SelfServiceDeps, 'catalog' | 'config'> & { poster: EndpointPoster },
  record: SubscriberRecord,
  endpoint: { url: string; format: EndpointFormat; secrets: readonly string[] },
  type: 'test' | 'verification',
  now: Date,
  confirmUrl?: string,
) {
  const links = manageLinks(deps, record);
  const pageId = record.topics[0]?.pageId ?? '';
  const page = (await deps.catalog.getPage(pageId)).page;
  const eventId = `evt_${type === 'test' ? 'test' : 'verify'}_${randomUUID()}`;
  const post = await endpointPost(endpoint, {
    notice: {
      type,
      eventId,
      at: now,
      page: { id: pageId, name: page?.name ?? pageId },
      links: { manageUrl: links.preferencesUrl, unsubscribeUrl: links.unsubscribeUrl },
      ...(confirmUrl ? { confirmUrl } : {}),
    },
  });
  const send = (url: string, body: string) =>
    deps.poster.post(
      url,
      body,
      { ...signatureHeaders(endpoint.secrets, { id: eventId, timestamp: now, body }) },
      { kind: post.kind },
    );
  const posted = await send(post.url, post.body);
  // A Discord forum takes a message only in a post: the notice opens one of its own.
  if (post.threadName && posted.kind === 'rejected' && isDiscordForumRefusal(posted.status, posted.answer)) {
    const url = new URL(post.url);
    url.searchParams.set('wait', 'true');
    return send(url.href, JSON.stringify({ ...JSON.parse(post.body), thread_name: post.threadName }));
  }
  return posted;
}

/** What an endpoint's owner does from its management link besides what every subscriber does. */
export type EndpointManageDeps = SelfServiceDeps & {
  endpoints: Endpoints;
  deliveries: Pick<Deliveries, 'history'>;
  incidents: Pick<Incidents, 'get'>;
  poster: EndpointPoster;
};

/** What support does to a webhook subscriber's endpoint, and what its owner does too. */
export type EndpointSupportDeps = Pick<SelfServiceDeps, 'subscribers' | 'catalog' | 'clock' | 'config'> & {
  endpoints: Endpoints;
  deliveries: Pick<Deliveries, 'history'>;
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
    health: { ...endpoint.health, lastSuccessAt: lastSuccessAt(endpoint.health, items) },
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
  return (await testEndpoint(deps, await verifiedRecord(deps, token, 'manage'))).message;
}

/** Deliveries start again with the next update, its failures forgotten. */
export async function resumeEndpoint(deps: EndpointManageDeps, token: string) {
  await resume(deps, await verifiedRecord(deps, token, 'manage'));
}

/** Support's view of a webhook subscriber's endpoint: where updates go (masked) and its health. */
export async function endpointForSupport(deps: EndpointSupportDeps, id: string) {
  const record = await webhookSubscriber(deps, id);
  const endpoint = await deps.endpoints.get(record.id);
  if (!record.channel || !endpoint) throw new AppError('NOT_FOUND', 'this subscriber is not a webhook');
  const { items } = await deps.deliveries.history(record.id, undefined, ENDPOINT_HISTORY);
  return {
    ...record.channel,
    health: { ...endpoint.health, lastSuccessAt: lastSuccessAt(endpoint.health, items) },
  };
}

/** Support sends a test event to a subscriber's endpoint: what became of it, and in words. */
export async function testEndpointForSupport(deps: EndpointSupportDeps, id: string) {
  return testEndpoint(deps, await webhookSubscriber(deps, id));
}

/** Support resumes a subscriber's paused endpoint: its health after. */
export async function resumeEndpointForSupport(deps: EndpointSupportDeps, id: string) {
  await resume(deps, await webhookSubscriber(deps, id));
  return { health: HEALTHY };
}

async function webhookSubscriber(deps: Pick<EndpointSupportDeps, 'subscribers'>, id: string) {
  const record = await deps.subscribers.get(id);
  if (!record) throw new AppError('NOT_FOUND', 'no such subscriber');
  if (!record.channel) throw new AppError('NOT_FOUND', 'this subscriber is not a webhook');
  return record;
}

async function testEndpoint(deps: EndpointSupportDeps, record: SubscriberRecord) {
  const endpoint = record.channel ? await deps.endpoints.get(record.id) : undefined;
  if (!endpoint) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  if (record.status !== 'confirmed')
    return {
      outcome: 'not-confirmed' as const,
      message:
        record.status === 'unsubscribed'
          ? 'This webhook is unsubscribed: nothing is sent to it.'
          : NOT_CONFIRMED,
    };
  const now = deps.clock.now();
  const posted = await postPlainEvent(
    deps,
    record,
    { url: endpoint.url, format: endpoint.format, secrets: signingSecrets(endpoint, now) },
    'test',
    now,
  );
  return { outcome: posted.kind, message: testMessage(posted) };
}

function testMessage(posted: PostOutcome): string {
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

async function resume(deps: Pick<EndpointSupportDeps, 'endpoints'>, record: SubscriberRecord) {
  if (!record.channel) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  await deps.endpoints.recordHealth(record.id, HEALTHY);
}

/** A new signing secret, shown once; the old one signs too for a day, while receivers switch. */
export async function rotateSigningSecret(deps: EndpointManageDeps, token: string): Promise<string> {
  const record = await verifiedRecord(deps, token, 'manage');
  const endpoint = record.channel ? await deps.endpoints.get(record.id) : undefined;
  if (!endpoint) throw new AppError('NOT_FOUND', 'this link is not a webhook’s');
  if (record.status !== 'confirmed') throw new AppError('CONFLICT', NOT_CONFIRMED);
  const now = deps.clock.now();
  const secret = newSigningSecret();
  // Every secret that still signs stays beside the new one for its day.
  const stillSigning = new Set(signingSecrets(endpoint, now));
  await deps.endpoints.replaceSecrets(record.id, [
    { secret, createdAt: now.toISOString() },
    ...endpoint.secrets.filter((s) => stillSigning.has(s.secret)),
  ]);
  return secret;
}

const NOT_CONFIRMED = 'This webhook is not confirmed: confirm it from its verification event first.';

/** A chat channel's platform, by name, for the words of its owner's mail. */
const platformOf = (type: ChannelInput['type']) =>
  type === 'webhook' ? {} : { platform: PLATFORM_NAMES[type] };
