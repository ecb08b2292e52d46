import { type ChatContent, cutAtWord } from './content';

/*
 * A Microsoft Teams message for a Workflows webhook: an Adaptive Card (1.5) in the `message` envelope the
 * "When a Teams webhook request is received" flow posts. Teams reads a subset of markdown in text blocks
 * and facts: the owner's text has it backslash-escaped, so that a `[link](javascript:…)` or a heading
 * stays the text it was. Teams pings only through `<at>` entities, which we never send.
 */

const TEXT_MAX = 10_000;

/** Text Teams shows as written: markdown characters backslash-escaped. */
export const teamsEscape = (text: string) => text.replace(/([\\*_~`[\]()#>+\-!|<])/g, '\\$1');

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
        text: `[Manage](${content.links.manage}) · [Unsubscribe](${content.links.unsubscribe})`,
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
