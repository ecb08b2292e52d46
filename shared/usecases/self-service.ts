import { createHash, randomUUID } from 'node:crypto';
import { MESSAGES } from '../domain/form-messages';
import { isClosingStatus } from '../domain/incident';
import { NotificationLevel } from '../domain/levels';
import {
  confirmTokenMatches,
  createConfirmToken,
  type LinkScope,
  manageTokenMatches,
  newNonce,
  parseLinkToken,
} from '../domain/link-tokens';
import type { SingleMail } from '../domain/render';
import {
  CONFIRM_TOKEN_TTL_HOURS,
  FOLLOW_DAYS,
  type Follow,
  followsAnything,
  MAX_FOLLOWS,
  maskEmail,
  normalizeEmail,
  RESEND_AFTER_MINUTES,
  type SubscriberRecord,
} from '../domain/subscriber';
import { TimeZone } from '../domain/time-zone';
import { type Topic, TopicInput, TopicKey, withoutCovered } from '../domain/topics';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { log, loggableError } from '../log';
import type {
  Catalog,
  Clock,
  Endpoints,
  Incidents,
  Mailer,
  RateLimiter,
  Subscribers,
  Suppressions,
} from '../ports';
import { alreadySubscribedMail, confirmationMail } from '../templates/account';
import { preferencesUrl } from './manage-links';
import { labelTopics, resolveTopics } from './topics';

export interface SelfServiceDeps {
  subscribers: Subscribers;
  catalog: Catalog;
  /** To confirm a follow only while its incident is still going on. */
  incidents?: Pick<Incidents, 'get'>;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  suppressions: Suppressions;
  /** Endpoint subscribers' credentials: a confirmation shows the signing secret, once. */
  endpoints?: Pick<Endpoints, 'get'>;
  clock: Clock;
  config: {
    publicBaseUrl: string;
    linkSigningSecret: string;
    limits?: { perIp: number; perAddress: number };
  };
}

/** The words a person reads when a subscribe or preferences form is wrong; the JSON API says the same. */
export const EmailAddress = z.pipe(
  z
    .email({ error: (issue) => (issue.input ? MESSAGES.emailFormat : MESSAGES.emailMissing) })
    .check(z.maxLength(254, MESSAGES.emailFormat)),
  z.transform(normalizeEmail),
);
const Level = z.enum(NotificationLevel.options, { error: MESSAGES.level });

export const SubscribeInput = z.object({
  email: EmailAddress,
  topics: z
    .array(TopicInput)
    .check(z.minLength(1, MESSAGES.noTopics), z.maxLength(40, MESSAGES.tooManyTopics)),
  level: z._default(Level, 'all'),
  /** The person's IANA time zone (the form's script reads the browser's): times in mail in it too. */
  timeZone: z.optional(TimeZone),
});
export type SubscribeInput = z.output<typeof SubscribeInput>;

/** Subscription bombing (thousands of confirmation mails to a victim) is what these limits stop. */
const LIMIT_WINDOW_SECONDS = 3600;

/**
 * Public subscribe. The caller learns nothing about the address: new, pending, confirmed or unsubscribed,
 * the answer is the same. A new or lapsed address gets a confirmation mail; a confirmed one gets a link
 * to its preferences instead; either is sent at most once per few minutes per address.
 */
export async function requestSubscription(deps: SelfServiceDeps, input: SubscribeInput, clientIp: string) {
  await limitRequests(deps, input.email, clientIp);
  const topics = withoutCovered(await resolveTopics(deps.catalog, input.topics));
  // From here on every path answers alike, whatever the address's state or a failure to mail it.
  try {
    await subscribeAddress(deps, input, topics);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    log.warn('concurrent subscribe for one address; the other request handles it');
  }
}

async function subscribeAddress(deps: SelfServiceDeps, input: SubscribeInput, topics: Topic[]) {
  const now = deps.clock.now();
  if ((await deps.suppressions.suppressed([input.email])).size > 0) return; // bounced or complained: no mail
  const existing = await deps.subscribers.findByEmail(input.email);
  if (existing && !mayMailAgain(existing, now)) return;

  // Confirmed but following nothing any more (its follows ended): it subscribes like anyone new.
  if (existing?.status === 'confirmed' && followsAnything(existing)) {
    await deps.subscribers.save({ ...existing, lastInviteAt: now.toISOString() }, existing);
    await mailQuietly(
      deps,
      existing.email,
      alreadySubscribedMail({ preferencesUrl: preferencesUrl(deps, existing) }),
    );
    return;
  }
  const id = existing?.id ?? randomUUID();
  const confirm = createConfirmToken(id);
  const record: SubscriberRecord = {
    ...(existing ?? { id, email: input.email, createdAt: now.toISOString(), version: 0 }),
    // A lapsed subscriber starts over: links from before no longer work.
    linkNonce: newNonce(),
    status: 'pending',
    level: input.level,
    topics,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    confirmTokenHash: confirm.hash,
    confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
    lastInviteAt: now.toISOString(),
  };
  if (existing) await deps.subscribers.save(record, existing);
  else await deps.subscribers.create(record);
  await sendConfirmation(deps, record, confirm.token).catch((error: unknown) =>
    log.error('confirmation mail failed', { error: loggableError(error) }),
  );
}

