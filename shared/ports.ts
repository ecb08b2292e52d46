import type { Suppression } from './domain/admin-views';
import type { PageCatalog } from './domain/catalog';
import type { Delivery, DeliveryKey } from './domain/delivery';
import type { ChannelType, Endpoint, EndpointHealth, PostOutcome } from './domain/endpoint';
import type { EndpointCheck } from './domain/endpoint-url';
import type { Incident, IncidentUpdate } from './domain/incident';
import type { ComponentPlacement } from './domain/ingest-plan';
import type { MailContent, MailWindow, RecipientFooter, SingleMail } from './domain/render';
import type { SendBatch, SendBatchKey } from './domain/send-batch';
import type { Recipient, SubscriberRecord, SubscriberStatus } from './domain/subscriber';
import type { MailHeader } from './domain/threading';

export interface SendCounts {
  sent: number;
  failed: number;
  skipped: number;
}

export type DeliveryOutcome = NonNullable<Delivery['outcome']>;

export interface UpdateCounts extends SendCounts {
  matched: number;
  /** From SES events, when they arrive: the mail servers' side. */
  outcomes: Partial<Record<DeliveryOutcome, number>>;
}

/** An update the pending-delivery sweep looks at: its totals and when anything last happened to it. */
export interface UnsettledUpdate extends SendCounts {
  incidentId: string;
  updateId: string;
  matched: number;
  /** How many send batches its fan-out wrote, numbered from 0; unknown for one fanned out before batches. */
  batches?: number;
  /** The later of the fan-out's completion and the last bulk call's delivery records (ISO). */
  lastActivityAt: string;
}

/** Incidents and their updates, written idempotently by ingest and read by fan-out and sender. */
/** Where a read of a page's feed updates goes on from: the store's own key. */
export type FeedCursor = Record<string, unknown>;
/** An update, by its incident and its id. */
export type UpdateRef = Pick<IncidentUpdate, 'incidentId' | 'updateId'>;
/**
 * An update in a page's feed index, with the incident's components when it was stored (absent when the
 * update was too large to keep them beside it).
 */
export type FeedRef = UpdateRef & { componentIds?: string[] };

export interface Incidents {
  /**
   * Upserts the incident's latest state; the subject stays what it was first stored with. Answers the
   * components it now names (every one any webhook named), as its fan-out will read them.
   */
  save(incident: Incident): Promise<string[]>;
  /**
   * Stores the update unless its id is already stored; true when it was new. `incident`: its components
   * as `save` answered them, kept with the update for feeds to narrow by, as its fan-out matched.
   */
  addUpdate(update: IncidentUpdate, incident: { componentIds: readonly string[] }): Promise<boolean>;
  get(incidentId: string): Promise<{ incident: Incident; updates: IncidentUpdate[] } | undefined>;
  /** Files a maintenance under its window's start, for the reminders to find. Idempotent. */
  scheduleReminder(incidentId: string, scheduledFor: string): Promise<void>;
  /** Maintenances filed to start in [from, to] (ISO), as filed: the incident may have moved since. */
  remindersDue(from: string, to: string): Promise<Array<{ incidentId: string; scheduledFor: string }>>;
  /** Replaces the text of a stored update (a revised postmortem): it is not notified again. */
  reviseUpdate(incidentId: string, updateId: string, body: string): Promise<void>;
  /** Renames the incident or changes its impact; its subject, and so its thread, stay as they were. */
  patch(incidentId: string, changes: { name?: string; impact?: string }): Promise<void>;
  /**
   * A page's incidents, newest first, optionally of one status (`open`: not yet resolved or completed).
   * A status filter reads at most `maxReads` requests of the index: a page may then hold fewer than
   * `limit`, with a cursor to go on.
   */
  listByPage(
    pageId: string,
    options: { status?: string; cursor?: string; limit: number; maxReads?: number },
  ): Promise<{ items: Incident[]; cursor?: string }>;
  /** Which of a page's updates feeds show (see feedShows), newest first, `limit` at a time. */
  feedUpdateRefs(
    pageId: string,
    options: { limit: number; cursor?: FeedCursor },
  ): Promise<{ items: FeedRef[]; cursor?: FeedCursor }>;
  /** These updates as stored, keyed `<incidentId>#<updateId>`; one not stored is left out. */
  getUpdates(refs: readonly UpdateRef[]): Promise<Map<string, IncidentUpdate>>;
  /** These incidents as stored, without a postmortem's text, by id; one not stored is left out. */
  getMany(incidentIds: readonly string[]): Promise<Map<string, Incident>>;
  /** A page's maintenances that have a whole window, newest first, at most `limit` (a bounded read). */
  maintenances(pageId: string, limit: number): Promise<Incident[]>;
  /** Marks a fan-out as started; `resumed` when an earlier attempt already began it. */
  beginFanout(incidentId: string, updateId: string): Promise<{ resumed: boolean }>;
  completeFanout(
    incidentId: string,
    updateId: string,
    written: { audienceSize: number; batches: number },
  ): Promise<void>;
  /** Adds to the update's totals and notes the time: an update whose sending stops moving is looked at. */
  addSendCounts(incidentId: string, updateId: string, counts: SendCounts): Promise<void>;
  /** Updates whose fan-out completed and whose every delivery has not yet been seen through. */
  unsettledUpdates(): Promise<UnsettledUpdate[]>;
  /** Nothing of this update is pending any more: the sweep stops looking at it. */
  settle(incidentId: string, updateId: string): Promise<void>;
  /** Per-update totals: how many matched, were sent, failed, were skipped, and what SES heard back. */
  updateCounts(incidentId: string): Promise<Map<string, UpdateCounts>>;
  addOutcome(incidentId: string, updateId: string, outcome: DeliveryOutcome): Promise<void>;
}

