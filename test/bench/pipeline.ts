/**
 * One rung of `npm run bench`, in a process of its own (handlers read their configuration once, at
 * import, as at a cold start): the real path on a fresh DynamoDB Local — the local stack's HTTP API,
 * stream pollers and handlers, N confirmed followers of Channel - Chat in Prod1 (US) and N/5 of the EU
 * one who must hear nothing, one Statuspage webhook — timed from the webhook's 2xx to the last mail in the
 * SES emulator. Prints one JSON line.
 *
 * `--mode timed` (the default) measures the floor for N followers, then the pipeline talking straight to
 * the local services, as the floor does. `--mode counted` runs the same path through counting proxies in
 * front of DynamoDB Local and the SES emulator, which ask every request for its consumed capacity: that
 * costs this process CPU the floor never pays (a sixth of the time at 20,000), so it is not timed.
 */
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { emulatedMail, startSesLocal } from '../../infra/local/ses-local';
import { startLocalStack } from '../../infra/local/stack';
import { EU_CHAT, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { startFaultProxy } from '../support/fault-proxy';
import { importFixtureCatalog, postSeedUpdate, seedingClient } from '../support/fixture-page';
import { seedFollowers } from '../support/followers';
import { freePort } from '../support/ports';
import { countDynamo, countSes, noCounts } from './counting';
import { measureFloor } from './floor';

const { values } = parseArgs({
  options: { subscribers: { type: 'string', default: '5000' }, mode: { type: 'string', default: 'timed' } },
});
const subscribers = Number(values.subscribers);
const counted = values.mode === 'counted';

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

// The emulated account's rate is set above anything this machine sends (the local default is 1,000/s):
// the floor keeps no rate, so neither may the pipeline it is measured against. The senders still pace.
const ses = await startSesLocal(0, { maxSendRate: 1_000_000 });
const floor = counted ? undefined : await measureFloor(subscribers, ses.endpoint);
await fetch(`${ses.endpoint}/clear-store`, { method: 'POST' });

const dynamo = await startDynamoDbLocal(await freePort());
const proxies = counted
  ? { dynamo: await startFaultProxy(dynamo.endpoint), ses: await startFaultProxy(ses.endpoint) }
  : undefined;
const stack = await startLocalStack({
  apiPort: 0,
  dynamodb: { endpoint: proxies?.dynamo.url ?? dynamo.endpoint },
  ses: { endpoint: proxies?.ses.url ?? ses.endpoint },
});
try {
  await importFixtureCatalog(stack.apiUrl);
  // Seeded straight into the table, not through the proxy: only the pipeline's own requests are counted.
  const db = seedingClient(dynamo.endpoint);
  const followers = await seedFollowers(db, stack.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: US_CHAT,
    count: subscribers,
    label: 'us',
  });
  const elsewhere = await seedFollowers(db, stack.tables.subscribers, {
    pageId: PAGE_ID,
    componentId: EU_CHAT,
    count: Math.floor(subscribers / 5),
    label: 'eu',
  });
  await stack.waitForIdle(120_000);

  const counts = noCounts();
  if (proxies) {
    countDynamo(proxies.dynamo, counts);
    countSes(proxies.ses, counts);
  }
  const batchesBefore = Object.values(stack.pollers).reduce((sum, poller) => sum + poller.invocations, 0);

  await postSeedUpdate(stack.apiUrl);
  const acknowledged = performance.now();
  const deadline = Date.now() + 30 * 60_000;
  while (emulatedMail().length < subscribers && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const seconds = (performance.now() - acknowledged) / 1000;
  await stack.waitForIdle(10 * 60_000);

  const wanted = new Set(followers.map((follower) => follower.email));
  const perRecipient = new Map<string, number>();
  let unexpected = 0;
  for (const mail of emulatedMail()) {
    const to = mail.destination.to[0] ?? '';
    if (wanted.has(to)) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    else unexpected++;
  }
  const sent = [...perRecipient.values()].reduce((sum, n) => sum + n, 0);
  const streamBatches =
    Object.values(stack.pollers).reduce((sum, poller) => sum + poller.invocations, 0) - batchesBefore;
  const perMail = (n: number) => Number((n / subscribers).toFixed(4));
  const outcome = {
    subscribers,
    otherRegion: elsewhere.length,
    missing: subscribers - perRecipient.size,
    duplicates: sent - perRecipient.size,
    unexpected,
    streamBatches,
    handlerInvocations: streamBatches + 1,
  };
  console.log(
    JSON.stringify(
      counted
        ? {
            ...outcome,
            dynamoCallsPerEmail: perMail(counts.dynamoRequests),
            wcuPerEmail: perMail(counts.wcu),
            rcuPerEmail: perMail(counts.rcu),
            sesCallsPerEmail: perMail(counts.sesCalls),
            dynamoRequestsByOperation: counts.byOperation,
          }
        : {
            ...outcome,
            seconds: Number(seconds.toFixed(2)),
            emailsPerSecond: Math.round(subscribers / seconds),
            floorSeconds: Number(floor?.seconds.toFixed(2)),
            floor,
            ratioToFloor: Number((seconds / (floor?.seconds ?? Number.NaN)).toFixed(2)),
            peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20),
          },
    ),
  );
} finally {
  clearInterval(sampler);
  await stack.stop();
  await proxies?.dynamo.stop();
  await proxies?.ses.stop();
  await dynamo.stop();
  await ses.stop();
}
