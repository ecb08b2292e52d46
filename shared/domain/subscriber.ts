import { z } from 'zod';
import { Topic } from './topics';

export const SubscriberStatus = z.enum(['pending', 'confirmed', 'unsubscribed', 'suppressed']);
export type SubscriberStatus = z.infer<typeof SubscriberStatus>;

export const Subscriber = z.object({
  id: z.string(),
  email: z.string(),
  status: SubscriberStatus,
  topics: z.array(Topic),
  createdAt: z.string(),
});
export type Subscriber = z.infer<typeof Subscriber>;

/** One member of an update's audience, as the topic index gives it. */
export interface Recipient {
  subscriberId: string;
  email: string;
}

/** Addresses compare case-insensitively in practice; the stored form is trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