/** Pages, regions and components: what subscribers can follow and how components map to regions. */
export interface Catalog {
  replacePage(catalog: Required<PageCatalog>): Promise<void>;
  recordPlacements(placements: readonly ComponentPlacement[]): Promise<void>;
  getPage(pageId: string): Promise<PageCatalog>;
  listPages(): Promise<PageCatalog[]>;
}

/** What the sender checks of a subscriber at send time. */
export type SubscriberProfile = Pick<SubscriberRecord, 'id' | 'status' | 'linkNonce' | 'timeZone'>;

/** Subscribers and addresses whose mail may have to change: see DynamoSubscriberChanges. */
export interface SubscriberChangeSet {
  subscriberIds: Set<string>;
  emails: Set<string>;
}

export interface SubscriberChanges {
  /** What changed since `from`, or undefined when the log does not reach back that far. */
  since(from: Date): Promise<SubscriberChangeSet | undefined>;
}

export interface SubscriberFilter {
  /** A whole address, a domain, the start of an address, or `*part` anywhere (see `addressSearch`). */
  email?: string;
  status?: SubscriberStatus;
  pageId?: string;
  groupId?: string;
  componentId?: string;
  /** A webhook's host (`hooks.example.com`, with its port if not 443): the subscribers of its endpoints. */
  host?: string;
}

