import { createHash } from 'node:crypto';
import { parseDeliveryTag } from '../domain/delivery';
import { normalizeEmail } from '../domain/subscriber';
import * as z from '../domain/zod';
import { log } from '../log';
import type { Clock, Deliveries, DeliveryOutcome, Incidents, RateLimiter, Suppressions } from '../ports';

const Recipient = z.looseObject({ emailAddress: z.string() });

/** An SES event as EventBridge delivers it (configuration set event destination). */
export const SesEvent = z.looseObject({
  source: z.literal('aws.ses'),
  detail: z.looseObject({
    eventType: z.string(),
    mail: z.looseObject({
      messageId: z.string(),
      destination: z.array(z.string()),
      tags: z.optional(z.record(z.string(), z.array(z.string()))),
    }),
    bounce: z.optional(
      z.looseObject({
        bounceType: z.string(),
        bounceSubType: z.nullish(z.string()),
        bouncedRecipients: z.array(Recipient),
      }),
    ),
    complaint: z.optional(z.looseObject({ complainedRecipients: z.array(Recipient) })),
  }),
});
export type SesEvent = z.infer<typeof SesEvent>;

export interface FeedbackDeps {
  suppressions: Suppressions;
  deliveries: Deliveries;
  incidents: Incidents;
  /** Counts soft bounces per address over a window. */
  rateLimiter: RateLimiter;
  clock: Clock;
}

/** Soft bounces an address may have in this window before it is suppressed. */
export const SOFT_BOUNCES_ALLOWED = 2;
const SOFT_BOUNCE_WINDOW_SECONDS = 30 * 86_400;

/**
 * What mail servers said about a mail: a hard bounce or a complaint suppresses the address at once,
 * repeated soft bounces suppress it too, and each outcome is recorded on its delivery and counted on
 * its update, once however often SES repeats the event.
 */
export async function handleSesEvent(deps: FeedbackDeps, event: SesEvent) {
  const { detail } = event;
  const now = deps.clock.now().toISOString();
  let outcome: DeliveryOutcome | undefined;
  const suppress: Array<{ email: string; reason: string }> = [];

  if (detail.eventType === 'Bounce' && detail.bounce) {
    const permanent = detail.bounce.bounceType === 'Permanent';
    outcome = permanent ? 'bounced' : 'soft-bounced';
    for (const { emailAddress } of detail.bounce.bouncedRecipients) {
      const email = normalizeEmail(emailAddress);
      if (permanent)
        suppress.push({ email, reason: `hard bounce (${detail.bounce.bounceSubType ?? 'permanent'})` });
      else if (!(await softBounceAllowed(deps, email)))
        suppress.push({ email, reason: 'repeated soft bounces' });
    }
  } else if (detail.eventType === 'Complaint' && detail.complaint) {
    outcome = 'complained';
    for (const { emailAddress } of detail.complaint.complainedRecipients) {
      suppress.push({ email: normalizeEmail(emailAddress), reason: 'complaint' });
    }
  } else if (detail.eventType === 'Delivery') {
    outcome = 'delivered';
  } else if (detail.eventType === 'Reject' || detail.eventType === 'Rendering Failure') {
    outcome = 'rejected'; // accepted by the API, never sent
  }

  for (const entry of suppress) await deps.suppressions.add({ ...entry, createdAt: now, source: 'ses' });

  const tag = detail.mail.tags?.delivery?.[0];
  const key = tag ? parseDeliveryTag(tag) : undefined;
  if (outcome && key) {
    const recorded = await deps.deliveries.recordOutcome(key, outcome, now);
    // SES can report before the sender has recorded the mail: fail, and the retry finds the record.
    if (recorded === 'not-sent-yet') throw new Error(`delivery ${tag} is not marked sent yet; retry`);
    if (recorded === 'recorded') await deps.incidents.addOutcome(key.incidentId, key.updateId, outcome);
  } else if (outcome) {
    log.warn('SES event for a mail without a delivery tag', {
      messageId: detail.mail.messageId,
      eventType: detail.eventType,
    });
  }
  return { outcome, suppressed: suppress.length };
}

async function softBounceAllowed(deps: FeedbackDeps, email: string): Promise<boolean> {
  const key = `softbounce:${createHash('sha256').update(email).digest('base64url')}`;
  return (await deps.rateLimiter.hit(key, SOFT_BOUNCES_ALLOWED, SOFT_BOUNCE_WINDOW_SECONDS)).allowed;
}
