import { calendarUrl, googleCalendarUrl, hasWindow } from '../domain/calendar';
import type { PageCatalog } from '../domain/catalog';
import { type Delivery, type DeliveryKey, deliveryId, deliveryTag, threadId } from '../domain/delivery';
import { isEndpointAddress } from '../domain/endpoint';
import { chronological, type Incident, type IncidentUpdate, mailSubject } from '../domain/incident';
import type { MailContent, NotificationInput } from '../domain/render';
import { CHANGE_MARGIN_MS, type SendBatch, type SendBatchKey, sendBatchId } from '../domain/send-batch';
import { followKey } from '../domain/subscriber';
import {
  domainOf,
  incidentRootId,
  listIdHeader,
  listUnsubscribeHeaders,
  sesMessageId,
  threadHeaders,
} from '../domain/threading';
import { describeTopic, topicFromKey } from '../domain/topics';
import type {
  BulkRecipient,
  Catalog,
  Clock,
  Deliveries,
  Incidents,
  Mailer,
  SendBatches,
  SendOutcome,
  SendPause,
  SubscriberChanges,
  Subscribers,
  Suppressions,
} from '../ports';
import { renderFooter, renderNotification, windowLine } from '../templates/notification';
import type { EndpointRequest } from './endpoint-handoff';
import { manageLinks } from './manage-links';

export interface SendDeps {
  deliveries: Deliveries;
  sendBatches: Pick<SendBatches, 'forgetRedrives' | 'claim'>;
  subscribers: Pick<Subscribers, 'getProfiles'>;
  suppressions: Pick<Suppressions, 'suppressed'>;
  /** Every suppressed address, as read at `readAt` (cached); undefined when there are too many to hold. */
  suppressionList: { snapshot(): Promise<{ emails: Set<string>; readAt: Date } | undefined> };
  changes: SubscriberChanges;
  /** `forget`: drop a cached incident (the sender caches them for a few seconds; see read-cache). */
  incidents: Pick<Incidents, 'get' | 'addSendCounts'> & { forget?(incidentId: string): void };
  catalog: Pick<Catalog, 'getPage'>;
  mailer: Mailer;
  sendPause: SendPause;
  clock: Clock;
  config: { mailFrom: string; publicBaseUrl: string; linkSigningSecret: string; sesMessageIdDomain: string };
}

/** A send batch, with the id of the stream record that brought it. */
export type BatchRequest = SendBatch & { recordId: string };

/** One recipient of a batch: the delivery it becomes, and the batch and record it came in. */
type SendRequest = DeliveryKey & {
  email: string;
  topic?: string;
  createdAt: string;
  recordId: string;
  batch: SendBatchKey & { createdAt: string; redrives?: number; resumed?: boolean };
};

/**
 * Sends the batches of a stream batch, one bulk mail per update and up to 50 recipients, and writes each
 * recipient's delivery record once, with what became of the mail. Recipients who already have a record
 * are skipped, so a retried or redriven batch sends nothing twice. One window remains: SES accepted a
 * mail and its record was not written (the function died in between); records are written right after
 * each bulk call to keep it small. Whoever unsubscribed, was suppressed or erased since the fan-out is
 * skipped, with the reason recorded. Returns the records to retry (throttled or transient failures).
 * While SES takes no mail (daily quota spent, sending paused) nothing is sent or recorded: the
 * recipients stay pending, the stream moves on, and the pending-delivery sweep brings their batches
 * back after the pause. The fan-out puts webhook endpoints in batches of their own, which go to their own
 * deliverer; one found in a mail batch (written by a version before that) is handed over to it first.
 *
 * In steps, each a function below: load what the recipients need, decide who is sent to and who is
 * skipped, deliver (and record each bulk call's outcomes as it returns).
 */
export async function sendDeliveries(deps: SendDeps, batches: readonly BatchRequest[]) {
  const everyone = requestsOf(batches);
  // The batches are claimed once, by whichever channel needs the answer first.
  let claim: Promise<Set<string>> | undefined;
  const firstTime = () => {
    claim ??= deps.sendBatches.claim(everyone.map((r) => r.batch));
    return claim;
  };
  const handedOver = await handOverFromOlderBatches(
    deps,
    everyone.filter((r) => isEndpointAddress(r.email)),
    firstTime,
  );
  const mail = everyone.filter((r) => !isEndpointAddress(r.email));
  const none = { retry: [], sent: 0, failed: 0, skipped: 0, deferred: 0, alreadyDone: 0, sesPaused: false };
  if (await deps.sendPause.current()) {
    // SES takes no mail now: no read; the sweep brings these back after the pause.
    await deferred(deps, mail);
    return { ...none, deferred: mail.length, handedOver };
  }
  const state = await loadMailState(deps, mail, firstTime);
  const { sendable, skipped, alreadyDone } = decide(state, mail);
  await recordSkips(deps, state, skipped);
  const sent = await deliverMail(deps, state, sendable);
  return { ...sent, skipped: skipped.length, alreadyDone, handedOver };
}

