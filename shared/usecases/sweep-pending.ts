import { deliveryId } from '../domain/delivery';
import { batchKeysOf, type SendBatch, type SendBatchKey } from '../domain/send-batch';
import type { Clock, Deliveries, Incidents, SendBatches, SendPause, UnsettledUpdate } from '../ports';

export interface SweepDeps {
  incidents: Incidents;
  sendBatches: SendBatches;
  deliveries: Deliveries;
  sendPause: SendPause;
  clock: Clock;
}

/**
 * A batch brought back this often with recipients still pending fails on the sender every time (a
 * poison): it is left to the failure queue and the pending-age alarm instead of being set aside again
 * every few minutes.
 */
export const MAX_REDRIVES = 3;

export interface SweepOptions {
  /** An update nothing happened to for this long, with deliveries still pending, is swept. */
  staleAfterMs: number;
  /** At most this many deliveries touched per run: a huge backlog is brought back over several runs. */
  maxRedrives: number;
}

/**
 * Brings back deliveries left pending (recipients of a send batch with no delivery record): those the
 * sender deferred (SES paused, no room in the send rate) and those whose stream record was set aside or
 * expired (the stream keeps records 24 hours). For every fanned-out update with no progress for a while,
 * it reads the update's batches and touches each one with a recipient still pending, which puts a new
 * record on the deliveries stream: the sender, the one consumer of that stream, handles it like the
 * first, in order behind any record of the same batch, and skips whoever has a record, so nothing is sent
 * twice. An update with nothing pending (or only in batches brought back MAX_REDRIVES times already) is
 * settled and not looked at again. While SES is paused, only batches of webhook endpoints (which need
 * no SES) are brought back; mail waits for the pause to end.
 */
export async function sweepPendingDeliveries(deps: SweepDeps, options: SweepOptions) {
  const result = {
    paused: false,
    stale: 0,
    /** Recipients still pending in the stale updates looked at. */
    pending: 0,
    redriven: 0,
    settled: 0,
    givenUp: 0,
    batchesMissing: 0,
  };
  const paused = Boolean(await deps.sendPause.current());
  result.paused = paused;
  const now = deps.clock.now().getTime();
  let budget = options.maxRedrives;
  for (const update of await deps.incidents.unsettledUpdates()) {
    if (now - Date.parse(update.lastActivityAt) < options.staleAfterMs) continue;
    if (budget <= 0) break;
    result.stale++;
    // Fanned out by a version before send batches: its pending deliveries are not this sweep's to find.
    const { batches } = update;
    if (batches === undefined) continue;
    const { pending, redriven, givenUp, done, missing } = await redrivePending(
      deps,
      { ...update, batches },
      { budget, mail: !paused },
    );
    result.batchesMissing += missing;
    result.pending += pending;
    budget -= redriven;
    result.redriven += redriven;
    result.givenUp += givenUp;
    if (pending === givenUp) {
      // A batch given up on is kept (until its TTL), so that a redrive after a fix can still send it.
      await deps.sendBatches.deleteAll(done);
      await deps.incidents.settle(update.incidentId, update.updateId);
      result.settled++;
    }
  }
  return result;
}

/** Batches read at once: a bounded slice of a big update's recipients. */
const SWEEP_SLICE = 20;

/**
 * Reads the update's send batches and their recipients' delivery records, a slice at a time, and
 * touches each batch that has a recipient with no record yet, up to `budget` recipients. Batches all of
 * whose recipients have a record are deleted once the update settles.
 */
async function redrivePending(
  deps: SweepDeps,
  update: UnsettledUpdate & { batches: number },
  { budget, mail }: { budget: number; mail: boolean },
) {
  const { incidentId, updateId } = update;
  const keys = batchKeysOf(incidentId, updateId, update.batches);
  let loaded = 0;
  let pending = 0;
  let redriven = 0;
  let givenUp = 0;
  const done: SendBatchKey[] = [];
  for (let start = 0; start < keys.length; start += SWEEP_SLICE) {
    // In batch order: a small budget goes to the first batches first.
    const batches = [...(await deps.sendBatches.load(keys.slice(start, start + SWEEP_SLICE))).values()];
    loaded += batches.length;
    const keysOf = (batch: SendBatch) =>
      batch.recipients.map(({ subscriberId }) => ({ subscriberId, incidentId, updateId }));
    const recorded = await deps.deliveries.load(batches.flatMap(keysOf));
    for (const batch of batches) {
      // An endpoint's delivery, once recorded, is its deliverer's to retry (see endpoint-retries).
      const waiting = keysOf(batch).filter((key) => {
        const record = recorded.get(deliveryId(key));
        return !record || (record.status === 'pending' && record.channel !== 'webhook');
      }).length;
      if (waiting === 0) {
        done.push(batch);
        continue;
      }
      pending += waiting;
      if ((batch.redrives ?? 0) >= MAX_REDRIVES) givenUp += waiting;
      else if (!mail && batch.channel !== 'webhook') continue;
      else if (redriven + waiting <= budget) {
        await deps.sendBatches.redrive(batch);
        redriven += waiting;
      }
    }
  }
  // Batches are deleted only once their update settles: one missing expired (14 days) or was never
  // written, and nothing is left to send its recipients. Reported, so that the sweeper's log says so.
  return { pending, redriven, givenUp, done, missing: keys.length - loaded };
}
