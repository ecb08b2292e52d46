import { backgroundWrites } from '../background-writes';
import type { PageCatalog } from '../domain/catalog';
import { chatRefusal, discordThreadOf, isDiscordForumRefusal, isDiscordPostGone } from '../domain/chat-url';
import { type Delivery, deliveryId } from '../domain/delivery';
import {
  type AttemptHealth,
  ENDPOINT_TIMEOUT_MS,
  type Endpoint,
  type EndpointFormat,
  type EndpointHealth,
  eventId,
  healthAfter,
  healthWorthRecording,
  nextAttemptAt,
  signingSecrets,
  tryTimeoutMs,
} from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import type { Incident, IncidentUpdate } from '../domain/incident';
import { type BatchRecipient, CHANGE_MARGIN_MS, type SendBatch, sendBatchId } from '../domain/send-batch';
import type { EventInput } from '../domain/webhook-events';
import { signatureHeaders } from '../domain/webhook-signing';
import { cutOffAfterGrace } from '../first-try-cut-off';
import { log, loggableError } from '../log';
import type {
  Catalog,
  Clock,
  Deliveries,
  EndpointPoster,
  Endpoints,
  HealthChange,
  Incidents,
  Mailer,
  SendBatches,
  SubscriberChanges,
  Subscribers,
  Suppressions,
} from '../ports';
import { runSlowTolerant } from '../slow-tolerant-pool';
import { endpointQuarantinedMail } from '../templates/account';
import { endpointPost } from '../templates/endpoint-post';
import { manageLinks } from './manage-links';

type StoredIncident = { incident: Incident; updates: IncidentUpdate[] };

export interface EndpointDeliveryDeps {
  deliveries: Pick<Deliveries, 'recordEndpointAttempts' | 'load'>;
  sendBatches: Pick<SendBatches, 'claim'>;
  endpoints: Endpoints;
  subscribers: Pick<Subscribers, 'getProfiles' | 'get'>;
  changes: SubscriberChanges;
  incidents: Pick<Incidents, 'get' | 'addSendCounts'>;
  catalog: Pick<Catalog, 'getPage'>;
  poster: EndpointPoster;
  mailer: Pick<Mailer, 'sendOne'>;
  suppressions: Pick<Suppressions, 'suppressed'>;
  clock: Clock;
  random: () => number;
  config: { publicBaseUrl: string; linkSigningSecret: string };
}

type Outcome = 'delivered' | 'retrying' | 'failed' | 'skipped' | 'malformed';

/**
 * What the deliveries stream brings the deliverer, in its order: a fan-out's batch of endpoints (each
 * recipient's first attempt), or a delivery due again (its retry, brought back by the sweep).
 */
export type EndpointWork = { batch: SendBatch } | { delivery: Delivery };

/** Endpoints being answered at once in one invocation: each waits at most its own timeout. */
export const ENDPOINTS_IN_FLIGHT = 50;
/**
 * An endpoint that has not answered within this long gives its place to the next (its POST goes on, up
 * to its own timeout): a hanging endpoint holds a socket, never another endpoint's turn. Short, since
 * giving the place up costs nothing but a socket more.
 */
const SLOW_AFTER_MS = 250;
/** POSTs open at once in one invocation, slow ones included: well within Lambda's 1,024 descriptors. */
const MAX_OPEN_POSTS = 400;
/**
 * An endpoint's deliveries attempted in one invocation, one after another: at most 10 × 5 s, well within
 * the function's timeout.
 */
const DELIVERIES_PER_ENDPOINT = 10;
/**
 * Once every other endpoint of an invocation is done, a first try still waiting (to an endpoint not known
 * to be slow) is cut off when it has had this long, as one past its own time is: tried again 30 s later
 * with the whole timeout, its endpoint known slow from then on. The stream's next batch, in order behind
 * this one, is not held up for it.
 */
const LAST_FIRST_TRIES_MS = 500;
/**
 * The least time between two messages to one chat webhook: Slack takes about one a second, Discord five
 * in two seconds; more is answered 429, and retried.
 */
