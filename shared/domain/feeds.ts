import type { PageCatalog, PageView } from './catalog';
import { type Incident, type IncidentUpdate, isClosingStatus, mailSubject } from './incident';
import {
  audienceTopicKeys,
  componentTopicKey,
  describeTopic,
  pageTopicKey,
  regionTopicKey,
  topicFromKey,
} from './topics';

/*
 * A page's feeds: Atom, RSS and JSON Feed of its notified updates, and a calendar of its maintenance
 * windows, each narrowed to regions and components with the rules mail follows.
 */

export const FEED_FORMATS = ['atom', 'rss', 'json', 'ics'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** Entries in a feed: the newest of the page (or of what the feed is narrowed to). */
export const FEED_ENTRIES = 50;

/** `<pageId>.<format>`, as a feed's URL names it; undefined for any other name. */
export function feedFileOf(name: string): { pageId: string; format: FeedFormat } | undefined {
  const dot = name.lastIndexOf('.');
  const format = FEED_FORMATS.find((f) => f === name.slice(dot + 1));
  const pageId = name.slice(0, dot);
  return dot > 0 && format ? { pageId, format } : undefined;
}

/** What a feed is narrowed to: regions (component groups) and components, any of them; none is the page. */
export interface FeedNarrowing {
  regions: readonly string[];
  components: readonly string[];
}

/** What in the narrowing the page does not have, in words; undefined when it has it all. */
export function narrowingProblem(pageId: string, narrowing: FeedNarrowing, catalog: PageCatalog) {
  const region = narrowing.regions.find((id) => !catalog.groups.some((g) => g.groupId === id));
  if (region !== undefined) return `The status page ${pageId} has no region ${region}.`;
  const component = narrowing.components.find((id) => !catalog.components.some((c) => c.componentId === id));
  if (component !== undefined) return `The status page ${pageId} has no component ${component}.`;
  return undefined;
}

/**
 * The feed of what a person ticked on the subscribe form: the page when it (or nothing) is ticked, else
 * the ticked regions and the ticked components outside them.
 */
export function narrowingOfTopics(page: PageView, keys: Iterable<string>): FeedNarrowing {
  const topics = [...keys].flatMap((key) => topicFromKey(key) ?? []).filter((t) => t.pageId === page.id);
  if (topics.length === 0 || topics.some((t) => !t.groupId && !t.componentId))
    return { regions: [], components: [] };
  const regions = topics.flatMap((t) => (t.groupId && !t.componentId ? [t.groupId] : []));
  const covered = new Set(
    page.regions.filter((r) => regions.includes(r.id)).flatMap((r) => r.components.map((c) => c.id)),
  );
  const components = topics.flatMap((t) =>
    t.componentId && !covered.has(t.componentId) ? [t.componentId] : [],
  );
  return { regions, components };
}

/** Where a page's feed is read, narrowed: `/feeds/<page>.<format>?region=…&component=…`. */
export function feedPath(pageId: string, format: FeedFormat, narrowing: FeedNarrowing): string {
  const query = narrowingQuery(narrowing);
  return `/feeds/${encodeURIComponent(pageId)}.${format}${query ? `?${query}` : ''}`;
}

/** The topics a feed stands for, as a follower's would: the page, or its regions and components. */
export function feedTopicKeys(pageId: string, narrowing: FeedNarrowing): ReadonlySet<string> {
  if (!isNarrowed(narrowing)) return new Set([pageTopicKey(pageId)]);
  return new Set([
    ...narrowing.regions.map((id) => regionTopicKey(pageId, id)),
    ...narrowing.components.map((id) => componentTopicKey(pageId, id)),
  ]);
}

/**
 * Whether the incident is in a feed of these topics: exactly when a follower of them hears of it by mail
 * (an incident that names no component is in every feed of its page).
 */
export function inFeed(
  incident: Pick<Incident, 'pageId' | 'componentIds'>,
  catalog: PageCatalog,
  topics: ReadonlySet<string>,
): boolean {
  return audienceTopicKeys(incident.pageId, incident.componentIds, catalog).some((key) => topics.has(key));
}

export const isNarrowed = (narrowing: FeedNarrowing) =>
  narrowing.regions.length > 0 || narrowing.components.length > 0;

/** A region or component as mail names it, without its page's name: "Channel - Chat in Prod1 (US)". */
export function topicWords(
  topic: { pageId: string; groupId?: string; componentId?: string },
  catalog: PageCatalog,
): string {
  const words = describeTopic(topic, catalog);
  const page = ` (${catalog.page?.name ?? topic.pageId})`;
  return words.endsWith(page) ? words.slice(0, -page.length) : words;
}

/** A feed's name: the page's, and what it is narrowed to. */
export function feedTitle(pageId: string, catalog: PageCatalog, narrowing: FeedNarrowing): string {
  const page = catalog.page?.name ?? pageId;
  const parts = [
    ...narrowing.regions.map((groupId) => topicWords({ pageId, groupId }, catalog)),
    ...narrowing.components.map((componentId) => topicWords({ pageId, componentId }, catalog)),
  ];
  return parts.length ? `${page} status: ${parts.join('; ')}` : `${page} status`;
}

/**
 * An entry's id, the same in every feed and across retried webhooks: a `tag:` URI (RFC 4151) of the
 * notifier's domain, naming the incident and the update.
 */
export function entryTagUri(domain: string, update: Pick<IncidentUpdate, 'incidentId' | 'updateId'>): string {
  return `${tagBase(domain)}${encodeURIComponent(update.incidentId)}/${encodeURIComponent(update.updateId)}`;
}

/** A feed's own id: its page and what it is narrowed to, in a fixed order. */
export function feedTagUri(domain: string, pageId: string, narrowing: FeedNarrowing): string {
  const query = narrowingQuery(narrowing);
  return `${tagBase(domain)}feeds/${encodeURIComponent(pageId)}${query ? `?${query}` : ''}`;
}

// The year is part of the tag's authority and must never change, or every reader shows everything again.
const tagBase = (domain: string) => `tag:${domain},2026:`;

/** `region=…&component=…`, sorted, for URLs and ids: the same narrowing always reads the same. */
export function narrowingQuery(narrowing: FeedNarrowing): string {
  return new URLSearchParams([
    ...[...new Set(narrowing.regions)].sort().map((id) => ['region', id]),
    ...[...new Set(narrowing.components)].sort().map((id) => ['component', id]),
  ]).toString();
}

/** An entry's title, as the mail's subject with the update's status: "[Page] Incident name: Identified". */
export function entryTitle(incident: Pick<Incident, 'name'>, statusWords: string, pageName?: string) {
  return `${mailSubject(incident.name.trim() || 'Incident', pageName)}: ${statusWords}`;
}

/**
 * A maintenance that was called off: closed before its window began. Statuspage and the other vendors
 * have no cancelled state; a maintenance completed before it started is how they say it.
 */
export function calledOff(incident: Pick<Incident, 'status' | 'scheduledFor' | 'updatedAt'>): boolean {
  return (
    isClosingStatus(incident.status) &&
    incident.scheduledFor !== undefined &&
    Date.parse(incident.updatedAt) < Date.parse(incident.scheduledFor)
  );
}