/** Subscription bombing: requests per client IP and per address, per hour (following counts too). */
export async function limitRequests(deps: SelfServiceDeps, email: string, clientIp: string) {
  const limits = deps.config.limits ?? { perIp: 20, perAddress: 5 };
  await limit(deps, `ip:${clientIp}`, limits.perIp);
  // The counter is keyed by a hash: an erased subscriber's address must not linger in rate-limit items.
  await limit(deps, `email:${createHash('sha256').update(email).digest('base64url')}`, limits.perAddress);
}

export async function mailQuietly(deps: Pick<SelfServiceDeps, 'mailer'>, to: string, mail: SingleMail) {
  const outcome = await deps.mailer.sendOne(to, mail);
  if (!outcome.ok) log.error('account mail failed', { error: loggableError(outcome.error) });
}

/** Mails a confirmation link for a pending record whose token hash is already stored. */
export async function sendConfirmation(
  deps: Pick<SelfServiceDeps, 'mailer' | 'catalog' | 'config'>,
  record: SubscriberRecord,
  token: string,
) {
  const confirmUrl = `${deps.config.publicBaseUrl}/v1/confirm?token=${encodeURIComponent(token)}`;
  // A pending subscriber confirms everything it asked for; anyone else only the follow it asked for.
  const asked =
    record.status === 'pending'
      ? [...(await labelTopics(deps.catalog, record.topics)), ...followLabels({ follows: record.follows })]
      : [];
  const outcome = await deps.mailer.sendOne(
    record.email,
    confirmationMail({ confirmUrl, topics: [...asked, ...followLabels({ follows: record.pendingFollows })] }),
  );
  if (!outcome.ok) throw new Error(`confirmation mail not sent: ${outcome.error}`);
}

/** Who a link is for, without using it: what the GET page shows before its button is pressed. */
export async function inspectLink(deps: SelfServiceDeps, token: string, scope: LinkScope) {
  const record = await verifiedRecord(deps, token, scope);
  return { email: maskEmail(record.email), status: record.status, pageIds: pageIdsOf(record) };
}

/** Confirms with a confirmation token, once; manage links issued before are replaced. */
export async function confirmSubscription(deps: SelfServiceDeps, token: string) {
  const record = await verifiedRecord(deps, token, 'confirm');
  const { confirmTokenHash: _, confirmExpiresAt: __, pendingFollows = [], ...rest } = record;
  const now = deps.clock.now();
  const endsAt = new Date(now.getTime() + FOLLOW_DAYS * 86_400_000).toISOString();
  const starting = (await stillGoingOn(deps, pendingFollows)).map((follow) => ({ ...follow, endsAt }));
  // Unsubscribed and confirming a follow: it starts over with that follow, not anything it left.
  const startingOver = record.status === 'unsubscribed';
  const follows = [
    ...(startingOver ? [] : (record.follows ?? [])).filter(
      (had) => !starting.some((f) => f.incidentId === had.incidentId),
    ),
    ...starting,
  ].slice(-MAX_FOLLOWS);
  if (startingOver && follows.length === 0) {
    // The incident ended before the link was used: nothing to start over with, so nothing changes.
    await deps.subscribers.save({ ...rest }, record);
    throw new AppError('CONFLICT', 'That incident is over: there are no more updates to follow.', [
      { path: 'token', message: 'the incident ended before the link was used' },
    ]);
  }
  // A confirmed subscriber confirming a new follow keeps the links in the mail it already has.
  const already = record.status === 'confirmed';
  const confirmed = await deps.subscribers.save(
    {
      ...rest,
      ...(startingOver ? { topics: [] } : {}),
      follows,
      status: 'confirmed',
      confirmedAt: already && record.confirmedAt ? record.confirmedAt : deps.clock.now().toISOString(),
      linkNonce: already ? record.linkNonce : newNonce(),
    },
    record,
  );
  // A webhook's signing secret, shown this once: the confirmation link works only once. A chat platform
  // checks no signature: its channel has none to show.
  const webhook = confirmed.channel?.type === 'webhook';
  const endpoint = webhook && !already ? await deps.endpoints?.get(confirmed.id) : undefined;
  return {
    email: maskEmail(confirmed.email),
    preferencesUrl: preferencesUrl(deps, confirmed),
    topics: [...(await labelTopics(deps.catalog, confirmed.topics)), ...followLabels(confirmed)],
    pageIds: pageIdsOf(confirmed),
    ...(confirmed.channel
      ? { endpoint: confirmed.channel.endpoint, channelType: confirmed.channel.type }
      : {}),
    ...(endpoint?.secrets[0] ? { signingSecret: endpoint.secrets[0].secret } : {}),
  };
}

