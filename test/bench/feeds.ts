/**
 * Feed latency, in a process of its own: a page with 1,000 incidents (three notified updates each, a tenth
 * of them in Prod2 (EU), a tenth maintenances), then each feed read a few hundred times over HTTP through
 * the local stack, one after another: p50/p99 per feed. Then each feed's DynamoDB reads, counted through
 * a proxy in front of DynamoDB Local: requests, bytes of the answers and read capacity per GET. Prints
 * one JSON line.
 */

import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { startSesLocal } from '../../infra/local/ses-local';
import { startLocalStack } from '../../infra/local/stack';
import { eachConcurrently } from '../../shared/adapters/dynamo/batch';
import { DynamoCatalog } from '../../shared/adapters/dynamo/catalog';
import { DynamoIncidents } from '../../shared/adapters/dynamo/incidents';
import { type FeedRequest, pageFeed } from '../../shared/usecases/feeds';
import { EU_CHAT, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { startFaultProxy } from '../support/fault-proxy';
import { importFixtureCatalog, seedingClient } from '../support/fixture-page';
import { freePort } from '../support/ports';

const INCIDENTS = 1_000;
const READS = 300;
const WARM_UP = 20;
const EU_REGION = 'grp2prodeu01';

const FEEDS: Array<{ name: string; path: string; request: Omit<FeedRequest, 'pageId'> }> = [
  { name: 'atom', path: `${PAGE_ID}.atom`, request: { format: 'atom', narrowing: none() } },
  { name: 'rss', path: `${PAGE_ID}.rss`, request: { format: 'rss', narrowing: none() } },
  { name: 'json', path: `${PAGE_ID}.json`, request: { format: 'json', narrowing: none() } },
  {
    name: 'atom, one region (a tenth of the incidents)',
    path: `${PAGE_ID}.atom?region=${EU_REGION}`,
    request: { format: 'atom', narrowing: { regions: [EU_REGION], components: [] } },
  },
  { name: 'ics', path: `${PAGE_ID}.ics`, request: { format: 'ics', narrowing: none() } },
];

function none() {
  return { regions: [], components: [] };
}

const dynamo = await startDynamoDbLocal(await freePort());
const ses = await startSesLocal(0);
const stack = await startLocalStack({
  apiPort: 0,
  dynamodb: { endpoint: dynamo.endpoint },
  ses: { endpoint: ses.endpoint },
});
const proxy = await startFaultProxy(dynamo.endpoint);
try {
  await importFixtureCatalog(stack.apiUrl);
  await seedIncidents(new DynamoIncidents(seedingClient(dynamo.endpoint), stack.tables.incidents));
  // Each notified update is fanned out (to nobody): done before anything is timed.
  await stack.waitForIdle(10 * 60_000);
  console.error(`seeded ${INCIDENTS} incidents; reading feeds`);

  const latency: Record<string, { p50Ms: number; p99Ms: number; bytes: number }> = {};
  for (const feed of FEEDS) {
    const times: number[] = [];
    let bytes = 0;
    for (let n = 0; n < WARM_UP + READS; n++) {
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}/feeds/${feed.path}`);
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${feed.path} answered ${response.status}: ${body}`);
      if (n >= WARM_UP) times.push(performance.now() - started);
      bytes = body.length;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => Number((times[Math.ceil(p * times.length) - 1] ?? 0).toFixed(1));
    latency[feed.name] = { p50Ms: at(0.5), p99Ms: at(0.99), bytes };
  }

  // What one GET reads: the use-case the function runs, on a client that goes through the counting proxy.
  const counted = seedingClient(proxy.url);
  const deps = {
    catalog: new DynamoCatalog(counted, stack.tables.catalog),
    incidents: new DynamoIncidents(counted, stack.tables.incidents),
    config: { publicBaseUrl: stack.apiUrl, domain: '127.0.0.1' },
  };
  const reads: Record<string, { requests: number; bytes: number; rcu: number }> = {};
  for (const feed of FEEDS) {
    const figures = { requests: 0, bytes: 0, rcu: 0 };
    proxy.decide = () => ({
      kind: 'rewrite',
      request: (body) => ({ ...body, ReturnConsumedCapacity: 'TOTAL' }),
      response: (body) => {
        figures.requests++;
        const { ConsumedCapacity, ...answer } = body;
        figures.bytes += JSON.stringify(answer).length;
        for (const used of [ConsumedCapacity ?? []].flat()) figures.rcu += used.CapacityUnits ?? 0;
        return body;
      },
    });
    await pageFeed(deps, { pageId: PAGE_ID, ...feed.request });
    reads[feed.name] = { ...figures, rcu: Number(figures.rcu.toFixed(1)) };
  }

  console.log(
    JSON.stringify({
      incidents: INCIDENTS,
      reads: READS,
      feeds: Object.fromEntries(
        FEEDS.map(({ name }) => [
          name,
          {
            ...latency[name],
            dynamoRequests: reads[name]?.requests,
            dynamoBytesRead: reads[name]?.bytes,
            rcu: reads[name]?.rcu,
          },
        ]),
      ),
    }),
  );
} finally {
  await stack.stop();
  await proxy.stop();
  await dynamo.stop();
  await ses.stop();
}

/**
 * A page's history: incidents a day apart, each with three notified updates of a few hundred characters;
 * a tenth affect Prod2 (EU), a tenth are maintenances with a window.
 */
async function seedIncidents(incidents: DynamoIncidents) {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const ids = Array.from({ length: INCIDENTS }, (_, n) => n);
  await eachConcurrently(ids, async (n) => {
    const at = (minutes: number) => new Date(start + n * 86_400_000 + minutes * 60_000).toISOString();
    const incidentId = `statuspage:${PAGE_ID}:bench${String(n).padStart(5, '0')}`;
    const maintenance = n % 10 === 5;
    const componentIds = await incidents.save({
      incidentId,
      source: 'statuspage',
      upstreamId: `bench${n}`,
      pageId: PAGE_ID,
      name: maintenance ? `Database upgrade ${n}` : `Chat messages may fail to deliver (${n})`,
      status: 'resolved',
      impact: maintenance ? 'maintenance' : 'minor',
      shortlink: `https://stspg.io/bench${n}`,
      componentIds: [n % 10 === 0 ? EU_CHAT : US_CHAT],
      subject: `Chat messages may fail to deliver (${n})`,
      ...(maintenance ? { scheduledFor: at(60), scheduledUntil: at(180) } : {}),
      createdAt: at(0),
      updatedAt: at(40),
    });
    for (const [index, status] of ['investigating', 'monitoring', 'resolved'].entries()) {
      await incidents.addUpdate(
        {
          incidentId,
          updateId: `u${index}`,
          kind: 'update',
          status,
          body: `Kustomer is aware of an event affecting Chat that may cause outbound chat messages to not deliver (${n}/${index}). Our team is working to identify the cause of this issue in an effort to implement a resolution. Please expect additional updates within the next 30 minutes.`,
          displayAt: at(index * 20),
          affectedComponentIds: [n % 10 === 0 ? EU_CHAT : US_CHAT],
          notify: true,
        },
        { componentIds },
      );
    }
  });
}
