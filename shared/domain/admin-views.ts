import { ChannelView, EndpointHealth } from './endpoint';
import { Incident, IncidentUpdate } from './incident';
import * as z from './zod';

/*
 * What the admin API answers, as schemas: the OpenAPI document describes responses with them and the
 * admin API client (the CLI's and the console's) checks every answer against them.
 */

/** A page of a list; `cursor` fetches the next one. */
export const Listed = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), cursor: z.optional(z.string()) });

export const Suppression = z.object({
  email: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  source: z.string(),
});
export type Suppression = z.infer<typeof Suppression>;

/** A console session as the API shows it: no secret material. */
export const SessionView = z.object({
  id: z.string(),
  actor: z
    .string()
    .check(z.describe('the API key id the session acts as (`bootstrap` for the deployment key)')),
  scopes: z.array(z.enum(['read', 'write'])),
  idleMinutes: z.number().check(z.int()),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string().check(z.describe('when it ends unless used before (idle time, capped at 12 hours)')),
});
export type SessionView = z.infer<typeof SessionView>;

export const SessionCreated = z.extend(SessionView, {
  token: z.string().check(z.describe('`sns_<id>_<secret>`: send as `Authorization: Bearer`; shown once')),
});
export type SessionCreated = z.infer<typeof SessionCreated>;

export const ImportReport = z.object({
  imported: z.number().check(z.int()),
  updated: z.number().check(z.int()),
  unchanged: z.number().check(z.int()),
  rejected: z.array(z.object({ line: z.number().check(z.int()), error: z.string() })),
  dryRun: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const UpdateCounts = z.object({
  matched: z.number().check(z.int()),
  sent: z.number().check(z.int()),
  failed: z.number().check(z.int()),
  skipped: z.number().check(z.int()),
  /** What SES heard back from the recipients' servers. */
  outcomes: z.record(z.string(), z.number().check(z.int())),
});
export type UpdateCounts = z.infer<typeof UpdateCounts>;

/** An incident, its updates oldest first, and per update how many matched, were sent, failed, were skipped. */
export const IncidentReport = z.object({
  incident: Incident,
  updates: z.array(z.extend(IncidentUpdate, { counts: UpdateCounts })),
});
export type IncidentReport = z.infer<typeof IncidentReport>;

/** An update still being sent (GET /v1/admin/backlog). */
export const BacklogUpdate = z.object({
  incidentId: z.string(),
  updateId: z.string(),
  matched: z.number(),
  sent: z.number(),
  failed: z.number(),
  skipped: z.number(),
  /** Recipients with no delivery record yet. */
  pending: z.number(),
  /** The later of the fan-out's completion and the last bulk call (ISO). */
  lastActivityAt: z.string(),
  /** Minutes since then: past PENDING_STALE_MINUTES, the sweep brings its batches back. */
  idleMinutes: z.number(),
});
export type BacklogUpdate = z.infer<typeof BacklogUpdate>;

export const Backlog = z.object({ pending: z.number(), updates: z.array(BacklogUpdate) });
export type Backlog = z.infer<typeof Backlog>;

/** A webhook subscriber's endpoint as support sees it: where updates go (masked) and its health. */
export const EndpointView = z.extend(ChannelView, { health: EndpointHealth });
export type EndpointView = z.infer<typeof EndpointView>;

/** What became of a test event support sent, and in words. */
export const EndpointTestResult = z.object({
  outcome: z.enum(['delivered', 'retry', 'gone', 'rejected', 'blocked', 'not-confirmed', 'unsubscribed']),
  message: z.string(),
});
