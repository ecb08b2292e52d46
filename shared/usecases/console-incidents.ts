import type { CatalogView } from '../domain/catalog';
import { incidentIdCandidates } from '../domain/incident';

/** What finding an incident asks of the admin API. */
export interface IncidentLookup {
  catalog(): Promise<CatalogView>;
  /** The incident, or undefined when there is none with this id. */
  findIncident(id: string): Promise<unknown>;
}

/**
 * The notifier's id of the incident a support person names: Statuspage's own id is what they have, the
 * notifier's adds the source and the page. Every candidate is asked at once; the first one that exists,
 * in candidate order, is the answer; undefined when none does.
 */
export async function lookUpIncident(deps: { api: IncidentLookup }, id: string): Promise<string | undefined> {
  const pageIds = id.includes(':') ? [] : (await deps.api.catalog()).pages.map((page) => page.id);
  const candidates = incidentIdCandidates(id, pageIds);
  const found = await Promise.all(candidates.map((candidate) => deps.api.findIncident(candidate)));
  return candidates.find((_, index) => found[index] !== undefined);
}
