import type { PageCatalog } from '../domain/catalog';
import { type Delivery, deliveryId } from '../domain/delivery';
import {
  type AttemptHealth,
  ENDPOINT_TIMEOUT_MS,
  type Endpoint,
  type EndpointHealth,
  healthAfter,
  healthWorthRecording,
  nextAttemptAt,
  signingSecrets,
  tryTimeoutMs,
} from '../domain/endpoint';
import { maskedEndpoint } from '../domain/endpoint-url';
import type { Incident, IncidentUpdate } from '../domain/incident';
import { type EventInput, incidentEventV1, statuspageBody } from '../domain/webhook-events';
import { signatureHeaders } from '../domain/webhook-signing';
import { log, loggableError } from '../log';
import type {
  Catalog,
  Clock,
  Deliveries,
  EndpointPoster,
  Endpoints,
  Incidents,
  Mailer,
  Subscribers,
  Suppressions,
} from '../ports';
import { runSlowTolerant } from '../slow-tolerant-pool';
import { endpointQuarantinedMail } from '../templates/account';
import { manageLinks } from './manage-links';

type StoredIncident = { incident: Incident; updates: IncidentUpdate[] };

export interface EndpointDeliveryDeps {
  deliveries: Pick<Deliveries, 'recordEndpointAttempts' | 'load'>;
  endpoints: Endpoints;
  subscribers: Pick<Subscribers, 'getProfiles' | 'get'>;
  incidents: Pick<Incidents, 'get'>;
  catalog: Pick<Catalog, 'getPage'>;
  poster: EndpointPoster;
  mailer: Pick<Mailer, 'sendOne'>;
  suppressions: Pick<Suppressions, 'suppressed'>;
  clock: Clock;
  random: () => number;
  config: { publicBaseUrl: string; linkSigningSecret: string };
}

type Outcome = 'delivered' | 'retrying' | 'failed' | 'skipped';

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
/** Outcomes written together: one BatchWriteItem. */
const RECORDS_PER_WRITE = 25;

/**
 * Delivers due endpoint deliveries: one signed POST each, its outcome recorded on the delivery (sent,
 * failed, or pending with its next try, which the sweep brings back when due) and in the endpoint's
 * health. An endpoint's deliveries go one after another, in order; different endpoints at once, so a
 * slow one delays only its own. A delivery to an endpoint that is quarantined, unsubscribed or erased
 * is recorded as skipped. A crash after a POST repeats it on the stream's retry, with the same
 * `webhook-id`.
 */
export async function deliverToEndpoints(deps: EndpointDeliveryDeps, deliveries: readonly Delivery[]) {
  const due = await stillDue(deps, deliveries);
  const context = await contextOf(deps, due);
  const outcomes: Outcome[] = [];
  let quarantined = 0;
  await runSlowTolerant(
    [...Map.groupBy(due, (d) => d.subscriberId)].map(([subscriberId, group]) => async () => {
      const result = await deliverToOne(deps, context, subscriberId, group);
      outcomes.push(...result.outcomes);
      if (result.quarantined) quarantined++;
    }),
    { inFlight: ENDPOINTS_IN_FLIGHT, slowAfterMs: SLOW_AFTER_MS, maxOpen: MAX_OPEN_POSTS },
  );
  await context.flush();
  const count = (kind: Outcome) => outcomes.filter((o) => o === kind).length;
  return {
    delivered: count('delivered'),
    retrying: count('retrying'),
    failed: count('failed'),
    skipped: count('skipped'),
    quarantined,
    /** Records that were no longer due (settled, or waiting for a later try): a replay. */
    notDue: deliveries.length - due.length,
  };
}

/**
 * What the records say may be stale (a retried batch replays its images): each delivery as it is now,
 * and only those still pending and due now.
 */
async function stillDue(deps: EndpointDeliveryDeps, deliveries: readonly Delivery[]) {
  const current = await deps.deliveries.load(deliveries);
  const now = deps.clock.now().toISOString();
  // In the stream's order (an endpoint's deliveries go in order), and once each: a delivery can come twice
  // in one batch (handed over, then back from the sweep).
  const seen = new Set<string>();
  return deliveries.flatMap((d) => {
    const id = deliveryId(d);
    const stored = current.get(id);
    if (seen.has(id) || stored?.status !== 'pending') return [];
    seen.add(id);
    return stored.nextAttemptAt && stored.nextAttemptAt > now ? [] : [stored];
  });
}

