import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoEndpoints } from '../../shared/adapters/dynamo/endpoints';
import { CatalogImport } from '../../shared/domain/catalog-import';
import { batchKeysOf } from '../../shared/domain/send-batch';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { newSigningSecret } from '../../shared/domain/webhook-signing';
import { systemClock } from '../../shared/ports';
import { importPageComponents } from '../../shared/usecases/catalog';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { MAX_REDRIVES, sweepPendingDeliveries } from '../../shared/usecases/sweep-pending';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, EU_CHAT, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { freshStores } from '../support/local-aws';

// The sweep's decisions against DynamoDB Local, with no stream consumer: what it touches stays pending.
let deps: Awaited<ReturnType<typeof freshStores>> & { clock: typeof systemClock };
const stale = { staleAfterMs: 0, maxRedrives: 1000 };

beforeAll(async () => {
  deps = { ...(await freshStores()), clock: systemClock };
  await importPageComponents(deps, PAGE_ID, CatalogImport.parse(componentsJson));
  await seedFollowers(deps.db, deps.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    count: 120,
    label: 'sweep',
  });
});

describe('the pending-delivery sweep', () => {
  it('leaves fresh updates alone, brings stale pending deliveries back a bounded number of times, then settles', async () => {
    const ingested = await ingestStatuspageWebhook(
      deps,
      StatuspageWebhook.parse(incidentWebhook({ ...chatMessagesMayFail, id: 'sweep1' }, 1)),
    );
    if (ingested.kind !== 'incident') throw new Error('expected an incident');
    const updateId = ingested.notifying[0] as string;
    await fanOut(deps, { incidentId: ingested.incidentId, updateId });
    expect(await deps.incidents.unsettledUpdates()).toHaveLength(1);

    // Activity a moment ago: not stale yet.
    expect(await sweepPendingDeliveries(deps, { ...stale, staleAfterMs: 60_000 })).toMatchObject({
      stale: 0,
    });
    // Three batches (50, 50, 20) and a budget of 60 recipients: the first batch now, the rest next run.
    expect(await sweepPendingDeliveries(deps, { ...stale, maxRedrives: 60 })).toMatchObject({
      redriven: 50,
      settled: 0,
    });
    expect(MAX_REDRIVES).toBe(3);
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 120, settled: 0 });
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 120, settled: 0 });
    // The first batch has been brought back three times; the other two twice.
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({
      redriven: 70,
      givenUp: 50,
      settled: 0,
    });
    // Still pending after being brought back MAX_REDRIVES times: the sender fails on them; given up, and
    // kept for a redrive after a fix.
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({
      redriven: 0,
      givenUp: 120,
      settled: 1,
    });
    expect(await deps.incidents.unsettledUpdates()).toEqual([]);
    expect((await deps.sendBatches.load(batchKeysOf(ingested.incidentId, updateId, 3))).size).toBe(3);
  });

  it('settles an update whose every recipient has a record, and deletes its batches', async () => {
    const ingested = await ingestStatuspageWebhook(
      deps,
      StatuspageWebhook.parse(incidentWebhook({ ...chatMessagesMayFail, id: 'sweep2' }, 1)),
    );
    if (ingested.kind !== 'incident') throw new Error('expected an incident');
    const updateId = ingested.notifying[0] as string;
    const { batches } = await fanOut(deps, { incidentId: ingested.incidentId, updateId });
    const keys = batchKeysOf(ingested.incidentId, updateId, batches);
    const written = [...(await deps.sendBatches.load(keys)).values()];
    // The last batch's recipients are still pending; everyone else was sent.
    const sent = written.slice(0, -1).flatMap((batch) => batch.recipients);
    await deps.deliveries.recordOutcomes(
      sent.map((recipient) => ({
        ...recipient,
        incidentId: ingested.incidentId,
        updateId,
        status: 'sent' as const,
        attempts: 1,
        createdAt: new Date().toISOString(),
      })),
    );
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 20, settled: 0 });
    const last = written.at(-1)!;
    await deps.deliveries.recordOutcomes(
      last.recipients.map((recipient) => ({
        ...recipient,
        incidentId: ingested.incidentId,
        updateId,
        status: 'skipped' as const,
        attempts: 1,
        createdAt: new Date().toISOString(),
      })),
    );
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 0, settled: 1 });
    expect((await deps.sendBatches.load(keys)).size).toBe(0);
  });

  it('reports batches that are gone (expired) instead of counting their recipients as done', async () => {
    const ingested = await ingestStatuspageWebhook(
      deps,
      StatuspageWebhook.parse(incidentWebhook({ ...chatMessagesMayFail, id: 'sweep3' }, 1)),
    );
    if (ingested.kind !== 'incident') throw new Error('expected an incident');
    const updateId = ingested.notifying[0] as string;
    const { batches } = await fanOut(deps, { incidentId: ingested.incidentId, updateId });
    const [first] = batchKeysOf(ingested.incidentId, updateId, batches);
    await deps.sendBatches.deleteAll([first!]);
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ batchesMissing: 1, redriven: 70 });
  });

  it('brings back only webhook endpoints’ batches while SES is paused; mail waits for the pause to end', async () => {
    // Webhook followers of the other region, with an update of their own and no record yet.
    const endpoints = new DynamoEndpoints(
      deps.db,
      deps.tables.subscribers,
      'a-sealing-secret-of-the-test-0123456789',
    );
    await seedFollowers(deps.db, deps.tables.subscribers, {
      pageId: PAGE_ID,
      componentId: EU_CHAT,
      count: 30,
      label: 'sweephook',
      endpoints: {
        store: endpoints,
        url: (n) => `https://hooks.example.com/${n}`,
        secret: newSigningSecret(),
      },
    });
    const ingested = await ingestStatuspageWebhook(
      deps,
      StatuspageWebhook.parse(
        incidentWebhook({ ...chatMessagesMayFail, id: 'sweep4', componentId: EU_CHAT }, 1),
      ),
    );
    if (ingested.kind !== 'incident') throw new Error('expected an incident');
    await fanOut(deps, { incidentId: ingested.incidentId, updateId: ingested.notifying[0] as string });

    await deps.sendPause.pause(new Date(Date.now() + 60_000), 'Daily message quota exceeded.');
    const during = await sweepPendingDeliveries(deps, stale);
    // The 30 endpoints go back to their deliverer; the earlier updates' mail (70 recipients) waits.
    expect(during).toMatchObject({ paused: true, redriven: 30, settled: 0 });
    expect(during.pending).toBeGreaterThan(30);
    await deps.sendPause.pause(new Date(Date.now() - 1), 'over');
    const after = await sweepPendingDeliveries(deps, stale);
    expect(after).toMatchObject({ paused: false });
    expect(after.redriven).toBeGreaterThan(30);
  });
});