export interface Subscribers {
  /** Creates a subscriber; CONFLICT when the address is already known. */
  create(record: SubscriberRecord): Promise<void>;
  /** Creates many subscribers in few requests; what failed (CONFLICT: address known) by subscriber id. */
  createMany(records: readonly SubscriberRecord[]): Promise<Map<string, unknown>>;
  /** Writes a changed subscriber; CONFLICT when it changed since `previous` was read. */
  save(record: SubscriberRecord, previous: SubscriberRecord): Promise<SubscriberRecord>;
  get(id: string): Promise<SubscriberRecord | undefined>;
  findByEmail(email: string): Promise<SubscriberRecord | undefined>;
  /** The subscribers of many addresses at once, by address; unknown addresses are left out. */
  findManyByEmail(emails: readonly string[]): Promise<Map<string, SubscriberRecord>>;
  /**
   * Files a page of subscribers stored before the address index existed into it (a one-time pass after
   * upgrading); returns how many profiles were read and filed, and a cursor while there is more.
   */
  reindex(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ scanned: number; reindexed: number; cursor?: string }>;
  /** Status and link nonce of many subscribers at once, read consistently: what the sender checks. */
  /** The subscriber of an endpoint, by its key (see `endpointKey`). */
  findByEndpoint(key: string): Promise<SubscriberRecord | undefined>;
  getProfiles(ids: readonly string[]): Promise<Map<string, SubscriberProfile>>;
  /** Deletes the subscriber and its address; returns what was deleted. */
  erase(id: string): Promise<SubscriberRecord | undefined>;
  search(
    filter: SubscriberFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: SubscriberRecord[]; cursor?: string }>;
  /** Confirmed followers of one topic, a page of the index at a time. */
  audience(topicKey: string): AsyncIterable<Recipient[]>;
  /** Every subscriber following an incident on its own, whatever their status. */
  followersOf(incidentId: string): Promise<string[]>;
  /** Of these subscribers, those whose follow of the incident has not ended (read consistently). */
  followingNow(incidentId: string, subscriberIds: readonly string[]): Promise<Set<string>>;
}

export interface Deliveries {
  /** Current delivery items, read consistently, by `deliveryId`; keys with no item are left out. */
  load(keys: readonly DeliveryKey[]): Promise<Map<string, Delivery>>;
  /** Records sent, failed and skipped deliveries: one write per recipient, once its mail's fate is known. */
  recordOutcomes(outcomes: readonly Delivery[]): Promise<void>;
  /** One subscriber's deliveries, newest incident first. */
  history(
    subscriberId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: Delivery[]; cursor?: string }>;
  /** Removes the address from every delivery of the subscriber (erasure); the history itself stays. */
  forgetAddress(subscriberId: string): Promise<number>;
  /**
   * Records what SES heard back: `recorded`, `unchanged` (it had this outcome or a graver one), or
   * `not-sent-yet` (the sender has not recorded the mail yet: try again later).
   */
  recordOutcome(
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    at: string,
  ): Promise<'recorded' | 'unchanged' | 'not-sent-yet'>;
  /**
   * Files new pending deliveries of endpoints, due at once (their stream hands them to the endpoint
   * deliverer), in batches: the caller knows that none has a record yet (see handOverToEndpoints).
   */
  queueEndpointDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /**
   * Endpoint deliveries' attempts: each one's outcome, or, while pending, when to try again (off the
   * stream), in batches. Only over deliveries the caller has just read pending: nothing else writes a
   * pending delivery within its lease (see deliverToEndpoints).
   */
  recordEndpointAttempts(deliveries: readonly Delivery[]): Promise<void>;
  /** Endpoint deliveries whose next try is due by `now`, at most `limit`. */
  dueEndpointDeliveries(now: Date, limit: number): Promise<DeliveryKey[]>;
  /** Hands a delivery whose try is due back to the deliverer, through the stream. */
  markDue(key: DeliveryKey, now: Date): Promise<void>;
}

/** POSTs to customers' endpoints, only to public addresses (see the endpoint client). */
export interface EndpointPoster {
  /**
   * `timeoutMs`: a shorter time to connect and answer than the poster's own (never a longer one).
   * `cutOff`: when it aborts, the POST ends as if its time were up (`timedOut`). `kind`: the channel the
   * URL is (a webhook by default), whose URL rules it must meet.
   */
  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    options?: { timeoutMs?: number; cutOff?: AbortSignal; kind?: ChannelType },
  ): Promise<PostOutcome>;
  /** The checks of a send (the URL, every address its host resolves to), without sending. */
  check(url: string, kind?: ChannelType): Promise<EndpointCheck>;
}

/** An endpoint's health after a delivery, and the health it was read with. */
export interface HealthChange {
  subscriberId: string;
  health: EndpointHealth;
  over?: EndpointHealth;
}

