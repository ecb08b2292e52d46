import { html } from '../html';
import { type FeedView, xmlSafe } from './feed-view';

/** RFC 822 dates, as RSS 2.0 has them: "Tue, 08 Dec 2026 03:21:33 GMT". */
const rfc822 = (iso: string) => new Date(iso).toUTCString();

/**
 * RSS 2.0: the entry's `tag:` id as a guid that is not a link, its HTML as escaped `description`, the
 * page as `dc:creator` (RSS's own `author` must be an address), and an Atom self link as the RSS
 * Advisory Board recommends.
 */
export function rssFeed(feed: FeedView): string {
  return xmlSafe(
    html`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>${feed.title}</title>
<link>${feed.homeUrl}</link>
<description>${`Status updates from ${feed.author}`}</description>
<language>en</language>
<atom:link rel="self" type="application/rss+xml" href="${feed.selfUrl}"/>
<lastBuildDate>${rfc822(feed.updated)}</lastBuildDate>
<generator>status-notifier</generator>
${feed.entries.map(
  (entry) => html`<item>
<title>${entry.title}</title>
<link>${entry.url}</link>
<guid isPermaLink="false">${entry.id}</guid>
<pubDate>${rfc822(entry.published)}</pubDate>
<dc:creator>${feed.author}</dc:creator>
${entry.components.map((name) => html`<category>${name}</category>`)}
<description>${entry.html}</description>
</item>
`,
)}</channel>
</rss>
`.value,
  );
}