/**
 * Endpoints in a mail batch, which only a fan-out of an earlier version wrote: loaded (see endpoint-
 * handoff) only when such a batch comes, so that a sender starts without it.
 */
async function handOverFromOlderBatches(
  deps: SendDeps,
  requests: readonly EndpointRequest[],
  firstTime: () => Promise<Set<string>>,
) {
  if (requests.length === 0) return { queued: 0, skipped: 0 };
  const { handOverToEndpoints } = await import('./endpoint-handoff');
  return handOverToEndpoints(deps, requests, firstTime);
}

/** Every recipient of the batches once, with the batch and record it came in. */
function requestsOf(batches: readonly BatchRequest[]): SendRequest[] {
  const requests = batches.flatMap(({ recipients, recordId, ...batch }) =>
    recipients.map(
      (recipient): SendRequest => ({
        ...recipient,
        incidentId: batch.incidentId,
        updateId: batch.updateId,
        createdAt: batch.createdAt,
        recordId,
        batch,
      }),
    ),
  );
  return [...new Map(requests.map((r) => [deliveryId(r), r])).values()];
}

type MailState = Awaited<ReturnType<typeof loadMailState>>;

/**
 * What sending to these recipients needs, in one round of reads: their incidents, who was sent already
 * (not in a batch of a first fan-out that no sender took up before: nobody in it can have been), the
 * profiles and suppressions that may have changed, and each thread's first mail (its SES message id is
 * what later mails of the incident hang from: In-Reply-To and References).
 */
async function loadMailState(
  deps: SendDeps,
  mail: readonly SendRequest[],
  firstTime: () => Promise<Set<string>>,
) {
  const incidents = await loadIncidents(deps, mail);
  const firstUpdateOf = new Map([...incidents].map(([id, stored]) => [id, firstNotified(stored.updates)]));
  const threadStarts = mail.flatMap((r) => {
    const first = firstUpdateOf.get(r.incidentId);
    return first && first !== r.updateId ? [{ ...r, updateId: first }] : [];
  });
  const { readsProfile, readsSuppression, listed } = await sendTimeReads(deps, mail, incidents);
  const [deliveries, profiles, suppressedNow] = await Promise.all([
    firstTime().then((claimedNow) =>
      deps.deliveries.load([
        ...mail.filter((r) => r.batch.resumed || !claimedNow.has(sendBatchId(r.batch))),
        ...threadStarts,
      ]),
    ),
    deps.subscribers.getProfiles(mail.filter(readsProfile).map((r) => r.subscriberId)),
    deps.suppressions.suppressed(mail.filter(readsSuppression).map((r) => r.email)),
  ]);
  const firstMessageIds = new Map<string, string>();
  for (const r of mail) {
    const first = firstUpdateOf.get(r.incidentId);
    const start = first ? deliveries.get(deliveryId({ ...r, updateId: first })) : undefined;
    if (start?.status === 'sent' && start.messageId)
      firstMessageIds.set(threadId(r.subscriberId, r.incidentId), start.messageId);
  }
  return {
    incidents,
    firstUpdateOf,
    deliveries,
    profiles,
    readsProfile,
    suppressed: (r: SendRequest) => (readsSuppression(r) ? suppressedNow.has(r.email) : listed.has(r.email)),
    firstMessageIds,
  };
}

/** A recipient's delivery record, before its outcome. */
function deliveryOf(state: MailState, r: SendRequest): Delivery {
  return {
    subscriberId: r.subscriberId,
    incidentId: r.incidentId,
    updateId: r.updateId,
    email: r.email,
    ...(r.topic ? { topic: r.topic } : {}),
    status: 'pending',
    createdAt: r.createdAt,
    attempts: (state.deliveries.get(deliveryId(r))?.attempts ?? 0) + 1,
  };
}

/**
 * Who is sent to: those with no record yet (or a pending one written by an earlier version), still
 * confirmed and not suppressed. Whoever was not read is as the fan-out found them: confirmed (see
 * sendTimeReads).
 */
