import type { chat_v1 } from '@googleapis/chat';
import { html } from '../html';
import { type ChatContent, cutAtWord } from './content';

/*
 * A Google Chat incoming-webhook message: a `cardsV2` card, with a `text` fallback, threaded by incident
 * (`thread.threadKey`, posted with `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`: see
 * googleChatUrl). Card text reads a subset of HTML: the owner's text is HTML-escaped. The text fallback
 * reads Chat's own `<users/all>` and `<url|label>` syntax, which has no escape: there, and in the card's
 * plain header, the owner's angle brackets become the look-alike ‹ and ›, so they ping nobody and hide
 * no link.
 */

const TEXT_MAX = 4_000;

const escapeHtml = (text: string) => html`${text}`.toString();
const defuse = (text: string) => text.replace(/</g, '‹').replace(/>/g, '›');

/** Typed by Google's own typings (`@googleapis/chat`): what Chat documents, checked by the compiler. */
export function googleChatMessage(content: ChatContent) {
  const buttons = [
    ...(content.links.confirm
      ? [{ text: 'Confirm', onClick: { openLink: { url: content.links.confirm } } }]
      : []),
    ...(content.url ? [{ text: 'View incident', onClick: { openLink: { url: content.url } } }] : []),
    { text: 'Manage', onClick: { openLink: { url: content.links.manage } } },
    { text: 'Unsubscribe', onClick: { openLink: { url: content.links.unsubscribe } } },
  ];
  const subtitle = [content.status, content.impact && `${content.impact.label} impact`]
    .filter(Boolean)
    .join(' · ');
  return {
    text: defuse(cutAtWord(`${content.title}${content.status ? `: ${content.status}` : ''}`, 300)),
    thread: { threadKey: content.threadKey },
    cardsV2: [
      {
        cardId: content.kind,
        card: {
          header: {
            title: defuse(cutAtWord(content.title, 200)),
            subtitle: defuse(cutAtWord(subtitle ? `${content.page} · ${subtitle}` : content.page, 200)),
          },
          sections: [
            {
              widgets: [
                {
                  textParagraph: {
                    text: escapeHtml(cutAtWord(content.text, TEXT_MAX)).replace(/\n/g, '<br>'),
                  },
                },
                ...(content.components.length > 0
                  ? [
                      {
                        decoratedText: {
                          topLabel: 'Affected',
                          text: content.components.map(escapeHtml).join('<br>'),
                          wrapText: true,
                        },
                      },
                    ]
                  : []),
                { decoratedText: { topLabel: 'Posted', text: escapeHtml(content.at.words) } },
                { buttonList: { buttons } },
              ],
            },
          ],
        },
      },
    ],
  } satisfies chat_v1.Schema$Message;
}

/** Where to post: the webhook's URL, asking every message of a thread key to go in that thread. */
export function googleChatUrl(webhookUrl: string): string {
  const url = new URL(webhookUrl);
  url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
  return url.href;
}