/**
 * One-click unsubscribe (RFC 8058): immediate, and repeating it is harmless. A concurrent change to the
 * subscriber is no reason to fail it: read again and retry.
 */
export async function unsubscribe(deps: SelfServiceDeps, token: string) {
  for (let attempt = 1; ; attempt++) {
    const record = await verifiedRecord(deps, token, 'manage');
    try {
      if (record.status !== 'unsubscribed') {
        const { confirmTokenHash: _, confirmExpiresAt: __, ...rest } = record;
        await deps.subscribers.save({ ...rest, status: 'unsubscribed' }, record);
      }
      return {
        email: maskEmail(record.email),
        status: 'unsubscribed' as const,
        pageIds: pageIdsOf(record),
      };
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT') || attempt === 3) throw error;
    }
  }
}

export const PreferencesUpdate = z
  .object({
    topics: z.optional(z.array(TopicInput).check(z.maxLength(40, MESSAGES.tooManyTopics))),
    level: z.optional(Level),
    /** An IANA zone for times in mail (a maintenance window); empty for the status page's. */
    timeZone: z.optional(TimeZone),
    /** Topic keys to stop following (`C#page#component`, as GET shows them). */
    removeTopics: z.optional(z.array(TopicKey).check(z.maxLength(40))),
    /** true: unsubscribe from everything. */
    unsubscribe: z.optional(z.literal(true)),
  })
  .check(
    z.refine(
      (update) => Object.keys(update).length > 0,
      'nothing to change: give topics, level or unsubscribe',
    ),
  );
export type PreferencesUpdate = z.output<typeof PreferencesUpdate>;

export async function getPreferences(deps: SelfServiceDeps, token: string) {
  return preferencesView(deps, await verifiedRecord(deps, token, 'manage'));
}

/**
 * Changes topics or level, or unsubscribes; removing the last topic unsubscribes too. Says what changed
 * in words, so the page can tell the person. A concurrent change (another tab, a mail client's one-click)
 * is no reason to fail: read again and apply the update to what is there now.
 */
export async function updatePreferences(deps: SelfServiceDeps, token: string, update: PreferencesUpdate) {
  for (let attempt = 1; ; attempt++) {
    const record = await verifiedRecord(deps, token, 'manage');
    const removing = new Set(update.removeTopics ?? []);
    const topics = (
      update.topics ? withoutCovered(await resolveTopics(deps.catalog, update.topics)) : record.topics
    ).filter((topic) => !removing.has(topic.key));
    const follows = (record.follows ?? []).filter((follow) => !removing.has(follow.key));
    const unsubscribing = update.unsubscribe === true || (topics.length === 0 && follows.length === 0);
    try {
      const saved = await deps.subscribers.save(
        {
          ...record,
          topics: topics.length || follows.length ? topics : record.topics,
          ...(record.follows ? { follows } : {}),
          level: update.level ?? record.level,
          timeZone: update.timeZone === undefined ? record.timeZone : update.timeZone || undefined,
          status: unsubscribing ? 'unsubscribed' : record.status,
        },
        record,
      );
      return { ...(await preferencesView(deps, saved)), changes: await describeChanges(deps, record, saved) };
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT') || attempt === 3) throw error;
    }
  }
}

/**
 * What a save changed, in words. "Removed" only what is no longer heard of: a component now inside a
 * followed region is still covered; anything newly followed is "added", even if it was covered before
 * (narrowing a page to one component adds that component and removes the page).
 */
async function describeChanges(deps: SelfServiceDeps, before: SubscriberRecord, after: SubscriberRecord) {
  const keys = (topics: readonly Topic[]) => new Set(topics.map((t) => t.key));
  const [was, now] = [keys(before.topics), keys(after.topics)];
  const coveredNow = (t: Topic) => !withoutCovered([...after.topics, t]).includes(t);
  return {
    added: await labelTopics(
      deps.catalog,
      after.topics.filter((t) => !was.has(t.key)),
    ),
    removed: [
      ...(await labelTopics(
        deps.catalog,
        before.topics.filter((t) => !now.has(t.key) && !coveredNow(t)),
      )),
      ...followLabels({
        follows: before.follows?.filter(
          (f) => !after.follows?.some((kept) => kept.incidentId === f.incidentId),
        ),
      }),
    ],
    ...(after.level !== before.level ? { level: { from: before.level, to: after.level } } : {}),
    ...(after.timeZone !== before.timeZone
      ? { timeZone: { from: before.timeZone ?? '', to: after.timeZone ?? '' } }
      : {}),
    unsubscribed: after.status === 'unsubscribed' && before.status !== 'unsubscribed',
  };
}