function decide(state: MailState, mail: readonly SendRequest[]) {
  const pending = mail.filter(
    (r) => (state.deliveries.get(deliveryId(r))?.status ?? 'pending') === 'pending',
  );
  const skipReason = (request: SendRequest): string | undefined => {
    if (state.readsProfile(request)) {
      const profile = state.profiles.get(request.subscriberId);
      if (!profile) return 'subscriber erased';
      if (profile.status !== 'confirmed') return `subscriber ${profile.status}`;
    }
    if (state.suppressed(request)) return 'address suppressed';
    return undefined;
  };
  const skipped = pending.flatMap((request) => {
    const reason = skipReason(request);
    return reason ? [{ request, reason }] : [];
  });
  return {
    sendable: pending.filter((r) => skipReason(r) === undefined),
    skipped,
    alreadyDone: mail.length - pending.length,
  };
}

/** The skipped, recorded with why, and counted on their updates. */
async function recordSkips(
  deps: SendDeps,
  state: MailState,
  skipped: ReadonlyArray<{ request: SendRequest; reason: string }>,
) {
  if (skipped.length === 0) return;
  await deps.deliveries.recordOutcomes(
    skipped.map(({ request, reason }) => {
      const { email, ...delivery } = deliveryOf(state, request);
      // An erased subscriber's address is not written back into its history.
      return {
        ...delivery,
        ...(reason === 'subscriber erased' ? {} : { email }),
        status: 'skipped' as const,
        error: reason,
      };
    }),
  );
  for (const [key, group] of Map.groupBy(skipped, ({ request: r }) => `${r.incidentId}|${r.updateId}`)) {
    const [incidentId = '', updateId = ''] = key.split('|');
    await deps.incidents.addSendCounts(incidentId, updateId, { sent: 0, failed: 0, skipped: group.length });
  }
}

/**
 * One bulk mail per update, up to the mailer's recipients per call, each call's outcomes recorded as soon
 * as it returns: should the function die, at most that call's mails can go out again on retry. Once SES
 * says it takes no mail, the rest waits for the sweep.
 */
async function deliverMail(deps: SendDeps, state: MailState, sendable: readonly SendRequest[]) {
  const retry: string[] = [];
  const totals = { sent: 0, failed: 0, deferred: 0 };
  let halted = false;
  /** SES said it takes no mail: this invocation recorded the account-wide pause. */
  let sesPaused = false;
  for (const group of Map.groupBy(sendable, (r) => `${r.incidentId}|${r.updateId}`).values()) {
    const { content, recipients } = await mailOf(deps, state, group);
    const size = deps.mailer.maxRecipientsPerCall;
    // Added to the update's totals once per update and invocation, not per call: one write, not many.
    const counts = { sent: 0, failed: 0, skipped: 0 };
    for (let start = 0; start < group.length; start += size) {
      const requests = group.slice(start, start + size);
      if (halted) {
        await deferred(deps, requests);
        totals.deferred += requests.length;
        continue;
      }
      const outcomes = await sendWithBackoff(deps.mailer, content, recipients.slice(start, start + size));
      const recorded = await recordSent(deps, state, requests, outcomes);
      counts.sent += recorded.sent;
      counts.failed += recorded.failed;
      totals.deferred += recorded.deferred;
      retry.push(...recorded.retry);
      const deferral = outcomes.find((outcome) => !outcome.ok && 'deferred' in outcome);
      if (deferral && 'deferred' in deferral) {
        // No point asking SES again in this invocation: the rest waits for the sweep too.
        halted = true;
        if (deferral.deferred === 'paused') {
          await deps.sendPause.pause(new Date(deps.clock.now().getTime() + PAUSE_MS), deferral.error);
          sesPaused = true;
        }
      }
    }
    const first = group[0] as SendRequest;
    if (counts.sent + counts.failed > 0)
      await deps.incidents.addSendCounts(first.incidentId, first.updateId, counts);
    totals.sent += counts.sent;
    totals.failed += counts.failed;
  }
  return { retry: [...new Set(retry)], ...totals, sesPaused };
}

