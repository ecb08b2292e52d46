import type { Incident } from '../domain/incident';
import { type IngestPlan, planIncidentIngest } from '../domain/ingest-plan';
import type { StatuspageWebhook } from '../domain/statuspage';
import type { Catalog, Incidents } from '../ports';

export interface IngestDeps {
  incidents: Incidents;
  catalog: Catalog;
}

export type IngestResult =
  | {
      kind: 'incident';
      incidentId: string;
      storedUpdates: string[];
      notifying: string[];
      /** Components the webhook names that the page's catalog does not know: only their direct and the page's followers hear. */
      unknownComponents?: string[];
    }
  | { kind: 'component'; componentId: string };

/**
 * Stores what a Statuspage webhook (or another vendor's, mapped onto its shape, with that vendor as
 * `origin`) tells us that we have not stored yet. Every write is idempotent, so a retried, replayed or
 * concurrent delivery stores and notifies nothing twice. Notifying is not done here: the incidents
 * table's stream hands each newly stored notifying update to the fan-out.
 */
export async function ingestStatuspageWebhook(
  deps: IngestDeps,
  webhook: StatuspageWebhook,
  origin: Incident['source'] = 'statuspage',
): Promise<IngestResult> {
  if (webhook.kind === 'component') {
    const { component, page } = webhook;
    await deps.catalog.recordPlacements([
      {
        pageId: page.id,
        componentId: component.id,
        name: component.name,
        ...(component.group_id !== undefined ? { groupId: component.group_id } : {}),
        ...(component.status ? { status: component.status } : {}),
      },
    ]);
    return { kind: 'component', componentId: component.id };
  }

  const plan = planIncidentIngest(webhook, origin);
  await deps.catalog.recordPlacements(plan.placements);
  const stored = await storePlan(deps, plan);
  const unknown = await unknownComponents(deps.catalog, plan.incident);
  return { kind: 'incident', ...stored, ...(unknown.length > 0 ? { unknownComponents: unknown } : {}) };
}

/**
 * The incident's components its page's catalog does not know (import the page's component list to place
 * them in their regions). Read only when the incident names any: most name none or known ones.
 */
async function unknownComponents(catalog: Catalog, incident: Incident): Promise<string[]> {
  if (incident.componentIds.length === 0) return [];
  const known = new Set((await catalog.getPage(incident.pageId)).components.map((c) => c.componentId));
  return incident.componentIds.filter((id) => !known.has(id));
}

/** Stores an incident and every update not stored yet; the stream notifies the new notifying ones. */
export async function storePlan(deps: Pick<IngestDeps, 'incidents'>, plan: IngestPlan) {
  // The incident first: the fan-out reads it when the update's stream record arrives.
  const componentIds = await deps.incidents.save(plan.incident);
  const { incident } = plan;
  if (incident.remindPrior && incident.scheduledFor)
    await deps.incidents.scheduleReminder(incident.incidentId, incident.scheduledFor);
  const stored: string[] = [];
  const notifying: string[] = [];
  for (const update of plan.updates) {
    if (await deps.incidents.addUpdate(update, { componentIds })) {
      stored.push(update.updateId);
      if (update.notify) notifying.push(update.updateId);
    }
  }
  return { incidentId: plan.incident.incidentId, storedUpdates: stored, notifying };
}
