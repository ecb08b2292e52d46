import { type Incident, type IncidentUpdate, isMaintenanceStatus } from './incident';
import * as z from './zod';

/*
 * What an endpoint receives. `v1`: our versioned event, documented with JSON Schema in the OpenAPI
 * document. `statuspage`: the body of a Statuspage webhook, so tools that already read those (and our
 * own ingest) take it unchanged.
 */

export const WebhookEventType = z.enum([
  'incident.update',
  'maintenance.update',
  'postmortem',
  'test',
  'verification',
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

const Named = { id: z.string(), name: z.string() };

export const WebhookEventV1 = z.object({
  version: z.literal('1'),
  type: WebhookEventType,
  /** The same on every retry of the event (and in its `webhook-id` header): receivers drop repeats. */
  id: z.string(),
  timestamp: z.string().check(z.describe('ISO 8601, UTC')),
  data: z.object({
    page: z.object({ ...Named, url: z.optional(z.string()) }),
    incident: z.optional(
      z.object({
        ...Named,
        status: z.string(),
        impact: z.string(),
        url: z.optional(z.string()),
      }),
    ),
    update: z.optional(z.object({ id: z.string(), status: z.string(), text: z.string(), at: z.string() })),
    components: z.array(z.object({ ...Named, region: z.optional(z.string()) })),
    subscription: z.object({ manage_url: z.string(), unsubscribe_url: z.string() }),
    /** A verification event's link: open it (GET shows a button, POST confirms) to start deliveries. */
    confirm_url: z.optional(z.string()),
  }),
});
export type WebhookEventV1 = z.infer<typeof WebhookEventV1>;

/** What an event is about, in the notifier's own terms, whatever format carries it. */
export interface EventInput {
  eventId: string;
  at: Date;
  page: { id: string; name: string; url?: string };
  incident: Incident;
  update: IncidentUpdate;
  /** Every stored update: Statuspage's body carries the whole incident. */
  updates: readonly IncidentUpdate[];
  components: ReadonlyArray<{ id: string; name: string; region?: string }>;
  links: { manageUrl: string; unsubscribeUrl: string };
}

export function eventType(incident: Incident, update: IncidentUpdate): WebhookEventType {
  if (update.kind === 'postmortem') return 'postmortem';
  const maintenance =
    incident.impact === 'maintenance' ||
    isMaintenanceStatus(incident.status) ||
    Boolean(incident.scheduledFor);
  return maintenance ? 'maintenance.update' : 'incident.update';
}

export function incidentEventV1(input: EventInput): WebhookEventV1 {
  const { incident, update } = input;
  return {
    version: '1',
    type: eventType(incident, update),
    id: input.eventId,
    timestamp: input.at.toISOString(),
    data: {
      page: input.page,
      incident: {
        id: incident.incidentId,
        name: incident.name,
        status: incident.status,
        impact: incident.impact,
        ...(incident.shortlink ? { url: incident.shortlink } : {}),
      },
      update: { id: update.updateId, status: update.status, text: update.body, at: update.displayAt },
      components: [...input.components],
      subscription: { manage_url: input.links.manageUrl, unsubscribe_url: input.links.unsubscribeUrl },
    },
  };
}

/** A test or verification event: no incident, the page and the subscription's links. */
export function plainEventV1(input: {
  type: 'test' | 'verification';
  eventId: string;
  at: Date;
  page: { id: string; name: string };
  links: { manageUrl: string; unsubscribeUrl: string };
  confirmUrl?: string;
}): WebhookEventV1 {
  return {
    version: '1',
    type: input.type,
    id: input.eventId,
    timestamp: input.at.toISOString(),
    data: {
      page: input.page,
      components: [],
      subscription: { manage_url: input.links.manageUrl, unsubscribe_url: input.links.unsubscribeUrl },
      ...(input.confirmUrl ? { confirm_url: input.confirmUrl } : {}),
    },
  };
}

/**
 * The update as a Statuspage webhook: the whole incident with its notified updates up to this one,
 * newest first, the postmortem in its own fields. The update itself is the newest (Statuspage's readers
 * take the first as the news).
 */
export function statuspageBody(input: EventInput) {
  const { incident, update } = input;
  const timeline = input.updates
    .filter((u) => u.kind === 'update' && u.displayAt <= update.displayAt)
    .sort((a, b) => b.displayAt.localeCompare(a.displayAt) || b.updateId.localeCompare(a.updateId));
  const postmortem = update.kind === 'postmortem';
  return {
    meta: { unsubscribe: input.links.unsubscribeUrl, documentation: input.links.manageUrl },
    page: { id: input.page.id, status_indicator: null, status_description: null },
    incident: {
      id: incident.upstreamId,
      name: incident.name,
      status: postmortem ? 'postmortem' : update.kind === 'update' ? update.status : incident.status,
      impact: incident.impact,
      created_at: incident.createdAt,
      updated_at: update.displayAt,
      shortlink: incident.shortlink ?? null,
      scheduled_for: incident.scheduledFor ?? null,
      scheduled_until: incident.scheduledUntil ?? null,
      postmortem_body: postmortem ? update.body : null,
      postmortem_published_at: postmortem ? update.displayAt : null,
      postmortem_notified_subscribers: postmortem,
      components: input.components.map((c) => ({ id: c.id, name: c.name })),
      incident_updates: timeline.map((u) => ({
        id: u.updateId,
        incident_id: incident.upstreamId,
        status: u.status,
        body: u.body,
        created_at: u.displayAt,
        display_at: u.displayAt,
        affected_components: u.affectedComponentIds.map((code) => ({
          code,
          name: input.components.find((c) => c.id === code)?.name ?? code,
        })),
      })),
    },
  };
}
