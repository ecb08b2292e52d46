import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { DynamoIncidents } from '../../shared/adapters/dynamo/incidents';
import { DynamoSendBatches } from '../../shared/adapters/dynamo/send-batches';
import { US_CHAT } from '../fixtures/seeds';
import { faultScenario } from '../support/fault-stack';
import { seedFollowers } from '../support/followers';
import { mailTo } from '../support/local-aws';
import { incidentRecord, incidentUpdate } from '../support/records';
import { startTestStack } from '../support/stack';

/**
 * A poison record among good ones on the deliveries stream: a send batch of an update that is not stored
 * (as after a deploy that wrote one but not the other). The sender fails on it every time; bisect keeps
 * the good ones flowing, bounded retries set it aside, and once the cause is fixed the redrive sends it,
 * once, however often it is run.
 */
let stack: LocalStack;

beforeAll(async () => {
  const failureLog = join(mkdtempSync(join(tmpdir(), 'poison-')), 'failed-batches.jsonl');
  stack = await startTestStack('po', { failureLog });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a poison record on the deliveries stream', () => {
  it('is isolated by bisect, set aside, and sent once by the redrive after the fix', {
    timeout: 90_000,
  }, async () => {
    const scenario = faultScenario(stack);
    const incidents = new DynamoIncidents(scenario.db, stack.tables.incidents);
    const sendBatches = new DynamoSendBatches(scenario.db, stack.tables.deliveries);
    const followers = await seedFollowers(scenario.db, stack.tables.subscribers, {
      pageId: 'zt2xw0cbdp1v',
      componentId: US_CHAT,
      count: 31,
      label: 'poison',
    });
    // Stored without notifying, so no fan-out runs: this test writes the send batches itself.
    const good = incidentRecord({ incidentId: 'statuspage:zt2xw0cbdp1v:good', pageId: 'zt2xw0cbdp1v' });
    const missing = incidentRecord({ incidentId: 'statuspage:zt2xw0cbdp1v:later', pageId: 'zt2xw0cbdp1v' });
    await incidents.save(good);
    await incidents.addUpdate(
      { ...incidentUpdate(good, 'u1', 'investigating', good.createdAt, 'Looking'), notify: false },
      good,
    );
    const batch = (
      incidentId: string,
      index: number,
      people: ReadonlyArray<{ id: string; email: string }>,
    ) => ({
      incidentId,
      updateId: 'u1',
      index,
      recipients: people.map((person) => ({ subscriberId: person.id, email: person.email })),
      createdAt: new Date().toISOString(),
    });
    const poisoned = followers[15] as { id: string; email: string };
    // One stream batch: the poison between two batches of fifteen good recipients.
    await sendBatches.putAll([
      batch(good.incidentId, 0, followers.slice(0, 15)),
      batch(missing.incidentId, 0, [poisoned]),
      batch(good.incidentId, 1, followers.slice(16)),
    ]);
    await stack.waitForIdle(60_000);

    const others = followers.filter((follower) => follower !== poisoned).map((follower) => follower.email);
    expect(new Set(await scenario.mailsPerAddress(others))).toEqual(new Set([1]));
    expect(await mailTo([poisoned.email])).toEqual([]);
    const failures = stack.pollers.sender?.failures ?? [];
    expect(failures.map((failure) => failure.records.length)).toEqual([1]);
    expect(failures[0]?.error).toMatch(/is not stored/);

    // While the cause is not fixed, a redrive keeps the batch and sends nothing.
    expect(await stack.redrive()).toEqual({ replayed: 0, stillFailing: 1 });
    // The fix: the update is stored. Then the redrive sends it, and a second redrive has nothing to do.
    await incidents.save(missing);
    await incidents.addUpdate(
      { ...incidentUpdate(missing, 'u1', 'identified', missing.createdAt, 'Found'), notify: false },
      missing,
    );
    expect(await stack.redrive()).toEqual({ replayed: 1, stillFailing: 0 });
    expect(await stack.redrive()).toEqual({ replayed: 0, stillFailing: 0 });
    expect(await mailTo([poisoned.email])).toHaveLength(1);
    expect(new Set(await scenario.mailsPerAddress(others))).toEqual(new Set([1]));
  });
});
