import { type ChatContent, cutAtWord, markdownUrl } from './content';

/*
 * A Microsoft Teams message for a Workflows webhook: an Adaptive Card (1.5) in the `message` envelope the
 * "When a Teams webhook request is received" flow posts. Teams reads a small subset of markdown in text
 * blocks and facts (emphasis, lists, `[text](url)` links) and no backslash escapes: in the owner's text a
 * zero-width space parts every `](`, so that no link hides behind other words while the text reads as
 * written (an incident named "[CHAT] …" keeps its brackets). Teams pings only through `<at>` entities,
 * which we never send.
 */

const TEXT_MAX = 10_000;

/** Text Teams shows as written: no markdown link can be made of it. */
export const teamsEscape = (text: string) => text.replace(/\]\s*\(/g, (part) => part.replace('(', '\u200B('));

export function teamsMessage(content: ChatContent) {
  const facts = [
    ...(content.status ? [{ title: 'Status', value: teamsEscape(content.status) }] : []),
    ...(content.impact ? [{ title: 'Impact', value: teamsEscape(content.impact.label) }] : []),
    ...(content.components.length > 0
      ? [{ title: 'Affected', value: teamsEscape(content.components.join('; ')) }]
      : []),
    { title: 'Posted', value: content.at.words },
  ];
  const actions = [
    ...(content.links.confirm
      ? [{ type: 'Action.OpenUrl', title: 'Confirm', url: content.links.confirm }]
      : []),
    ...(content.url ? [{ type: 'Action.OpenUrl', title: 'View incident', url: content.url }] : []),
  ];
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: teamsEscape(content.page), isSubtle: true, size: 'Small', wrap: true },
      {
        type: 'TextBlock',
        text: teamsEscape(content.title),
        weight: 'Bolder',
        size: 'Large',
        wrap: true,
        style: 'heading',
      },
      { type: 'FactSet', facts },
      { type: 'TextBlock', text: teamsEscape(cutAtWord(content.text, TEXT_MAX)), wrap: true },
      {
        type: 'TextBlock',
        text: `[Manage](${markdownUrl(content.links.manage)}) · [Unsubscribe](${markdownUrl(content.links.unsubscribe)})`,
        isSubtle: true,
        size: 'Small',
        wrap: true,
      },
    ],
    ...(actions.length > 0 ? { actions } : {}),
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
