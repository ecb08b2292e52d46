import { ComponentRef } from './component-refs';
import { POSTMORTEM_UPDATE_ID, REMINDER_PREFIX } from './incident';
import { type StatuspageIncidentWebhook, WEBHOOK_LIMITS } from './statuspage';
import * as z from './zod';

export const Id = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(100),
    z.regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only'),
  );
export const Timestamp = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((value) => new Date(value).toISOString()),
);
export const IncidentStatus = z.enum([
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
]);

/**
 * The generic incident API for in-house tooling: the whole incident with every update so far, like a
 * Statuspage webhook, so it has the same guarantees (send it again and nothing new happens; only the
 * newest unseen update notifies).
 */
/** An update's id: any id but the postmortem's, which the postmortem is stored under. */
export const UpdateId = Id.check(
  z.refine((id) => id !== POSTMORTEM_UPDATE_ID, `"${POSTMORTEM_UPDATE_ID}" is the postmortem's id`),
  z.refine(
    (id) => !id.startsWith(REMINDER_PREFIX),
    `ids starting "${REMINDER_PREFIX}" are the notifier's reminders`,
  ),
);
export const Impact = z.enum(['none', 'minor', 'major', 'critical', 'maintenance']);
export const IncidentName = z.string().check(z.trim(), z.minLength(1), z.maxLength(255));
/** Components by catalog id or by region and name, resolved against the page's catalog. */
const Components = z._default(z.array(ComponentRef).check(z.maxLength(100)), []);

export const GenericIncident = z.object({
  pageId: Id,
  incident: z.object({
    id: Id,
    name: IncidentName,
    status: IncidentStatus,
    impact: z._default(Impact, 'none'),
    url: z.optional(z.url({ protocol: /^https?$/ })),
    createdAt: Timestamp,
    /** Components (catalog ids) the incident affects, in addition to each update's own. */
    componentIds: z._default(z.array(Id).check(z.maxLength(100)), []),
    /** The same, named by catalog id or by region and name. */
    components: Components,
    scheduledFor: z.optional(Timestamp),
    scheduledUntil: z.optional(Timestamp),
    /** A maintenance's followers are reminded before its window starts. */
    remindPrior: z._default(z.boolean(), false),
    updates: z
      .array(
        z.object({
          id: UpdateId,
          status: IncidentStatus,
          body: z.string().check(z.maxLength(50_000)),
          at: Timestamp,
          /** false: stored and shown in later timelines, not mailed. */
          notify: z._default(z.boolean(), true),
          componentIds: z._default(z.array(Id).check(z.maxLength(100)), []),
          components: Components,
        }),
      )
      .check(z.minLength(1), z.maxLength(500)),
    postmortem: z.optional(
      z.object({
        // The webhook's limit: at 100,000 four-byte characters a postmortem alone would not fit one item.
        body: z.string().check(z.minLength(1), z.maxLength(WEBHOOK_LIMITS.bodyLength)),
        publishedAt: Timestamp,
        notify: z._default(z.boolean(), true),
      }),
    ),
  }),
});
export type GenericIncident = z.output<typeof GenericIncident>;

/** The same incident in the shape the Statuspage path plans from, so both share one ingest. */
export function toIncidentWebhook({ pageId, incident }: GenericIncident): StatuspageIncidentWebhook {
  const newest = incident.updates.reduce((a, b) => (b.at > a.at ? b : a));
  return {
    page: { id: pageId },
    incident: {
      id: incident.id,
      name: incident.name,
      status: incident.postmortem ? 'postmortem' : incident.status,
      impact: incident.impact,
      created_at: incident.createdAt,
      updated_at: incident.postmortem?.publishedAt ?? newest.at,
      shortlink: incident.url ?? null,
      scheduled_for: incident.scheduledFor ?? null,
      scheduled_until: incident.scheduledUntil ?? null,
      scheduled_remind_prior: incident.remindPrior,
      postmortem_body: incident.postmortem?.body ?? null,
      postmortem_published_at: incident.postmortem?.publishedAt ?? null,
      postmortem_notified_subscribers: incident.postmortem?.notify ?? false,
      components: [],
      incident_updates: incident.updates.map((update) => ({
        id: update.id,
        status: update.status,
        body: update.body,
        created_at: update.at,
        display_at: update.at,
        deliver_notifications: update.notify,
        affected_components: [...new Set([...incident.componentIds, ...update.componentIds])].map((code) => ({
          code,
        })),
      })),
    },
  };
}
