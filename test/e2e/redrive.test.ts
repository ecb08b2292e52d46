import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { mailTo, uniqueEmail } from '../support/local-aws';
import { adminHeaders, startTestStack } from '../support/stack';

// Batches the pollers set aside are replayed through the same handlers, harmlessly and once.
let stack: LocalStack;
const failureLog = join(mkdtempSync(join(tmpdir(), 'redrive-')), 'failed-batches.jsonl');

beforeAll(async () => {
  stack = await startTestStack('rd', { failureLog });
});
afterAll(async () => {
  await stack?.stop();
});

describe('redrive', () => {
  it('replays set-aside batches through their handler, keeps what still fails, and sends nothing twice', async () => {
    const email = uniqueEmail('redrive');
    await fetch(`${stack.apiUrl}/v1/admin/subscribers`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ email, topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], confirmed: true }),
    });
    const payload = incidentWebhook({ ...chatMessagesMayFail, id: `rd${randomUUID().slice(0, 8)}` }, 1);
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    await stack.waitForIdle();
    expect(await mailTo([email])).toHaveLength(1);

    // As if the fan-out of that update had failed and been set aside.
    const update = planIncidentIngest(StatuspageIncidentWebhook.parse(payload)).updates.at(-1)!;
    const record = {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '1',
        NewImage: marshall({ pk: update.incidentId, sk: `UPDATE#${update.updateId}`, ...update }),
      },
    };
    const batch = (functionName: string) =>
      JSON.stringify({
        functionName,
        streamArn: 'local',
        shardId: 's',
        startSequenceNumber: '1',
        endSequenceNumber: '1',
        batchSize: 1,
        attempts: 6,
        error: 'x',
        at: '',
        records: [record],
      });
    writeFileSync(failureLog, `${batch('fanout')}\n${batch('noSuchFunction')}\n`);

    const response = await fetch(`${stack.apiUrl}/_local/redrive`, { method: 'POST' });
    expect(await response.json()).toEqual({ replayed: 1, stillFailing: 1 });
    await stack.waitForIdle();
    expect(await mailTo([email])).toHaveLength(1); // the replayed fan-out rewrote nothing
    expect(
      readFileSync(failureLog, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).functionName),
    ).toEqual(['noSuchFunction']);
  });
});