const MIN_GAP_MS: Partial<Record<EndpointFormat, number>> = { slack: 1_000, discord: 400 };
/** Outcomes written together: one BatchWriteItem. */
const RECORDS_PER_WRITE = 25;
/** Health changes written together: one transaction. */
const HEALTH_CHANGES_PER_WRITE = 100;

/**
 * Delivers to endpoints: each recipient of a batch that has no delivery record yet, and each delivery
 * brought back that is still pending and due. One signed POST each, its outcome recorded on the delivery
 * (sent, failed, or pending with its next try, which the sweep brings back when due): one write per
 * delivery, as for mail, in batches. An endpoint's deliveries go one after another, in order; different
 * endpoints at once, so a slow one delays only its own. A delivery to an endpoint that is quarantined,
 * unsubscribed or erased is recorded as skipped. A crash after a POST repeats it on the stream's retry,
 * with the same `webhook-id`.
 */
export async function deliverToEndpoints(deps: EndpointDeliveryDeps, work: readonly EndpointWork[]) {
  const { due, firstAttempts } = await stillDue(deps, work);
  const context = await contextOf(deps, due, firstAttempts);
  const outcomes: Outcome[] = [];
  let quarantined = 0;
  try {
    await runSlowTolerant(
      [...Map.groupBy(due, (d) => d.subscriberId)].map(([subscriberId, group]) => async () => {
        const result = await deliverToOne(deps, context, subscriberId, group);
        outcomes.push(...result.outcomes);
        if (result.quarantined) quarantined++;
      }),
      {
        inFlight: ENDPOINTS_IN_FLIGHT,
        slowAfterMs: SLOW_AFTER_MS,
        maxOpen: MAX_OPEN_POSTS,
        onlySlowLeft: () => {
          context.firstTries.cut();
          // What is known so far is written while the slow ones have their last half second.
          context.outcomes.writeNow();
          context.healthChanges.writeNow();
        },
      },
    );
  } finally {
    // What the others did is recorded even when one endpoint's task failed (the invocation still fails,
    // and its retry repeats only what is unrecorded).
    context.firstTries.stop();
    await Promise.all([context.outcomes.flush(), context.healthChanges.flush()]);
  }
  await countFirstAttempts(deps, context.firstOutcomes);
  const count = (kind: Outcome) => outcomes.filter((o) => o === kind).length;
  return {
    delivered: count('delivered'),
    retrying: count('retrying'),
    failed: count('failed') + count('malformed'),
    /** Refused by a chat platform as malformed: ours to fix. */
    malformed: count('malformed'),
    skipped: count('skipped'),
    quarantined,
    /** Recipients and records that were not due (done already, or waiting for a later try): a replay. */
    notDue: work.reduce((n, w) => n + ('batch' in w ? w.batch.recipients.length : 1), 0) - due.length,
  };
}

/**
 * Who is due now, in the stream's order (an endpoint's deliveries go in order), each once. A batch's
 * recipients are, unless they have a record: in a batch claimed now for the first time nobody can have
 * one, so it is read only for a batch seen before (the stream's retry, the sweep's redrive) or written by
 * a fan-out run again. A delivery brought back is, if it is still pending and its time has come: what
 * the record says may be stale (a retried batch replays its images).
 */
async function stillDue(deps: EndpointDeliveryDeps, work: readonly EndpointWork[]) {
  const batches = work.flatMap((w) => ('batch' in w ? [w.batch] : []));
  const claimedNow = batches.length > 0 ? await deps.sendBatches.claim(batches) : new Set<string>();
  const current = await deps.deliveries.load([
    ...work.flatMap((w) => ('delivery' in w ? [w.delivery] : [])),
    ...batches
      .filter((b) => b.resumed || !claimedNow.has(sendBatchId(b)))
      .flatMap((b) => b.recipients.map((r) => firstDelivery(b, r))),
  ]);
  const now = deps.clock.now().toISOString();
  const seen = new Set<string>();
  const firstAttempts = new Set<string>();
  const due = work.flatMap((w) => {
    const candidates = 'batch' in w ? w.batch.recipients.map((r) => firstDelivery(w.batch, r)) : [w.delivery];
    return candidates.flatMap((d) => {
      const id = deliveryId(d);
      const stored = current.get(id);
      if (seen.has(id)) return [];
      if ('batch' in w) {
        // Recorded already: done, or waiting in the retry index for its next try.
        if (stored) return [];
        seen.add(id);
        firstAttempts.add(id);
        return [d];
      }
      if (stored?.status !== 'pending' || (stored.nextAttemptAt && stored.nextAttemptAt > now)) return [];
      seen.add(id);
      return [stored];
    });
  });
  return { due, firstAttempts };
}