/** Endpoint subscribers' credentials and health (see DynamoEndpoints). */
export interface Endpoints {
  create(endpoint: Endpoint): Promise<void>;
  get(subscriberId: string): Promise<Endpoint | undefined>;
  /** Those of these subscribers that still have one, by subscriber id. */
  getMany(subscriberIds: readonly string[]): Promise<Map<string, Endpoint>>;
  /**
   * With `over`: only while its health is still that (as read), so a resume meanwhile stands. Whether it
   * was written (false: erased, or its health no longer `over`).
   */
  recordHealth(subscriberId: string, health: EndpointHealth, over?: EndpointHealth): Promise<boolean>;
  /** The forum post (thread) a Discord endpoint's messages about an incident go to, beside the others'. */
  recordThread(subscriberId: string, incidentId: string, threadId: string): Promise<void>;
  /** Many `recordHealth`s in few requests, each with its own condition. */
  recordHealthMany(changes: readonly HealthChange[]): Promise<void>;
  /** What makes an endpoint unique, keyed with the store's secret: it names no URL (see `endpointKey`). */
  keyOf(url: string): string;
  /** Replaces the signing secrets of an endpoint that still exists (a rotation). */
  replaceSecrets(subscriberId: string, secrets: Endpoint['secrets']): Promise<void>;
  remove(subscriberId: string): Promise<void>;
}

/** The fan-out's batches of recipients, the sender's trigger (see SendBatch). */
/** A batch as a sender takes it up: its key, and when its fan-out ran (for the claim's expiry). */
export type SendBatchClaim = SendBatchKey & { createdAt: string };

export interface SendBatches {
  putAll(batches: readonly SendBatch[]): Promise<void>;
  /** The batches stored under these keys, by `sendBatchId`, in the keys' order; keys with none are left out. */
  load(keys: readonly SendBatchKey[]): Promise<Map<string, SendBatch>>;
  /**
   * Marks the batches as taken up by a sender, and returns (by `sendBatchId`) those taken up now for the
   * first time: none of their recipients can have a delivery record yet, since only the sender of a batch
   * writes them, after taking it up.
   */
  claim(batches: readonly SendBatchClaim[]): Promise<Set<string>>;
  /** Touches the batch so that its stream hands it to the sender again, and counts the time. */
  redrive(key: SendBatchKey): Promise<void>;
  /** Clears the count of `redrive`s (the batch was held back for SES, not failed). */
  forgetRedrives(keys: readonly SendBatchKey[]): Promise<void>;
  /**
   * Removes batches of an update that has settled: they hold addresses, and nothing needs them now. Their
   * claims stay until their TTL, for a batch's record that comes back late (a redrive by hand).
   */
  deleteAll(keys: readonly SendBatchKey[]): Promise<void>;
}

export interface BulkRecipient {
  email: string;
  /** SES message tags: they come back on the recipient's bounce, complaint and delivery events. */
  tags?: Record<string, string>;
  headers: MailHeader[];
  footer: RecipientFooter;
  /** The maintenance window in the recipient's own time zone, in place of the mail's (the page's). */
  window?: MailWindow;
}

export type SendOutcome =
  | { ok: true; messageId: string }
  /** `throttled`: SES refused for rate or quota, so nothing went out and resending is safe. */
  | { ok: false; retryable: boolean; throttled?: boolean; error: string }
  /**
   * Nothing went out and nothing should be tried for a while: `paused` when SES stopped taking mail (daily
   * quota spent, sending paused), `no-room` when the send rate had no room before the deadline. The
   * delivery stays pending for the sweep rather than failing or wearing out the stream's retries.
   */
  | { ok: false; deferred: 'paused' | 'no-room'; error: string };

/** Sends one content to many recipients, each with its own headers and footer; one outcome per recipient. */
export interface Mailer {
  /** How many recipients one bulk call takes: SES's 50, fewer when the send rate is lower. */
  readonly maxRecipientsPerCall: number;
  sendBulk(content: MailContent, recipients: readonly BulkRecipient[]): Promise<SendOutcome[]>;
  /** One transactional mail (a confirmation): no list headers. */
  sendOne(to: string, mail: SingleMail): Promise<SendOutcome>;
}

/** SES has stopped taking mail for the account: every sender holds back until it is worth trying again. */
export interface SendPause {
  /** The pause in force, if any. */
  current(): Promise<{ until: Date; reason: string } | undefined>;
  pause(until: Date, reason: string): Promise<void>;
}

