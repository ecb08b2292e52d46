import type { BacklogUpdate } from '../domain/admin-views';
import type { Clock, Incidents } from '../ports';

/**
 * What is still being sent: every fanned-out update not yet settled, the longest idle first, with how
 * many of its recipients are still pending. An update settles a few minutes after its last mail, so a
 * quiet system lists the last few updates with nothing pending.
 */
export async function backlog(deps: { incidents: Pick<Incidents, 'unsettledUpdates'>; clock: Clock }) {
  const now = deps.clock.now().getTime();
  const updates = (await deps.incidents.unsettledUpdates()).map(
    (update): BacklogUpdate => ({
      incidentId: update.incidentId,
      updateId: update.updateId,
      matched: update.matched,
      sent: update.sent,
      failed: update.failed,
      skipped: update.skipped,
      pending: Math.max(0, update.matched - update.sent - update.failed - update.skipped),
      lastActivityAt: update.lastActivityAt,
      idleMinutes: Math.max(0, Math.floor((now - Date.parse(update.lastActivityAt)) / 60_000)),
    }),
  );
  updates.sort((a, b) => a.lastActivityAt.localeCompare(b.lastActivityAt));
  return { pending: updates.reduce((sum, update) => sum + update.pending, 0), updates };
}
