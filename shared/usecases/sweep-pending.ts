import type { DeliveryKey } from '../domain/delivery';
import { audienceTopicKeys } from '../domain/topics';
import type {
  Catalog,
  Clock,
  Deliveries,
  Incidents,
  SendPause,
  Subscribers,
  UnsettledUpdate,
} from '../ports';

export interface SweepDeps {
  incidents: Incidents;
  catalog: Catalog;
  subscribers: Subscribers;
  deliveries: Deliveries;
  sendPause: SendPause;
  clock: Clock;
}

/**
 * A delivery brought back this often and still pending fails on the sender every time (a poison): it is
 * left to the failure queue and the pending-age alarm instead of being set aside again every few minutes.
 */
export const MAX_REDRIVES = 3;

export interface SweepOptions {
  /** An update nothing happened to for this long, with deliveries still pending, is swept. */
  staleAfterMs: number;
  /** At most this many deliveries touched per run: a huge backlog is brought back over several runs. */
  maxRedrives: number;
}

/**
 * Brings back deliveries left pending: those the sender deferred (SES paused, no room in the send rate)
 * and those whose stream record was set aside or expired (the stream keeps records 24 hours). For every
 * fanned-out update with no progress for a while, it finds the audience's deliveries still pending and
 * touches each, which puts a new record on the deliveries stream: the sender, the one consumer of that
 * stream, handles it like the first, in order behind any record of the same delivery, so nothing is sent
 * twice. An update with nothing pending (or only deliveries brought back MAX_REDRIVES times already) is
 * settled and not looked at again. Nothing is done while SES is paused.
 */
export async function sweepPendingDeliveries(deps: SweepDeps, options: SweepOptions) {
  const result = { paused: false, stale: 0, redriven: 0, settled: 0, givenUp: 0 };
  if (await deps.sendPause.current()) return { ...result, paused: true };
  const now = deps.clock.now().getTime();
  let budget = options.maxRedrives;
  for (const update of await deps.incidents.unsettledUpdates()) {
    if (now - Date.parse(update.lastActivityAt) < options.staleAfterMs) continue;
    if (budget <= 0) break;
    result.stale++;
    const { pending, redriven, givenUp } = await redrivePending(deps, update, budget);
    budget -= redriven;
    result.redriven += redriven;
    result.givenUp += givenUp;
    if (pending === givenUp) {
      await deps.incidents.settle(update.incidentId, update.updateId);
      result.settled++;
    }
  }
  return result;
}

/** Walks the update's audience as the fan-out did and touches its pending deliveries, up to `budget`. */
async function redrivePending(deps: SweepDeps, update: UnsettledUpdate, budget: number) {
  const stored = await deps.incidents.get(update.incidentId);
  if (!stored) return { pending: 0, redriven: 0, givenUp: 0 };
  const { incident } = stored;
  const catalog = await deps.catalog.getPage(incident.pageId);
  let pending = 0;
  let redriven = 0;
  let givenUp = 0;
  const seen = new Set<string>();
  for (const topicKey of audienceTopicKeys(incident.pageId, incident.componentIds, catalog)) {
    for await (const recipients of deps.subscribers.audience(topicKey)) {
      const keys: DeliveryKey[] = recipients
        .filter(({ subscriberId }) => !seen.has(subscriberId))
        .map(({ subscriberId }) => {
          seen.add(subscriberId);
          return { subscriberId, incidentId: update.incidentId, updateId: update.updateId };
        });
      const stillPending = await deps.deliveries.pendingAmong(keys);
      const worth = stillPending.filter((delivery) => delivery.redrives < MAX_REDRIVES);
      pending += stillPending.length;
      givenUp += stillPending.length - worth.length;
      if (redriven < budget) redriven += await deps.deliveries.redrive(worth.slice(0, budget - redriven));
    }
  }
  return { pending, redriven, givenUp };
}
