import { cutAtWord } from '../chat/content';
import { html, type SafeHtml, safeHttpUrl } from '../html';
import { markdownishToHtml, markdownishToText } from '../markdownish';

/** A feed as every format renders it: built once per request, escaped by each renderer for its own syntax. */
export interface FeedView {
  /** A `tag:` URI: the feed's own, stable. */
  id: string;
  title: string;
  /** Where this feed is read from. */
  selfUrl: string;
  /** The status page itself, or its subscribe page here. */
  homeUrl: string;
  /** The page's name: who writes every entry. */
  author: string;
  /** The newest entry's time (ISO 8601); the epoch for a feed with none. */
  updated: string;
  entries: FeedEntryView[];
}

export interface FeedEntryView {
  /** A `tag:` URI naming the incident and the update: the same in every feed, on every read. */
  id: string;
  title: string;
  url: string;
  published: string;
  updated: string;
  /** The update's text, its components and a link, as HTML (to be escaped again by XML renderers). */
  html: string;
  text: string;
  /** The affected components in words: "Channel - Chat (Prod1 (US))". */
  components: string[];
}

/**
 * An entry's text at most: fifty of them keep a feed well within what a response may carry, however
 * long the updates (a postmortem may run to 60,000 characters) and however much escaping grows them.
 */
const ENTRY_TEXT = 8_000;

/** An entry's body: the update's text as the mail renders it, what it affects, and where to read more. */
export function entryContent(input: { body: string; status: string; components: string[]; url: string }) {
  const whole = input.body.trim() || input.status;
  const text =
    whole.length > ENTRY_TEXT ? `${cutAtWord(whole, ENTRY_TEXT)} (the whole update: ${input.url})` : whole;
  const affected = input.components.length ? `Affected: ${input.components.join(', ')}` : '';
  const content: SafeHtml = html`${markdownishToHtml(text)}${affected ? html`<p>${affected}</p>` : ''}<p><a href="${input.url}">View incident</a></p>`;
  return {
    html: content.value,
    text: [markdownishToText(text), affected, input.url].filter(Boolean).join('\n\n'),
  };
}

/** An http(s) address of the incident, else of the page: a feed entry always links somewhere real. */
export const entryUrl = (shortlink: string | undefined, homeUrl: string) => safeHttpUrl(shortlink) ?? homeUrl;

/**
 * Text as XML 1.0 allows it, and as strict JSON parsers take it: control characters (but tab and line
 * breaks), lone surrogates and the two non-characters XML forbids are dropped. The `html` tag escapes
 * markup; this keeps a webhook's stray byte from making the whole document unreadable.
 */
export function xmlSafe(document: string): string {
  return document.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}
