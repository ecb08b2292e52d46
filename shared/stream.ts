import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import * as z from './domain/zod';
import { log } from './log';

export const DynamoStreamEvent = z.object({
  Records: z.array(
    z.looseObject({
      eventID: z.optional(z.string()),
      eventName: z.optional(z.enum(['INSERT', 'MODIFY', 'REMOVE'])),
      dynamodb: z.looseObject({
        SequenceNumber: z.string(),
        NewImage: z.optional(z.record(z.string(), z.unknown())),
      }),
    }),
  ),
});
export type DynamoStreamEvent = z.infer<typeof DynamoStreamEvent>;

export type StreamItem<T> = { recordId: string; item: T } | { recordId: string; problem: string };

/**
 * The new image of each record of the given kinds (INSERT by default), parsed by `schema`; a record that
 * does not parse is kept as a problem, not dropped. Other events are left out here too, should the event
 * filter ever let one through.
 */
export function newImages<S extends z.ZodMiniType>(
  event: unknown,
  schema: S,
  eventNames: ReadonlyArray<'INSERT' | 'MODIFY'> = ['INSERT'],
): Array<StreamItem<z.output<S>>> {
  const { Records } = DynamoStreamEvent.parse(event);
  const wanted = new Set<string>(eventNames);
  return Records.filter((record) => wanted.has(record.eventName ?? '')).map((record) => {
    const recordId = record.dynamodb.SequenceNumber;
    const image = record.dynamodb.NewImage;
    if (!image) return { recordId, problem: 'record has no new image' };
    const parsed = schema.safeParse(unmarshall(image as Record<string, AttributeValue>));
    return parsed.success
      ? { recordId, item: parsed.data }
      : { recordId, problem: z.prettifyError(parsed.error) };
  });
}

/**
 * Processes records one by one in stream order. At the first failure, that record and all after it are
 * reported (Lambda resumes from the lowest failed sequence number), so a poison record is retried, then
 * handed to the on-failure destination for redrive, and never silently skipped.
 */
export async function processInOrder<T>(
  items: ReadonlyArray<StreamItem<T>>,
  work: (item: T) => Promise<unknown>,
): Promise<DynamoDBBatchResponse> {
  for (const [index, entry] of items.entries()) {
    try {
      if ('problem' in entry) throw new Error(`unparseable stream record: ${entry.problem}`);
      await work(entry.item);
    } catch (error) {
      log.error('stream record failed', { recordId: entry.recordId, error });
      return { batchItemFailures: items.slice(index).map((i) => ({ itemIdentifier: i.recordId })) };
    }
  }
  return { batchItemFailures: [] };
}
