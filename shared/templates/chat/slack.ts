import type { Button, KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { type ChatContent, cutAtWord } from './content';

/*
 * A Slack incoming-webhook message: Block Kit, with a plain `text` fallback (notifications, and clients
 * that show no blocks). Slack reads `&`, `<` and `>` as markup (`<!channel>`, `<@U123>`,
 * `<https://evil|innocent>`): the owner's text has them escaped, so it pings nobody and hides no link.
 * Within Slack's limits: 50 blocks, 150 characters a header, 3,000 a section.
 */

const HEADER_MAX = 150;
const SECTION_MAX = 3_000;

/** Text that Slack shows as written. */
export const slackEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A link of ours: `<url|label>`, the URL's own `|` and `>` percent-encoded. */
const link = (url: string, label: string) =>
  `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${slackEscape(label)}>`;

/** Typed by Slack's own typings (`@slack/types`): what Slack documents, checked by the compiler. */
export function slackMessage(content: ChatContent): { text: string; blocks: KnownBlock[] } {
  const readMore = content.url ? `\n${link(content.url, 'Read the whole update')}` : '';
  const body = slackEscape(content.text);
  const text =
    body.length <= SECTION_MAX ? body : `${cutAtWord(body, SECTION_MAX - readMore.length)}${readMore}`;
  const footer = [
    slackEscape(content.page),
    content.at.words,
    link(content.links.manage, 'Manage'),
    link(content.links.unsubscribe, 'Unsubscribe'),
  ].join(' · ');
  const buttons: Button[] = [];
  if (content.links.confirm)
    buttons.push({ type: 'button', style: 'primary', text: plain('Confirm'), url: content.links.confirm });
  if (content.url && content.url.length <= BUTTON_URL_MAX)
    buttons.push({ type: 'button', text: plain('View incident'), url: content.url });
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(cutAtWord(content.title, HEADER_MAX)) }];
  if (content.status)
    blocks.push({
      type: 'section',
      fields: [
        mrkdwn(`*Status*\n${slackEscape(content.status)}`),
        ...(content.impact ? [mrkdwn(`*Impact*\n${slackEscape(content.impact.label)}`)] : []),
      ],
    });
  blocks.push({ type: 'section', text: mrkdwn(text) });
  if (content.components.length > 0)
    blocks.push({
      type: 'section',
      text: mrkdwn(cutAtWord(`*Affected*\n${content.components.map(slackEscape).join('\n')}`, SECTION_MAX)),
    });
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({ type: 'context', elements: [mrkdwn(footer)] });
  return {
    text: slackEscape(cutAtWord(`${content.title}${content.status ? `: ${content.status}` : ''}`, 300)),
    blocks,
  };
}

/**
 * Markup Slack reads only as written: `verbatim`, so that nothing in it is turned into a mention or a link
 * beyond our own `<url|label>`.
 */
const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text, verbatim: true });

/** A button's URL: Slack takes up to 3,000 characters. */
const BUTTON_URL_MAX = 3_000;

/** Plain text (no markup is read in it), cut to a header's length. */
const plain = (text: string): PlainTextElement => ({
  type: 'plain_text',
  text: cutAtWord(text, HEADER_MAX),
  emoji: false,
});
