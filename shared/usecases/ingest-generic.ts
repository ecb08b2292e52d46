import { type GenericIncident, toIncidentWebhook } from '../domain/generic-incident';
import { planIncidentIngest } from '../domain/ingest-plan';
import { AppError, type ErrorDetail } from '../errors';
import type { Catalog, Incidents } from '../ports';
import { storePlan } from './ingest-statuspage';

/**
 * In-house tooling's incident: the same idempotent ingest as a Statuspage webhook. Its page and
 * components must be in the catalog (import the page's components first): a component the catalog
 * does not know could not be matched to a region, and would reach only its direct followers.
 */
export async function ingestGenericIncident(
  deps: { incidents: Incidents; catalog: Catalog },
  input: GenericIncident,
) {
  const page = await deps.catalog.getPage(input.pageId);
  if (!page.page && page.components.length === 0) {
    throw new AppError('VALIDATION', `unknown page ${input.pageId}`, [
      { path: 'pageId', message: 'not in the catalog' },
    ]);
  }
  const known = new Set(page.components.map((c) => c.componentId));
  const problems: ErrorDetail[] = [
    ...input.incident.componentIds.flatMap((id, i) =>
      known.has(id) ? [] : [{ path: `incident.componentIds.${i}`, message: `unknown component ${id}` }],
    ),
    ...input.incident.updates.flatMap((update, u) =>
      update.componentIds.flatMap((id, i) =>
        known.has(id)
          ? []
          : [{ path: `incident.updates.${u}.componentIds.${i}`, message: `unknown component ${id}` }],
      ),
    ),
  ];
  if (problems.length > 0)
    throw new AppError('VALIDATION', `Invalid request: ${problems[0]?.message}`, problems);
  return storePlan(deps, planIncidentIngest(toIncidentWebhook(input), 'api'));
}
