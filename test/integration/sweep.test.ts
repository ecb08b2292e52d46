import { beforeAll, describe, expect, it } from 'vitest';
import { ComponentsJson } from '../../shared/domain/catalog';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { systemClock } from '../../shared/ports';
import { importPageComponents } from '../../shared/usecases/catalog';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { MAX_REDRIVES, sweepPendingDeliveries } from '../../shared/usecases/sweep-pending';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { seedFollowers } from '../support/followers';
import { freshStores } from '../support/local-aws';

// The sweep's decisions against DynamoDB Local, with no stream consumer: what it touches stays pending.
let deps: Awaited<ReturnType<typeof freshStores>> & { clock: typeof systemClock };
const stale = { staleAfterMs: 0, maxRedrives: 1000 };

beforeAll(async () => {
  deps = { ...(await freshStores()), clock: systemClock };
  await importPageComponents(deps, PAGE_ID, ComponentsJson.parse(componentsJson));
  await seedFollowers(deps.db, deps.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    count: 30,
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
    await fanOut(deps, { incidentId: ingested.incidentId, updateId: ingested.notifying[0] as string });
    expect(await deps.incidents.unsettledUpdates()).toHaveLength(1);

    // Activity a moment ago: not stale yet.
    expect(await sweepPendingDeliveries(deps, { ...stale, staleAfterMs: 60_000 })).toMatchObject({
      stale: 0,
    });
    // A budget smaller than the backlog: the rest waits for the next run.
    expect(await sweepPendingDeliveries(deps, { ...stale, maxRedrives: 20 })).toMatchObject({
      redriven: 20,
      settled: 0,
    });
    expect(MAX_REDRIVES).toBe(3);
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 30, settled: 0 });
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 30, settled: 0 });
    // The first twenty have been brought back three times; the other ten twice.
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({
      redriven: 10,
      givenUp: 20,
      settled: 0,
    });
    // Still pending after being brought back MAX_REDRIVES times: the sender fails on them; given up.
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ redriven: 0, givenUp: 30, settled: 1 });
    expect(await deps.incidents.unsettledUpdates()).toEqual([]);
  });

  it('does nothing while SES is paused', async () => {
    await deps.sendPause.pause(new Date(Date.now() + 60_000), 'Daily message quota exceeded.');
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ paused: true, stale: 0, redriven: 0 });
    await deps.sendPause.pause(new Date(Date.now() - 1), 'over');
    expect(await sweepPendingDeliveries(deps, stale)).toMatchObject({ paused: false });
  });
});
