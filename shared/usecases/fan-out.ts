import type { Delivery } from '../domain/delivery';
import { chronological } from '../domain/incident';
import { levelWants } from '../domain/levels';
import { audienceTopicKeys } from '../domain/topics';
import type { Catalog, Clock, Deliveries, Incidents, Subscribers } from '../ports';

export interface FanOutDeps {
  incidents: Incidents;
  catalog: Catalog;
  subscribers: Subscribers;
  deliveries: Deliveries;
  clock: Clock;
}

/** Deliveries are written in slices this big: bounded memory, and enough work per slice for batching. */
const WRITE_SLICE = 1000;

/**
 * Writes one delivery per confirmed subscriber following any affected component, its region or the page
 * whose notification level wants this update: one per subscriber however many of their topics match. The keys are deterministic; a retried fan-out
 * (one whose start was already recorded) writes only the deliveries that are missing, so it never resets
 * one the sender has already marked.
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
  const topicKeys = audienceTopicKeys(incident.pageId, incident.componentIds, catalog);
  const { resumed } = await deps.incidents.beginFanout(incidentId, updateId);

  const createdAt = deps.clock.now().toISOString();
  const seen = new Set<string>();
  let matched = 0;
  let slice: Delivery[] = [];
  const flush = async () => {
    await deps.deliveries.putAll(slice, { onlyMissing: resumed });
    slice = [];
  };
  for (const topicKey of topicKeys) {
    for await (const recipients of deps.subscribers.audience(topicKey)) {
      for (const { subscriberId, email, level } of recipients) {
        if (seen.has(subscriberId)) continue;
        seen.add(subscriberId);
        if (!levelWants(level, incident, update, isFirst)) continue;
        matched++;
        slice.push({
          incidentId,
          updateId,
          subscriberId,
          email,
          topic: topicKey,
          status: 'pending',
          attempts: 0,
          createdAt,
        });
      }
      if (slice.length >= WRITE_SLICE) await flush();
    }
  }
  await flush();
  await deps.incidents.completeFanout(incidentId, updateId, matched);
  return { audience: matched, followers: seen.size, topics: topicKeys.length, resumed };
}