/** A batch recipient's delivery, before its first attempt. */
const firstDelivery = (batch: SendBatch, recipient: BatchRecipient): Delivery => {
  const key = {
    subscriberId: recipient.subscriberId,
    incidentId: batch.incidentId,
    updateId: batch.updateId,
  };
  return {
    ...key,
    email: recipient.email,
    ...(recipient.topic ? { topic: recipient.topic } : {}),
    channel: 'webhook',
    eventId: eventId(key),
    status: 'pending',
    createdAt: batch.createdAt,
    attempts: 0,
  };
};

/**
 * First attempts, counted on their updates as mail is: skipped, or sent (delivered, failed or waiting
 * for a retry: the update went out to it). Retries were counted with their first attempt.
 */
async function countFirstAttempts(
  deps: EndpointDeliveryDeps,
  outcomes: ReadonlyArray<{ incidentId: string; updateId: string; skipped: boolean }>,
) {
  for (const [key, group] of Map.groupBy(outcomes, (o) => `${o.incidentId}|${o.updateId}`)) {
    const [incidentId = '', updateId = ''] = key.split('|');
    const skipped = group.filter((o) => o.skipped).length;
    await deps.incidents.addSendCounts(incidentId, updateId, {
      sent: group.length - skipped,
      failed: 0,
      skipped,
    });
  }
}

/**
 * What a batch's deliveries need, read once for all of them: endpoints, profiles (those that may have
 * changed: see profilesToRead), updates, catalogs; and where outcomes are recorded.
 */
async function contextOf(
  deps: EndpointDeliveryDeps,
  due: readonly Delivery[],
  firstAttempts: ReadonlySet<string>,
) {
  const ids = [...new Set(due.map((d) => d.subscriberId))];
  const unread = await profilesNotToRead(deps, due, firstAttempts);
  const subscribers = readAhead(ids, async (some) => {
    const [endpoints, profiles] = await Promise.all([
      deps.endpoints.getMany(some),
      deps.subscribers.getProfiles(some.filter((id) => !unread.has(id))),
    ]);
    return (id: string) => ({
      endpoint: endpoints.get(id),
      // As the fan-out found them (confirmed) when nothing changed since.
      status: unread.has(id) ? 'confirmed' : profiles.get(id)?.status,
    });
  });
  const incidents = new Map<string, Promise<StoredIncident | undefined>>();
  const catalogs = new Map<string, Promise<PageCatalog>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>) => {
    const loading = cache.get(key) ?? load();
    cache.set(key, loading);
    return loading;
  };
  const firstOutcomes: Array<{ incidentId: string; updateId: string; skipped: boolean }> = [];
  // Outcomes are written in batches as they come, without holding up the POSTs: a crash repeats the POSTs
  // of those not yet written, with the same webhook-id. Unconditional writes are safe here: each delivery
  // was just read pending (or is a first attempt under this invocation's claim of its batch), and nothing
  // else writes it meanwhile (its partition's records come to one lane, in order; the sweep hands a retry
  // back only when its lease, far longer than an invocation, runs out, and redrives a batch only when its
  // update stalled for minutes). A failed write fails the invocation, whose retry repeats what was not
  // written.
  const outcomes = backgroundWrites(
    (batch: Delivery[]) => deps.deliveries.recordEndpointAttempts(batch),
    RECORDS_PER_WRITE,
  );
  return {
    /** A subscriber's endpoint and status now. */
    subscriber: subscribers,
    /** First tries, cut off once only slow ones are left. */
    firstTries: cutOffAfterGrace(LAST_FIRST_TRIES_MS),
    firstOutcomes,
    /** Health that changed, written as it comes, a transaction's worth at a time. */
    healthChanges: backgroundWrites(
      (changes: HealthChange[]) => deps.endpoints.recordHealthMany(changes),
      HEALTH_CHANGES_PER_WRITE,
    ),
    record: async (delivery: Delivery) => {
      if (firstAttempts.has(deliveryId(delivery)))
        firstOutcomes.push({ ...delivery, skipped: delivery.status === 'skipped' });
      outcomes.record(delivery);
    },
    outcomes,
    incident: (id: string) => once(incidents, id, () => deps.incidents.get(id)),
    catalog: (pageId: string) => once(catalogs, pageId, () => deps.catalog.getPage(pageId)),
  };
}

