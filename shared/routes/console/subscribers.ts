import { AdminApiError } from '../../adapters/admin-api';
import type { IncidentReport } from '../../domain/admin-views';
import { MESSAGES } from '../../domain/form-messages';
import * as z from '../../domain/zod';
import { AppError, type ErrorDetail, parseWith } from '../../errors';
import { formField, formValue, formValues, PathId } from '../../http/request';
import { type HttpResult, json, prefersJson, redirect } from '../../http/respond';
import { chosenTopicKeys } from '../../http/topic-form';
import { READ_ONLY } from '../../templates/pages/console/frame';
import { removePage, subscriberPage } from '../../templates/pages/console/subscriber';
import { subscribersPage } from '../../templates/pages/console/subscribers';
import type { HttpRouteHandler } from '../route';
import { type ConsoleContext, Done, noticeFor, type Session } from './context';
import { AddForm, ChangeForm } from './forms';
import { formProblems } from './refusals';

/** Rows per page: a full page stays under 50 KB with its assets, even with long addresses. */
const SUBSCRIBERS_PER_PAGE = 50;

/** Search, add, look at one subscriber and its deliveries, change, suppress, lift and remove. */
export function subscriberRoutes(c: ConsoleContext): HttpRouteHandler[] {
  const SearchQuery = z.object({
    email: z._default(z.string().check(z.maxLength(254, 'Search for at most 254 characters')), ''),
    status: z._default(
      z.enum(['', 'pending', 'confirmed', 'unsubscribed'], { error: 'Choose a status from the list' }),
      '',
    ),
    cursor: z.optional(z.string().check(z.maxLength(2000))),
    done: Done,
  });
  // As sent, each single field by its first value; checked by AddForm, shown back as they were.
  const AddFields = z.object({
    email: formField((email) => email ?? ''),
    topic: formValues,
    level: formField((level) => level ?? 'all'),
    confirmed: formValue,
  });
  type AddFields = z.output<typeof AddFields>;
  type Search = z.output<typeof SearchQuery>;

  async function showSubscribers(
    session: Session,
    query: Search,
    add?: { values: AddFields; errors: ErrorDetail[] },
  ): Promise<HttpResult> {
    const [viewer, found, catalog] = await Promise.all([
      session.viewer(),
      session.api.searchSubscribers({
        ...(query.email.trim() ? { email: query.email.trim() } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
        limit: SUBSCRIBERS_PER_PAGE,
      }),
      session.api.catalog(),
    ]);
    const notice = noticeFor(query.done);
    return c.respond(
      session.event,
      found,
      () =>
        subscribersPage({
          viewer,
          catalog,
          search: {
            email: query.email,
            status: query.status,
            items: found.items,
            paged: Boolean(query.cursor),
            ...(found.cursor ? { cursor: found.cursor } : {}),
          },
          ...(notice ? { notice } : {}),
          ...(add
            ? {
                add: {
                  values: {
                    email: add.values.email,
                    topics: new Set(add.values.topic),
                    level: add.values.level,
                    confirmed: add.values.confirmed === 'true',
                  },
                  errors: add.errors,
                },
              }
            : {}),
        }),
      add ? 400 : 200,
    );
  }

  const addSubscriber = c.route(
    z.object({ body: AddFields }),
    async ({ body }, session) => {
      try {
        const input = parseWith(AddForm, {
          email: body.email,
          topics: body.topic,
          level: body.level,
          confirmed: body.confirmed === 'true',
        });
        const created = await session.api.createSubscriber(input);
        if (prefersJson(session.event)) return json(201, created);
        const done = created.status === 'pending' ? 'added-pending' : 'added';
        return redirect(`/console/subscribers/${encodeURIComponent(created.id)}?done=${done}`);
      } catch (error) {
        const details = formProblems(error, {
          email: MESSAGES.emailFormat,
          conflict: {
            path: 'email',
            message: 'That address is already a subscriber: search for it to change it',
          },
        });
        if (!details || prefersJson(session.event)) throw error;
        return showSubscribers(session, { email: '', status: '' }, { values: body, errors: details });
      }
    },
    { body: 'form' },
  );

  const SubscriberQuery = z.object({ done: Done, history: z.optional(z.string().check(z.maxLength(2000))) });

  async function showSubscriber(
    session: Session,
    id: string,
    query: z.output<typeof SubscriberQuery>,
    edit?: { values: { topics: ReadonlySet<string>; level: string }; errors: ErrorDetail[] },
  ): Promise<HttpResult> {
    const { api } = session;
    const [viewer, subscriber, history, catalog] = await Promise.all([
      session.viewer(),
      api.getSubscriber(id),
      api.deliveries(id, query.history, 50),
      api.catalog(),
    ]);
    // The incidents the history is about, for their names and updates; one that cannot be read shows its id.
    const incidentIds = [...new Set(history.items.map((d) => d.incidentId))].slice(0, 10);
    const [suppression, endpoint, reports] = await Promise.all([
      api.suppression(subscriber.email),
      // Erased between the two reads: the page shows the subscriber as it was, without the section.
      subscriber.channel ? api.findEndpoint(id) : undefined,
      Promise.all(incidentIds.map((incidentId) => api.incident(incidentId).catch(() => undefined))),
    ]);
    const incidents = new Map<string, IncidentReport>();
    reports.forEach((report, index) => {
      if (report) incidents.set(incidentIds[index] ?? '', report);
    });
    const notice = noticeFor(query.done);
    return c.respond(
      session.event,
      { subscriber, suppression: suppression ?? null, deliveries: history },
      () =>
        subscriberPage({
          viewer,
          subscriber,
          catalog,
          deliveries: history.items,
          ...(history.cursor ? { deliveriesCursor: history.cursor } : {}),
          incidents,
          ...(suppression ? { suppression } : {}),
          ...(endpoint ? { endpoint } : {}),
          ...(notice ? { notice } : {}),
          ...(edit ? { values: edit.values, errors: edit.errors } : {}),
        }),
      edit ? 400 : 200,
    );
  }

  const changeSubscriber = c.route(
    z.object({
      path: PathId,
      body: z.object({
        action: z.pipe(
          formValue,
          z.enum(['save', 'suppress', 'lift', 'test', 'resume'], {
            error: 'The form asked for something the console does not do',
          }),
        ),
        topic: formValues,
        level: formField((level) => level ?? 'all'),
      }),
    }),
    async ({ path, body }, session) => {
      const back = (done: string) =>
        prefersJson(session.event)
          ? json(200, { done })
          : redirect(`/console/subscribers/${encodeURIComponent(path.id)}?done=${done}`);
      if (body.action === 'test') {
        const tested = await session.api.testEndpoint(path.id);
        return prefersJson(session.event) ? json(200, tested) : back(`tested-${tested.outcome}`);
      }
      if (body.action === 'resume') {
        await session.api.resumeEndpoint(path.id);
        return back('resumed');
      }
      if (body.action !== 'save') {
        const { email } = await session.api.getSubscriber(path.id);
        if (body.action === 'suppress') {
          await session.api.suppress(email, 'suppressed in the support console');
          return back('suppressed');
        }
        try {
          await session.api.liftSuppression(email);
        } catch (error) {
          // Lifted in the meantime (another tab, a colleague): the result is what was asked for.
          if (!(error instanceof AdminApiError && error.status === 404)) throw error;
        }
        return back('lifted');
      }
      try {
        // The tree is read against what the subscriber followed when the page drew it, as on the
        // customer's preferences: unticking a component of a followed region narrows it.
        const [subscriber, catalog] = await Promise.all([
          session.api.getSubscriber(path.id),
          session.api.catalog(),
        ]);
        const before = new Set(subscriber.topics.map((t) => t.key));
        const topics = chosenTopicKeys(catalog.pages, body.topic, before);
        await session.api.changeSubscriber(path.id, parseWith(ChangeForm, { topics, level: body.level }));
        return back('saved');
      } catch (error) {
        const details = formProblems(error, {});
        if (!details || prefersJson(session.event)) throw error;
        const values = { topics: new Set(body.topic), level: body.level };
        return showSubscriber(session, path.id, {}, { values, errors: details });
      }
    },
    { body: 'form' },
  );

  return [
    {
      method: 'GET',
      path: '/console/subscribers',
      handler: c.route(
        z.object({ query: z._default(SearchQuery, { email: '', status: '' }) }),
        ({ query }, session) => showSubscribers(session, query),
      ),
    },
    { method: 'POST', path: '/console/subscribers', handler: addSubscriber },
    {
      method: 'GET',
      path: '/console/subscribers/{id}',
      handler: c.route(
        z.object({ path: PathId, query: z._default(SubscriberQuery, {}) }),
        ({ path, query }, session) => showSubscriber(session, path.id, query),
      ),
    },
    { method: 'POST', path: '/console/subscribers/{id}', handler: changeSubscriber },
    {
      method: 'GET',
      path: '/console/subscribers/{id}/remove',
      handler: c.route(z.object({ path: PathId }), async ({ path }, session) => {
        const [viewer, subscriber] = await Promise.all([
          session.viewer(),
          session.api.getSubscriber(path.id),
        ]);
        if (!viewer.canWrite) throw new AppError('FORBIDDEN', READ_ONLY);
        return c.respond(session.event, subscriber, () => removePage({ viewer, subscriber }));
      }),
    },
    {
      method: 'POST',
      path: '/console/subscribers/{id}/remove',
      handler: c.route(
        z.object({ path: PathId }),
        async ({ path }, session) => {
          const erased = await session.api.eraseSubscriber(path.id);
          return prefersJson(session.event)
            ? json(200, erased)
            : redirect('/console/subscribers?done=removed');
        },
        { body: 'form' },
      ),
    },
  ];
}
