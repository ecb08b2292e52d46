import { ChannelView, endpointAddress } from './endpoint';
import { NotificationLevel } from './levels';
import { Topic } from './topics';
import * as z from './zod';

/** One incident a person follows on its own, until it resolves (and its postmortem, if one is expected). */
export const Follow = z.object({
  incidentId: z.string(),
  pageId: z.string(),
  /** The incident's name when the follow began, for pages and mails. */
  name: z.string(),
  key: z.string(),
  /**
   * When the follow ends whatever happens (its items expire then): an incident whose postmortem never
   * comes must not keep its followers for ever.
   */
  endsAt: z.optional(z.string()),
});
export type Follow = z.infer<typeof Follow>;

/** A follow ends this long after it is confirmed, at the latest. */
export const FOLLOW_DAYS = 30;
/** Incidents one address follows at once, at most: the oldest follow gives way to a new one. */
export const MAX_FOLLOWS = 10;

/** Whether the subscriber hears of anything at all: a topic, or an incident it follows. */
export const followsAnything = (record: Pick<Subscriber, 'topics' | 'follows'>) =>
  record.topics.length > 0 || (record.follows?.length ?? 0) > 0;

/** The audience key of an incident's followers: `I#<incident id>`. */
export const followKey = (incidentId: string) => `I#${incidentId}`;

export const SubscriberStatus = z.enum(['pending', 'confirmed', 'unsubscribed']);
export type SubscriberStatus = z.infer<typeof SubscriberStatus>;

/** A subscriber as the API shows it: no token material. */
export const Subscriber = z.object({
  id: z.string(),
  email: z.string(),
  status: SubscriberStatus,
  level: NotificationLevel,
  topics: z.array(Topic),
  /** Incidents followed on their own (absent: none). */
  follows: z.optional(z.array(Follow)),
  /** Times in mail (a maintenance window) in this IANA zone as well as UTC; absent: the status page's. */
  timeZone: z.optional(z.string()),
  /** Updates go to this endpoint rather than to `email`, which is then its owner's, for notices. */
  channel: z.optional(ChannelView),
  createdAt: z.string(),
  confirmedAt: z.optional(z.string()),
});
export type Subscriber = z.infer<typeof Subscriber>;

/** A subscriber as stored, with what its links are checked against. */
export const SubscriberRecord = z.extend(Subscriber, {
  /** Manage links are derived from it; replacing it revokes them all (saving sets `linksValidFrom`). */
  linkNonce: z.string(),
  /** When the nonce was last replaced: manage links signed with an earlier issue time are refused. */
  linksValidFrom: z.optional(z.string()),
  confirmTokenHash: z.optional(z.string()),
  confirmExpiresAt: z.optional(z.string()),
  /** Follows asked for and not yet confirmed: a confirmed subscriber confirms each new one. */
  pendingFollows: z.optional(z.array(Follow)),
  /** When we last mailed this address outside incidents (confirmation, reminder): throttles resends. */
  lastInviteAt: z.optional(z.string()),
  /** Bumped on every write: concurrent changes fail instead of overwriting each other. */
  version: z.number().check(z.int(), z.nonnegative()),
  /** An endpoint subscriber's URL, keyed (see `endpointKey`): one subscriber per endpoint, as per address. */
  endpointKey: z.optional(z.string()),
});
export type SubscriberRecord = z.infer<typeof SubscriberRecord>;

/** Where a subscriber's updates go, as batches carry it: its address, or its endpoint's (no credential). */
export const deliveryAddress = (record: Pick<SubscriberRecord, 'id' | 'email' | 'channel'>) =>
  record.channel ? endpointAddress(record.id) : record.email;

export function publicView(record: SubscriberRecord): Subscriber {
  return Subscriber.parse(record);
}

/** One member of an update's audience, as the topic index gives it. */
export interface Recipient {
  subscriberId: string;
  email: string;
  level: NotificationLevel;
}

/** Addresses compare case-insensitively in practice; the stored form is trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `a***@example.com`: enough for a person to recognise their address, not enough to harvest it. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** Pending subscriptions that are never confirmed disappear after this long. */
export const PENDING_TTL_DAYS = 7;
/** A confirmation link is valid this long. */
export const CONFIRM_TOKEN_TTL_HOURS = 48;
/** A repeated subscribe for the same address mails it again at most this often. */
export const RESEND_AFTER_MINUTES = 5;