/** Subscribers read at once: one BatchGetItem of endpoints, one of profiles. */
const READ_CHUNK = 100;

/**
 * Reads what each id needs in chunks, in the ids' order, each chunk when its first id is asked for and
 * the next one with it: the first POSTs go out while the rest of a large batch is still being read.
 */
function readAhead<T>(ids: readonly string[], read: (some: string[]) => Promise<(id: string) => T>) {
  const chunks: Array<Promise<(id: string) => T> | undefined> = [];
  const position = new Map(ids.map((id, index) => [id, Math.floor(index / READ_CHUNK)]));
  const load = (n: number) => {
    let loading = chunks[n];
    if (!loading) {
      loading = read(ids.slice(n * READ_CHUNK, (n + 1) * READ_CHUNK));
      // Read ahead, maybe failing before anyone waits for it: each waiter still gets the failure.
      loading.catch(() => {});
      chunks[n] = loading;
    }
    return loading;
  };
  return async (id: string) => {
    const n = position.get(id) ?? 0;
    if ((n + 1) * READ_CHUNK < ids.length) load(n + 1);
    return (await load(n))(id);
  };
}

/**
 * Subscribers whose profile need not be read: those with only first attempts here, none of whom changed
 * since their batch's fan-out found them confirmed (the change log says; when it does not reach back that
 * far, everyone is read). Whoever has a retry here is read: it may be a day old.
 */
async function profilesNotToRead(
  deps: EndpointDeliveryDeps,
  due: readonly Delivery[],
  firstAttempts: ReadonlySet<string>,
) {
  const first = due.filter((d) => firstAttempts.has(deliveryId(d)));
  if (first.length === 0) return new Set<string>();
  const oldest = Math.min(...first.map((d) => Date.parse(d.createdAt)));
  const changes = await deps.changes.since(new Date(oldest - CHANGE_MARGIN_MS));
  if (!changes) return new Set<string>();
  const retried = new Set(due.filter((d) => !firstAttempts.has(deliveryId(d))).map((d) => d.subscriberId));
  return new Set(
    first.map((d) => d.subscriberId).filter((id) => !changes.subscriberIds.has(id) && !retried.has(id)),
  );
}

type DeliveryContext = Awaited<ReturnType<typeof contextOf>>;

