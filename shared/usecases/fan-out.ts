import { isEndpointAddress } from '../domain/endpoint';
import { chronological, type Incident, type IncidentUpdate, isClosingStatus } from '../domain/incident';
import { levelWants } from '../domain/levels';
import { type BatchRecipient, RECIPIENTS_PER_BATCH, type SendBatch } from '../domain/send-batch';
import { followKey, type Recipient } from '../domain/subscriber';
import { audienceTopicKeys } from '../domain/topics';
import type { Catalog, Clock, Incidents, SendBatches, Subscribers } from '../ports';

export interface FanOutDeps {
  incidents: Incidents;
  catalog: Catalog;
  subscribers: Subscribers;
  sendBatches: SendBatches;
  clock: Clock;
}

/**
 * Batches are written this many at a time, in order: one BatchWriteItem request, so that a fan-out that
 * dies leaves at most this many missing before the last one written (see writtenBefore).
 */
const WRITE_SLICE = 20;

/**
 * Writes the update's recipients in send batches of one bulk call each: one recipient per confirmed
 * subscriber following any affected component, its region or the page whose notification level wants
 * this update, however many of their topics match. Batches are numbered from 0 in the audience's order.
 * A resumed fan-out keeps the batches written before and batches only whoever none of them holds, after
 * them: a recipient is never in two batches, which two senders could hold at once.
 */
export async function fanOut(
  deps: FanOutDeps,
  { incidentId, updateId }: { incidentId: string; updateId: string },
) {
  const stored = await deps.incidents.get(incidentId);
  if (!stored) throw new Error(`incident ${incidentId} is not stored`);
  const { incident } = stored;
  const update = stored.updates.find((u) => u.updateId === updateId);
  if (!update) throw new Error(`update ${incidentId}/${updateId} is not stored`);
  const isFirst = chronological(stored.updates.filter((u) => u.kind === 'update'))[0]?.updateId === updateId;
  const catalog = await deps.catalog.getPage(incident.pageId);
  // The incident's own followers first: they asked for this incident, whatever their level says.
  const followed = followCovers(stored.updates, update);
  const topicKeys = [
    ...(followed ? [followKey(incidentId)] : []),
    ...audienceTopicKeys(incident.pageId, incident.componentIds, catalog),
  ];
  const { resumed } = await deps.incidents.beginFanout(incidentId, updateId);

  const createdAt = deps.clock.now().toISOString();
  const seen = new Set<string>();
  let matched = 0;
  let batched = 0;
  // Mail and webhook endpoints in batches of their own: each goes to its own deliverer.
  const open = { mail: [] as BatchRecipient[], webhook: [] as BatchRecipient[] };
  let batches: SendBatch[] = [];
  const earlier = resumed ? await writtenBefore(deps, incidentId, updateId) : undefined;
  let index = earlier?.next ?? 0;
  const close = (channel: keyof typeof open) => {
    const recipients = open[channel];
    if (recipients.length > 0)
      batches.push({
        incidentId,
        updateId,
        index: index++,
        recipients,
        createdAt,
        ...(channel === 'webhook' ? { channel } : {}),
        ...(resumed ? { resumed: true } : {}),
      });
    open[channel] = [];
  };
  const flush = async () => {
    await deps.sendBatches.putAll(batches);
    batches = [];
  };
  for (const topicKey of topicKeys) {
    for await (const found of deps.subscribers.audience(topicKey)) {
      // A follow past its end lingers in the index until DynamoDB's TTL removes it: left out here.
      const page =
        followed && topicKey === topicKeys[0] ? await stillFollowing(deps, incidentId, found) : found;
      for (const { subscriberId, email, level } of page) {
        if (seen.has(subscriberId)) continue;
        seen.add(subscriberId);
        const follower = followed && topicKey === topicKeys[0];
        if (!follower && !levelWants(level, incident, update, isFirst)) continue;
        matched++;
        if (earlier?.recipients.has(subscriberId)) continue;
        batched++;
        const channel = isEndpointAddress(email) ? 'webhook' : 'mail';
        open[channel].push({ subscriberId, email, topic: topicKey });
        if (open[channel].length === RECIPIENTS_PER_BATCH) close(channel);
        if (batches.length === WRITE_SLICE) await flush();
      }
    }
  }
  close('mail');
  close('webhook');
  await flush();
  await deps.incidents.completeFanout(incidentId, updateId, { audienceSize: matched, batches: index });
  // Their last mail is in its batches: the incident's own followers are done with it.
  const ended =
    followed && followEndsWith(incident, stored.updates, update) ? await endFollows(deps, incidentId) : 0;
  return {
    audience: matched,
    /** Recipients this run put in batches: all of the audience, or on a resumed run only the new ones. */
    batched,
    batches: index,
    followers: seen.size,
    topics: topicKeys.length,
    resumed,
    followsEnded: ended,
  };
}

