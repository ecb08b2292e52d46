import { chronological, type IncidentUpdate, reminderUpdateId } from '../domain/incident';
import type { Clock, Incidents } from '../ports';

export interface ReminderResult {
  /** Maintenances whose reminder this run stored (the incidents stream notifies them). */
  reminded: string[];
  /** Filed but not reminded of: moved, started, no longer to be reminded of, or announced too late. */
  skipped: number;
}

/**
 * Reminds the followers of each maintenance that starts within `leadMinutes`, once: the reminder is an
 * update with an id of its window's start, stored with a conditional put, so a schedule that fires twice
 * (or two runs at once) stores and notifies it once. A maintenance announced within the lead time is
 * not reminded of: its announcement is the reminder.
 */
export async function sendMaintenanceReminders(
  deps: { incidents: Incidents; clock: Clock },
  options: { leadMinutes: number },
): Promise<ReminderResult> {
  const now = deps.clock.now();
  const remindFrom = (start: string) => new Date(new Date(start).getTime() - options.leadMinutes * 60_000);
  const due = await deps.incidents.remindersDue(
    now.toISOString(),
    new Date(now.getTime() + options.leadMinutes * 60_000).toISOString(),
  );
  const result: ReminderResult = { reminded: [], skipped: 0 };
  for (const { incidentId, scheduledFor } of due) {
    const stored = await deps.incidents.get(incidentId);
    const incident = stored?.incident;
    const announced = chronological(stored?.updates.filter((u) => u.kind === 'update') ?? [])[0];
    if (
      !stored ||
      !incident?.remindPrior ||
      incident.scheduledFor !== scheduledFor ||
      incident.status !== 'scheduled' ||
      !announced ||
      new Date(announced.displayAt) >= remindFrom(scheduledFor)
    ) {
      result.skipped++;
      continue;
    }
    const reminder: IncidentUpdate = {
      incidentId,
      updateId: reminderUpdateId(scheduledFor),
      kind: 'reminder',
      status: 'reminder',
      body: `This maintenance starts in about ${duration(new Date(scheduledFor).getTime() - now.getTime())}.`,
      displayAt: now.toISOString(),
      affectedComponentIds: [],
      notify: true,
    };
    if (await deps.incidents.addUpdate(reminder, stored.incident)) result.reminded.push(incidentId);
  }
  return result;
}

/** "45 minutes", "2 hours", "1 hour 30 minutes": rounded to 5 minutes, as a person would say it. */
export function duration(ms: number): string {
  const minutes = Math.max(5, Math.round(ms / 300_000) * 5);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [
    ...(hours ? [`${hours} hour${hours === 1 ? '' : 's'}`] : []),
    ...(rest ? [`${rest} minutes`] : []),
  ];
  return parts.join(' ');
}
