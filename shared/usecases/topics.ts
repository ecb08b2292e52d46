import type { PageCatalog } from '../domain/catalog';
import { describeTopic, resolveTopic, type Topic, type TopicInput } from '../domain/topics';
import { AppError, type ErrorDetail } from '../errors';
import type { Catalog } from '../ports';

/** Checks requested topics against the catalog (one read per page) and fills in regions; VALIDATION names each bad one. */
export async function resolveTopics(
  catalog: Catalog,
  inputs: readonly TopicInput[],
  path = 'topics',
): Promise<Topic[]> {
  const pages = await loadPages(
    catalog,
    inputs.map((input) => input.pageId),
  );
  const problems: ErrorDetail[] = [];
  const topics = new Map<string, Topic>();
  inputs.forEach((input, index) => {
    const resolution = resolveTopic(input, pages.get(input.pageId) ?? { groups: [], components: [] });
    if (resolution.ok) topics.set(resolution.topic.key, resolution.topic);
    else problems.push({ path: `${path}.${index}`, message: resolution.problem });
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

/** Topics in words, for mails and pages: "Channel - Chat in Prod1 (US) (Kustomer)". */
export async function labelTopics(catalog: Catalog, topics: readonly Topic[]): Promise<string[]> {
  const pages = await loadPages(
    catalog,
    topics.map((t) => t.pageId),
  );
  return topics.map((topic) => describeTopic(topic, pages.get(topic.pageId)));
}

async function loadPages(catalog: Catalog, pageIds: readonly string[]): Promise<Map<string, PageCatalog>> {
  const unique = [...new Set(pageIds)];
  return new Map(await Promise.all(unique.map(async (id) => [id, await catalog.getPage(id)] as const)));
}
