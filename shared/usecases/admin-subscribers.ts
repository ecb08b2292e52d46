import { randomUUID } from 'node:crypto';
import type {
  ChangeSubscriberInput,
  CreateSubscriberInput,
  ReindexInput,
  SubscriberSearch,
  SuppressionInput,
} from '../domain/admin-inputs';
import { createConfirmToken, newNonce } from '../domain/link-tokens';
import {
  CONFIRM_TOKEN_TTL_HOURS,
  normalizeEmail,
  publicView,
  type Subscriber,
  type SubscriberRecord,
} from '../domain/subscriber';
import { withoutCovered } from '../domain/topics';
import type * as z from '../domain/zod';
import { AppError } from '../errors';
import type { Catalog, Clock, Deliveries, Incidents, Mailer, Subscribers, Suppressions } from '../ports';
import { sendConfirmation } from './self-service';
import { resolveTopics } from './topics';

export interface AdminDeps {
  subscribers: Subscribers;
  catalog: Catalog;
  deliveries: Deliveries;
  incidents: Incidents;
  suppressions: Suppressions;
  mailer: Mailer;
  clock: Clock;
  config: { publicBaseUrl: string; linkSigningSecret: string };
}

/** Adds a subscriber, confirmed outright or sent a confirmation mail; topics are checked against the catalog. */
export async function createSubscriber(deps: AdminDeps, input: CreateSubscriberInput): Promise<Subscriber> {
  // A region or page covers its parts: what a tree of ticked boxes sends becomes what is meant.
  const topics = withoutCovered(await resolveTopics(deps.catalog, input.topics));
  const now = deps.clock.now();
  const id = randomUUID();
  const confirm = input.confirmed ? undefined : createConfirmToken(id);
  const record: SubscriberRecord = {
    id,
    email: input.email,
    status: input.confirmed ? 'confirmed' : 'pending',
    level: input.level,
    topics,
    createdAt: now.toISOString(),
    ...(input.confirmed ? { confirmedAt: now.toISOString() } : {}),
    linkNonce: newNonce(),
    ...(confirm
      ? {
          confirmTokenHash: confirm.hash,
          confirmExpiresAt: new Date(now.getTime() + CONFIRM_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
          lastInviteAt: now.toISOString(),
        }
      : {}),
    version: 0,
  };
  await deps.subscribers.create(record);
  // A suppressed address (bounced, complained) gets no mail, a confirmation included.
  const suppressed = (await deps.suppressions.suppressed([record.email])).size > 0;
  if (confirm && !suppressed) await sendConfirmation(deps, record, confirm.token);
  return publicView(record);
}

export async function getSubscriber(deps: AdminDeps, id: string): Promise<Subscriber> {
  return publicView(await existing(deps, id));
}

/** Subscribers matching every filter given (address, domain or start of one; status, page, region, component), a page at a time. */
export async function searchSubscribers(deps: AdminDeps, { cursor, limit, ...filter }: SubscriberSearch) {
  const page = await deps.subscribers.search(filter, cursor, limit);
  return { items: page.items.map(publicView), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** One page of the one-time pass that files subscribers stored before the address index into it. */
export function reindexSubscribers(deps: AdminDeps, { cursor, limit }: z.infer<typeof ReindexInput>) {
  return deps.subscribers.reindex(cursor, limit);
}

/** Replaces topics, level or status of a subscriber. */
export async function changeSubscriber(deps: AdminDeps, id: string, change: ChangeSubscriberInput) {
  const record = await existing(deps, id);
  const topics = change.topics
    ? withoutCovered(await resolveTopics(deps.catalog, change.topics))
    : record.topics;
  const saved = await deps.subscribers.save(
    { ...record, topics, level: change.level ?? record.level, status: change.status ?? record.status },
    record,
  );
  return publicView(saved);
}

/**
 * Erasure (a right-to-be-forgotten request): the subscriber, its topics and its address go; its delivery
 * history stays, for the incident counts, but without the address.
 */
export async function eraseSubscriber(deps: AdminDeps, id: string) {
  // History first, so a request retried after a failure still anonymizes it.
  const deliveries = await deps.deliveries.forgetAddress(id);
  const erased = await deps.subscribers.erase(id);
  if (!erased && deliveries === 0) throw new AppError('NOT_FOUND', `no subscriber ${id}`);
  return { id, erased: true, deliveriesAnonymized: deliveries };
}

export async function deliveryHistory(
  deps: AdminDeps,
  id: string,
  cursor: string | undefined,
  limit: number,
) {
  return deps.deliveries.history(id, cursor, limit);
}

/** An incident, its updates in order, and per update how many matched, were sent, failed, were skipped. */
export async function incidentReport(deps: AdminDeps, incidentId: string) {
  const [stored, counts] = await Promise.all([
    deps.incidents.get(incidentId),
    deps.incidents.updateCounts(incidentId),
  ]);
  if (!stored) throw new AppError('NOT_FOUND', `no incident ${incidentId}`);
  return {
    incident: stored.incident,
    updates: [...stored.updates]
      .sort((a, b) => a.displayAt.localeCompare(b.displayAt))
      .map((update) => ({
        ...update,
        counts: counts.get(update.updateId) ?? { matched: 0, sent: 0, failed: 0, skipped: 0, outcomes: {} },
      })),
  };
}

export async function addSuppression(
  deps: AdminDeps,
  input: z.output<typeof SuppressionInput>,
  actor: string,
) {
  const suppression = { ...input, createdAt: deps.clock.now().toISOString(), source: actor };
  await deps.suppressions.add(suppression);
  return suppression;
}

/** One suppressed address, or NOT_FOUND when the address is not suppressed. */
export async function getSuppression(deps: AdminDeps, email: string) {
  const found = await deps.suppressions.get(normalizeEmail(email));
  if (!found) throw new AppError('NOT_FOUND', 'that address is not suppressed');
  return found;
}

export async function removeSuppression(deps: AdminDeps, email: string) {
  if (!(await deps.suppressions.remove(normalizeEmail(email)))) {
    throw new AppError('NOT_FOUND', 'that address is not suppressed');
  }
  return { email: normalizeEmail(email), removed: true };
}

async function existing(deps: AdminDeps, id: string): Promise<SubscriberRecord> {
  const record = await deps.subscribers.get(id);
  if (!record) throw new AppError('NOT_FOUND', `no subscriber ${id}`);
  return record;
}
