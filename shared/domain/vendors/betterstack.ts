import {
  idText,
  isObject,
  MAINTENANCE_FIELDS,
  mapList,
  translated,
  type VendorMapping,
  vendorWebhook,
} from './common';

/*
 * Better Stack status page webhooks (documented shape): Statuspage's, plus `event_type` (`incident`,
 * `maintenance`, `component`) and a `status_report_id` on each update. Updates carry no status, and
 * incidents name no components (an update reaches the page's followers). A maintenance has its window in
 * `starts_at`/`ends_at` and its updates in `maintenance_updates`.
 */

const MAINTENANCE_WINDOW_FIELDS = {
  ...MAINTENANCE_FIELDS,
  scheduled_for: 'starts_at',
  scheduled_until: 'ends_at',
};

/** Statuses, when an update has one, are Statuspage's words in any case. */
const STATUS: Record<string, string> = {};

export function betterStackAsStatuspage(body: Record<string, unknown>): VendorMapping {
  const eventType = typeof body.event_type === 'string' ? body.event_type : undefined;
  const page = isObject(body.page) ? { ...body.page, id: idText(body.page.id) } : body.page;
  if ((eventType === 'maintenance' || eventType === undefined) && isObject(body.maintenance))
    return {
      kind: 'mapped',
      payload: { page, incident: maintenance(body.maintenance) },
      fieldNames: MAINTENANCE_WINDOW_FIELDS,
    };
  if ((eventType === 'incident' || eventType === undefined) && isObject(body.incident))
    return { kind: 'mapped', payload: { page, incident: incident(body.incident) } };
  if (eventType === 'component' || (eventType === undefined && 'component' in body)) {
    const component = isObject(body.component)
      ? { ...body.component, id: idText(body.component.id) }
      : body.component;
    const change = isObject(body.component_update)
      ? {
          ...body.component_update,
          id: idText(body.component_update.id ?? body.component_update.component_id),
          component_id: idText(body.component_update.component_id),
        }
      : isObject(component)
        ? { id: component.id, component_id: component.id, new_status: component.status }
        : body.component_update;
    return { kind: 'mapped', payload: { page, component, component_update: change } };
  }
  if (eventType !== undefined && !['incident', 'maintenance', 'component'].includes(eventType))
    return {
      kind: 'ignored',
      reason: `event_type ${JSON.stringify(eventType.slice(0, 40))} notifies nobody`,
    };
  return { kind: 'mapped', payload: body }; // refused by the schema, which says what it expected
}

/**
 * An incident: each update's status is its own when it has one, else "resolved" from the incident's
 * resolution on, else a plain update.
 */
function incident(source: Record<string, unknown>) {
  const resolvedAt = typeof source.resolved_at === 'string' ? Date.parse(source.resolved_at) : Number.NaN;
  const updates = mapList(source.incident_updates, (update) => ({
    ...update,
    id: idText(update.id),
    status:
      update.status !== undefined && update.status !== null
        ? translated(STATUS, update.status)
        : typeof update.created_at === 'string' && Date.parse(update.created_at) >= resolvedAt
          ? 'resolved'
          : 'update',
  }));
  return {
    ...source,
    id: idText(source.id),
    status: translated(STATUS, source.status ?? newestStatus(updates) ?? 'update'),
    impact: source.impact ?? 'none',
    incident_updates: updates,
  };
}

/**
 * A maintenance, as Statuspage has it: its window, and each update's phase from when it was written
 * against that window (before it: scheduled; during: in progress; after: completed). Its id is kept apart
 * from the incidents', which Better Stack numbers separately.
 */
function maintenance(source: Record<string, unknown>) {
  const startsAt = typeof source.starts_at === 'string' ? Date.parse(source.starts_at) : Number.NaN;
  const endsAt = typeof source.ends_at === 'string' ? Date.parse(source.ends_at) : Number.NaN;
  const phase = (at: unknown) => {
    const time = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (!(time >= startsAt)) return 'scheduled';
    return time >= endsAt ? 'completed' : 'in_progress';
  };
  const updates = mapList(source.maintenance_updates, (update) => ({
    ...update,
    id: idText(update.id),
    status: update.status ? translated(STATUS, update.status) : phase(update.created_at),
  }));
  const id = idText(source.id);
  return {
    ...source,
    id: typeof id === 'string' ? `maintenance-${id}` : id,
    status: newestStatus(updates) ?? 'scheduled',
    impact: 'maintenance',
    scheduled_for: source.starts_at ?? null,
    scheduled_until: source.ends_at ?? null,
    incident_updates: updates,
  };
}

function newestStatus(updates: unknown): string | undefined {
  if (!Array.isArray(updates)) return undefined;
  const dated = updates.filter(
    (u): u is { created_at: string; status: string } =>
      isObject(u) && typeof u.created_at === 'string' && typeof u.status === 'string',
  );
  return dated.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0]?.status;
}

/** POST /v1/webhooks/betterstack/{token}. */
export const BetterStackWebhook = vendorWebhook(betterStackAsStatuspage);
