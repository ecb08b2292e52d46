import { hasWindow, maintenancesCalendar } from '../domain/calendar';
import { type PageCatalog, pageView } from '../domain/catalog';
import {
  calledOff,
  entryTagUri,
  entryTitle,
  FEED_ENTRIES,
  type FeedFormat,
  type FeedNarrowing,
  feedPath,
  feedTagUri,
  feedTitle,
  feedTopicKeys,
  inFeed,
  isNarrowed,
  narrowingProblem,
  topicWords,
} from '../domain/feeds';
import { type Incident, mailSubject } from '../domain/incident';
import { AppError } from '../errors';
import type { Catalog, FeedCursor, Incidents, UpdateRef } from '../ports';
import { atomFeed } from '../templates/feeds/atom';
import { entryContent, entryUrl, type FeedView } from '../templates/feeds/feed-view';
import { jsonFeed } from '../templates/feeds/json-feed';
import { rssFeed } from '../templates/feeds/rss';
import { safeHttpUrl } from '../templates/html';
import { statusLabel } from '../templates/notification';

export interface FeedDeps {
  catalog: Pick<Catalog, 'getPage'>;
  incidents: Pick<Incidents, 'feedUpdateRefs' | 'getUpdates' | 'getMany' | 'maintenances'>;
  config: { publicBaseUrl: string; domain: string };
}

export interface FeedRequest {
  pageId: string;
  format: FeedFormat;
  narrowing: FeedNarrowing;
}

/** A feed's document, and the newest change it shows (for Last-Modified). */
export interface FeedDocument {
  body: string;
  contentType: string;
  lastModified: Date;
}

const CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  ics: 'text/calendar; charset=utf-8',
};

/**
 * A narrowed feed reads its page's newest updates this many at a time, at most `reads` times: a region
 * that is rarely affected shows what of those is its own, never the page's whole history.
 */
const NARROWED = { perRead: 100, reads: 5 };

/**
 * A page's feed (Atom, RSS, JSON Feed) of its newest notified updates, or its calendar of maintenance
 * windows, narrowed to regions and components as mail is. Hidden and unknown pages, regions and
 * components are a 404 in words.
 */
export async function pageFeed(deps: FeedDeps, request: FeedRequest): Promise<FeedDocument> {
  const { pageId, format, narrowing } = request;
  const catalog = await deps.catalog.getPage(pageId);
  const page = pageView(catalog);
  if (!page) throw notFound(`There is no status page ${pageId} here.`);
  const problem = narrowingProblem(pageId, narrowing, catalog);
  if (problem) throw notFound(problem);
  const topics = feedTopicKeys(pageId, narrowing);
  if (format === 'ics') return calendar(deps, { pageId, catalog, topics, narrowing });

  const entries = await newestEntries(deps, { pageId, catalog, topics, narrowed: isNarrowed(narrowing) });
  const homeUrl =
    safeHttpUrl(catalog.page?.url) ??
    `${deps.config.publicBaseUrl}/subscribe?page=${encodeURIComponent(pageId)}`;
  const lastModified = newest(
    entries.flatMap(({ update, incident }) => [update.displayAt, incident.updatedAt]),
  );
  const view: FeedView = {
    id: feedTagUri(deps.config.domain, pageId, narrowing),
    title: feedTitle(pageId, catalog, narrowing),
    selfUrl: `${deps.config.publicBaseUrl}${feedPath(pageId, format, narrowing)}`,
    homeUrl,
    author: page.name,
    updated: lastModified.toISOString(),
    entries: entries.map(({ update, incident }) => {
      const url = entryUrl(incident.shortlink, homeUrl);
      const status = update.kind === 'postmortem' ? 'Postmortem' : statusLabel(update.status);
      const components = incident.componentIds.map((componentId) =>
        topicWords({ pageId, componentId }, catalog),
      );
      return {
        id: entryTagUri(deps.config.domain, update),
        title: entryTitle(incident, status, page.name),
        url,
        published: update.displayAt,
        updated: update.displayAt,
        components,
        ...entryContent({ body: update.body, status, components, url }),
      };
    }),
  };
  const render = { atom: atomFeed, rss: rssFeed, json: jsonFeed }[format];
  return { body: render(view), contentType: CONTENT_TYPES[format], lastModified };
}