async function deliverToOne(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  subscriberId: string,
  deliveries: readonly Delivery[],
) {
  const { endpoint, status } = await context.subscriber(subscriberId);
  const outcomes: Outcome[] = [];
  let health = endpoint?.health;
  /** The health as stored: read, or written here since. */
  let recorded = endpoint?.health;
  let threads = endpoint?.threads;
  let quarantined = false;
  // Past its share of the invocation, an endpoint's backlog waits, in order, for the next sweep: a slow
  // endpoint with many updates due cannot hold the invocation to its timeout.
  const later = deliveries.slice(DELIVERIES_PER_ENDPOINT);
  const now = deps.clock.now().toISOString();
  for (const delivery of later) await context.record({ ...delivery, nextAttemptAt: now });
  outcomes.push(...later.map(() => 'retrying' as const));
  let lastPostAt = Number.NEGATIVE_INFINITY;
  for (const delivery of deliveries.slice(0, DELIVERIES_PER_ENDPOINT)) {
    const skip =
      !endpoint || !status
        ? 'subscriber erased'
        : status !== 'confirmed'
          ? `subscriber ${status}`
          : health?.quarantinedAt
            ? 'endpoint quarantined'
            : undefined;
    if (skip || !endpoint || !health) {
      await context.record({
        ...delivery,
        status: 'skipped',
        error: skip ?? 'subscriber erased',
      });
      outcomes.push('skipped');
      continue;
    }
    // A burst to one chat channel is paced as its platform asks; other endpoints go on meanwhile.
    const gap = lastPostAt + (MIN_GAP_MS[endpoint.format] ?? 0) - Date.now();
    if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    lastPostAt = Date.now();
    const attempt: Awaited<ReturnType<typeof attemptOne>> = await attemptOne(
      deps,
      context,
      { ...endpoint, health, ...(threads ? { threads } : {}) },
      delivery,
    ).catch(async (error: unknown) => {
      // Ours, not the endpoint's (its update unreadable, say): it waits for its retry like any failure,
      // and gives up after a day, instead of failing the batch for the other endpoints.
      log.error('endpoint delivery failed on our side', { subscriberId, error: loggableError(error) });
      return retryLater(
        deps,
        context,
        delivery,
        `our side failed: ${error instanceof Error ? error.message : 'unknown'}`,
      );
    });
    outcomes.push(attempt.outcome);
    if (attempt.thread) {
      const thread = attempt.thread;
      threads = { ...threads, [delivery.incidentId]: thread };
      // Lost, the incident's next message opens another post: never a reason to fail the others.
      await deps.endpoints
        .recordThread(subscriberId, delivery.incidentId, thread)
        .catch((error: unknown) =>
          log.error('forum post not kept', { subscriberId, error: loggableError(error) }),
        );
    }
    const next: EndpointHealth = attempt.health ? healthAfter(health, attempt.health) : health;
    // A quarantine is written at once, over the health as read, and its owner mailed only if it stood: a
    // resume meanwhile wins, and a retried invocation does not mail twice.
    if (
      next.quarantinedAt &&
      !health.quarantinedAt &&
      (await deps.endpoints.recordHealth(subscriberId, next, recorded))
    ) {
      recorded = next;
      quarantined = true;
      await noticeOfQuarantine(deps, endpoint, next);
    }
    health = next;
  }
  if (endpoint && health && recorded && healthWorthRecording(recorded, health))
    context.healthChanges.record({ subscriberId, health, over: recorded });
  return { outcomes, quarantined };
}

