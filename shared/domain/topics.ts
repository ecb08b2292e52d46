import type { PageCatalog } from './catalog';
import { Id, WEBHOOK_LIMITS } from './fields';
import * as z from './zod';

/**
 * What a subscriber follows: a component, a whole region (components added later included), or a whole
 * page. Matching happens on a topic key, so the audience of an update is a handful of index queries.
 */
export const TopicInput = z.object({
  pageId: Id,
  groupId: z.optional(Id),
  componentId: z.optional(Id),
});
export type TopicInput = z.infer<typeof TopicInput>;

/**
 * A topic key as pages and the API show it (`C#page#component`): two ids and its kind; or an incident
 * followed on its own (`I#<source>:<page>:<incident>`).
 */
export const TopicKey = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(20 + 2 * WEBHOOK_LIMITS.idLength, `at most ${20 + 2 * WEBHOOK_LIMITS.idLength} characters`),
  );

export const Topic = z.object({
  pageId: z.string(),
  groupId: z.optional(z.string()),
  componentId: z.optional(z.string()),
  key: z.string(),
});
export type Topic = z.infer<typeof Topic>;

// Component ids are unique within a page, so a component topic needs no region in its key.
export const componentTopicKey = (pageId: string, componentId: string) => `C#${pageId}#${componentId}`;
export const regionTopicKey = (pageId: string, groupId: string) => `G#${pageId}#${groupId}`;
export const pageTopicKey = (pageId: string) => `P#${pageId}`;

/** The topic a key stands for (keys are made by the functions above). */
export function topicFromKey(key: string): Topic | undefined {
  const [kind, pageId, id] = key.split('#');
  if (!pageId) return undefined;
  if (kind === 'C' && id) return { pageId, componentId: id, key };
  if (kind === 'G' && id) return { pageId, groupId: id, key };
  if (kind === 'P') return { pageId, key };
  return undefined;
}

/** A topic in words, for mails and pages: "Channel - Chat in Prod1 (US) (Kustomer)". */
export function describeTopic(
  topic: Pick<Topic, 'pageId' | 'groupId' | 'componentId'>,
  page: PageCatalog | undefined,
): string {
  const pageName = page?.page?.name ?? topic.pageId;
  const component = page?.components.find((c) => c.componentId === topic.componentId);
  const groupId = topic.groupId ?? component?.groupId;
  const region = page?.groups.find((g) => g.groupId === groupId)?.name ?? groupId;
  const componentName = component?.name ?? topic.componentId;
  if (componentName)
    return region ? `${componentName} in ${region} (${pageName})` : `${componentName} (${pageName})`;
  if (region) return `everything in ${region} (${pageName})`;
  return `everything on ${pageName}`;
}

export type TopicResolution = { ok: true; topic: Topic } | { ok: false; problem: string };

/** Checks a requested topic against the page's catalog and fills in the component's region. */
export function resolveTopic(input: TopicInput, catalog: PageCatalog): TopicResolution {
  const { pageId, groupId, componentId } = input;
  if (!catalog.page && catalog.components.length === 0)
    return { ok: false, problem: `unknown page ${pageId}` };
  if (componentId) {
    const component = catalog.components.find((c) => c.componentId === componentId);
    if (!component) return { ok: false, problem: `unknown component ${componentId} on page ${pageId}` };
    if (groupId && component.groupId !== groupId) {
      return { ok: false, problem: `component ${componentId} is not in region ${groupId}` };
    }
    const topic = { pageId, componentId, key: componentTopicKey(pageId, componentId) };
    return { ok: true, topic: component.groupId ? { ...topic, groupId: component.groupId } : topic };
  }
  if (groupId) {
    if (!catalog.groups.some((g) => g.groupId === groupId)) {
      return { ok: false, problem: `unknown region ${groupId} on page ${pageId}` };
    }
    return { ok: true, topic: { pageId, groupId, key: regionTopicKey(pageId, groupId) } };
  }
  return { ok: true, topic: { pageId, key: pageTopicKey(pageId) } };
}

