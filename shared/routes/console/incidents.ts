import * as z from '../../domain/zod';
import { AppError } from '../../errors';
import { PathId } from '../../http/request';
import { prefersJson, redirect } from '../../http/respond';
import { incidentLookupPage, incidentPage } from '../../templates/pages/console/incidents';
import { lookUpIncident } from '../../usecases/console-incidents';
import type { HttpRouteHandler } from '../route';
import type { ConsoleContext } from './context';

/** Find an incident by its id, and what was sent for each of its updates. */
export function incidentRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const lookupIncident = c.route(
    z.object({
      query: z._default(
        z.object({
          id: z._default(z.string().check(z.maxLength(300, 'An incident id is shorter than that')), ''),
        }),
        { id: '' },
      ),
    }),
    async ({ query }, session) => {
      const viewer = await session.viewer();
      const id = query.id.trim();
      if (!id) return c.page(200, incidentLookupPage({ viewer }));
      const found = await lookUpIncident(session, id);
      if (found) return redirect(`/console/incidents/${encodeURIComponent(found)}`);
      const message = `No incident ${id} here: check the id, or the incident has not reached the notifier`;
      if (prefersJson(session.event)) throw new AppError('NOT_FOUND', message);
      return c.page(404, incidentLookupPage({ viewer, id, errors: [{ path: 'id', message }] }));
    },
  );

  return [
    { method: 'GET', path: '/console/incidents', handler: lookupIncident },
    {
      method: 'GET',
      path: '/console/incidents/{id}',
      handler: c.route(z.object({ path: PathId }), async ({ path }, session) => {
        const [viewer, report, catalog] = await Promise.all([
          session.viewer(),
          session.api.incident(path.id),
          session.api.catalog(),
        ]);
        const pageName = catalog.pages.find((p) => p.id === report.incident.pageId)?.name;
        return c.respond(session.event, report, () =>
          incidentPage({ viewer, report, ...(pageName ? { pageName } : {}) }),
        );
      }),
    },
  ];
}