/** One POST of one update, and what it became. */
async function attemptOne(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  endpoint: Endpoint,
  delivery: Delivery,
): Promise<{ outcome: Outcome; health?: AttemptHealth; thread?: string }> {
  const now = deps.clock.now();
  const { url, body, kind, threadName } = await postOf(deps, context, endpoint, delivery, now);
  const webhookId = delivery.eventId ?? `${delivery.subscriberId}.${delivery.updateId}`;
  // A chat platform takes no webhook-id: a message cut off after it was taken would show twice. Only a
  // webhook's first try is cut short.
  const timeoutMs = kind === 'webhook' ? tryTimeoutMs(endpoint.health, delivery) : undefined;
  const firstTry = timeoutMs ? context.firstTries.begin() : undefined;
  const send = (to: string, content: string) =>
    deps.poster.post(
      to,
      content,
      {
        ...signatureHeaders(signingSecrets(endpoint, now), { id: webhookId, timestamp: now, body: content }),
      },
      { kind, ...(timeoutMs ? { timeoutMs } : {}), ...(firstTry ? { cutOff: firstTry.signal } : {}) },
    );
  // A Discord forum: an incident's messages go to its post, the first one opening it (named after it).
  const thread = kind === 'discord' ? endpoint.threads?.[delivery.incidentId] : undefined;
  let posted = await send(thread ? withParam(url, 'thread_id', thread) : url, body);
  let opened: string | undefined;
  // Its first message refused for naming no post, or the incident's post deleted: a post is opened.
  if (
    kind === 'discord' &&
    threadName &&
    posted.kind === 'rejected' &&
    (thread
      ? isDiscordPostGone(posted.status, posted.answer)
      : isDiscordForumRefusal(posted.status, posted.answer))
  ) {
    posted = await send(
      withParam(url, 'wait', 'true'),
      JSON.stringify({ ...JSON.parse(body), thread_name: threadName }),
    );
    opened = posted.kind === 'delivered' ? discordThreadOf(posted.answer) : undefined;
  }
  firstTry?.done();
  const refusal =
    kind !== 'webhook' && (posted.kind === 'rejected' || posted.kind === 'gone')
      ? chatRefusal(kind, posted.status, posted.answer)
      : undefined;
  const firstAttemptAt = delivery.firstAttemptAt ?? now.toISOString();
  const tried = {
    ...delivery,
    eventId: webhookId,
    attempts: delivery.attempts + 1,
    firstAttemptAt,
    ...('status' in posted ? { httpStatus: posted.status } : {}),
    ...('latencyMs' in posted ? { latencyMs: posted.latencyMs } : {}),
  };
  const { nextAttemptAt: _previous, error: _error, ...fresh } = tried;
  const record = async (update: Partial<Delivery>) => context.record({ ...fresh, ...update });
  if (refusal && 'gone' in refusal) {
    await record({ status: 'failed', error: refusal.gone });
    return { outcome: 'failed' as const, health: { ok: false, gone: true, at: now, reason: refusal.gone } };
  }
  if (refusal) {
    // Our message, not the endpoint: its health stays as it was, and an operator hears of it.
    log.error('a chat platform refused our message as malformed', {
      subscriberId: delivery.subscriberId,
      incidentId: delivery.incidentId,
      updateId: delivery.updateId,
      refusal: refusal.ourBug,
    });
    await record({ status: 'failed', error: `${refusal.ourBug}: a fault in our message, not the channel’s` });
    return { outcome: 'malformed' as const };
  }
  switch (posted.kind) {
    case 'delivered':
      await record({ status: 'sent', sentAt: now.toISOString() });
      return {
        outcome: 'delivered' as const,
        health: { ok: true as const, at: now, latencyMs: posted.latencyMs },
        ...(opened ? { thread: opened } : {}),
      };
    case 'retry': {
      if (posted.timedOut && timeoutMs) {
        // Slow, not failing: tried again soon with the whole timeout, as any retry is, and known slow
        // from now on (its first tries get the whole timeout, and are not cut off).
        const next = nextAttemptAt({ failedAttempts: 1, firstAttemptAt: now, now, random: deps.random });
        const why = posted.cutOff ? 'once the rest of its batch was done' : 'a first try’s time';
        await record({
          status: 'pending',
          nextAttemptAt: next?.toISOString() ?? now.toISOString(),
          error: `${posted.reason} (${why}): tried again with the whole ${ENDPOINT_TIMEOUT_MS / 1000} s`,
        });
        return { outcome: 'retrying' as const, health: { slow: true as const, at: now } };
      }
      const next = nextAttemptAt({
        failedAttempts: tried.attempts,
        firstAttemptAt: new Date(firstAttemptAt),
        now,
        random: deps.random,
        ...(posted.retryAfterSeconds !== undefined ? { retryAfterSeconds: posted.retryAfterSeconds } : {}),
      });
      await record(
        next
          ? { status: 'pending', nextAttemptAt: next.toISOString(), error: posted.reason }
          : { status: 'failed', error: `gave up after a day of trying; the last attempt: ${posted.reason}` },
      );
      return {
        outcome: next ? ('retrying' as const) : ('failed' as const),
        health: { ok: false, at: now, reason: posted.reason },
      };
    }
    case 'gone':
      await record({ status: 'failed', error: 'the endpoint answered 410 Gone' });
      return { outcome: 'failed' as const, health: { ok: false, gone: true, at: now } };
    case 'rejected':
      await record({ status: 'failed', error: `the endpoint answered ${posted.status}` });
      return {
        outcome: 'failed' as const,
        health: { ok: false, at: now, reason: `answered ${posted.status}` },
      };
    case 'blocked':
      await record({ status: 'failed', error: `not sent: the URL ${posted.reason}` });
      return { outcome: 'failed' as const, health: { ok: false, at: now, reason: posted.reason } };
  }
}