/** Keeps all senders together within the account's send rate. */
export interface SendPacer {
  /** Waits until `count` mails may go out (at most a second's worth); false when `deadline` (ms) passes first. */
  acquire(count: number, deadline: number): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type { Suppression };

/** Addresses that get no mail, whatever their subscriptions (bounces, complaints, support's word). */
export interface Suppressions {
  add(suppression: Suppression): Promise<void>;
  remove(email: string): Promise<boolean>;
  get(email: string): Promise<Suppression | undefined>;
  list(cursor: string | undefined, limit: number): Promise<{ items: Suppression[]; cursor?: string }>;
  /** Which of these addresses are suppressed. */
  suppressed(emails: readonly string[]): Promise<Set<string>>;
  /** Every suppressed address, read consistently; undefined when there are more than `max`. */
  all(max: number): Promise<Set<string> | undefined>;
}

export type ApiKeyScope = 'read' | 'write';

export interface ApiKey {
  keyId: string;
  name: string;
  scopes: ApiKeyScope[];
  /** SHA-256 of the key's secret part; the key itself is shown once, at creation. */
  secretHash: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
}

export interface ApiKeys {
  put(key: ApiKey): Promise<void>;
  get(keyId: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  revoke(keyId: string, at: string): Promise<boolean>;
}

/** A support console sign-in: made with an API key, acting with that key's identity and scopes. */
export interface AdminSession {
  sessionId: string;
  /** SHA-256 of the token's secret part; the token itself lives only in the browser's cookie. */
  secretHash: string;
  /** The API key it was made with (`bootstrap` for the deployment's key): its audit identity. */
  keyId: string;
  scopes: ApiKeyScope[];
  /** For a session of the bootstrap key: a hash of that key, so rotating the key ends the session. */
  bootstrapKeyHash?: string;
  createdAt: string;
  lastSeenAt: string;
  /** The latest it can end, however active: the absolute cap. */
  endsAt: string;
  revokedAt?: string;
}

export interface AdminSessions {
  /** Stores a new session; DynamoDB's TTL removes it some time after `endsAt`. */
  put(session: AdminSession): Promise<void>;
  get(sessionId: string): Promise<AdminSession | undefined>;
  /** Moves `lastSeenAt` forward to `at` (never back). */
  touch(sessionId: string, at: string): Promise<void>;
  /** Ends a session; false when there is no such session. */
  revoke(sessionId: string, at: string): Promise<boolean>;
}

export interface AuditEntry {
  at: string;
  /** The API key id (`bootstrap` for the deployment's key). */
  actor: string;
  /** How the key acted when not directly: `session <id>` for a console session made with it. */
  via?: string;
  action: string;
  target?: string;
  status: number;
  requestId: string;
}

/** Who changed what, when: every admin write. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(
    month: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AuditEntry[]; cursor?: string }>;
}

/** Fixed-window counters: `hit` counts one request and says whether it is within the limit. */
export interface RateLimiter {
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/** A response kept for an Idempotency-Key, to answer a retry with. */
export interface KeptResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** What became of a request made with an Idempotency-Key, kept for a day. */
export interface IdempotencyRecord {
  /** What the request was: its route, path and body, hashed. */
  fingerprint: string;
  /** Set once the first request finished; absent while it is still running. */
  response?: KeptResponse;
}

/** Requests under an Idempotency-Key: the first claims it, retries find its record. */
export interface IdempotencyRecords {
  /**
   * Claims `id` for a request now running, unless someone holds it: then their record. A claim older than
   * `staleAfterSeconds` whose request never finished (its function died) may be claimed again.
   */
  claim(
    id: string,
    fingerprint: string,
    staleAfterSeconds: number,
  ): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord }>;
  /** The request finished: retries get this response (unless its claim was lost to another request). */
  complete(id: string, fingerprint: string, response: KeptResponse): Promise<void>;
  /** The request failed: a retry runs it again. */
  release(id: string): Promise<void>;
}
