import { z } from 'zod';
import { normalizeEmail, type Subscriber } from '../domain/subscriber';
import { resolveTopic, type Topic, TopicInput } from '../domain/topics';
import { AppError, type ErrorDetail } from '../errors';
import type { Catalog, Subscribers } from '../ports';

export const CreateSubscriberInput = z.object({
  email: z.email().max(254).transform(normalizeEmail),
  topics: z.array(TopicInput).min(1).max(50),
  confirmed: z.boolean().default(false),
});
export type CreateSubscriberInput = z.output<typeof CreateSubscriberInput>;

export interface SubscriberDeps {
  subscribers: Subscribers;
  catalog: Catalog;
}

/** Adds a subscriber on a support agent's word; topics are checked against the catalog. */
export async function createSubscriber(
  deps: SubscriberDeps,
  input: CreateSubscriberInput,
): Promise<Subscriber> {
  const topics = await resolveTopics(deps.catalog, input.topics);
  return deps.subscribers.create({
    email: input.email,
    status: input.confirmed ? 'confirmed' : 'pending',
    topics,
  });
}

export async function findSubscribersByEmail(
  deps: SubscriberDeps,
  email: string,
): Promise<{ items: Subscriber[] }> {
  const subscriber = await deps.subscribers.findByEmail(normalizeEmail(email));
  return { items: subscriber ? [subscriber] : [] };
}

async function resolveTopics(catalog: Catalog, inputs: readonly TopicInput[]): Promise<Topic[]> {
  const pageIds = [...new Set(inputs.map((input) => input.pageId))];
  const pages = new Map(
    await Promise.all(pageIds.map(async (id) => [id, await catalog.getPage(id)] as const)),
  );
  const problems: ErrorDetail[] = [];
  const topics = new Map<string, Topic>();
  inputs.forEach((input, index) => {
    const resolution = resolveTopic(input, pages.get(input.pageId) ?? { groups: [], components: [] });
    if (resolution.ok) topics.set(resolution.topic.key, resolution.topic);
    else problems.push({ path: `topics.${index}`, message: resolution.problem });
  });
  if (problems.length > 0) {
    throw new AppError(
      'VALIDATION',
      `Invalid request: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }
  return [...topics.values()];
}
