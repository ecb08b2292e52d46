import { resolveComponentRefs } from '../domain/component-refs';
import {
  type Incident,
  type IncidentUpdate,
  incidentIdCandidates,
  POSTMORTEM_UPDATE_ID,
} from '../domain/incident';
import {
  type IncidentPatch,
  type IncidentQuery,
  incidentView,
  type NewIncidentUpdate,
  type NewPostmortem,
} from '../domain/incident-api';
import { AppError } from '../errors';
import type { Catalog, Clock, Incidents } from '../ports';

/*
 * The incident API for in-house tooling, one call at a time. Every write is idempotent by update id (a
 * conditional put), so a retry stores and notifies nothing twice; the incidents stream notifies.
 */

export interface IncidentApiDeps {
  incidents: Incidents;
  catalog: Catalog;
  clock: Clock;
}

type Stored = NonNullable<Awaited<ReturnType<Incidents['get']>>>;

/**
 * The incident `id` names: the notifier's id as it is, or the id it was created with, on any page of the
 * catalog (the incident API's own first, then a vendor's).
 */
export async function findIncident(deps: Pick<IncidentApiDeps, 'incidents' | 'catalog'>, id: string) {
  const pageIds = id.includes(':')
    ? []
    : (await deps.catalog.listPages()).flatMap((p) => p.page?.pageId ?? []);
  const candidates = incidentIdCandidates(id, pageIds).sort(
    (a, b) => Number(!a.startsWith('api:')) - Number(!b.startsWith('api:')),
  );
  const found = await Promise.all(candidates.map((candidate) => deps.incidents.get(candidate)));
  const stored = found.find((incident) => incident !== undefined);
  if (!stored)
    throw new AppError('NOT_FOUND', `no incident ${id}`, [{ path: 'id', message: 'no such incident' }]);
  return stored;
}

/** Only the API's own incidents take writes here: a vendor's next webhook carries its whole state. */
function assertOwnIncident({ incident }: Stored): void {
  if (incident.source !== 'api') {
    throw new AppError(
      'CONFLICT',
      `incident ${incident.incidentId} comes from ${incident.source}: change it there`,
      [{ path: 'id', message: `a ${incident.source} incident` }],
    );
  }
}

export async function getIncident(deps: Pick<IncidentApiDeps, 'incidents' | 'catalog'>, id: string) {
  const stored = await findIncident(deps, id);
  return incidentView(stored.incident, stored.updates);
}

export async function listIncidents(deps: Pick<IncidentApiDeps, 'incidents'>, query: IncidentQuery) {
  const page = await deps.incidents.listByPage(query.pageId, {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return {
    items: page.items.map((incident) => incidentView(incident)),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/**
 * Adds one update. Its id is the caller's, else `fallbackId` (from the Idempotency-Key, so a retry
 * writes the same update). The newest update sets the incident's status.
 */
export async function addIncidentUpdate(
  deps: IncidentApiDeps,
  id: string,
  input: NewIncidentUpdate,
  fallbackId: string,
) {
  const stored = await findIncident(deps, id);
  assertOwnIncident(stored);
  const { incident } = stored;
  const page = await deps.catalog.getPage(incident.pageId);
  const { ids, problems } = resolveComponentRefs(input.components, page, 'components');
  if (problems.length > 0)
    throw new AppError('VALIDATION', `Invalid request: ${problems[0]?.message}`, problems);
  const at = input.at ?? deps.clock.now().toISOString();
  const update: IncidentUpdate = {
    incidentId: incident.incidentId,
    updateId: input.id ?? fallbackId,
    kind: 'update',
    status: input.status,
    body: input.body,
    displayAt: at,
    affectedComponentIds: ids,
    notify: input.notify,
  };
  const newest = at >= incident.updatedAt;
  return store(
    deps,
    stored,
    {
      ...incident,
      ...(newest ? { status: input.status, updatedAt: at } : {}),
      componentIds: [...new Set([...incident.componentIds, ...ids])].sort(),
    },
    update,
  );
}

/** Renames the incident or changes its impact; nobody is notified, and mail keeps its subject. */
export async function patchIncident(deps: IncidentApiDeps, id: string, patch: IncidentPatch) {
  const stored = await findIncident(deps, id);
  assertOwnIncident(stored);
  await deps.incidents.patch(stored.incident.incidentId, patch);
  // Without its updates (GET has them): the answer stays small enough to keep for a retry.
  return incidentView({ ...stored.incident, ...patch });
}

/**
 * Publishes the postmortem, notified once. Sent again with the same text it is a retry; with another,
 * the published text is revised (a typo fixed) and nobody is notified again.
 */
export async function publishPostmortem(deps: IncidentApiDeps, id: string, input: NewPostmortem) {
  const stored = await findIncident(deps, id);
  assertOwnIncident(stored);
  const { incident } = stored;
  const published = stored.updates.find((u) => u.updateId === POSTMORTEM_UPDATE_ID);
  if (published) {
    const revised = published.body !== input.body;
    if (revised) {
      await deps.incidents.save({ ...incident, postmortemBody: input.body });
      await deps.incidents.reviseUpdate(incident.incidentId, POSTMORTEM_UPDATE_ID, input.body);
    }
    return {
      incidentId: incident.incidentId,
      updateId: POSTMORTEM_UPDATE_ID,
      stored: false,
      revised,
      notifying: false,
    };
  }
  const at = input.publishedAt ?? deps.clock.now().toISOString();
  const update: IncidentUpdate = {
    incidentId: incident.incidentId,
    updateId: POSTMORTEM_UPDATE_ID,
    kind: 'postmortem',
    status: 'postmortem',
    body: input.body,
    displayAt: at,
    affectedComponentIds: [],
    notify: input.notify,
  };
  return store(
    deps,
    stored,
    {
      ...incident,
      status: 'postmortem',
      postmortemBody: input.body,
      updatedAt: at > incident.updatedAt ? at : incident.updatedAt,
    },
    update,
  );
}

/** The incident first: the fan-out reads it when the update's stream record arrives. */
async function store(deps: IncidentApiDeps, stored: Stored, incident: Incident, update: IncidentUpdate) {
  if (stored.updates.some((u) => u.updateId === update.updateId))
    return { incidentId: incident.incidentId, updateId: update.updateId, stored: false, notifying: false };
  const componentIds = await deps.incidents.save(incident);
  const added = await deps.incidents.addUpdate(update, { componentIds });
  return {
    incidentId: incident.incidentId,
    updateId: update.updateId,
    stored: added,
    notifying: added && update.notify,
  };
}
