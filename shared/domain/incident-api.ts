import * as z from 'zod';
import { ComponentRef } from './component-refs';
import { Impact, IncidentName, IncidentStatus, Timestamp, UpdateId } from './generic-incident';
import { chronological, type Incident, IncidentUpdate } from './incident';
import { PageId, WEBHOOK_LIMITS } from './statuspage';

/*
 * The incident API beyond POST /v1/incidents: one update at a time, a rename, a postmortem, and reads.
 * Requests name components by catalog id or by region and name.
 */

/** POST /v1/incidents/{id}/updates. */
export const NewIncidentUpdate = z.object({
  /** Omitted: derived from the Idempotency-Key when there is one, else new. */
  id: UpdateId.optional(),
  status: IncidentStatus,
  body: z.string().max(WEBHOOK_LIMITS.bodyLength),
  /** When it was written; now when omitted. */
  at: Timestamp.optional(),
  /** false: stored and shown in later mails' timelines, not mailed. */
  notify: z.boolean().default(true),
  components: z.array(ComponentRef).max(100).default([]),
});
export type NewIncidentUpdate = z.output<typeof NewIncidentUpdate>;

/** PATCH /v1/incidents/{id}: the subject, and so the thread, stay as they were. */
export const IncidentPatch = z
  .object({ name: IncidentName.optional(), impact: Impact.optional() })
  .refine((patch) => patch.name !== undefined || patch.impact !== undefined, 'name or impact, or both');
export type IncidentPatch = z.output<typeof IncidentPatch>;

/** POST /v1/incidents/{id}/postmortem. */
export const NewPostmortem = z.object({
  body: z.string().min(1).max(WEBHOOK_LIMITS.bodyLength),
  /** Now when omitted. */
  publishedAt: Timestamp.optional(),
  notify: z.boolean().default(true),
});
export type NewPostmortem = z.output<typeof NewPostmortem>;

/** GET /v1/incidents: a page's incidents, newest first. */
export const IncidentQuery = z.object({
  pageId: PageId,
  /** One status, or `open` for every incident not yet resolved, completed or given a postmortem. */
  status: z.enum([...IncidentStatus.options, 'postmortem', 'open']).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
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
  url: z.string().optional(),
  componentIds: z.array(z.string()),
  scheduledFor: z.string().optional(),
  scheduledUntil: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Oldest first; in a single incident's answer, not in a listing. */
  updates: z.array(IncidentUpdateView).optional(),
});
export type IncidentView = z.infer<typeof IncidentView>;

export const IncidentWriteResult = z.object({
  incidentId: z.string(),
  updateId: z.string().optional(),
  /** false: this update was stored before (a retry), and nobody is notified again. */
  stored: z.boolean(),
  /** A published postmortem's text was replaced; nobody is notified again. */
  revised: z.boolean().optional(),
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
