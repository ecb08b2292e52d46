import * as z from './zod';

/** An incident as stored: the latest state we have seen, plus the subject fixed at first sight. */
export const Incident = z.object({
  incidentId: z.string().check(z.minLength(1)),
  /** Where it came from: a status page vendor's webhook, or the incident API (`api`). */
  source: z.enum(['statuspage', 'instatus', 'betterstack', 'api']),
  upstreamId: z.string().check(z.minLength(1)),
  pageId: z.string().check(z.minLength(1)),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  shortlink: z.optional(z.string()),
  /** Every component any webhook said this incident affects (the union over its lifetime). */
  componentIds: z.array(z.string()),
  /** Set once, when the incident is first stored: a renamed incident keeps its thread. */
  subject: z.string(),
  postmortemBody: z.optional(z.string()),
  scheduledFor: z.optional(z.string()),
  scheduledUntil: z.optional(z.string()),
  /** A scheduled maintenance whose followers are reminded before its window starts. */
  remindPrior: z.optional(z.boolean()),
  /** A postmortem may still come after the resolution: the incident's own followers wait for it. */
  postmortemExpected: z.optional(z.boolean()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Incident = z.infer<typeof Incident>;

/** One update of an incident, keyed by the upstream update id so retried webhooks are no-ops. */
export const IncidentUpdate = z.object({
  incidentId: z.string().check(z.minLength(1)),
  updateId: z.string().check(z.minLength(1)),
  /** `reminder`: the notifier's own, before a maintenance window starts. */
  kind: z.enum(['update', 'postmortem', 'reminder']),
  status: z.string(),
  body: z.string(),
  displayAt: z.string(),
  affectedComponentIds: z.array(z.string()),
  /** Whether subscribers hear about this update; fixed when it is first stored. */
  notify: z.boolean(),
});
export type IncidentUpdate = z.infer<typeof IncidentUpdate>;

export const POSTMORTEM_UPDATE_ID = 'postmortem';

export const REMINDER_PREFIX = 'reminder-';

/** A maintenance's reminder: one per window start, so a rescheduled window is reminded of again. */
export function reminderUpdateId(scheduledFor: string): string {
  return `${REMINDER_PREFIX}${scheduledFor.replace(/[^0-9]/g, '').slice(0, 12)}`;
}

export function qualifiedIncidentId(source: Incident['source'], pageId: string, upstreamId: string): string {
  return `${source}:${pageId}:${upstreamId}`;
}

/** The page of an incident, from its id (`<source>:<page>:<incident>`; a page id has no colon). */
export function pageIdOfIncident(incidentId: string): string {
  return incidentId.split(':')[1] ?? '';
}

/** Whether a feed shows the update: what followers were told, not the notifier's own reminders. */
export function feedShows(update: Pick<IncidentUpdate, 'kind' | 'notify'>): boolean {
  return update.notify && update.kind !== 'reminder';
}

/**
 * The notifier's ids an incident id a person has may stand for: itself when it is already one (it has
 * the source and page), else the id from Statuspage or the generic API on each of these pages.
 */
export function incidentIdCandidates(id: string, pageIds: readonly string[]): string[] {
  if (id.includes(':')) return [id];
  return pageIds.flatMap((pageId) =>
    Incident.shape.source.options.map((source) => qualifiedIncidentId(source, pageId, id)),
  );
}

/** Statuspage's maintenance phases: an incident with any of them is scheduled maintenance. */
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;

export function isMaintenanceStatus(status: string): boolean {
  return (MAINTENANCE_STATUSES as readonly string[]).includes(status);
}

/**
 * The subject every mail of the incident carries, fixed when the incident is first stored, as a person
 * would write it: the incident's name, "Scheduled maintenance: " before a maintenance's. Header-safe (no
 * control characters, bounded length). Two incidents with the same name share a subject and are kept
 * apart by their References, which name each incident's own root id.
 */
export function threadSubject(name: string, maintenance = false): string {
  const title = oneLine(name, 180) || (maintenance ? 'Maintenance' : 'Incident');
  return maintenance ? `Scheduled maintenance: ${title}` : title;
}

/** The subject as sent: the page's name in brackets first, so an inbox says whose status this is. */
export function mailSubject(subject: string, pageName?: string): string {
  const page = pageName ? oneLine(pageName, 60) : '';
  return page ? `[${page}] ${subject}` : subject;
}

/** One line of at most `max` characters, cut on a whole character: half an emoji is not text. */
function oneLine(text: string, max: number): string {
  const clean = text
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…` : clean;
}

/** The statuses that end an incident (its postmortem may still follow). */
export const CLOSING_STATUSES = ['resolved', 'completed', 'postmortem'] as const;

export function isClosingStatus(status: string): boolean {
  return (CLOSING_STATUSES as readonly string[]).includes(status);
}

/** Oldest first, by display time, then by id so the order is total. */
export function chronological(updates: readonly IncidentUpdate[]): IncidentUpdate[] {
  return [...updates].sort(
    (a, b) => a.displayAt.localeCompare(b.displayAt) || a.updateId.localeCompare(b.updateId),
  );
}
