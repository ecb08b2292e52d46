/**
 * `npm run bench [-- --subscribers N[,N...]] [-- --skip webhooks,latency,feeds,bundles,support]`: the project's
 * benchmark. Each rung of the ladder (default 1,000, 5,000, 20,000, 50,000) runs the real path twice in
 * fresh processes on fresh local services (test/bench/pipeline.ts): timed, beside its floor, and counted
 * through proxies that would slow the timed run down; then the webhook rung (test/bench/webhooks.ts:
 * 10,000 webhook subscribers, healthy and with faulty endpoints among them), webhook latency, feed
 * latency (test/bench/feeds.ts: a page with 1,000 incidents), the function bundles and support-side scale. Writes bench/results.json and docs/bench.svg, prints a table.
 * Figures to compare commits on one machine: these machines are shared and noisy, nothing here is a test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lineChart } from './chart';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000,5000,20000,50000' },
    skip: { type: 'string', default: '' },
  },
});
const ladder = values.subscribers.split(',').map(Number);
const skip = new Set(values.skip.split(',').filter(Boolean));

/** Runs a bench script in a fresh Node process and returns the JSON line it prints last. */
function child(script: string, args: string[] = []): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/bench', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    run.stdout.on('data', (chunk) => {
      output += chunk;
    });
    run.on('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

const runs: Array<Record<string, any>> = [];
for (const subscribers of ladder) {
  console.error(`pipeline and floor at ${subscribers.toLocaleString('en-US')} subscribers...`);
  const timed = await child('pipeline.ts', ['--subscribers', String(subscribers), '--mode', 'timed']);
  const counted = await child('pipeline.ts', ['--subscribers', String(subscribers), '--mode', 'counted']);
  // Both runs must deliver every mail once; the counts come from the counted one, the times from the other.
  runs.push({
    ...counted,
    ...timed,
    missing: Math.max(timed.missing, counted.missing),
    duplicates: Math.max(timed.duplicates, counted.duplicates),
    unexpected: Math.max(timed.unexpected, counted.unexpected),
  });
}
const webhooks = skip.has('webhooks') ? undefined : await webhookRung(10_000);
const ingest = skip.has('latency') ? undefined : await child('latency.ts');
const feeds = skip.has('feeds') ? undefined : await child('feeds.ts');
const bundles = skip.has('bundles') ? undefined : await optional('bundles.ts', 'measureBundles');
const support = skip.has('support') ? undefined : await optional('support.ts', 'measureSupport');

const results = {
  measuredAt: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, Node ${process.version}`,
  runs: runs.map(({ dynamoRequestsByOperation: _, floor: __, ...run }) => run),
  webhooks,
  ingest,
  feeds,
  bundles,
  support,
};
await mkdir(join(ROOT, 'bench'), { recursive: true });
await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(
  join(ROOT, 'docs/bench.svg'),
  lineChart('One webhook to N followers: last mail in the inbox', [
    { name: 'pipeline', colour: '#1d4ed8', points: runs.map((r) => ({ x: r.subscribers, y: r.seconds })) },
    { name: 'floor', colour: '#9ca3af', points: runs.map((r) => ({ x: r.subscribers, y: r.floorSeconds })) },
  ]),
);

console.table(
  runs.map((r) => ({
    subscribers: r.subscribers,
    seconds: r.seconds,
    'floor s': r.floorSeconds,
    ratio: r.ratioToFloor,
    'mails/s': r.emailsPerSecond,
    'ddb req/mail': r.dynamoCallsPerEmail,
    'wcu/mail': r.wcuPerEmail,
    'rcu/mail': r.rcuPerEmail,
    'ses/mail': r.sesCallsPerEmail,
    batches: r.streamBatches,
    missing: r.missing,
    duplicates: r.duplicates,
    'peak MiB': r.peakRssMb,
  })),
);
for (const r of runs)
  console.log(`${r.subscribers}: DynamoDB requests ${JSON.stringify(r.dynamoRequestsByOperation)}`);
if (webhooks) {
  const { healthy, faulty } = webhooks;
  console.log(
    `${healthy.endpoints} webhooks: last POST ${healthy.seconds} s, floor ${healthy.floorSeconds} s (ratio ${healthy.ratioToFloor}; with the one record per delivery ${healthy.floorWithRecordsSeconds} s, ratio ${healthy.ratioToFloorWithRecords}); ${healthy.dynamoCallsPerWebhook} DynamoDB requests, ${healthy.wcuPerWebhook} WCU, ${healthy.rcuPerWebhook} RCU per webhook`,
  );
  console.log(
    `with ${faulty.faults.hanging} hanging and ${faulty.faults.answering500} answering 500: healthy p99 ${faulty.p99Seconds} s against ${healthy.p99Seconds} s (${webhooks.faultyP99Ratio}x); missing ${healthy.missing + faulty.missing}, repeats with another id ${healthy.repeatsWithAnotherId + faulty.repeatsWithAnotherId}`,
  );
}
if (ingest)
  console.log(
    `webhook ack p50/p99 ${ingest.p50Ms}/${ingest.p99Ms} ms (PutItem ${ingest.putItemP50Ms}/${ingest.putItemP99Ms} ms); webhook to first mail ${ingest.firstMailMs} ms`,
  );
if (feeds) {
  console.log(`feeds of a page with ${feeds.incidents} incidents, ${feeds.reads} GETs each:`);
  console.table(feeds.feeds);
}
if (bundles) console.table(bundles);
if (support) console.log(`support: ${JSON.stringify(support)}`);
console.log('wrote bench/results.json and docs/bench.svg');

/**
 * The webhook rung: all endpoints healthy (timed beside its floor, then counted), then a tenth hanging and
 * a tenth answering 500, each in a fresh process on fresh services.
 */
async function webhookRung(endpoints: number) {
  console.error(`webhooks at ${endpoints.toLocaleString('en-US')} endpoints...`);
  const args = ['--endpoints', String(endpoints)];
  const timed = await child('webhooks.ts', [...args, '--faults', 'none']);
  const counted = await child('webhooks.ts', [...args, '--faults', 'none', '--mode', 'counted']);
  const faulty = await child('webhooks.ts', [...args, '--faults', 'some']);
  const healthy: Record<string, any> = {
    ...timed,
    dynamoCallsPerWebhook: counted.dynamoCallsPerWebhook,
    wcuPerWebhook: counted.wcuPerWebhook,
    rcuPerWebhook: counted.rcuPerWebhook,
    dynamoRequestsByOperation: counted.dynamoRequestsByOperation,
    missing: Math.max(timed.missing, counted.missing),
    repeatsWithAnotherId: Math.max(timed.repeatsWithAnotherId, counted.repeatsWithAnotherId),
  };
  return { healthy, faulty, faultyP99Ratio: Number((faulty.p99Seconds / timed.p99Seconds).toFixed(2)) };
}

/** A measurement another module provides, when it is there. */
async function optional(file: string, name: string): Promise<unknown> {
  const path = join(ROOT, 'test/bench', file);
  if (!existsSync(path)) return undefined;
  const module = (await import(path)) as Record<string, (() => Promise<unknown>) | undefined>;
  return module[name]?.();
}
