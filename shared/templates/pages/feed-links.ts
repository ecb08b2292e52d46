import type { PageView } from '../../domain/catalog';
import { type FeedFormat, type FeedNarrowing, feedPath } from '../../domain/feeds';
import { html, type SafeHtml } from '../html';

const LINKS: ReadonlyArray<{ format: FeedFormat; label: string; hint: string }> = [
  { format: 'atom', label: 'Atom feed', hint: 'for feed readers' },
  { format: 'rss', label: 'RSS feed', hint: 'for feed readers, and Slack’s and Teams’ RSS apps' },
  { format: 'json', label: 'JSON Feed', hint: 'for scripts and dashboards' },
  { format: 'ics', label: 'Maintenance calendar', hint: 'maintenance windows in your calendar' },
];

/** Where a feed is read from: the calendar as `webcal://`, so that a click subscribes a calendar app. */
function feedHref(baseUrl: string, format: FeedFormat, path: string): string {
  return format === 'ics' ? `${baseUrl.replace(/^https?:/, 'webcal:')}${path}` : path;
}

/**
 * "Or follow in a feed reader or calendar": the page's feeds for what is ticked (the whole page when
 * nothing is). The script keeps the links to what is ticked as the person ticks.
 */
export function feedLinks(page: PageView, narrowing: FeedNarrowing, baseUrl: string): SafeHtml {
  return html`<section class="feeds" aria-labelledby="feeds-title" data-feeds>
<h2 id="feeds-title">Or follow in a feed reader or calendar</h2>
<p>No sign-up: the same updates, for what you ticked above (everything on ${page.name} when nothing is ticked).</p>
<ul class="topics feed-links">${LINKS.map(
    ({ format, label, hint }) =>
      html`<li><a href="${feedHref(baseUrl, format, feedPath(page.id, format, narrowing))}" data-feed="${feedHref(baseUrl, format, feedPath(page.id, format, { regions: [], components: [] }))}">${label}</a> <span class="muted">${hint}</span></li>`,
  )}</ul></section>`;
}

/** The page's feeds for a reader's autodiscovery (`<link rel="alternate">`). */
export function feedAlternates(page: PageView) {
  const none = { regions: [], components: [] };
  return [
    {
      type: 'application/atom+xml',
      title: `${page.name} status (Atom)`,
      href: feedPath(page.id, 'atom', none),
    },
    { type: 'application/rss+xml', title: `${page.name} status (RSS)`, href: feedPath(page.id, 'rss', none) },
  ];
}
