import { html } from '../html';
import { type FeedView, xmlSafe } from './feed-view';

/** Atom (RFC 4287): the update's HTML as escaped `html` content, one category per affected component. */
export function atomFeed(feed: FeedView): string {
  return xmlSafe(
    html`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>${feed.id}</id>
<title>${feed.title}</title>
<updated>${feed.updated}</updated>
<author><name>${feed.author}</name></author>
<link rel="self" type="application/atom+xml" href="${feed.selfUrl}"/>
<link rel="alternate" type="text/html" href="${feed.homeUrl}"/>
<generator>status-notifier</generator>
${feed.entries.map(
  (entry) => html`<entry>
<id>${entry.id}</id>
<title>${entry.title}</title>
<published>${entry.published}</published>
<updated>${entry.updated}</updated>
<link rel="alternate" type="text/html" href="${entry.url}"/>
${entry.components.map((name) => html`<category term="${name}"/>`)}
<content type="html">${entry.html}</content>
</entry>
`,
)}</feed>
`.value,
  );
}
