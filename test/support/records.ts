import { randomUUID } from 'node:crypto';
import type { SubscriberRecord } from '../../shared/domain/subscriber';

/** A stored subscriber for store-level tests; override what the test is about. */
export function subscriberRecord(
  overrides: Partial<SubscriberRecord> & Pick<SubscriberRecord, 'email'>,
): SubscriberRecord {
  return {
    id: randomUUID(),
    status: 'confirmed',
    level: 'all',
    topics: [],
    createdAt: new Date().toISOString(),
    linkNonce: 'nonce-for-tests',
    version: 0,
    ...overrides,
  };
}
