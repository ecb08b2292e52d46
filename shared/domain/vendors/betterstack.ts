import * as z from '../zod';
import {
  idText,
  impactWord,
  isObject,
  MAINTENANCE_FIELDS,
  maintenancePhases,
  mapList,
  newestOf,
  statusWord,
  textFieldNames,
  timeOf,
  type VendorMapping,
  vendorUpdate,
  vendorWebhook,
  worstComponentImpact,
} from './common';

/*
 * Better Stack status page webhooks (documented shape): Statuspage's, plus `event_type` (`incident`,
 * `maintenance`, `component`, also sent as the `X-BetterUptime-Event` header) and a `status_report_id` on
 * each update. Updates carry no status, and incidents name no components (an update reaches the page's
 * followers). A maintenance has its window in `starts_at`/`ends_at` and its updates in
 * `maintenance_updates`. Read as leniently as Instatus's: statuses and event types in any spelling,
 * unknown status words as plain updates, affected components named on the incident (`{ id, name, status
 * }`) deciding the audience, the text in `markdown` when there is no `body`.
 */

const MAINTENANCE_WINDOW_FIELDS = {
  ...MAINTENANCE_FIELDS,
  scheduled_for: 'starts_at',
  scheduled_until: 'ends_at',
};

/** Better Stack has no words of its own: statuses, when given, are Statuspage's in any spelling. */
const NO_WORDS: Record<string, string> = {};

export function betterStackAsStatuspage(body: Record<string, unknown>): VendorMapping {
  const eventType = typeof body.event_type === 'string' ? body.event_type.trim().toLowerCase() : undefined;
  const page = isObject(body.page) ? { ...body.page, id: idText(body.page.id) } : body.page;
  if ((eventType === 'maintenance' || eventType === undefined) && isObject(body.maintenance))
    return {
      kind: 'mapped',
      payload: { page, incident: maintenance(body.maintenance) },
      fieldNames: { ...MAINTENANCE_WINDOW_FIELDS, ...textFieldNames(body.maintenance.maintenance_updates) },
    };
  if ((eventType === 'incident' || eventType === undefined) && isObject(body.incident))
    return {
      kind: 'mapped',
      payload: { page, incident: incident(body.incident) },
      fieldNames: textFieldNames(body.incident.incident_updates),
    };
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
      reason: `event_type ${JSON.stringify(String(body.event_type).slice(0, 40))} notifies nobody`,
    };
  return { kind: 'mapped', payload: body }; // refused by the schema, which says what it expected
}

/**
 * An incident: each update's status is its own when it has one, else "resolved" from the incident's
 * resolution on, else a plain update. Its impact is its own, else the worst of its affected components
 * when it names them, else none.
 */
function incident(source: Record<string, unknown>) {
  const resolvedAt = timeOf(source.resolved_at);
  const updates = mapList(source.incident_updates, (update) =>
    vendorUpdate(
      update,
      source.affected_components,
      statusWord(NO_WORDS, update.status) ??
        (timeOf(update.created_at) >= resolvedAt ? 'resolved' : 'update'),
    ),
  );
  return {
    ...source,
    id: idText(source.id),
    status: statusWord(NO_WORDS, source.status) ?? newestOf(updates)?.status ?? 'update',
    impact: impactWord(source.impact) ?? worstComponentImpact(source.affected_components) ?? 'none',
    incident_updates: updates,
  };
}

/**
 * A maintenance, as Statuspage has it: its window, and each update's phase (see maintenancePhases). Its
 * id is kept apart from the incidents', which Better Stack numbers separately.
 */
function maintenance(source: Record<string, unknown>) {
  const status = statusWord(NO_WORDS, source.status);
  const updates = maintenancePhases(
    mapList(source.maintenance_updates, (update) => vendorUpdate(update, source.affected_components)),
    { startsAt: timeOf(source.starts_at), endsAt: timeOf(source.ends_at) },
    status,
    NO_WORDS,
  );
  const id = idText(source.id);
  return {
    ...source,
    id: typeof id === 'string' ? `maintenance-${id}` : id,
    status: status ?? newestOf(updates)?.status ?? 'scheduled',
    impact: 'maintenance',
    scheduled_for: source.starts_at ?? null,
    scheduled_until: source.ends_at ?? null,
    incident_updates: updates,
  };
}

/** POST /v1/webhooks/betterstack/{token}. */
export const BetterStackWebhook = vendorWebhook(betterStackAsStatuspage);

/** The route's request: the event type from the `X-BetterUptime-Event` header when the body has none. */
export const BetterStackRequest = z.pipe(
  z.transform((request: unknown) => {
    if (!isObject(request) || !isObject(request.body) || request.body.event_type !== undefined)
      return request;
    const header = isObject(request.headers) ? request.headers['x-betteruptime-event'] : undefined;
    return typeof header === 'string'
      ? { ...request, body: { ...request.body, event_type: header } }
      : request;
  }),
  z.object({ body: BetterStackWebhook }),
);
