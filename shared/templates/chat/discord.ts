import type { RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { type ChatContent, cutAtWord, markdownUrl } from './content';

/*
 * A Discord webhook message: one embed (title linking to the incident, the update as its description,
 * colour by impact, fields for status, impact and components, the update's time), and
 * `allowed_mentions: { parse: [] }` always, so nothing in it pings anyone. The owner's text has
 * Discord's markdown escaped (masked links, mentions, formatting), so it hides no link behind other
 * words. Within Discord's limits: title 256, description 4,096, field value 1,024, 6,000 in all.
 */

const LIMIT = { title: 256, description: 4_096, field: 1_024, total: 6_000 };

const COLOURS: Record<string, number> = {
  none: 0x4b5563,
  minor: 0xd97706,
  major: 0xea580c,
  critical: 0xdc2626,
  maintenance: 0x2563eb,
};
const RESOLVED = 0x16a34a;

/** Text Discord shows as written: its markdown and mention characters backslash-escaped. */
export const discordEscape = (text: string) => text.replace(/([\\*_~`|>[\]()#<@:-])/g, '\\$1');

/** Typed by Discord's own typings (`discord-api-types`): what Discord documents, checked by the compiler. */
export function discordMessage(content: ChatContent) {
  const resolved = /^(Resolved|Maintenance completed|Postmortem)$/.test(content.status ?? '');
  const fields = [
    ...(content.status ? [{ name: 'Status', value: discordEscape(content.status), inline: true }] : []),
    ...(content.impact ? [{ name: 'Impact', value: discordEscape(content.impact.label), inline: true }] : []),
    ...(content.components.length > 0
      ? [
          {
            name: 'Affected',
            value: cutAtWord(content.components.map(discordEscape).join('\n'), LIMIT.field),
            inline: false,
          },
        ]
      : []),
    {
      name: content.page.length > 0 ? cutAtWord(content.page, LIMIT.title) : 'Status page',
      value: [
        ...(content.links.confirm ? [`[Confirm](${markdownUrl(content.links.confirm)})`] : []),
        `[Manage](${markdownUrl(content.links.manage)})`,
        `[Unsubscribe](${markdownUrl(content.links.unsubscribe)})`,
      ].join(' · '),
      inline: false,
    },
  ];
  const title = cutAtWord(content.title, LIMIT.title);
  const used = title.length + fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const readMore = content.url ? `\n[Read the whole update](${markdownUrl(content.url)})` : '';
  const room = Math.min(LIMIT.description, LIMIT.total - used) - readMore.length;
  const body = discordEscape(content.text);
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        ...(content.url ? { url: content.url } : {}),
        description: body.length <= room + readMore.length ? body : `${cutAtWord(body, room)}${readMore}`,
        color: resolved
          ? RESOLVED
          : Object.hasOwn(COLOURS, content.impact?.key ?? '')
            ? COLOURS[content.impact?.key ?? '']
            : COLOURS.none,
        fields,
        timestamp: content.at.iso,
      },
    ],
  } satisfies RESTPostAPIWebhookWithTokenJSONBody;
}
