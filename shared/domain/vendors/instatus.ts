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
 * Instatus webhooks (documented shape): `incident` with `incident_updates`, `maintenance` with
 * `maintenance_updates`, or `component` with `component_update`, beside `meta` and `page`. Statuses and
 * impacts are upper-case words of Instatus's own; incidents name no components, so an update reaches the
 * page's followers.
 */

/** Instatus's own words; the others (INVESTIGATING, ..., RESOLVED) are Statuspage's in upper case. */
const STATUS: Record<string, string> = {
  NOTSTARTEDYET: 'scheduled',
  INPROGRESS: 'in_progress',
  COMPLETED: 'completed',
};
const IMPACT: Record<string, string> = {
  OPERATIONAL: 'none',
  DEGRADEDPERFORMANCE: 'minor',
  PARTIALOUTAGE: 'minor',
  MAJOROUTAGE: 'major',
  UNDERMAINTENANCE: 'maintenance',
};
const COMPONENT_STATUS: Record<string, string> = {
  OPERATIONAL: 'operational',
  DEGRADEDPERFORMANCE: 'degraded_performance',
  PARTIALOUTAGE: 'partial_outage',
  MAJOROUTAGE: 'major_outage',
  UNDERMAINTENANCE: 'under_maintenance',
};

export function instatusAsStatuspage(body: Record<string, unknown>): VendorMapping {
  const page = isObject(body.page) ? { ...body.page, id: idText(body.page.id) } : body.page;
  const event = isObject(body.maintenance) ? 'maintenance' : isObject(body.incident) ? 'incident' : undefined;
  if (event) {
    const source = body[event] as Record<string, unknown>;
    const updates = event === 'maintenance' ? source.maintenance_updates : source.incident_updates;
    const incident = {
      ...source,
      id: idText(source.id),
      status: translated(STATUS, source.status),
      impact: event === 'maintenance' ? 'maintenance' : translated(IMPACT, source.impact ?? 'none'),
      shortlink: source.shortlink ?? source.url,
      incident_updates: mapList(updates, (update) => ({
        ...update,
        id: idText(update.id),
        status: translated(STATUS, update.status),
      })),
    };
    return {
      kind: 'mapped',
      payload: { page, incident },
      fieldNames: {
        ...(event === 'maintenance' ? MAINTENANCE_FIELDS : {}),
        ...(source.shortlink === undefined ? { shortlink: 'url' } : {}),
      },
    };
  }
  if (isObject(body.component) || isObject(body.component_update)) {
    const component = isObject(body.component)
      ? {
          ...body.component,
          id: idText(body.component.id),
          status: translated(COMPONENT_STATUS, body.component.status),
        }
      : body.component;
    const change = isObject(body.component_update)
      ? {
          ...body.component_update,
          id: idText(body.component_update.id ?? body.component_update.component_id),
          component_id: idText(body.component_update.component_id),
          new_status: translated(COMPONENT_STATUS, body.component_update.new_status),
        }
      : body.component_update;
    return { kind: 'mapped', payload: { page, component, component_update: change } };
  }
  return { kind: 'mapped', payload: body }; // refused by the schema, which says what it expected
}

/** POST /v1/webhooks/instatus/{token}. */
export const InstatusWebhook = vendorWebhook(instatusAsStatuspage);