/**
 * Subscribes an unsubscribed person again from their preferences page, to what they followed before:
 * the same double opt-in as the subscribe form (a confirmation mail, the same limits).
 */
export async function resubscribe(deps: SelfServiceDeps, token: string, clientIp: string) {
  const record = await verifiedRecord(deps, token, 'manage');
  // A webhook starts over from the subscribe form: its endpoint, not its owner's inbox, confirms it.
  if (record.channel)
    throw new AppError(
      'CONFLICT',
      'Subscribe the webhook again from the subscribe page: its endpoint confirms it.',
    );
  if (record.topics.length === 0) {
    // Only incidents were followed, and they are over: there is nothing to take up again.
    throw new AppError('VALIDATION', MESSAGES.noTopics, [{ path: 'topics', message: MESSAGES.noTopics }]);
  }
  const topics = record.topics.map(({ pageId, groupId, componentId }) => ({
    pageId,
    ...(groupId ? { groupId } : {}),
    ...(componentId ? { componentId } : {}),
  }));
  await requestSubscription(deps, { email: record.email, topics, level: record.level }, clientIp);
  return { email: record.email };
}

async function preferencesView(deps: SelfServiceDeps, record: SubscriberRecord) {
  return {
    id: record.id,
    ...(record.channel ? { channel: record.channel } : {}),
    email: record.email,
    status: record.status,
    level: record.level,
    timeZone: record.timeZone,
    topics: record.topics.map(({ pageId, groupId, componentId, key }) => ({
      pageId,
      groupId,
      componentId,
      key,
    })),
    labels: await labelTopics(deps.catalog, record.topics),
    follows: (record.follows ?? []).map(({ incidentId, pageId, key }) => ({ incidentId, pageId, key })),
    followLabels: followLabels(record),
  };
}

/** The record a token names, if the token is valid for `scope`; anything else is one indistinct NOT_FOUND. */
export async function verifiedRecord(
  deps: SelfServiceDeps,
  token: string,
  scope: LinkScope,
): Promise<SubscriberRecord> {
  const parsed = parseLinkToken(token);
  const record = parsed?.scope === scope ? await deps.subscribers.get(parsed.subscriberId) : undefined;
  const valid =
    parsed &&
    record &&
    (scope === 'manage'
      ? manageTokenMatches(deps.config.linkSigningSecret, parsed, record.linkNonce, record.linksValidFrom)
      : confirmTokenMatches(parsed, record.confirmTokenHash) &&
        (record.confirmExpiresAt ?? '') > deps.clock.now().toISOString());
  if (!valid) throw new AppError('NOT_FOUND', 'this link is invalid, was already used, or has expired');
  return record;
}

/** The status pages a subscriber follows something on: what their pages are branded with. */
const pageIdsOf = (record: SubscriberRecord) => [
  ...new Set(
    [...record.topics, ...(record.follows ?? []), ...(record.pendingFollows ?? [])].map((t) => t.pageId),
  ),
];

export function mayMailAgain(record: SubscriberRecord, now: Date): boolean {
  if (!record.lastInviteAt) return true;
  return now.getTime() - Date.parse(record.lastInviteAt) >= RESEND_AFTER_MINUTES * 60_000;
}

async function limit(deps: SelfServiceDeps, key: string, perHour: number) {
  const { allowed, retryAfterSeconds } = await deps.rateLimiter.hit(key, perHour, LIMIT_WINDOW_SECONDS);
  if (!allowed) {
    throw new AppError(
      'RATE_LIMITED',
      'too many subscription requests; try again later',
      [],
      retryAfterSeconds,
    );
  }
}

/** The follows whose incidents are still going on: one that ended meanwhile is not begun. */
async function stillGoingOn(deps: SelfServiceDeps, follows: readonly Follow[]): Promise<Follow[]> {
  if (!deps.incidents || follows.length === 0) return [...follows];
  const { incidents } = deps;
  const stored = await Promise.all(follows.map((follow) => incidents.get(follow.incidentId)));
  return follows.filter((_, i) => {
    const incident = stored[i]?.incident;
    return incident !== undefined && !isClosingStatus(incident.status);
  });
}

/** Follows in words: "the incident “Chat messages may fail to deliver”". */
export function followLabels(record: { follows?: readonly Follow[] | undefined }): string[] {
  return (record.follows ?? []).map((follow) => `the incident “${follow.name}”`);
}