/**
 * Whether an incident's own followers hear of this update: every update until the incident closes, the
 * closing one, and its postmortem; not what comes after (a reopened incident is news to them only if
 * they follow its components).
 */
function followCovers(updates: readonly IncidentUpdate[], update: IncidentUpdate): boolean {
  if (update.kind === 'postmortem') return true;
  const closedBefore = updates.some(
    (u) => u.kind === 'update' && isClosingStatus(u.status) && u.displayAt < update.displayAt,
  );
  return !closedBefore;
}

/**
 * The update after which nothing more is coming to an incident's own followers. Never while another
 * notifying update they would get is stored (a postmortem sent in the same payload as the resolution,
 * say): that one's fan-out ends the follow.
 */
function followEndsWith(
  incident: Incident,
  updates: readonly IncidentUpdate[],
  update: IncidentUpdate,
): boolean {
  const more = updates.some(
    (u) =>
      u.notify &&
      u.updateId !== update.updateId &&
      (u.kind === 'postmortem' || u.displayAt > update.displayAt),
  );
  if (more) return false;
  if (update.kind === 'postmortem') return true;
  return isClosingStatus(update.status) && update.kind === 'update' && !incident.postmortemExpected;
}

async function stillFollowing(deps: FanOutDeps, incidentId: string, found: Recipient[]) {
  const following = await deps.subscribers.followingNow(
    incidentId,
    found.map((r) => r.subscriberId),
  );
  return found.filter((r) => following.has(r.subscriberId));
}

/** Removes the follow from each of its followers; a concurrent change to one is read again and retried. */
async function endFollows(deps: FanOutDeps, incidentId: string): Promise<number> {
  let ended = 0;
  for (const subscriberId of await deps.subscribers.followersOf(incidentId)) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const record = await deps.subscribers.get(subscriberId);
      if (!record?.follows?.some((f) => f.incidentId === incidentId)) break;
      // The status stays: the sender checks it before this last mail goes out.
      const follows = record.follows.filter((f) => f.incidentId !== incidentId);
      try {
        await deps.subscribers.save({ ...record, follows }, record);
        ended++;
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }
  return ended;
}

/** Keys probed at once for a resumed fan-out's batches: more than a write slice, so no gap hides any. */
const PROBE = 100;

/** The batches an earlier attempt of this fan-out wrote: who they hold, and the index after the last. */
async function writtenBefore(deps: FanOutDeps, incidentId: string, updateId: string) {
  const recipients = new Set<string>();
  let next = 0;
  for (let start = 0; ; start += PROBE) {
    const keys = Array.from({ length: PROBE }, (_, k) => ({ incidentId, updateId, index: start + k }));
    const found = await deps.sendBatches.load(keys);
    if (found.size === 0) return { recipients, next };
    for (const batch of found.values()) {
      next = Math.max(next, batch.index + 1);
      for (const recipient of batch.recipients) recipients.add(recipient.subscriberId);
    }
  }
}
