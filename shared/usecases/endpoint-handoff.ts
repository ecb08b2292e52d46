import { type Delivery, type DeliveryKey, deliveryId } from '../domain/delivery';
import { eventId } from '../domain/endpoint';
import { type SendBatchKey, sendBatchId } from '../domain/send-batch';
import type { Deliveries, Incidents, Subscribers } from '../ports';

/** A batch's recipient whose address is an endpoint's, and the send batch it came in. */
export type EndpointRequest = DeliveryKey & {
  email: string;
  topic?: string;
  createdAt: string;
  batch: SendBatchKey & { resumed?: boolean };
};

/**
 * For send batches written before the fan-out put endpoints in batches of their own (see fan-out), whose
 * records may still come back (a stream retry, the sweep's redrive): the sender's part for the endpoint
 * subscribers among their recipients. It hands each of them over as a pending delivery, due at
 * once, which the deliveries stream brings to the endpoint deliverer (see deliver-to-endpoints); POSTs,
 * retries over a day and quarantine are its. Those unsubscribed or erased since the fan-out are skipped,
 * as for mail. Written in batches, under the sender's claim of the send batches (`firstTime`, as for
 * mail): in a batch taken up for the first time nobody has a record yet; in any other, those with one are
 * left as they are, so a retried batch hands over nothing twice, and the update's counts take each once:
 * handed over counts as sent.
 */
export async function handOverToEndpoints(
  deps: {
    deliveries: Pick<Deliveries, 'queueEndpointDeliveries' | 'recordOutcomes' | 'load'>;
    subscribers: Pick<Subscribers, 'getProfiles'>;
    incidents: Pick<Incidents, 'addSendCounts'>;
  },
  requests: readonly EndpointRequest[],
  firstTime: () => Promise<Set<string>>,
): Promise<{ queued: number; skipped: number }> {
  if (requests.length === 0) return { queued: 0, skipped: 0 };
  const [profiles, claimedNow] = await Promise.all([
    deps.subscribers.getProfiles(requests.map((r) => r.subscriberId)),
    firstTime(),
  ]);
  const recorded = await deps.deliveries.load(
    requests.filter((r) => r.batch.resumed || !claimedNow.has(sendBatchId(r.batch))),
  );
  const fresh = requests.filter((r) => !recorded.has(deliveryId(r)));
  const delivery = (r: EndpointRequest): Delivery => ({
    subscriberId: r.subscriberId,
    incidentId: r.incidentId,
    updateId: r.updateId,
    email: r.email,
    ...(r.topic ? { topic: r.topic } : {}),
    channel: 'webhook',
    eventId: eventId(r),
    status: 'pending',
    createdAt: r.createdAt,
    attempts: 0,
  });
  const skipReason = (r: EndpointRequest) => {
    const profile = profiles.get(r.subscriberId);
    if (!profile) return 'subscriber erased';
    return profile.status === 'confirmed' ? undefined : `subscriber ${profile.status}`;
  };
  const queued = fresh.filter((r) => !skipReason(r));
  const skipped = fresh.filter((r) => skipReason(r));
  await Promise.all([
    deps.deliveries.queueEndpointDeliveries(queued.map(delivery)),
    deps.deliveries.recordOutcomes(
      skipped.map((r) => ({ ...delivery(r), status: 'skipped' as const, error: skipReason(r) })),
    ),
  ]);
  const counts = new Map<string, { incidentId: string; updateId: string; sent: number; skipped: number }>();
  for (const [list, field] of [
    [queued, 'sent'],
    [skipped, 'skipped'],
  ] as const) {
    for (const r of list) {
      const key = `${r.incidentId}|${r.updateId}`;
      const entry = counts.get(key) ?? {
        incidentId: r.incidentId,
        updateId: r.updateId,
        sent: 0,
        skipped: 0,
      };
      entry[field]++;
      counts.set(key, entry);
    }
  }
  for (const { incidentId, updateId, sent, skipped: skips } of counts.values())
    await deps.incidents.addSendCounts(incidentId, updateId, { sent, failed: 0, skipped: skips });
  return { queued: queued.length, skipped: skipped.length };
}