/** One update's mail and its recipients, each with their own links, thread and reason. */
async function mailOf(deps: SendDeps, state: MailState, group: readonly SendRequest[]) {
  const first = group[0] as SendRequest;
  const stored = state.incidents.get(first.incidentId);
  const update = stored?.updates.find((u) => u.updateId === first.updateId);
  if (!stored || !update) throw new Error(`update ${first.incidentId}/${first.updateId} is not stored`);
  const catalog = await deps.catalog.getPage(stored.incident.pageId);
  const content = renderNotification({
    ...notificationInput(stored.incident, update, stored.updates, catalog),
    ...calendarLinks(deps.config, stored.incident, catalog),
  });
  const rootId = incidentRootId(stored.incident.incidentId, domainOf(deps.config.mailFrom));
  const listId = listIdHeader(stored.incident.pageId, catalog.page?.name, domainOf(deps.config.mailFrom));
  const reasonFor = (request: SendRequest) => {
    if (request.topic?.startsWith(followKey(''))) return 'this incident';
    const topic = request.topic ? topicFromKey(request.topic) : undefined;
    return topic ? describeTopic(topic, catalog) : undefined;
  };
  const issuedAt = deps.clock.now();
  const recipients = group.map((request): BulkRecipient => {
    const profile = state.profiles.get(request.subscriberId);
    // Signed with the nonce when it was read (it may have just been replaced), else with the time.
    const links = manageLinks(deps, profile ?? { id: request.subscriberId, issuedAt });
    const firstMessageId = state.firstMessageIds.get(threadId(request.subscriberId, request.incidentId));
    // The window in the recipient's own time zone, when they chose one.
    const zone = profile?.timeZone;
    return {
      email: request.email,
      tags: { delivery: deliveryTag(request) },
      headers: [
        ...threadHeaders(rootId, firstMessageId),
        ...listUnsubscribeHeaders(links.unsubscribeUrl),
        listId,
      ],
      footer: renderFooter({ ...links, reason: reasonFor(request) }),
      ...(zone && hasWindow(stored.incident) ? { window: windowLine(stored.incident, zone) } : {}),
    };
  });
  return { content, recipients };
}

/** One bulk call's outcomes, recorded: sent, failed for good, held back for SES, or to retry. */
async function recordSent(
  deps: SendDeps,
  state: MailState,
  requests: readonly SendRequest[],
  outcomes: readonly SendOutcome[],
) {
  const now = deps.clock.now().toISOString();
  const marks: Delivery[] = [];
  const putOff: SendRequest[] = [];
  const retry: string[] = [];
  let sent = 0;
  let failed = 0;
  requests.forEach((request, index) => {
    const outcome = outcomes[index];
    const delivery = deliveryOf(state, request);
    if (outcome && 'deferred' in outcome) {
      putOff.push(request);
    } else if (outcome?.ok) {
      const messageId = sesMessageId(outcome.messageId, deps.config.sesMessageIdDomain);
      marks.push({ ...delivery, status: 'sent', messageId, sentAt: now });
      const thread = threadId(request.subscriberId, request.incidentId);
      // Later mails of this batch to the same person about the same incident hang from this one.
      if (
        !state.firstMessageIds.has(thread) &&
        state.firstUpdateOf.get(request.incidentId) === request.updateId
      )
        state.firstMessageIds.set(thread, messageId);
      sent++;
    } else if (outcome && !outcome.retryable) {
      marks.push({ ...delivery, status: 'failed', error: outcome.error });
      failed++;
    } else {
      retry.push(request.recordId);
    }
  });
  await deps.deliveries.recordOutcomes(marks);
  await deferred(deps, putOff);
  return { sent, failed, deferred: putOff.length, retry };
}

/**
 * Which recipients a sender reads at send time. The fan-out put only confirmed subscribers in the
 * batches; what changed since is in the change log, written in the same transaction as each change, and
 * the suppressions older than that are in the cached list. So only those the log names are read (and,
 * for a maintenance's window, everyone: their time zone). When the log does not reach back to the
 * batches, or the list is too long to hold, everyone is read, as before the log.
 */
async function sendTimeReads(
  deps: SendDeps,
  requests: readonly SendRequest[],
  incidents: Map<string, { incident: Incident }>,
) {
  const everyone = { readsProfile: () => true, readsSuppression: () => true, listed: new Set<string>() };
  const list = await deps.suppressionList.snapshot();
  if (!list) return everyone;
  // Since the earliest of the fan-outs and the list's read: what came after either is in the log.
  const oldest = Math.min(...requests.map((r) => Date.parse(r.batch.createdAt)), list.readAt.getTime());
  if (!Number.isFinite(oldest)) return everyone;
  const changes = await deps.changes.since(new Date(oldest - CHANGE_MARGIN_MS));
  if (!changes) return everyone;
  const windowed = new Set(
    [...incidents].flatMap(([id, stored]) => (hasWindow(stored.incident) ? [id] : [])),
  );
  return {
    readsProfile: (r: SendRequest) => changes.subscriberIds.has(r.subscriberId) || windowed.has(r.incidentId),
    readsSuppression: (r: SendRequest) => changes.emails.has(r.email),
    listed: list.emails,
  };
}