/**
 * The newest updates of the page that are in the feed, with their incidents: the index's keys are skimmed
 * and matched by the components each update was for (as its fan-out matched them), then only the kept
 * updates and their incidents are read.
 */
async function newestEntries(
  deps: FeedDeps,
  input: { pageId: string; catalog: PageCatalog; topics: ReadonlySet<string>; narrowed: boolean },
) {
  const { pageId, catalog, topics, narrowed } = input;
  const kept: UpdateRef[] = [];
  const incidents = new Map<string, Incident>();
  let cursor: FeedCursor | undefined;
  let reads = 0;
  do {
    const read = await deps.incidents.feedUpdateRefs(pageId, {
      limit: narrowed ? NARROWED.perRead : FEED_ENTRIES,
      ...(cursor ? { cursor } : {}),
    });
    // An update stored without its components (one at every size limit) is matched by its incident now.
    const unknown = read.items.filter((ref) => !ref.componentIds && !incidents.has(ref.incidentId));
    if (unknown.length > 0) await readInto(incidents, deps, unknown);
    kept.push(
      ...read.items.filter((ref) => {
        const componentIds = ref.componentIds ?? incidents.get(ref.incidentId)?.componentIds;
        return componentIds !== undefined && inFeed({ pageId, componentIds }, catalog, topics);
      }),
    );
    cursor = read.cursor;
    reads++;
  } while (cursor && kept.length < FEED_ENTRIES && reads < NARROWED.reads);
  const shown = kept.slice(0, FEED_ENTRIES);
  const [updates] = await Promise.all([
    deps.incidents.getUpdates(shown),
    readInto(
      incidents,
      deps,
      shown.filter((ref) => !incidents.has(ref.incidentId)),
    ),
  ]);
  return shown.flatMap((ref) => {
    const update = updates.get(`${ref.incidentId}#${ref.updateId}`);
    const incident = incidents.get(ref.incidentId);
    return update && incident ? [{ update, incident }] : [];
  });
}

/** Reads the incidents of these updates into `incidents`. */
async function readInto(incidents: Map<string, Incident>, deps: FeedDeps, refs: readonly UpdateRef[]) {
  if (refs.length === 0) return;
  for (const [id, incident] of await deps.incidents.getMany(refs.map((ref) => ref.incidentId)))
    incidents.set(id, incident);
}

/** The page's maintenance windows in the feed's narrowing, as one subscribable calendar. */
async function calendar(
  deps: FeedDeps,
  input: { pageId: string; catalog: PageCatalog; topics: ReadonlySet<string>; narrowing: FeedNarrowing },
): Promise<FeedDocument> {
  const { pageId, catalog } = input;
  const maintenances = (await deps.incidents.maintenances(pageId, FEED_ENTRIES))
    .filter((incident) => inFeed(incident, catalog, input.topics))
    .filter(hasWindow);
  const pageName = catalog.page?.name;
  const body = maintenancesCalendar(
    maintenances.map((window) => ({
      window,
      event: {
        title: mailSubject(window.subject, pageName),
        description: [
          statusLabel(window.status),
          window.componentIds.map((id) => topicWords({ pageId, componentId: id }, catalog)).join(', '),
          safeHttpUrl(window.shortlink),
        ]
          .filter(Boolean)
          .join('\n\n'),
        cancelled: calledOff(window),
      },
    })),
    { name: `${feedTitle(pageId, catalog, input.narrowing)}: maintenance`, domain: deps.config.domain },
  );
  return {
    body,
    contentType: CONTENT_TYPES.ics,
    lastModified: newest(maintenances.map((m) => m.updatedAt)),
  };
}

/** The latest of these times; the epoch when there are none, so that an empty feed's date never moves. */
const newest = (times: readonly string[]) =>
  new Date(Math.max(0, ...times.map((t) => Date.parse(t)).filter((t) => !Number.isNaN(t))));

const notFound = (message: string) => new AppError('NOT_FOUND', message, [{ path: 'feed', message }]);
