import {
  type Incident,
  type IncidentUpdate,
  isMaintenanceStatus,
  POSTMORTEM_UPDATE_ID,
  qualifiedIncidentId,
  threadSubject,
} from './incident';
import type { StatuspageIncidentWebhook } from './statuspage';

/** Where a component sits, as a webhook told us (`groupId` undefined: the webhook did not say). */
export interface ComponentPlacement {
  pageId: string;
  componentId: string;
  name: string;
  groupId?: string | null;
  status?: string;
}

export interface IngestPlan {
  incident: Incident;
  /** Oldest first: the update that is notified is written last, after its timeline. */
  updates: IncidentUpdate[];
  placements: ComponentPlacement[];
}

/**
 * Turns an incident webhook into what to store. Deterministic, so concurrent or retried deliveries of the
 * same payload agree on every item, including which update notifies: only the newest update of the
 * payload does (updates a missed webhook carried show up in its timeline), unless the page owner turned
 * notifications off for it.
 */
export function planIncidentIngest(
  webhook: StatuspageIncidentWebhook,
  origin: Incident['source'] = 'statuspage',
): IngestPlan {
  const { page, incident: source } = webhook;
  const incidentId = qualifiedIncidentId(origin, page.id, source.id);
  // Newest first, in code-unit order: localeCompare calls distinct ids equal (it ignores control
  // characters), which left the choice to the payload's order.
  const newestFirst = [...source.incident_updates].sort(
    (a, b) => compare(b.created_at, a.created_at) || compare(b.id, a.id),
  );
  const newest = newestFirst[0];
  // One item per update id: a payload that repeats an id is planned with its newest copy.
  const seen = new Set<string>();
  const unique = newestFirst.filter((update) => !seen.has(update.id) && Boolean(seen.add(update.id)));

  const updates: IncidentUpdate[] = unique.map((update) => ({
    incidentId,
    updateId: update.id,
    kind: 'update',
    status: update.status,
    body: update.body ?? '',
    displayAt: update.display_at ?? update.created_at,
    affectedComponentIds: componentCodes(update.affected_components),
    notify: update.id === newest?.id && update.deliver_notifications !== false,
  }));

  if (source.postmortem_published_at && source.postmortem_body) {
    updates.push({
      incidentId,
      updateId: POSTMORTEM_UPDATE_ID,
      kind: 'postmortem',
      status: 'postmortem',
      body: source.postmortem_body,
      displayAt: source.postmortem_published_at,
      affectedComponentIds: [],
      notify: source.postmortem_notified_subscribers === true,
    });
  }

  const componentIds = new Set([
    ...(source.components ?? []).map((component) => component.id),
    ...updates.flatMap((update) => update.affectedComponentIds),
  ]);

  const incident: Incident = {
    incidentId,
    source: origin,
    upstreamId: source.id,
    pageId: page.id,
    name: source.name,
    status: source.status,
    impact: source.impact_override ?? source.impact ?? 'none',
    ...(source.shortlink ? { shortlink: source.shortlink } : {}),
    componentIds: [...componentIds].sort(),
    subject: threadSubject(source.name, isMaintenance(source)),
    ...(source.postmortem_body ? { postmortemBody: source.postmortem_body } : {}),
    ...(source.scheduled_for ? { scheduledFor: source.scheduled_for } : {}),
    ...(source.scheduled_until ? { scheduledUntil: source.scheduled_until } : {}),
    ...(source.scheduled_for ? { remindPrior: source.scheduled_remind_prior === true } : {}),
    // Statuspage and the incident API publish postmortems; the other vendors have none to wait for.
    postmortemExpected:
      (origin === 'statuspage' || origin === 'api') &&
      !isMaintenance(source) &&
      source.postmortem_ignored !== true &&
      !source.postmortem_published_at,
    createdAt: source.created_at,
    updatedAt: source.updated_at ?? newest?.created_at ?? source.created_at,
  };

  const placements = (source.components ?? []).map((component) => ({
    pageId: page.id,
    componentId: component.id,
    name: component.name,
    ...(component.group_id !== undefined ? { groupId: component.group_id } : {}),
    ...(component.status ? { status: component.status } : {}),
  }));

  return {
    incident,
    // Notifying updates last, whatever their display time, so their timeline is stored before them.
    // Ties broken by id, so the plan does not depend on the order of the payload's updates either.
    updates: updates.sort(
      (a, b) =>
        Number(a.notify) - Number(b.notify) ||
        compare(a.displayAt, b.displayAt) ||
        compare(a.updateId, b.updateId),
    ),
    placements,
  };
}

/** Scheduled maintenance, by any sign Statuspage gives of it: its window, its impact or a phase. */
function isMaintenance(source: StatuspageIncidentWebhook['incident']): boolean {
  return (
    Boolean(source.scheduled_for) ||
    source.impact === 'maintenance' ||
    isMaintenanceStatus(source.status) ||
    source.incident_updates.some((update) => isMaintenanceStatus(update.status))
  );
}

function componentCodes(
  affected: StatuspageIncidentWebhook['incident']['incident_updates'][number]['affected_components'],
) {
  return (affected ?? []).flatMap((entry) => (entry.code ? [entry.code] : []));
}

/** Code-unit order: total, and the same on every machine whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
