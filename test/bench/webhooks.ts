/**
 * The webhook rung of `npm run bench`, in a process of its own: N confirmed webhook followers of
 * Channel - Chat in Prod1 (US), their endpoints on a local farm (test/support/endpoint-farm.ts), one
 * Statuspage webhook through the local stack. Times each endpoint's first POST from the webhook's 2xx.
 *
 * `--faults none`: also the floor, N signed POSTs from a bare client at the deliverer's concurrency, on a
 * farm of its own, before the stack starts. `--faults some`: a tenth of the endpoints hang and a tenth
 * answer 500; the healthy ones' times are what counts. `--mode counted` runs it through a proxy that
 * counts DynamoDB requests and capacity instead (not timed). Prints one JSON line; `BENCH_TIMELINE=1`
 * also prints, each second, the POSTs received and each stream function's invocations so far.
 */
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startSesLocal } from '../../infra/local/ses-local';
import { LOCAL_MAX_PARALLELIZATION, startLocalStack } from '../../infra/local/stack';
import { DynamoEndpoints } from '../../shared/adapters/dynamo/endpoints';
import { newSigningSecret } from '../../shared/domain/webhook-signing';
import { ENDPOINTS_IN_FLIGHT } from '../../shared/usecases/deliver-to-endpoints';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { behaviourOf, startEndpointFarm } from '../support/endpoint-farm';
import { startFaultProxy } from '../support/fault-proxy';
import { importFixtureCatalog, postSeedUpdate, seedingClient } from '../support/fixture-page';
import { seedFollowers } from '../support/followers';
import { freePort } from '../support/ports';
import { countDynamo, noCounts } from './counting';
import { timeRecordWrites } from './floor';
import { measureWebhookFloor } from './webhook-floor';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '10000' },
    faults: { type: 'string', default: 'none' },
    mode: { type: 'string', default: 'timed' },
  },
});
const counted = values.mode === 'counted';
const endpoints = Number(values.endpoints);
const faulty = values.faults === 'some';
/** Every endpoint the local stack's deliverers POST to at once: its lanes, each with its own in flight. */
const concurrency = LOCAL_MAX_PARALLELIZATION * ENDPOINTS_IN_FLIGHT;
const behaviour = (n: number) => behaviourOf(n, faulty ? 'some' : 'none');
const secret = newSigningSecret();

let floorSeconds: number | undefined;
let recordsSeconds: number | undefined;
if (!faulty && !counted) {
  const floorFarm = await startEndpointFarm('none');
  const urls = Array.from({ length: endpoints }, (_, n) => floorFarm.url(n));
  floorSeconds = await measureWebhookFloor(urls, { concurrency, secret });
  await floorFarm.stop();
  // Exactly once takes at least a record of each delivery's outcome (one per endpoint per update).
  const writes = await timeRecordWrites(endpoints);
  recordsSeconds = Math.min(writes.oneInFlight, writes.eightInFlight);
}

const farm = await startEndpointFarm(faulty ? 'some' : 'none');
const dynamo = await startDynamoDbLocal(await freePort());
const ses = await startSesLocal(0);
const proxy = counted ? await startFaultProxy(dynamo.endpoint) : undefined;
const stack = await startLocalStack({
  apiPort: 0,
  dynamodb: { endpoint: proxy?.url ?? dynamo.endpoint },
  ses: { endpoint: ses.endpoint },
});
try {
  await importFixtureCatalog(stack.apiUrl);
  const db = seedingClient(dynamo.endpoint);
  const store = new DynamoEndpoints(db, stack.tables.subscribers, stack.env.CHANNEL_SEALING_SECRET ?? '');
  await seedFollowers(db, stack.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    count: endpoints,
    label: 'hook',
    endpoints: { store, url: (n) => farm.url(n), secret },
  });
  await stack.waitForIdle(120_000);
  console.error(`seeded ${endpoints} webhook followers; posting the update`);

  const counts = noCounts();
  if (proxy) countDynamo(proxy, counts);
  await postSeedUpdate(stack.apiUrl);
  const acknowledged = performance.now();
  const timeline = setInterval(() => {
    if (!process.env.BENCH_TIMELINE) return;
    const calls = Object.entries(stack.pollers).map(([name, p]) => `${name}:${p.invocations}`);
    console.error(
      `${((performance.now() - acknowledged) / 1000).toFixed(1)} s: ${farm.total()} POSTs, ${calls.join(' ')}`,
    );
  }, 1000);
  const healthy = Array.from({ length: endpoints }, (_, n) => n).filter((n) => behaviour(n) === 'ok');
  const deadline = Date.now() + 20 * 60_000;
  while (healthy.some((n) => !farm.received.has(n)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  clearInterval(timeline);
  console.error(`${farm.total()} POSTs received; waiting for the streams to settle`);
  await stack.waitForIdle(10 * 60_000);

  const times = healthy
    .map((n) => ((farm.received.get(n)?.[0]?.at ?? Number.NaN) - acknowledged) / 1000)
    .sort((a, b) => a - b);
  const percentile = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? 0;
  const round = (n: number) => Number(n.toFixed(2));
  // Within the run (before any retry is due): one POST per endpoint, a repeat only with the same id.
  const postsPer = [...farm.received.values()];
  const seconds = times.at(-1) ?? Number.NaN;
  console.log(
    JSON.stringify({
      endpoints,
      faults: faulty ? { hanging: endpoints / 10, answering500: endpoints / 10 } : 'none',
      concurrency,
      healthy: healthy.length,
      missing: healthy.filter((n) => !farm.received.has(n)).length,
      repeats: postsPer.reduce((sum, posts) => sum + posts.length - 1, 0),
      repeatsWithAnotherId: postsPer.filter((posts) => new Set(posts.map((p) => p.id)).size > 1).length,
      seconds: round(seconds),
      firstSeconds: round(times[0] ?? Number.NaN),
      p50Seconds: round(percentile(0.5)),
      p99Seconds: round(percentile(0.99)),
      ...(counted
        ? {
            dynamoCallsPerWebhook: Number((counts.dynamoRequests / endpoints).toFixed(4)),
            wcuPerWebhook: Number((counts.wcu / endpoints).toFixed(4)),
            rcuPerWebhook: Number((counts.rcu / endpoints).toFixed(4)),
            dynamoRequestsByOperation: counts.byOperation,
          }
        : {}),
      ...(floorSeconds !== undefined && recordsSeconds !== undefined
        ? {
            floorSeconds: round(floorSeconds),
            ratioToFloor: round(seconds / floorSeconds),
            floorWithRecordsSeconds: round(floorSeconds + recordsSeconds),
            ratioToFloorWithRecords: round(seconds / (floorSeconds + recordsSeconds)),
          }
        : {}),
    }),
  );
} finally {
  await stack.stop();
  await farm.stop();
  await proxy?.stop();
  await dynamo.stop();
  await ses.stop();
}
