import { ComponentsJson, SMOKE_PAGE_ID } from '../domain/catalog';
import type { Delivery } from '../domain/delivery';

/** A status page of its own, followed by SES's mailbox simulator alone: no real subscriber hears a thing. */
const SMOKE_COMPONENT_ID = 'smoke-check-pipeline';
/** SES accepts mail to it (in the sandbox too), delivers nothing, and reports a delivery. */
export const SMOKE_ADDRESS = 'success@simulator.amazonses.com';

/** The deployed API as the smoke check uses it: the same routes Statuspage and support use. */
export interface SmokeApi {
  importComponents(pageId: string, document: ComponentsJson): Promise<unknown>;
  findSubscriberId(email: string): Promise<string | undefined>;
  createConfirmedSubscriber(email: string, topic: { pageId: string; componentId: string }): Promise<string>;
  /** Puts an existing subscriber back to confirmed, following exactly this topic at every level. */
  reconfirm(subscriberId: string, topic: { pageId: string; componentId: string }): Promise<void>;
  deliveries(subscriberId: string): Promise<Delivery[]>;
  /** Recipients still pending across the updates being sent (the backlog). */
  pendingRecipients(): Promise<number>;
  /** Posts a Statuspage incident webhook as Statuspage does, to the route and token Statuspage uses. */
  postStatuspageWebhook(body: object): Promise<{ status: number; incidentId?: string; notifying?: string[] }>;
}

export interface SmokeDeps {
  api: SmokeApi;
  clock: { now(): Date };
  sleep(ms: number): Promise<void>;
}

export type SmokeResult =
  | { ok: true; incidentId: string; updateId: string; seconds: number }
  | { ok: true; skipped: string }
  | { ok: false; reason: string };

/**
 * One synthetic incident through the whole pipeline of a deployed stack: the smoke page and its one
 * subscriber (the SES mailbox simulator) are ensured, an incident is posted to the real Statuspage
 * webhook route, and the check waits until the subscriber's delivery record says SES accepted the mail.
 * Anything else within `timeoutMs` (a webhook refused, the mail failed or skipped, nothing at all) is a
 * failure, with its reason. While real mail is still pending the check is skipped: the smoke mail would
 * wait behind it, and a deploy during an incident's backlog (often its fix) must not roll back for that.
 */
export async function smokeCheck(
  deps: SmokeDeps,
  { timeoutMs }: { timeoutMs: number },
): Promise<SmokeResult> {
  const started = deps.clock.now();
  const pending = await deps.api.pendingRecipients();
  if (pending > 0)
    return {
      ok: true,
      skipped: `${pending} recipient(s) still pending: the smoke mail would wait behind them`,
    };
  await deps.api.importComponents(SMOKE_PAGE_ID, smokeCatalog(started));
  const topic = { pageId: SMOKE_PAGE_ID, componentId: SMOKE_COMPONENT_ID };
  const existing = await deps.api.findSubscriberId(SMOKE_ADDRESS);
  // Whatever became of it since (unsubscribed through a link, its topics changed): as the check needs it.
  if (existing) await deps.api.reconfirm(existing, topic);
  const subscriberId = existing ?? (await deps.api.createConfirmedSubscriber(SMOKE_ADDRESS, topic));

  const posted = await deps.api.postStatuspageWebhook(smokeIncident(started));
  const updateId = posted.notifying?.[0];
  if (posted.status !== 202 || !posted.incidentId || !updateId)
    return { ok: false, reason: `the webhook was answered ${posted.status}, notifying nothing` };
  const { incidentId } = posted;

  const deadline = started.getTime() + timeoutMs;
  while (deps.clock.now().getTime() < deadline) {
    const delivery = (await deps.api.deliveries(subscriberId)).find(
      (d) => d.incidentId === incidentId && d.updateId === updateId,
    );
    if (delivery?.status === 'sent')
      return {
        ok: true,
        incidentId,
        updateId,
        seconds: (deps.clock.now().getTime() - started.getTime()) / 1000,
      };
    if (delivery && delivery.status !== 'pending')
      return {
        ok: false,
        reason: `the smoke mail was ${delivery.status}: ${delivery.error ?? 'no reason given'}`,
      };
    await deps.sleep(1_000);
  }
  return { ok: false, reason: `no mail accepted by SES within ${timeoutMs / 1000} s of the webhook` };
}

function smokeCatalog(now: Date): ComponentsJson {
  const at = now.toISOString();
  return ComponentsJson.parse({
    page: {
      id: SMOKE_PAGE_ID,
      name: 'Smoke check',
      url: 'https://example.com',
      time_zone: 'UTC',
      updated_at: at,
    },
    components: [
      {
        id: SMOKE_COMPONENT_ID,
        name: 'Notification pipeline',
        status: 'operational',
        created_at: at,
        updated_at: at,
        position: 1,
        description: null,
        showcase: false,
        start_date: null,
        group_id: null,
        page_id: SMOKE_PAGE_ID,
        group: false,
        only_show_if_degraded: false,
      },
    ],
  });
}

/** A new incident on the smoke page, as Statuspage posts it: its ids are the moment's, so it is always new. */
export function smokeIncident(now: Date) {
  const at = now.toISOString();
  const id = `smoke${now.getTime().toString(36)}`;
  return {
    meta: {
      unsubscribe: 'https://example.com',
      documentation: 'https://example.com',
      generated_at: now.toISOString(),
    },
    page: {
      id: SMOKE_PAGE_ID,
      status_indicator: 'none',
      status_description: 'All Systems Operational',
    },
    incident: {
      backfilled: false,
      id,
      page_id: SMOKE_PAGE_ID,
      name: 'Deployment smoke check',
      status: 'resolved',
      impact: 'none',
      impact_override: null,
      created_at: at,
      updated_at: at,
      monitoring_at: null,
      resolved_at: at,
      postmortem_body: null,
      postmortem_notified_subscribers: false,
      scheduled_for: null,
      scheduled_until: null,
      shortlink: 'https://example.com',
      components: [{ id: SMOKE_COMPONENT_ID, name: 'Notification pipeline', status: 'operational' }],
      incident_updates: [
        {
          id: `${id}u`,
          incident_id: id,
          status: 'resolved',
          body: 'A synthetic incident, posted after a deploy to check that mail goes out.',
          created_at: at,
          updated_at: at,
          display_at: at,
          deliver_notifications: true,
          affected_components: [
            {
              code: SMOKE_COMPONENT_ID,
              name: 'Notification pipeline',
              old_status: 'operational',
              new_status: 'operational',
            },
          ],
        },
      ],
    },
  };
}
