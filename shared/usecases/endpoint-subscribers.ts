import { randomUUID } from 'node:crypto';
import type { CreateEndpointSubscriberInput } from '../domain/admin-inputs';
import { endpointKey, HEALTHY } from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import { newNonce } from '../domain/link-tokens';
import { publicView, type SubscriberRecord } from '../domain/subscriber';
import { withoutCovered } from '../domain/topics';
import { newSigningSecret } from '../domain/webhook-signing';
import { AppError } from '../errors';
import type { Catalog, Clock, EndpointPoster, Endpoints, Subscribers } from '../ports';
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
