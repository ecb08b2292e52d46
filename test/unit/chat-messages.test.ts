import * as AdaptiveCards from 'adaptivecards';
import { describe, expect, it } from 'vitest';
import { chatRefusal } from '../../shared/domain/chat-url';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import type { EventInput } from '../../shared/domain/webhook-events';
import { chatContentOf, chatNoticeOf } from '../../shared/templates/chat/content';
import { discordMessage } from '../../shared/templates/chat/discord';
import { googleChatMessage, googleChatUrl } from '../../shared/templates/chat/googlechat';
import { slackMessage } from '../../shared/templates/chat/slack';
import { teamsMessage } from '../../shared/templates/chat/teams';
import { chatMessagesMayFail, incidentWebhook } from '../fixtures/seeds';

/** What a page owner may write, meaning no harm or all of it: pings, hidden links, platform markup. */
const HOSTILE =
  'Ping <!channel> <!here> <@U123> @everyone @here <users/all> <https://evil.example|innocent> ' +
  '[innocent](javascript:alert(1)) [docs](https://evil.example) **bold** # heading <b>tag</b> & more';

function eventOf(overrides: { name?: string; body?: string } = {}): EventInput {
  const plan = planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, 4)));
  const update = plan.updates.at(-1);
  if (!update) throw new Error('the seed has no update');
  return {
    eventId: 'evt_test',
    at: new Date('2026-12-08T10:00:00Z'),
    page: { id: plan.incident.pageId, name: 'Kustomer', url: 'https://status.kustomer.com' },
    incident: { ...plan.incident, ...(overrides.name ? { name: overrides.name } : {}) },
    update: { ...update, ...(overrides.body ? { body: overrides.body } : {}) },
    updates: plan.updates,
    components: [
      { id: 'a', name: 'Channel - Chat', region: 'Prod1 (US)' },
      { id: 'b', name: 'Channel - Email', region: 'Prod1 (US)' },
      { id: 'c', name: 'Channel - Chat', region: 'Prod2 (EU)' },
    ],
    links: {
      manageUrl: 'https://status.example.com/manage?token=t',
      unsubscribeUrl: 'https://status.example.com/unsubscribe?token=t',
    },
  };
}

const hostile = chatContentOf(eventOf({ name: `Outage ${HOSTILE}`, body: HOSTILE }));
const long = chatContentOf(eventOf({ name: 'word '.repeat(100), body: 'word '.repeat(3_000) }));

describe('a Slack message', () => {
  it('is Block Kit with a fallback: header, status and impact, the text, components by region, links', () => {
    const message = slackMessage(chatContentOf(eventOf()));
    expect(message.text).toMatch(/^\S.*: Resolved$/);
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'actions',
      'context',
    ]);
    const all = JSON.stringify(message);
    expect(all).toContain('Prod1 (US): Channel - Chat, Channel - Email');
    expect(all).toContain('<https://status.example.com/unsubscribe?token=t|Unsubscribe>');
  });

  it('pings nobody and hides no link, whatever the owner wrote', () => {
    // What Slack reads as markup: the fallback and every mrkdwn text (a header is plain_text, never read).
    const message = slackMessage(hostile);
    const read: string[] = [message.text];
    JSON.stringify(message, (_key, value) => {
      if (value?.type === 'mrkdwn') read.push(value.text);
      return value;
    });
    const all = read.join('\n');
    for (const markup of ['<!channel>', '<!here>', '<@U123>', '<https://evil.example|innocent>'])
      expect(all).not.toContain(markup);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('&lt;https://evil.example|innocent&gt;');
  });

  it('stays within Slack’s limits, a long text cut at a word with a link to the rest', () => {
    const message = slackMessage(long);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const block of message.blocks as Array<{ text?: { text: string } }>)
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3_000);
    expect(JSON.stringify(message)).toMatch(/word…\\n<https:\/\/[^|]+\|Read the whole update>/);
  });
});