/** A delivery that failed before any POST: pending with its next try, or failed after a day. */
async function retryLater(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  delivery: Delivery,
  reason: string,
) {
  const now = deps.clock.now();
  const firstAttemptAt = delivery.firstAttemptAt ?? now.toISOString();
  const attempts = delivery.attempts + 1;
  const next = nextAttemptAt({
    failedAttempts: attempts,
    firstAttemptAt: new Date(firstAttemptAt),
    now,
    random: deps.random,
  });
  await context.record({
    ...delivery,
    attempts,
    firstAttemptAt,
    ...(next
      ? { status: 'pending' as const, nextAttemptAt: next.toISOString(), error: reason }
      : { status: 'failed' as const, error: `gave up after a day of trying; the last attempt: ${reason}` }),
  });
  // Not the endpoint's failure: its health is left as it was.
  return { outcome: next ? ('retrying' as const) : ('failed' as const), health: undefined };
}

/** The POST in the endpoint's format (an event, or a chat message), from the stored incident and catalog. */
async function postOf(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  endpoint: Endpoint,
  delivery: Delivery,
  now: Date,
) {
  const stored = await context.incident(delivery.incidentId);
  const update = stored?.updates.find((u) => u.updateId === delivery.updateId);
  if (!stored || !update) throw new Error(`update ${delivery.incidentId}/${delivery.updateId} is not stored`);
  const catalog = await context.catalog(stored.incident.pageId);
  const links = manageLinks(deps, { id: delivery.subscriberId, issuedAt: now });
  const input: EventInput = {
    eventId: delivery.eventId ?? '',
    at: now,
    page: pageOf(stored, catalog),
    incident: stored.incident,
    update,
    updates: stored.updates,
    components: componentsOf(stored, catalog),
    links: { manageUrl: links.preferencesUrl, unsubscribeUrl: links.unsubscribeUrl },
  };
  return endpointPost(endpoint, { update: input });
}

const pageOf = (stored: StoredIncident, catalog: PageCatalog) => ({
  id: stored.incident.pageId,
  name: catalog.page?.name ?? stored.incident.pageId,
  ...(catalog.page?.url ? { url: catalog.page.url } : {}),
});

function componentsOf(stored: StoredIncident, catalog: PageCatalog) {
  const region = new Map(catalog.groups.map((g) => [g.groupId, g.name]));
  return stored.incident.componentIds.map((id) => {
    const component = catalog.components.find((c) => c.componentId === id);
    const regionName = component?.groupId ? region.get(component.groupId) : undefined;
    return { id, name: component?.name ?? id, ...(regionName ? { region: regionName } : {}) };
  });
}

/** Once, when an endpoint is quarantined: its owner hears why, and where to resume it. */
async function noticeOfQuarantine(deps: EndpointDeliveryDeps, endpoint: Endpoint, health: EndpointHealth) {
  const owner = (await deps.subscribers.get(endpoint.subscriberId))?.email;
  // A bounced or complaining address gets no notice either.
  if (!owner || (await deps.suppressions.suppressed([owner])).size > 0) return;
  const links = manageLinks(deps, { id: endpoint.subscriberId, issuedAt: deps.clock.now() });
  await deps.mailer.sendOne(
    owner,
    endpointQuarantinedMail({
      endpoint: maskedEndpoint(endpoint.url),
      reason: health.quarantineReason ?? 'it kept failing',
      preferencesUrl: links.preferencesUrl,
    }),
  );
}

/** The URL with a query parameter set: a Discord webhook's `thread_id` or `wait`. */
function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.href;
}
