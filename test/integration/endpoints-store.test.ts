import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoEndpoints } from '../../shared/adapters/dynamo/endpoints';
import { HEALTHY, healthAfter } from '../../shared/domain/endpoint';
import { freshTables } from '../support/local-aws';

let store: DynamoEndpoints;

beforeAll(async () => {
  const { db, tables } = await freshTables();
  store = new DynamoEndpoints(db, tables.subscribers, 'a-sealing-secret-of-the-test-0123456789');
});

const endpoint = (subscriberId: string) => ({
  subscriberId,
  url: `https://hooks.example.com/${subscriberId}/secret-token`,
  format: 'v1' as const,
  secrets: [{ secret: 'whsec_dGVzdA==', createdAt: '2026-12-07T10:00:00.000Z' }],
  health: HEALTHY,
});

describe('endpoint credentials and health', () => {
  it('reads many at once, unsealed, and leaves out those that are gone', async () => {
    await store.create(endpoint('e1'));
    await store.create(endpoint('e2'));
    const found = await store.getMany(['e1', 'e2', 'e1', 'nobody']);
    expect([...found.keys()].sort()).toEqual(['e1', 'e2']);
    expect(found.get('e2')).toEqual(endpoint('e2'));
  });

  it('records health over the health it read only: a resume meanwhile stands', async () => {
    await store.create(endpoint('e3'));
    const at = new Date('2026-12-07T11:00:00Z');
    const failing = healthAfter(HEALTHY, { ok: false, at, reason: 'answered 500' });
    await store.recordHealth('e3', failing, HEALTHY);
    expect((await store.get('e3'))?.health).toEqual(failing);

    // A deliverer that read it failing, and meanwhile its owner resumed it: the resume stands.
    const gone = healthAfter(failing, { ok: false, gone: true, at });
    await store.recordHealth('e3', HEALTHY);
    await store.recordHealth('e3', gone, failing);
    expect((await store.get('e3'))?.health).toEqual(HEALTHY);

    // Erased meanwhile: nothing comes back.
    await store.remove('e3');
    await store.recordHealth('e3', failing, HEALTHY);
    expect(await store.get('e3')).toBeUndefined();
  });

  it('records many endpoints’ health in few requests, each over the health it read', async () => {
    const at = new Date('2026-12-07T11:00:00Z');
    const failing = healthAfter(HEALTHY, { ok: false, at, reason: 'answered 500' });
    const ids = Array.from({ length: 130 }, (_, n) => `m${n}`);
    for (const id of ids) await store.create(endpoint(id));
    // One resumed meanwhile (its health is no longer what was read), one erased: both stand as they are.
    const resumedAfterAGap = healthAfter(HEALTHY, { ok: true, at: new Date('2026-12-07T12:00:00Z') });
    await store.recordHealth('m5', resumedAfterAGap);
    await store.remove('m120');
    await store.recordHealthMany(
      ids.map((subscriberId) => ({ subscriberId, health: failing, over: HEALTHY })),
    );
    const after = await store.getMany(ids);
    expect(after.has('m120')).toBe(false);
    expect(after.get('m5')?.health).toEqual(resumedAfterAGap);
    expect(
      [...after.values()].filter((e) => JSON.stringify(e.health) === JSON.stringify(failing)),
    ).toHaveLength(128);

    const recovered = healthAfter(failing, { ok: true, at });
    await store.recordHealth('m7', HEALTHY);
    await store.recordHealthMany(
      ids.slice(0, 10).map((subscriberId) => ({ subscriberId, health: recovered, over: failing })),
    );
    const again = await store.getMany(ids.slice(0, 10));
    expect(again.get('m7')?.health).toEqual(HEALTHY);
    expect(again.get('m3')?.health).toEqual(recovered);
  });
});
