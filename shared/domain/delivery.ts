import * as z from './zod';

/** `skipped`: matched at fan-out, but unsubscribed, suppressed or erased by the time it was sent. */
export const DeliveryStatus = z.enum(['pending', 'sent', 'failed', 'skipped']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One recipient of one update. Its key is deterministic, so a retried fan-out writes the same item. */
export const Delivery = z.object({
  subscriberId: z.string(),
  incidentId: z.string(),
  updateId: z.string(),
  /** Absent once the subscriber is erased: delivery history keeps no address. */
  email: z.optional(z.string()),
  status: DeliveryStatus,
  createdAt: z.string(),
  attempts: z.number().check(z.int(), z.nonnegative()),
  sentAt: z.optional(z.string()),
  /** SES's Message-ID of the mail, as recipients' clients see it. */
  messageId: z.optional(z.string()),
  /** The topic key through which the subscriber matched: the mail says why they get it. */
  topic: z.optional(z.string()),
  /** What the recipient's mail server did with it, from SES events. */
  outcome: z.optional(z.enum(['delivered', 'soft-bounced', 'bounced', 'complained', 'rejected'])),
  outcomeAt: z.optional(z.string()),
  /** Why it failed or was skipped. */
  error: z.optional(z.string()),
  /** Delivered to an endpoint, not mailed: what its POSTs got. */
  channel: z.optional(z.literal('webhook')),
  /** The event's id: the `webhook-id` of every attempt. */
  eventId: z.optional(z.string()),
  /** The endpoint's last answer and how long it took (absent: no answer, a network error or a timeout). */
  httpStatus: z.optional(z.number().check(z.int())),
  latencyMs: z.optional(z.number().check(z.int(), z.nonnegative())),
  firstAttemptAt: z.optional(z.string()),
  /** A failed attempt's next try, while the delivery is pending. */
  nextAttemptAt: z.optional(z.string()),
});
export type Delivery = z.infer<typeof Delivery>;

export interface DeliveryKey {
  subscriberId: string;
  incidentId: string;
  updateId: string;
}

export const deliveryId = (key: DeliveryKey) => `${key.subscriberId}|${key.incidentId}|${key.updateId}`;

/** A delivery's key as an SES message tag value (letters, digits, `-` and `_` only), and back. */
export const deliveryTag = (key: DeliveryKey) => Buffer.from(deliveryId(key)).toString('base64url');
export function parseDeliveryTag(tag: string): DeliveryKey | undefined {
  const [subscriberId, incidentId, updateId, ...rest] = Buffer.from(tag, 'base64url')
    .toString('utf8')
    .split('|');
  return subscriberId && incidentId && updateId && rest.length === 0
    ? { subscriberId, incidentId, updateId }
    : undefined;
}
export const threadId = (subscriberId: string, incidentId: string) => `${subscriberId}|${incidentId}`;

/**
 * Outcomes only ever move up this order (a late "delivered" does not undo a complaint), which also makes
 * repeated events harmless.
 */
export const OUTCOME_ORDER = ['delivered', 'soft-bounced', 'bounced', 'complained', 'rejected'] as const;

/** Delivery records are history, not state: they expire after this long. */
export const DELIVERY_RETENTION_DAYS = 180;
