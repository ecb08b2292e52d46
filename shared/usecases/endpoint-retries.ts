import type { Clock, Deliveries } from '../ports';

/** Deliveries handed back at once, one write each. */
const CONCURRENCY = 25;

/**
 * The retry half of endpoint delivery: a failed attempt leaves its delivery pending, off the stream,
 * filed by its next try in the retry index; every sweep hands those now due back to the deliverer
 * through the stream. Retries so outlive the stream batch that brought the first attempt, and never
 * hold up the stream: a waiting delivery is a row in an index, not a record being retried.
 */
export async function bringBackDueEndpointDeliveries(
  deps: { deliveries: Pick<Deliveries, 'dueEndpointDeliveries' | 'markDue'>; clock: Clock },
  limit: number,
) {
  const now = deps.clock.now();
  const due = await deps.deliveries.dueEndpointDeliveries(now, limit);
  for (let start = 0; start < due.length; start += CONCURRENCY)
    await Promise.all(due.slice(start, start + CONCURRENCY).map((key) => deps.deliveries.markDue(key, now)));
  return { due: due.length };
}
