import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter } from '../../infra/cli/redrive';
import { functionSpecs } from '../../infra/functions';
import { toLambdaRecord } from '../../infra/lambda-stream';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import type { FailedBatch } from '../../infra/local/stream-poller';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { adminHeaders, startTestStack } from '../support/stack';

// `status-notifier redrive` as an operator runs it against the local stack: a separate process that asks
// the running stack to replay what its pollers set aside, so the handlers run with the stack's environment.
let stack: LocalStack;
const failureLog = join(mkdtempSync(join(tmpdir(), 'cli-redrive-')), 'failed-batches.jsonl');

beforeAll(async () => {
  stack = await startTestStack('clird', { failureLog });
});
afterAll(async () => {
  await stack?.stop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['infra/cli/status-notifier.mjs', ...args], {
      env: { ...process.env, STATUS_NOTIFIER_API_URL: stack.apiUrl, STATUS_NOTIFIER_API_KEY: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The incidents stream's records of one incident, as the fan-out's event filter passes them. */
async function fanoutRecords(incidentUpstreamId: string) {
  const config = { endpoint: stack.dynamodbEndpoint, region: LOCAL_REGION, credentials: localCredentials };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: stack.tables.incidents }));
    const StreamArn = Table!.LatestStreamArn!;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const found: Array<StreamRecord & { shardId: string }> = [];
    for (const { ShardId } of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
        for (const record of page.Records ?? []) {
          if (
            matchesFilter(record, functionSpecs.fanout.stream.filter) &&
            record.dynamodb?.NewImage?.incidentId?.S?.endsWith(`:${incidentUpstreamId}`)
          ) {
            found.push({ ...record, shardId: ShardId! });
          }
        }
        if (!page.Records?.length) break;
        ShardIterator = page.NextShardIterator;
      }
    }
    return { streamArn: StreamArn, records: found };
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
}

/** A batch set aside the way the local poller writes it to the failure log. */
function setAside(
  functionName: string,
  records: Array<StreamRecord & { shardId: string }>,
  streamArn: string,
) {
  const batch: FailedBatch = {
    functionName,
    streamArn,
    shardId: records[0]?.shardId ?? 'shard',
    startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
    endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
    batchSize: records.length,
    attempts: 6,
    error: 'Task timed out after 900.00 seconds',
    at: new Date().toISOString(),
    records: records.map((record) => toLambdaRecord(record, streamArn)),
  };
  return `${JSON.stringify(batch)}\n`;
}

describe('status-notifier redrive (local stack)', () => {
  it('replays set-aside batches through the running stack, says what still fails, and sends nothing twice', async () => {
    // As if every fan-out had failed and been set aside: nothing reads the incidents stream but the redrive.
    await stack.pollers.fanout?.stop();
    const marker = `clird${randomUUID().slice(0, 8)}`;
    const email = uniqueEmail(marker);
    await fetch(`${stack.apiUrl}/v1/admin/subscribers`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ email, topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], confirmed: true }),
    });
    const seed = { ...chatMessagesMayFail, id: marker, name: `[${marker}] ${chatMessagesMayFail.name}` };
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(seed, 1)),
    });
    await stack.waitForIdle();
    const { streamArn, records } = await fanoutRecords(marker);
    expect(records).toHaveLength(1);
    const fanout = setAside('fanout', records, streamArn);
    const mail = async () =>
      (await mailTo([email])).filter((m) => isAbout(m, `statuspage:${PAGE_ID}:${marker}`));
    expect(await mail()).toEqual([]);

    writeFileSync(failureLog, `${fanout}${setAside('noSuchFunction', records, streamArn)}`);
    const first = await cli('redrive'); // the API URL is the local stack's: no --local needed
    expect(first).toMatchObject({ code: 2, stderr: '' });
    expect(first.stdout.trim()).toBe(
      '1 batch(es) replayed, 1 still failing (kept in the failure log, .local/failed-batches.jsonl)',
    );
    await stack.waitForIdle();
    expect(await mail()).toHaveLength(1);
    expect(readFileSync(failureLog, 'utf8')).not.toContain('"functionName":"fanout"');

    // The same batch again: the fan-out finds its deliveries written, the sender finds them sent.
    writeFileSync(failureLog, fanout);
    const second = await cli('redrive', '--local', '--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ replayed: 1, stillFailing: 0 });
    await stack.waitForIdle();
    expect(await mail()).toHaveLength(1);
  });

  it('needs a queue for a deployed stack, and says where to find one', async () => {
    const remote = await cli('redrive', '--api-url', 'https://status.example.com');
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/pass --queue .*SenderFailuresQueueUrl/);
    expect(
      (await cli('redrive', '--queue', 'https://sqs.us-east-1.amazonaws.com/1/q', '--source', 'x')).stderr,
    ).toBe('--source must be one of fanout, sender, endpoints\n');
    expect((await cli('--help')).stdout).toContain('redrive --queue URL');
  });
});