describe('a Microsoft Teams message', () => {
  const parse = (message: ReturnType<typeof teamsMessage>) => {
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    card.parse(message.attachments[0]?.content, context);
    return Array.from({ length: context.eventCount }, (_, n) => context.getEventAt(n).message);
  };

  it('is an Adaptive Card 1.5 in a Workflows message, valid by the adaptivecards parser', () => {
    for (const content of [chatContentOf(eventOf()), hostile, long]) {
      const message = teamsMessage(content);
      expect(message.type).toBe('message');
      expect(message.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(parse(message)).toEqual([]);
    }
  });

  it('keeps the owner’s markdown as text: no link behind other words', () => {
    const all = JSON.stringify(teamsMessage(hostile));
    expect(all).not.toMatch(/\[innocent\]\s*\(/);
    expect(all).toContain('[innocent]\u200B(javascript');
    // Brackets the owner wrote stay as written: no backslashes in a Teams card.
    expect(JSON.stringify(teamsMessage(chatContentOf(eventOf())))).toContain(
      '"[CHAT] [Chat messages may fail',
    );
  });
});

describe('a Discord message', () => {
  it('is one embed: linked title, text, colour by impact, fields, time; it never pings', () => {
    const message = discordMessage(chatContentOf(eventOf()));
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const [embed] = message.embeds;
    expect(embed?.url).toMatch(/^https:\/\//);
    expect(embed?.fields.map((f) => f.name)).toEqual(['Status', 'Impact', 'Affected', 'Kustomer']);
    expect(embed?.timestamp).toMatch(/^\d{4}-/);
    expect(typeof embed?.color).toBe('number');
  });

  it('escapes mentions and masked links in the owner’s text', () => {
    const message = discordMessage(hostile);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const description = message.embeds[0]?.description ?? '';
    expect(description).not.toMatch(/(^|[^\\])\[innocent\]/);
    expect(description).toContain('\\@everyone');
    expect(description).toContain('\\<\\@U123\\>');
  });

  it('stays within Discord’s limits', () => {
    const [embed] = discordMessage(long).embeds;
    expect(embed?.title.length).toBeLessThanOrEqual(256);
    expect(embed?.description.length).toBeLessThanOrEqual(4_096);
    expect(embed?.fields.length).toBeLessThanOrEqual(25);
    const total =
      (embed?.title.length ?? 0) +
      (embed?.description.length ?? 0) +
      (embed?.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6_000);
    expect(embed?.description).toMatch(/word…\n\[Read the whole update\]\(https:/);
  });
});

describe('a Google Chat message', () => {
  it('is a card with a text fallback, threaded by incident', () => {
    const content = chatContentOf(eventOf());
    const message = googleChatMessage(content);
    expect(message.thread.threadKey).toBe(content.threadKey);
    expect(message.cardsV2[0]?.card.header.title).toBe(content.title.replace(/</g, '‹').replace(/>/g, '›'));
    expect(googleChatUrl('https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t')).toBe(
      'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD',
    );
  });

  it('pings nobody and hides no link: HTML escaped in the card, Chat’s markup defused in the text', () => {
    const message = googleChatMessage(hostile);
    const card = JSON.stringify(message.cardsV2);
    expect(card).not.toContain('<users/all>');
    expect(card).not.toContain('<b>tag');
    expect(card).toContain('&#60;users/all&#62;');
    expect(message.text).not.toMatch(/<users\/all>|<https?:/);
  });
});

describe('a notice in a chat', () => {
  it('asks to confirm with a Confirm link, on every platform', () => {
    const content = chatNoticeOf({
      type: 'verification',
      at: new Date('2026-12-08T10:00:00Z'),
      page: { id: 'p', name: 'Kustomer' },
      links: { manageUrl: 'https://s.example/m', unsubscribeUrl: 'https://s.example/u' },
      confirmUrl: 'https://s.example/confirm?token=c',
    });
    for (const message of [
      slackMessage(content),
      teamsMessage(content),
      discordMessage(content),
      googleChatMessage(content),
    ])
      expect(JSON.stringify(message)).toContain('https://s.example/confirm?token=c');
  });
});

describe('a chat platform’s refusal', () => {
  it('says the webhook is gone for each platform’s words, and names our own malformed message', () => {
    for (const said of ['channel_not_found', 'channel_is_archived', 'no_service', 'invalid_token'])
      expect(chatRefusal('slack', 404, said)).toEqual({
        gone: `the Slack webhook is gone: it answered 404 ${said}`,
      });
    expect(chatRefusal('slack', 400, 'invalid_payload')).toEqual({
      ourBug: 'Slack answered 400 invalid_payload',
    });
    expect(chatRefusal('discord', 404, '{"message": "Unknown Webhook", "code": 10015}')).toEqual({
      gone: 'the Discord webhook is gone: it answered 404 Unknown Webhook',
    });
    expect(chatRefusal('teams', 404, '')).toEqual({
      gone: 'the Microsoft Teams webhook is gone: it answered 404',
    });
    expect(chatRefusal('googlechat', 404, '{"error":{"code":404}}')).toEqual({
      gone: 'the Google Chat webhook is gone: it answered 404',
    });
    // Our malformed messages are ours, whatever the platform's words; never the channel's health.
    expect(chatRefusal('slack', 400, 'invalid_blocks')).toEqual({
      ourBug: 'Slack answered 400 invalid_blocks',
    });
    expect(chatRefusal('discord', 400, '{"code": 50035, "message": "Invalid Form Body"}')).toMatchObject({
      ourBug: expect.stringMatching(/^Discord answered 400/),
    });
    expect(chatRefusal('teams', 400, 'bad request')).toMatchObject({ ourBug: expect.any(String) });
    // A Discord 404 about anything but the webhook (a forum post deleted) is not the webhook gone.
    expect(chatRefusal('discord', 404, '{"message": "Unknown Channel", "code": 10003}')).toBeUndefined();
    // Anything else is any endpoint's answer: a 400 fails the delivery, a 429 or 5xx is retried.
    expect(chatRefusal('slack', 403, 'something_else')).toBeUndefined();
    expect(chatRefusal('googlechat', 400, 'API key not valid')).toBeUndefined();
  });
});

describe('links of ours around the owner’s', () => {
  it('cannot be closed by an incident URL to open a link of its own (Discord, Teams)', () => {
    const content = chatContentOf(eventOf());
    const tricky = { ...content, url: 'https://s.example.com/a)[Log in](https://evil.example/x' };
    const description =
      discordMessage({ ...tricky, text: 'word '.repeat(2_000) }).embeds[0]?.description ?? '';
    expect(description).toContain('(https://s.example.com/a%29%5BLog%20in%5D%28https://evil.example/x)');
    expect(description).not.toContain('[Log in](');
  });

  it('are the only links Slack reads: every mrkdwn text is verbatim', () => {
    const message = slackMessage(hostile);
    const texts: Array<{ verbatim?: boolean }> = [];
    JSON.stringify(message, (_key, value) => {
      if (value?.type === 'mrkdwn') texts.push(value);
      return value;
    });
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) expect(text.verbatim).toBe(true);
  });
});
