import { type FeedView, xmlSafe } from './feed-view';

/**
 * JSON Feed 1.1: the entry's HTML and text both, its components as tags. Every string is cleaned as the
 * XML feeds' are: a lone surrogate would be written as an escape that strict JSON parsers refuse.
 */
export function jsonFeed(feed: FeedView): string {
  const clean = (_key: string, value: unknown) => (typeof value === 'string' ? xmlSafe(value) : value);
  return JSON.stringify(
    {
      version: 'https://jsonfeed.org/version/1.1',
      title: feed.title,
      home_page_url: feed.homeUrl,
      feed_url: feed.selfUrl,
      description: `Status updates from ${feed.author}`,
      authors: [{ name: feed.author }],
      language: 'en',
      items: feed.entries.map((entry) => ({
        id: entry.id,
        url: entry.url,
        title: entry.title,
        content_html: entry.html,
        content_text: entry.text,
        date_published: entry.published,
        date_modified: entry.updated,
        ...(entry.components.length ? { tags: entry.components } : {}),
      })),
    },
    clean,
  );
}
