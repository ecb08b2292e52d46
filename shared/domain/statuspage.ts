import { count, Id, list, PageId, Timestamp, text, WEBHOOK_LIMITS } from './fields';
import { POSTMORTEM_UPDATE_ID, REMINDER_PREFIX } from './incident';
import * as z from './zod';

// The field rules every input shares, where the webhooks' importers have long found them.
export { Id, list, PageId, Timestamp, text, WEBHOOK_LIMITS };

/*
 * Atlassian Statuspage webhook payloads. Lenient where real payloads drift (extra fields, nulls, missing
 * optional blocks, unknown statuses), strict where a value is unusable (no incident id, updates that are
 * not a list, a name that is not a string). See ../shared/STATUSPAGE.md in the team handbook.
 */

const Name = text(WEBHOOK_LIMITS.nameLength);
const Body = text(WEBHOOK_LIMITS.bodyLength);
const optionalText = z.nullish(text(WEBHOOK_LIMITS.shortText));
const optionalTimestamp = z.nullish(Timestamp);

export const StatuspagePage = z.looseObject({
  id: PageId,
  status_indicator: optionalText,
  status_description: optionalText,
});

/** Component and region ids are printable ASCII, as every status page writes them: 1,000 fill 100 KB. */
const ComponentId = Id.check(z.regex(/^[\x20-\x7e]*$/, 'printable ASCII characters only'));

export const StatuspageComponent = z.looseObject({
  id: ComponentId,
  name: Name,
  status: optionalText,
  group_id: z.nullish(ComponentId),
  page_id: optionalText,
  position: z.nullish(z.number()),
  description: optionalText,
  group: z.nullish(z.boolean()),
  components: z.nullish(list(ComponentId, WEBHOOK_LIMITS.components, 'components')),
});
export type StatuspageComponent = z.infer<typeof StatuspageComponent>;

export const StatuspageAffectedComponent = z.looseObject({
  // One real payload carried a placeholder entry without a code ("No components were affected...").
  code: z.nullish(ComponentId),
  name: optionalText,
  old_status: optionalText,
  new_status: optionalText,
});

/** The postmortem is stored as an update with its own id: an upstream update may not take it. */
const UpdateId = Id.check(
  z.refine(
    (id) => id !== POSTMORTEM_UPDATE_ID,
    `"${POSTMORTEM_UPDATE_ID}" is the postmortem's id: send a postmortem in the postmortem fields`,
  ),
  z.refine(
    (id) => !id.startsWith(REMINDER_PREFIX),
    `ids starting "${REMINDER_PREFIX}" are the notifier's reminders`,
  ),
);

export const StatuspageIncidentUpdate = z.looseObject({
  id: UpdateId,
  status: text(WEBHOOK_LIMITS.shortText).check(z.minLength(1)),
  body: z.nullish(Body),
  created_at: Timestamp,
  display_at: optionalTimestamp,
  deliver_notifications: z.nullish(z.boolean()),
  affected_components: z.nullish(list(StatuspageAffectedComponent, WEBHOOK_LIMITS.components, 'components')),
});
export type StatuspageIncidentUpdate = z.infer<typeof StatuspageIncidentUpdate>;

export const StatuspageIncident = z.looseObject({
  id: Id,
  name: Name,
  status: text(WEBHOOK_LIMITS.shortText).check(z.minLength(1)),
  impact: optionalText,
  impact_override: optionalText,
  created_at: Timestamp,
  updated_at: optionalTimestamp,
  shortlink: optionalText,
  page_id: optionalText,
  incident_updates: list(StatuspageIncidentUpdate, WEBHOOK_LIMITS.updates, 'updates in one webhook'),
  components: z.nullish(list(StatuspageComponent, WEBHOOK_LIMITS.components, 'components')),
  postmortem_body: z.nullish(Body),
  postmortem_published_at: optionalTimestamp,
  postmortem_notified_subscribers: z.nullish(z.boolean()),
  /** The page owner chose to write no postmortem for this incident. */
  postmortem_ignored: z.nullish(z.boolean()),
  scheduled_for: optionalTimestamp,
  scheduled_until: optionalTimestamp,
  /** Remind subscribers before the maintenance starts (the notifier's reminders, see MAINTENANCE_REMINDER_MINUTES). */
  scheduled_remind_prior: z.nullish(z.boolean()),
  // Statuspage moves the maintenance on by itself and sends a webhook for each move: noted, not acted on.
  scheduled_auto_in_progress: z.nullish(z.boolean()),
  scheduled_auto_completed: z.nullish(z.boolean()),
});
export type StatuspageIncident = z.infer<typeof StatuspageIncident>;

export const StatuspageIncidentWebhook = z
  .looseObject({
    page: StatuspagePage,
    incident: StatuspageIncident,
  })
  // Counted once every id is valid: an id past its own limit is one problem, said once.
  .check(z.superRefine(componentsInAll, { when: (payload) => payload.issues.length === 0 }));
export type StatuspageIncidentWebhook = z.infer<typeof StatuspageIncidentWebhook>;

/** The stored incident keeps every component it affects: as many as one list may hold, in all. */
function componentsInAll({ incident }: { incident: StatuspageIncident }, ctx: z.core.$RefinementCtx) {
  const ids = new Set([
    ...(incident.components ?? []).map((component) => component.id),
    ...incident.incident_updates.flatMap((update) =>
      (update.affected_components ?? []).flatMap((entry) => (entry.code ? [entry.code] : [])),
    ),
  ]);
  if (ids.size > WEBHOOK_LIMITS.components) {
    ctx.addIssue({
      code: 'custom',
      path: ['incident', 'incident_updates'],
      message: `at most ${count(WEBHOOK_LIMITS.components)} components in all, counting every update's affected_components and the incident's components`,
    });
  }
}

export const StatuspageComponentUpdate = z.looseObject({
  id: Id,
  component_id: ComponentId,
  old_status: optionalText,
  new_status: optionalText,
  created_at: optionalTimestamp,
});

export const StatuspageComponentWebhook = z.looseObject({
  page: StatuspagePage,
  component: StatuspageComponent,
  component_update: StatuspageComponentUpdate,
});
export type StatuspageComponentWebhook = z.infer<typeof StatuspageComponentWebhook>;

/**
 * Statuspage sends no event type: an incident webhook has `incident`, a component webhook has
 * `component` and `component_update`. The kind is chosen by key, then that kind's schema is applied so
 * errors name the field that is wrong rather than "no union member matched".
 */
export const StatuspageWebhook = z.pipe(
  z.record(z.string(), z.unknown(), { error: 'body must be a JSON object' }),
  z.transform((body, ctx) => {
    const schema =
      'incident' in body
        ? StatuspageIncidentWebhook
        : 'component' in body || 'component_update' in body
          ? StatuspageComponentWebhook
          : undefined;
    if (!schema) {
      z.addIssue(ctx, {
        code: 'custom',
        message:
          'expected an incident webhook (incident) or a component webhook (component, component_update)',
      });
      return z.NEVER;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        z.addIssue(ctx, { ...issue, code: 'custom', path: issue.path });
      return z.NEVER;
    }
    // The kind last: a sender's own `kind` field (extra fields are kept) must not replace it.
    return 'incident' in parsed.data
      ? { ...(parsed.data as StatuspageIncidentWebhook), kind: 'incident' as const }
      : { ...(parsed.data as StatuspageComponentWebhook), kind: 'component' as const };
  }),
);
export type StatuspageWebhook = z.output<typeof StatuspageWebhook>;
