import { isTimeZone } from '../domain/time-zone';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { httpHandler } from '../http/handler';
import { formField, formValue, IncidentPath } from '../http/request';
import { html, json, prefersJson } from '../http/respond';
import { followPage } from '../templates/pages/follow';
import { checkInboxPage } from '../templates/pages/subscribe';
import { type FollowDeps, FollowInput, followView, requestFollow } from '../usecases/follow';
import { pageRoute } from './page-route';
import type { HttpRouteHandler } from './route';

/*
 * Following one incident: its page with the "Follow this incident" form (linked from the subscribe page
 * while the incident is open), the form's post, and the same as JSON for a status page's own widget.
 */

const IncidentId = z.string().check(z.minLength(1, 'the link names no incident'), z.maxLength(320));
const FollowForm = z.object({
  incident: z.pipe(formValue, IncidentId),
  email: formField((email) => email ?? ''),
  timeZone: formValue,
});

export function followPageRoutes(deps: FollowDeps): HttpRouteHandler[] {
  const show = pageRoute(
    z.object({ query: z.object({ incident: z.pipe(formValue, IncidentId) }) }),
    async ({ query }) =>
      html(200, followPage({ incident: await followView(deps, query.incident), email: '', errors: [] })),
  );

  const follow = pageRoute(
    z.object({ body: FollowForm }),
    async ({ body }, event) => {
      const parsed = FollowInput.safeParse({
        email: body.email.trim(),
        ...(body.timeZone && isTimeZone(body.timeZone) ? { timeZone: body.timeZone } : {}),
      });
      if (!parsed.success) {
        // The mistake on the form, over the incident as its page shows it (or why it cannot be followed).
        const error = AppError.fromZod(parsed.error);
        if (prefersJson(event)) throw error;
        const incident = await followView(deps, body.incident);
        return html(400, followPage({ incident, email: body.email, errors: error.details }));
      }
      await requestFollow(deps, body.incident, parsed.data, event.requestContext.http.sourceIp);
      if (prefersJson(event)) return json(202, { status: 'accepted' });
      return html(200, checkInboxPage({ email: body.email.trim(), embed: false }));
    },
    'form',
  );

  const api = httpHandler(
    { input: z.object({ path: IncidentPath, body: FollowInput }) },
    async ({ path, body }, event) => {
      await requestFollow(deps, path.id, body, event.requestContext.http.sourceIp);
      // The same answer whatever the address's state: no enumeration.
      return json(202, {
        status: 'accepted',
        message: 'If the address can follow it, a mail is on its way to it.',
      });
    },
  );

  return [
    { method: 'GET', path: '/follow', handler: show },
    { method: 'POST', path: '/follow', handler: follow },
    { method: 'POST', path: '/v1/incidents/{id}/followers', handler: api },
  ];
}
