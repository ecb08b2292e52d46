import type { EventInput } from '../../domain/webhook-events';
import { eventType } from '../../domain/webhook-events';
import { safeHttpUrl } from '../html';
import { markdownishToText } from '../markdownish';
import { formatTime, statusLabel } from '../notification';

/*
 * What a chat message says, whatever the platform: built once from the event, as plain text. Every
 * platform's renderer (slack.ts, teams.ts, discord.ts, googlechat.ts) escapes it for its own markup: the
 * incident's name and text are the page owner's, and may hold anything.
 */

const IMPACT_LABELS: Record<string, string> = {
  none: 'None',
  minor: 'Minor',
  major: 'Major',
  critical: 'Critical',
  maintenance: 'Maintenance',
};

export interface ChatContent {
  kind: 'update' | 'test' | 'verification';
  /** The page's name: who the message is from. */
  page: string;
  title: string;
  /** The incident's page, when it has one (http or https only). */
  url?: string;
  status?: string;
  /** The incident's impact: its label, and the key each platform picks a colour by. */
  impact?: { key: string; label: string };
  /** The update's text (or the notice's), plain. */
  text: string;
  /** Affected components, by region: "Prod1 (US): Channel - Chat, Channel - Email". */
  components: string[];
  /** When the update was posted, in UTC words, and as given. */
  at: { words: string; iso: string };
  /** One conversation per incident, where the platform threads. */
  threadKey: string;
  links: { manage: string; unsubscribe: string; confirm?: string };
}

/** An incident's, a maintenance's or a postmortem's update. */
export function chatContentOf(input: EventInput): ChatContent {
  const { incident, update } = input;
  const url = safeHttpUrl(incident.shortlink) ?? safeHttpUrl(input.page.url);
  const status = eventType(incident, update) === 'postmortem' ? 'Postmortem' : statusLabel(update.status);
  return {
    kind: 'update',
    page: input.page.name,
    title: incident.name,
    ...(url ? { url } : {}),
    status,
    impact: {
      key: incident.impact,
      label: Object.hasOwn(IMPACT_LABELS, incident.impact)
        ? (IMPACT_LABELS[incident.impact] as string)
        : incident.impact,
    },
    text: markdownishToText(update.body).trim() || status,
    components: byRegion(input.components),
    at: { words: formatTime(update.displayAt), iso: update.displayAt },
    threadKey: incident.incidentId,
    links: { manage: input.links.manageUrl, unsubscribe: input.links.unsubscribeUrl },
  };
}

/** A test message, or the verification that asks to confirm the subscription. */
export function chatNoticeOf(input: {
  type: 'test' | 'verification';
  at: Date;
  page: { id: string; name: string };
  links: { manageUrl: string; unsubscribeUrl: string };
  confirmUrl?: string;
}): ChatContent {
  const verification = input.type === 'verification';
  return {
    kind: input.type,
    page: input.page.name,
    title: verification ? `Confirm updates from ${input.page.name}` : `Test message from ${input.page.name}`,
    text: verification
      ? `Someone asked for ${input.page.name}’s status updates in this channel. Nothing more is sent here until it is confirmed: if that was you, press Confirm.`
      : 'This channel gets status updates from this page. This is a test: nothing is wrong.',
    components: [],
    at: { words: formatTime(input.at.toISOString()), iso: input.at.toISOString() },
    threadKey: `${input.type}-${input.page.id}`,
    links: {
      manage: input.links.manageUrl,
      unsubscribe: input.links.unsubscribeUrl,
      ...(input.confirmUrl ? { confirm: input.confirmUrl } : {}),
    },
  };
}

function byRegion(components: EventInput['components']): string[] {
  const regions = Map.groupBy(components, (c) => c.region ?? '');
  return [...regions].map(([region, list]) => {
    const names = list.map((c) => c.name).join(', ');
    return region ? `${region}: ${names}` : names;
  });
}

/** At most `max` characters, cut at a word, with an ellipsis when cut. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  const space = room.search(/\s\S*$/);
  return `${(space > max / 2 ? room.slice(0, space) : room).trimEnd()}…`;
}

/**
 * A URL inside a markdown link: its brackets, parentheses and spaces percent-encoded, so that a URL the
 * page owner gave cannot close our link and open one of its own.
 */
export const markdownUrl = (url: string) =>
  url.replace(/[()[\]<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
