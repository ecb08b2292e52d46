import type { PageCatalog } from './domain/catalog';
import type { Delivery, DeliveryKey } from './domain/delivery';
import type { Incident, IncidentUpdate } from './domain/incident';
import type { ComponentPlacement } from './domain/ingest-plan';
import type { MailContent, RecipientFooter } from './domain/render';
import type { Recipient, Subscriber } from './domain/subscriber';
import type { MailHeader } from './domain/threading';
import type { Topic } from './domain/topics';

/** Incidents and their updates, written idempotently by ingest and read by fan-out and sender. */
export interface Incidents {
  /** Upserts the incident's latest state; the subject stays what it was first stored with. */
  save(incident: Incident): Promise<void>;
  /** Stores the update unless its id is already stored; true when it was new. */
  addUpdate(update: IncidentUpdate): Promise<boolean>;
  get(incidentId: string): Promise<{ incident: Incident; updates: IncidentUpdate[] } | undefined>;
  /** Marks a fan-out as started; `resumed` when an earlier attempt already began it. */
  beginFanout(incidentId: string, updateId: string): Promise<{ resumed: boolean }>;
  completeFanout(incidentId: string, updateId: string, audienceSize: number): Promise<void>;
  addSendCounts(
    incidentId: string,
    updateId: string,
    counts: { sent: number; failed: number },
  ): Promise<void>;
}

/** Pages, regions and components: what subscribers can follow and how components map to regions. */
export interface Catalog {
  replacePage(catalog: Required<PageCatalog>): Promise<void>;
  recordPlacements(placements: readonly ComponentPlacement[]): Promise<void>;
  getPage(pageId: string): Promise<PageCatalog>;
  listPages(): Promise<PageCatalog[]>;
}

export interface NewSubscriber {
  email: string;
  status: Subscriber['status'];
  topics: Topic[];
}

export interface Subscribers {
  /** Creates a subscriber; CONFLICT when the address is already known. */
  create(subscriber: NewSubscriber): Promise<Subscriber>;
  findByEmail(email: string): Promise<Subscriber | undefined>;
  /** Confirmed followers of one topic, a page of the index at a time. */
  audience(topicKey: string): AsyncIterable<Recipient[]>;
}

export interface Deliveries {
  /** Writes delivery items; with `onlyMissing`, first reads which exist so a resumed fan-out never clobbers. */
  putAll(deliveries: readonly Delivery[], options: { onlyMissing: boolean }): Promise<void>;
  /** Current delivery items and each recipient's first message id per incident, read consistently. */
  loadForSending(keys: readonly DeliveryKey[]): Promise<{
    deliveries: Map<string, Delivery>;
    firstMessageIds: Map<string, string>;
  }>;
  /** Records sent and failed deliveries, and the first message id of threads that had none. */
  recordOutcomes(
    outcomes: readonly Delivery[],
    newThreads: ReadonlyArray<DeliveryKey & { messageId: string }>,
  ): Promise<void>;
}

export interface BulkRecipient {
  email: string;
  headers: MailHeader[];
  footer: RecipientFooter;
}

export type SendOutcome = { ok: true; messageId: string } | { ok: false; retryable: boolean; error: string };

/** Sends one content to many recipients, each with its own headers and footer; one outcome per recipient. */
export interface Mailer {
  sendBulk(content: MailContent, recipients: readonly BulkRecipient[]): Promise<SendOutcome[]>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
