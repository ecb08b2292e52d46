import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { feedFileOf } from '../domain/feeds';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { conditionalGet } from '../http/conditional';
import { type FeedDeps, pageFeed } from '../usecases/feeds';
import { pageRoute } from './page-route';

/** Readers poll: a minute's cache is what the readers and the API's rate limits both want. */
const FEED_CACHE = 'public, max-age=60';
/** More regions and components than any page has: a query past it is a mistake, or an attack. */
const MAX_NARROWING = 100;

const FeedPath = z.object({ path: z.object({ feed: z.string().check(z.maxLength(1200)) }) });

/**
 * `GET /feeds/{pageId}.{atom|rss|json|ics}`, narrowed by `?region=` and `?component=` (each repeatable):
 * conditional GETs are answered 304. A feed a reader cannot have is a 404 in words (a page for a browser).
 */
export function feedRoute(deps: FeedDeps) {
  return pageRoute(FeedPath, async ({ path }, event) => {
    // As every path id here, URL-encoded as sent: a page id may hold characters a URL escapes.
    const file = feedFileOf(decoded(path.feed) ?? '');
    if (!file) {
      const message = 'A feed is named <page>.atom, .rss, .json or .ics.';
      throw new AppError('NOT_FOUND', message, [{ path: 'feed', message }]);
    }
    const document = await pageFeed(deps, { ...file, narrowing: narrowingOf(event) });
    return conditionalGet(event.headers ?? {}, document, FEED_CACHE);
  });
}

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

/** The repeated parameters as sent (API Gateway's own parameters join repeats with commas). */
function narrowingOf(event: APIGatewayProxyEventV2) {
  const query = new URLSearchParams(event.rawQueryString ?? '');
  const narrowing = { regions: query.getAll('region'), components: query.getAll('component') };
  if (narrowing.regions.length + narrowing.components.length > MAX_NARROWING) {
    const message = `at most ${MAX_NARROWING} regions and components`;
    throw new AppError('VALIDATION', `A feed is narrowed to ${message}.`, [{ path: 'query', message }]);
  }
  return narrowing;
}