/** What a batch's deliveries need, read once for all of them: endpoints, profiles, updates, catalogs. */
async function contextOf(deps: EndpointDeliveryDeps, due: readonly Delivery[]) {
  const ids = [...new Set(due.map((d) => d.subscriberId))];
  const [endpoints, profiles] = await Promise.all([
    ids.length ? deps.endpoints.getMany(ids) : new Map<string, Endpoint>(),
    ids.length ? deps.subscribers.getProfiles(ids) : new Map(),
  ]);
  const incidents = new Map<string, Promise<StoredIncident | undefined>>();
  const catalogs = new Map<string, Promise<PageCatalog>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>) => {
    const loading = cache.get(key) ?? load();
    cache.set(key, loading);
    return loading;
  };
  // Outcomes are written in batches as they come: a crash repeats the POSTs of those not yet written, with
  // the same webhook-id. Unconditional writes are safe here: each delivery was just read pending, and
  // nothing else writes a pending one within its lease (its partition's records come to one lane, in
  // order; the sweep hands it back only when its lease, far longer than an invocation, runs out).
  const unrecorded: Delivery[] = [];
  const flush = async () => {
    const batch = unrecorded.splice(0);
    try {
      await deps.deliveries.recordEndpointAttempts(batch);
    } catch (error) {
      // Written by the last flush, or failing the invocation: never dropped.
      unrecorded.unshift(...batch);
      throw error;
    }
  };
  return {
    endpoints,
    profiles,
    record: async (delivery: Delivery) => {
      unrecorded.push(delivery);
      if (unrecorded.length >= RECORDS_PER_WRITE) await flush();
    },
    flush,
    incident: (id: string) => once(incidents, id, () => deps.incidents.get(id)),
    catalog: (pageId: string) => once(catalogs, pageId, () => deps.catalog.getPage(pageId)),
  };
}
type DeliveryContext = Awaited<ReturnType<typeof contextOf>>;

async function deliverToOne(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  subscriberId: string,
  deliveries: readonly Delivery[],
) {
  const endpoint = context.endpoints.get(subscriberId);
  const profile = context.profiles.get(subscriberId);
  const outcomes: Outcome[] = [];
  let health = endpoint?.health;
  let quarantined = false;
  // Past its share of the invocation, an endpoint's backlog waits, in order, for the next sweep: a slow
  // endpoint with many updates due cannot hold the invocation to its timeout.
  const later = deliveries.slice(DELIVERIES_PER_ENDPOINT);
  const now = deps.clock.now().toISOString();
  for (const delivery of later) await context.record({ ...delivery, nextAttemptAt: now });
  outcomes.push(...later.map(() => 'retrying' as const));
  for (const delivery of deliveries.slice(0, DELIVERIES_PER_ENDPOINT)) {
    const skip =
      !endpoint || !profile
        ? 'subscriber erased'
        : profile.status !== 'confirmed'
          ? `subscriber ${profile.status}`
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
    const attempt = await attemptOne(deps, context, { ...endpoint, health }, delivery).catch(
      async (error: unknown) => {
        // Ours, not the endpoint's (its update unreadable, say): it waits for its retry like any failure,
        // and gives up after a day, instead of failing the batch for the other endpoints.
        log.error('endpoint delivery failed on our side', { subscriberId, error: loggableError(error) });
        return retryLater(
          deps,
          context,
          delivery,
          `our side failed: ${error instanceof Error ? error.message : 'unknown'}`,
        );
      },
    );
    outcomes.push(attempt.outcome);
    const next: EndpointHealth = attempt.health ? healthAfter(health, attempt.health) : health;
    if (next.quarantinedAt && !health.quarantinedAt) {
      quarantined = true;
      await noticeOfQuarantine(deps, endpoint, next);
    }
    health = next;
  }
  if (endpoint && health && healthWorthRecording(endpoint.health, health))
    await deps.endpoints.recordHealth(subscriberId, health, endpoint.health);
  return { outcomes, quarantined };
}

/** One POST of one update, and what it became. */
async function attemptOne(
  deps: EndpointDeliveryDeps,
  context: DeliveryContext,
  endpoint: Endpoint,
  delivery: Delivery,
): Promise<{ outcome: Outcome; health?: AttemptHealth }> {
  const now = deps.clock.now();
  const body = await eventBody(deps, context, endpoint, delivery, now);
  const eventId = delivery.eventId ?? `${delivery.subscriberId}.${delivery.updateId}`;
  const headers = signatureHeaders(signingSecrets(endpoint, now), { id: eventId, timestamp: now, body });
  const timeoutMs = tryTimeoutMs(endpoint.health, delivery);
  const posted = await deps.poster.post(endpoint.url, body, { ...headers }, timeoutMs ? { timeoutMs } : {});
  const firstAttemptAt = delivery.firstAttemptAt ?? now.toISOString();
  const tried = {
    ...delivery,
    eventId,
    attempts: delivery.attempts + 1,
    firstAttemptAt,
    ...('status' in posted ? { httpStatus: posted.status } : {}),
    ...('latencyMs' in posted ? { latencyMs: posted.latencyMs } : {}),
  };
  const { nextAttemptAt: _previous, error: _error, ...fresh } = tried;
  const record = async (update: Partial<Delivery>) => context.record({ ...fresh, ...update });
  switch (posted.kind) {
    case 'delivered':
      await record({ status: 'sent', sentAt: now.toISOString() });
      return {
        outcome: 'delivered' as const,
        health: { ok: true as const, at: now, latencyMs: posted.latencyMs },
      };
    case 'retry': {
      if (posted.timedOut && timeoutMs) {
        // Slow, not failing: tried again soon with the whole timeout, as any retry is.
        const next = nextAttemptAt({ failedAttempts: 1, firstAttemptAt: now, now, random: deps.random });
        await record({
          status: 'pending',
          nextAttemptAt: next?.toISOString() ?? now.toISOString(),
          error: `${posted.reason} (a first try’s time): tried again with the whole ${ENDPOINT_TIMEOUT_MS / 1000} s`,
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

/** The event's body in the endpoint's format, from the stored incident and the page's catalog. */
async function eventBody(
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
  return JSON.stringify(endpoint.format === 'statuspage' ? statuspageBody(input) : incidentEventV1(input));
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
