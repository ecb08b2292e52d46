import * as z from 'zod';

/** An incident as stored: the latest state we have seen, plus the subject fixed at first sight. */
export const Incident = z.object({
  incidentId: z.string().min(1),
  source: z.enum(['statuspage', 'api']),
  upstreamId: z.string().min(1),
  pageId: z.string().min(1),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  shortlink: z.string().optional(),
  /** Every component any webhook said this incident affects (the union over its lifetime). */
  componentIds: z.array(z.string()),
  /** Set once, when the incident is first stored: a renamed incident keeps its thread. */
  subject: z.string(),
  postmortemBody: z.string().optional(),
  scheduledFor: z.string().optional(),
  scheduledUntil: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Incident = z.infer<typeof Incident>;

/** One update of an incident, keyed by the upstream update id so retried webhooks are no-ops. */
export const IncidentUpdate = z.object({
  incidentId: z.string().min(1),
  updateId: z.string().min(1),
  kind: z.enum(['update', 'postmortem']),
  status: z.string(),
  body: z.string(),
  displayAt: z.string(),
  affectedComponentIds: z.array(z.string()),
  /** Whether subscribers hear about this update; fixed when it is first stored. */
  notify: z.boolean(),
});
export type IncidentUpdate = z.infer<typeof IncidentUpdate>;

export const POSTMORTEM_UPDATE_ID = 'postmortem';

export function qualifiedIncidentId(source: Incident['source'], pageId: string, upstreamId: string): string {
  return `${source}:${pageId}:${upstreamId}`;
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

/**
 * The subject every mail of the incident carries. Header-safe (no control characters, bounded length) and
 * unique per incident: two incidents with the same title must not merge into one thread.
 */
export function threadSubject(name: string, upstreamId: string): string {
  const clean = name
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Cut on a whole character: half an emoji is not text a mail subject can carry.
  const title =
    clean.length > 180 ? `${clean.slice(0, 179).replace(/[\uD800-\uDBFF]$/, '')}…` : clean || 'Incident';
  return `${title} [${upstreamId.replace(/[^\w-]/g, '').slice(0, 24)}]`;
}

/** Oldest first, by display time, then by id so the order is total. */
export function chronological(updates: readonly IncidentUpdate[]): IncidentUpdate[] {
  return [...updates].sort(
    (a, b) => a.displayAt.localeCompare(b.displayAt) || a.updateId.localeCompare(b.updateId),
  );
}
