import * as z from './zod';

/** Recipients of one batch: what one SES bulk call takes. */
export const RECIPIENTS_PER_BATCH = 50;

export const BatchRecipient = z.object({
  subscriberId: z.string(),
  email: z.string(),
  /** The topic key through which the subscriber matched: the mail says why they get it. */
  topic: z.optional(z.string()),
});
export type BatchRecipient = z.infer<typeof BatchRecipient>;

export interface SendBatchKey {
  incidentId: string;
  updateId: string;
  index: number;
}

/**
 * Up to one bulk call's recipients of one update, written by the fan-out: the sender's trigger, or, for a
 * batch of webhook endpoints (`channel`), the endpoint deliverer's. Each recipient's delivery record is
 * written by whoever the batch is for, with what became of the mail or the POST; a recipient with no
 * delivery record yet is pending. A resumed fan-out keeps the batches written before and adds new ones,
 * marked `resumed`, after them; whoever handles them skips whoever already has a record.
 */
export const SendBatch = z.object({
  incidentId: z.string(),
  updateId: z.string(),
  index: z.number().check(z.int(), z.nonnegative()),
  recipients: z.array(BatchRecipient).check(z.minLength(1), z.maxLength(RECIPIENTS_PER_BATCH)),
  /** Every recipient is a webhook endpoint: the batch goes to the endpoint deliverer, not the sender. */
  channel: z.optional(z.literal('webhook')),
  /** When the fan-out matched them: each delivery record's `createdAt`. */
  createdAt: z.string(),
  /** How often the pending-delivery sweep brought this batch back to the sender. */
  redrives: z.optional(z.number().check(z.int(), z.nonnegative())),
  /**
   * Written by a fan-out run again (after a crash, or redriven): its recipients may have been sent to in
   * batches of another number, so the sender reads their delivery records whatever its claim says.
   */
  resumed: z.optional(z.boolean()),
});
export type SendBatch = z.infer<typeof SendBatch>;

/**
 * How far before its batch's fan-out a deliverer looks in the subscriber change log for who changed since
 * (those not in it are as the fan-out found them): index lag and clocks that disagree.
 */
export const CHANGE_MARGIN_MS = 10 * 60_000;

export const sendBatchId = (key: SendBatchKey) => `${key.incidentId}|${key.updateId}|${key.index}`;

/** Batch keys of an update whose fan-out wrote `count` batches. */
export const batchKeysOf = (incidentId: string, updateId: string, count: number): SendBatchKey[] =>
  Array.from({ length: count }, (_, index) => ({ incidentId, updateId, index }));
