import { ComponentRef } from './component-refs';
import { Impact, IncidentName, IncidentStatus, Timestamp, UpdateId } from './generic-incident';
import { chronological, type Incident, IncidentUpdate } from './incident';
import { PageId, WEBHOOK_LIMITS } from './statuspage';
import * as z from './zod';

/*
 * The incident API beyond POST /v1/incidents: one update at a time, a rename, a postmortem, and reads.
 * Requests name components by catalog id or by region and name.
 */

/** POST /v1/incidents/{id}/updates. */
export const NewIncidentUpdate = z.object({
  /** Omitted: derived from the Idempotency-Key when there is one, else new. */
  id: z.optional(UpdateId),
  status: IncidentStatus,
  body: z.string().check(z.maxLength(WEBHOOK_LIMITS.bodyLength)),
  /** When it was written; now when omitted. */
  at: z.optional(Timestamp),
  /** false: stored and shown in later mails' timelines, not mailed. */
  notify: z._default(z.boolean(), true),
  components: z._default(z.array(ComponentRef).check(z.maxLength(100)), []),
});
export type NewIncidentUpdate = z.output<typeof NewIncidentUpdate>;

/** PATCH /v1/incidents/{id}: the subject, and so the thread, stay as they were. */
export const IncidentPatch = z
  .object({ name: z.optional(IncidentName), impact: z.optional(Impact) })
  .check(
    z.refine((patch) => patch.name !== undefined || patch.impact !== undefined, 'name or impact, or both'),
  );
export type IncidentPatch = z.output<typeof IncidentPatch>;

/** POST /v1/incidents/{id}/postmortem. */
export const NewPostmortem = z.object({
  body: z.string().check(z.minLength(1), z.maxLength(WEBHOOK_LIMITS.bodyLength)),
  /** Now when omitted. */
  publishedAt: z.optional(Timestamp),
  notify: z._default(z.boolean(), true),
});
export type NewPostmortem = z.output<typeof NewPostmortem>;

/** GET /v1/incidents: a page's incidents, newest first. */
export const IncidentQuery = z.object({
  pageId: PageId,
  /** One status, or `open` for every incident not yet resolved, completed or given a postmortem. */
  status: z.optional(z.enum([...IncidentStatus.options, 'postmortem', 'open'])),
  cursor: z.optional(z.string()),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
});
export type IncidentQuery = z.output<typeof IncidentQuery>;

export const IncidentUpdateView = z.object({
  id: z.string(),
  kind: IncidentUpdate.shape.kind,
  status: z.string(),
  body: z.string(),
  at: z.string(),
  notify: z.boolean(),
  componentIds: z.array(z.string()),
});

export const IncidentView = z.object({
  /** The notifier's id: what every other route takes as `{id}`. */
  incidentId: z.string(),
  /** The id it was created with (or the vendor's). */
  id: z.string(),
  source: z.string(),
  pageId: z.string(),
  name: z.string(),
  subject: z.string(),
  status: z.string(),
  impact: z.string(),
  url: z.optional(z.string()),
  componentIds: z.array(z.string()),
  scheduledFor: z.optional(z.string()),
  scheduledUntil: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Oldest first; in a single incident's answer, not in a listing. */
  updates: z.optional(z.array(IncidentUpdateView)),
});
export type IncidentView = z.infer<typeof IncidentView>;

export const IncidentWriteResult = z.object({
  incidentId: z.string(),
  updateId: z.optional(z.string()),
  /** false: this update was stored before (a retry), and nobody is notified again. */
  stored: z.boolean(),
  /** A published postmortem's text was replaced; nobody is notified again. */
  revised: z.optional(z.boolean()),
  notifying: z.boolean(),
});

export function incidentView(incident: Incident, updates?: readonly IncidentUpdate[]): IncidentView {
  return {
    incidentId: incident.incidentId,
    id: incident.upstreamId,
    source: incident.source,
    pageId: incident.pageId,
    name: incident.name,
    subject: incident.subject,
    status: incident.status,
    impact: incident.impact,
    ...(incident.shortlink ? { url: incident.shortlink } : {}),
    componentIds: incident.componentIds,
    ...(incident.scheduledFor ? { scheduledFor: incident.scheduledFor } : {}),
    ...(incident.scheduledUntil ? { scheduledUntil: incident.scheduledUntil } : {}),
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    ...(updates
      ? {
          updates: chronological(updates).map((u) => ({
            id: u.updateId,
            kind: u.kind,
            status: u.status,
            body: u.body,
            at: u.displayAt,
            notify: u.notify,
            componentIds: u.affectedComponentIds,
          })),
        }
      : {}),
  };
}