/**
 * The topic keys whose followers hear about an update affecting these components: each component, its
 * region, and the page. When no component is known at all, the update goes to every subscriber of the page.
 */
export function audienceTopicKeys(
  pageId: string,
  componentIds: readonly string[],
  catalog: PageCatalog,
): string[] {
  const keys = new Set<string>([pageTopicKey(pageId)]);
  if (componentIds.length === 0) {
    for (const group of catalog.groups) keys.add(regionTopicKey(pageId, group.groupId));
    for (const component of catalog.components) keys.add(componentTopicKey(pageId, component.componentId));
    return [...keys];
  }
  const groupOf = new Map(catalog.components.map((c) => [c.componentId, c.groupId]));
  for (const componentId of componentIds) {
    keys.add(componentTopicKey(pageId, componentId));
    const groupId = groupOf.get(componentId);
    if (groupId) keys.add(regionTopicKey(pageId, groupId));
  }
  return [...keys];
}

/**
 * Drops topics another one already covers: a component of a followed region, anything on a followed
 * page. What a person ticks in a tree (a region and all its components) becomes what they mean.
 */
export function withoutCovered(topics: readonly Topic[]): Topic[] {
  const pages = new Set(topics.filter((t) => !t.groupId && !t.componentId).map((t) => t.pageId));
  const regions = new Set(
    topics.filter((t) => t.groupId && !t.componentId).map((t) => regionTopicKey(t.pageId, t.groupId ?? '')),
  );
  return topics.filter((t) => {
    if (!t.groupId && !t.componentId) return true;
    if (pages.has(t.pageId)) return false;
    return !(t.componentId && t.groupId && regions.has(regionTopicKey(t.pageId, t.groupId)));
  });
}

/** A topic as a form sends it (its key, the value of a checkbox), in the API's shape; undefined if malformed. */
export function topicInputFromKey(key: string): TopicInput | undefined {
  const topic = topicFromKey(key);
  if (!topic) return undefined;
  const { key: _, ...input } = topic;
  return input;
}

/** The shape of one page's component tree, as a form draws it. */
export interface TreeShape {
  pageId: string;
  regions: ReadonlyArray<{ groupId: string; componentIds: readonly string[] }>;
  /** Components outside any region. */
  componentIds: readonly string[];
}

/**
 * What a submitted component tree means, given what was followed when the form was drawn (`before`,
 * topic keys; empty for a new subscription). A followed region or page is drawn with all its parts
 * ticked, so a region box sent with some of its components unticked means "only these" when the region
 * was followed before (the person narrowed it), and "the whole region" when it was not (they just ticked
 * it). The same for the page. Works the same with or without the script, which never ticks a region by
 * itself: it only unticks one when a component under it is unticked.
 */
export function treeSelection(
  tree: TreeShape,
  sent: ReadonlySet<string>,
  before: ReadonlySet<string>,
): string[] {
  const pageKey = pageTopicKey(tree.pageId);
  const pageBefore = before.has(pageKey);
  const regions = tree.regions.map((region) => {
    const key = regionTopicKey(tree.pageId, region.groupId);
    const children = region.componentIds.map((id) => componentTopicKey(tree.pageId, id));
    const sentChildren = children.filter((child) => sent.has(child));
    const narrowed = (pageBefore || before.has(key)) && sentChildren.length < children.length;
    const whole = sent.has(key) && !narrowed;
    return { whole, keys: whole ? [key] : sentChildren };
  });
  const loose = tree.componentIds.map((id) => componentTopicKey(tree.pageId, id));
  const sentLoose = loose.filter((key) => sent.has(key));
  const everything = regions.every((r) => r.whole) && sentLoose.length === loose.length;
  if (sent.has(pageKey) && (!pageBefore || everything)) return [pageKey];
  return [...regions.flatMap((r) => r.keys), ...sentLoose];
}
