import { resolveComponentRefs } from '../domain/component-refs';
import { type GenericIncident, toIncidentWebhook } from '../domain/generic-incident';
import { planIncidentIngest } from '../domain/ingest-plan';
import { AppError, type ErrorDetail } from '../errors';
import type { Catalog, Incidents } from '../ports';
import { storePlan } from './ingest-statuspage';

/**
 * In-house tooling's incident: the same idempotent ingest as a Statuspage webhook. Its page and
 * components must be in the catalog (import the page's components first): a component the catalog
 * does not know could not be matched to a region, and would reach only its direct followers. Components
 * are named by catalog id (`componentIds`, `components`) or by region and name (`components`).
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
  const problems: ErrorDetail[] = [];
  const resolve = (ids: readonly string[], refs: GenericIncident['incident']['components'], path: string) => {
    const byId = resolveComponentRefs(ids, page, `${path}.componentIds`);
    const byRef = resolveComponentRefs(refs, page, `${path}.components`);
    problems.push(...byId.problems, ...byRef.problems);
    return [...new Set([...byId.ids, ...byRef.ids])];
  };
  const { incident } = input;
  const resolved: GenericIncident = {
    ...input,
    incident: {
      ...incident,
      componentIds: resolve(incident.componentIds, incident.components, 'incident'),
      updates: incident.updates.map((update, u) => ({
        ...update,
        componentIds: resolve(update.componentIds, update.components, `incident.updates.${u}`),
      })),
    },
  };
  if (problems.length > 0)
    throw new AppError('VALIDATION', `Invalid request: ${problems[0]?.message}`, problems);
  return storePlan(deps, planIncidentIngest(toIncidentWebhook(resolved), 'api'));
}
