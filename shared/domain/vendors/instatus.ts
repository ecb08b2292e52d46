import {
  idText,
  impactWord,
  isObject,
  MAINTENANCE_FIELDS,
  maintenancePhases,
  mapList,
  newestOf,
  shortlinkField,
  statusWord,
  textFieldNames,
  timeOf,
  type VendorMapping,
  vendorUpdate,
  vendorWebhook,
  worstComponentImpact,
} from './common';

/*
 * Instatus webhooks: `incident` with `incident_updates`, `maintenance` with `maintenance_updates`, or
 * `component` with `component_update`, beside `meta` and `page`. Real payloads differ from Instatus's
 * documentation, and older pages may still send the documented shape, so both are read:
 * - statuses in Title case (`Investigating`, `In progress`, `Planned`) or upper case (`NOTSTARTEDYET`);
 * - the update's text in `markdown` (real) or `body` (documented);
 * - `affected_components: [{ id, name, status }]` on the incident (real), which decide the audience as
 *   Statuspage's do; an incident that names none reaches the whole page;
 * - an impact (documented) or none (real): then the worst affected component's status (`Major outage`);
 * - a maintenance's window in `maintenance_start_date`/`maintenance_end_date` (real) or `start` and a
 *   `duration` in minutes (documented); its updates carry no status (real) and take its phase.
 */

/** Instatus's own words, squashed; Statuspage's words in any spelling need no entry. */
const STATUS: Record<string, string> = {
  NOTSTARTEDYET: 'scheduled',
  PLANNED: 'scheduled',
  INPROGRESS: 'in_progress',
  COMPLETED: 'completed',
};
const COMPONENT_STATUS: Record<string, string> = {
  OPERATIONAL: 'operational',
  DEGRADEDPERFORMANCE: 'degraded_performance',
  PARTIALOUTAGE: 'partial_outage',
  MINOROUTAGE: 'partial_outage',
  MAJOROUTAGE: 'major_outage',
  UNDERMAINTENANCE: 'under_maintenance',
};

export function instatusAsStatuspage(body: Record<string, unknown>): VendorMapping {
  const page = isObject(body.page) ? { ...body.page, id: idText(body.page.id) } : body.page;
  if (isObject(body.maintenance)) {
    const { incident, fieldNames } = maintenance(body.maintenance);
    return { kind: 'mapped', payload: { page, incident }, fieldNames };
  }
  if (isObject(body.incident)) {
    const source = body.incident;
    return {
      kind: 'mapped',
      payload: { page, incident: incident(source) },
      fieldNames: {
        ...shortlinkField(source),
        ...textFieldNames(source.incident_updates),
      },
    };
  }
  if (isObject(body.component) || isObject(body.component_update)) {
    const component = isObject(body.component)
      ? { ...body.component, id: idText(body.component.id), status: componentStatus(body.component.status) }
      : body.component;
    const change = isObject(body.component_update)
      ? {
          ...body.component_update,
          id: idText(body.component_update.id ?? body.component_update.component_id),
          component_id: idText(body.component_update.component_id),
          new_status: componentStatus(body.component_update.new_status),
        }
      : body.component_update;
    return { kind: 'mapped', payload: { page, component, component_update: change } };
  }
  return { kind: 'mapped', payload: body }; // refused by the schema, which says what it expected
}

function incident(source: Record<string, unknown>) {
  const updates = mapList(source.incident_updates, (update) =>
    vendorUpdate(update, source.affected_components, statusWord(STATUS, update.status) ?? 'update'),
  );
  return {
    ...source,
    id: idText(source.id),
    status: statusWord(STATUS, source.status) ?? newestOf(updates)?.status ?? 'update',
    impact: impactWord(source.impact) ?? worstComponentImpact(source.affected_components) ?? 'none',
    shortlink: source.shortlink ?? source.url,
    incident_updates: updates,
  };
}

function maintenance(source: Record<string, unknown>) {
  const status = statusWord(STATUS, source.status);
  const [startField, startsAt] = firstOf(source, ['maintenance_start_date', 'start', 'scheduled_for']);
  const [endField, endsAt] = firstOf(source, ['maintenance_end_date', 'end', 'scheduled_until']);
  const until = endsAt ?? endAfter(startsAt, source.duration);
  const updates = maintenancePhases(
    mapList(source.maintenance_updates, (update) => vendorUpdate(update, source.affected_components)),
    { startsAt: timeOf(startsAt), endsAt: timeOf(until) },
    status,
    STATUS,
  );
  const incident = {
    ...source,
    id: idText(source.id),
    status: status ?? newestOf(updates)?.status ?? 'scheduled',
    impact: 'maintenance',
    shortlink: source.shortlink ?? source.url,
    scheduled_for: startsAt ?? null,
    scheduled_until: until ?? null,
    incident_updates: updates,
  };
  const fieldNames = {
    ...MAINTENANCE_FIELDS,
    ...shortlinkField(source),
    ...textFieldNames(source.maintenance_updates),
    ...(startField ? { scheduled_for: startField } : {}),
    ...(endField ? { scheduled_until: endField } : {}),
  };
  return { incident, fieldNames };
}

/** The first of `fields` the source has, and its value. */
function firstOf(source: Record<string, unknown>, fields: string[]): [string | undefined, unknown] {
  const field = fields.find((name) => source[name] !== undefined && source[name] !== null);
  return [field, field ? source[field] : undefined];
}

/** The documented shape's end: its start plus `duration` minutes. */
function endAfter(start: unknown, duration: unknown): string | undefined {
  const minutes = Number(duration);
  const from = timeOf(start);
  if (duration === null || duration === '' || !Number.isFinite(minutes) || Number.isNaN(from))
    return undefined;
  const end = new Date(from + minutes * 60_000);
  return Number.isNaN(end.getTime()) ? undefined : end.toISOString();
}

/** A component status in Statuspage's words (`MAJOROUTAGE`, `Major outage`: major_outage). */
function componentStatus(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const key = value.toUpperCase().replace(/[^A-Z]/g, '');
  return Object.hasOwn(COMPONENT_STATUS, key) ? COMPONENT_STATUS[key] : value.toLowerCase();
}

/** POST /v1/webhooks/instatus/{token}. */
export const InstatusWebhook = vendorWebhook(instatusAsStatuspage);