/**
 * The incidents of the requests, read once each; one not stored is a poison record (it throws later).
 * A cached incident that lacks an update asked for is read again: the update is newer than the cache.
 */
async function loadIncidents(deps: SendDeps, requests: readonly SendRequest[]) {
  const byIncident = Map.groupBy(requests, (r) => r.incidentId);
  const loaded = await Promise.all(
    [...byIncident].map(async ([id, wanted]) => {
      let stored = await deps.incidents.get(id);
      const known = new Set(stored?.updates.map((u) => u.updateId));
      if (deps.incidents.forget && wanted.some((r) => !known.has(r.updateId))) {
        deps.incidents.forget(id);
        stored = await deps.incidents.get(id);
      }
      return [id, stored] as const;
    }),
  );
  return new Map(loaded.flatMap(([id, stored]) => (stored ? [[id, stored] as const] : [])));
}

/** The first update of an incident that was notified: every recipient's thread starts with its mail. */
function firstNotified(updates: readonly IncidentUpdate[]): string | undefined {
  return chronological(updates.filter((u) => u.notify && u.kind === 'update'))[0]?.updateId;
}

/**
 * A batch held back for SES was not a failure of the sender: the times the sweep brought it back are
 * forgotten, so that only a batch the sender keeps failing on is ever given up by the sweep.
 */
async function deferred(deps: SendDeps, requests: readonly SendRequest[]) {
  const counted = requests.filter((request) => (request.batch.redrives ?? 0) > 0).map((r) => r.batch);
  const batches = [...new Map(counted.map((batch) => [sendBatchId(batch), batch])).values()];
  if (batches.length > 0) await deps.sendBatches.forgetRedrives(batches);
}

/** How long senders hold back once SES stops taking mail; the sweep's next run after it tries again. */
export const PAUSE_MS = 15 * 60_000;

const THROTTLE_ATTEMPTS = 3;

/**
 * Sends, then resends what SES refused for rate (nothing of it went out, so resending doubles nothing),
 * after a jittered exponential pause; what stays throttled is left to the stream's retry.
 */
async function sendWithBackoff(mailer: Mailer, content: MailContent, recipients: BulkRecipient[]) {
  const outcomes = await mailer.sendBulk(content, recipients);
  for (let attempt = 1; attempt < THROTTLE_ATTEMPTS; attempt++) {
    const again = outcomes.flatMap((outcome, index) =>
      !outcome.ok && 'throttled' in outcome && outcome.throttled ? [index] : [],
    );
    if (again.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 250 * 2 ** attempt));
    const retried = await mailer.sendBulk(
      content,
      again.map((index) => recipients[index] as BulkRecipient),
    );
    again.forEach((index, k) => {
      outcomes[index] = retried[k] as SendOutcome;
    });
  }
  return outcomes;
}

function notificationInput(
  incident: Incident,
  update: IncidentUpdate,
  updates: IncidentUpdate[],
  catalog: PageCatalog,
): NotificationInput {
  const regionName = new Map(catalog.groups.map((g) => [g.groupId, g.name]));
  const components = incident.componentIds.map((id) => catalog.components.find((c) => c.componentId === id));
  const byRegion = Map.groupBy(
    components.filter((c) => c !== undefined),
    (c) => (c.groupId ? (regionName.get(c.groupId) ?? c.groupId) : ''),
  );
  return {
    incident,
    update,
    updates,
    affected: [...byRegion].map(([region, list]) => ({
      ...(region ? { region } : {}),
      components: list.map((c) => c.name),
    })),
    ...(catalog.page && catalog.page.name !== catalog.page.pageId ? { pageName: catalog.page.name } : {}),
    ...(catalog.page?.timeZone ? { timeZone: catalog.page.timeZone } : {}),
  };
}

/** A maintenance still to come or under way: links that put its window in the reader's calendar. */
function calendarLinks(
  config: SendDeps['config'],
  incident: Incident,
  catalog: PageCatalog,
): Pick<NotificationInput, 'calendar'> {
  if (!hasWindow(incident) || incident.status === 'completed') return {};
  const title = mailSubject(incident.subject, catalog.page?.name);
  const details = incident.shortlink ? `${incident.name}\n${incident.shortlink}` : incident.name;
  return {
    calendar: {
      icsUrl: calendarUrl(config.publicBaseUrl, config.linkSigningSecret, incident.incidentId),
      googleUrl: googleCalendarUrl(incident, title, details),
    },
  };
}
