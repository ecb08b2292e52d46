import { readFile, writeFile } from 'node:fs/promises';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './lambda-context';
import type { FailedBatch } from './stream-poller';

/**
 * Replays the batches the local pollers set aside (one JSON line each) through the same handlers, the
 * way an operator redrives an on-failure queue after fixing the cause. Batches that fail again stay in
 * the file; handlers are idempotent, so replaying a batch twice does no harm.
 */
export async function redriveFailedBatches(
  failureLog: string,
  handlers: Record<string, LambdaHandler>,
): Promise<{ replayed: number; stillFailing: number }> {
  const text = await readFile(failureLog, 'utf8').catch(() => '');
  const batches = text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as FailedBatch);
  const stillFailing: FailedBatch[] = [];
  for (const batch of batches) {
    const handler = handlers[batch.functionName];
    if (!handler) {
      stillFailing.push(batch);
      continue;
    }
    try {
      const response = (await handler({ Records: batch.records }, lambdaContext(batch.functionName, 900))) as
        | DynamoDBBatchResponse
        | undefined;
      if ((response?.batchItemFailures ?? []).length > 0) stillFailing.push(batch);
    } catch (error) {
      stillFailing.push({ ...batch, error: error instanceof Error ? error.message : String(error) });
    }
  }
  await writeFile(failureLog, stillFailing.map((batch) => `${JSON.stringify(batch)}\n`).join(''));
  return { replayed: batches.length - stillFailing.length, stillFailing: stillFailing.length };
}
