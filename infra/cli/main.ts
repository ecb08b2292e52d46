import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { AdminApi, AdminApiError } from '../../shared/adapters/admin-api';
import { importDocument } from '../../shared/domain/catalog-import';
import { csvChunks } from '../../shared/domain/csv';
import type { Delivery } from '../../shared/domain/delivery';
import type { Subscriber } from '../../shared/domain/subscriber';
import { emptyReport, withPart } from '../../shared/usecases/console-import';
import type { FunctionName } from '../functions';
import { redriveQueue } from './aws-redrive';
import { describeOutcome, exitCode, STREAM_FUNCTIONS, summarize } from './redrive';

/** An error meant for the person at the terminal: printed as one line, exit code 1. */
class CliError extends Error {}

const ApiKey = z.object({
  keyId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  revokedAt: z.string().optional(),
});

const USAGE = `status-notifier: the support team's CLI for the status notifier's admin API

Usage: status-notifier <command> [options]

  subscribers search [--email TERM] [--status S] [--page ID] [--region ID] [--component ID] [--host HOST]
                                        TERM: an address, a domain (@example.com), the start of an
                                        address (ali), or *part for a part anywhere (slower);
                                        HOST: a webhook's host, the subscribers of its endpoints
  subscribers add EMAIL --page ID [--region ID] [--component ID] [--confirmed] [--level all|lifecycle|major]
  subscribers remove ID                 erase a subscriber (delivery history keeps no address)
  subscribers import FILE.csv [--dry-run] [--chunk ROWS]
  subscribers reindex                   once after upgrading: file older subscribers into the search index
  subscribers export [--out FILE]       CSV of every subscriber and topic (stdout by default)
  pages import PAGE_ID FILE.json [--sections FILE.json] [--name NAME]
                                        replace a page's regions and components with the list its
                                        vendor's API gives: Statuspage's components.json, Instatus's
                                        components, or Better Stack's resources (with --sections, its
                                        sections); --name names the page (vendor lists do not)
  suppressions list | add EMAIL [--reason TEXT] | remove EMAIL
  keys list | create NAME [--scopes read,write] | revoke KEY_ID
  deliveries SUBSCRIBER_ID              did they get it, when, with which SES id, or why not
  backlog [--queue URL]                 updates still being sent, the longest idle first, with their pending
                                        recipients; with --queue (an on-failure queue URL, repeatable), how
                                        many set-aside batches wait in it
  redrive [--local]                     replay the local stack's set-aside batches (.local/failed-batches.jsonl)
  redrive --queue URL [--function NAME|ARN] [--source fanout|sender|endpoints] [--dry-run] [--max N]
                                        replay the stream batches in an on-failure queue of a deployed stack:
                                        the outputs FanoutFailuresQueueUrl and SenderFailuresQueueUrl of
                                        StatusNotifierCompute; AWS credentials and region from the environment.
                                        A message is deleted only once its batch went through; batches older
                                        than the stream keeps (24 h) are reported and kept

Options:
  --api-url URL   the API (env STATUS_NOTIFIER_API_URL, default http://127.0.0.1:3000)
  --key KEY       an admin API key (env STATUS_NOTIFIER_API_KEY)
  --json          machine-readable output
  --help

Exit codes: 0 done, 1 failed, 2 finished with rejected rows (import) or batches left in the queue (redrive).`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'api-url': { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    email: { type: 'string' },
    status: { type: 'string' },
    page: { type: 'string' },
    region: { type: 'string' },
    component: { type: 'string' },
    host: { type: 'string' },
    confirmed: { type: 'boolean', default: false },
    level: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    chunk: { type: 'string', default: '1000' },
    out: { type: 'string' },
    reason: { type: 'string' },
    sections: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string', default: 'read' },
    local: { type: 'boolean', default: false },
    queue: { type: 'string', multiple: true },
    function: { type: 'string' },
    source: { type: 'string' },
    max: { type: 'string', default: '100' },
  },
});

const print = (human: string, data: unknown) =>
  console.log(values.json ? JSON.stringify(data, null, 2) : human);

async function main(): Promise<number> {
  const [group, command, argument] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const apiUrl = (
    values['api-url'] ??
    process.env.STATUS_NOTIFIER_API_URL ??
    'http://127.0.0.1:3000'
  ).replace(/\/+$/, '');
  // Redrive talks to the local stack or to SQS, Streams and Lambda, not to the admin API: no key needed.
  if (group === 'redrive') {
    const [queue, ...more] = values.queue ?? [];
    if (more.length > 0) throw new CliError('redrive takes one --queue at a time');
    return queue ? redriveAws(queue) : redriveLocal(apiUrl);
  }
  const key = values.key ?? process.env.STATUS_NOTIFIER_API_KEY;
  if (!key) throw new CliError('no API key: pass --key or set STATUS_NOTIFIER_API_KEY');
  const api = new AdminApi(apiUrl, key);
  const need = (what: string) => {
    if (!argument) throw new CliError(`missing ${what}: see --help`);
    return argument;
  };

  switch (`${group} ${command ?? ''}`.trim()) {
    case 'subscribers search':
      return searchSubscribers(api);
    case 'subscribers add': {
      const topic = { pageId: values.page, groupId: values.region, componentId: values.component };
      if (!topic.pageId) throw new CliError('missing --page');
      const created = await api.createSubscriber({
        email: need('EMAIL'),
        topics: [topic as { pageId: string }],
        confirmed: values.confirmed,
        level: values.level ?? 'all',
      });
      print(`added ${created.email} (${created.id}), ${created.status}`, created);
      return 0;
    }
    case 'subscribers remove': {
      const erased = await api.eraseSubscriber(need('ID'));
      print(
        `erased ${erased.id}; ${erased.deliveriesAnonymized} deliveries kept without the address`,
        erased,
      );
      return 0;
    }
    case 'subscribers import':
      return importFile(api, need('FILE'));
    case 'subscribers export':
      return exportAll(api);
    case 'subscribers reindex': {
      // Once after upgrading: subscribers stored before the address index are filed into it.
      let totals = { scanned: 0, reindexed: 0 };
      let cursor: string | undefined;
      do {
        const page = await api.reindexSubscribers(cursor);
        totals = { scanned: totals.scanned + page.scanned, reindexed: totals.reindexed + page.reindexed };
        cursor = page.cursor;
      } while (cursor);
      print(`${totals.reindexed} subscriber(s) filed into the search index`, totals);
      return 0;
    }
    case 'pages import':
      return importPage(api, need('PAGE_ID'), positionals[3]);
    case 'suppressions list': {
      const items = await collect((cursor) => api.suppressions(cursor, 1000));
      print(
        items.map((s) => `${s.email}\t${s.reason}\t${s.createdAt}\t${s.source}`).join('\n') || '(none)',
        items,
      );
      return 0;
    }
    case 'suppressions add': {
      const added = await api.suppress(need('EMAIL'), values.reason);
      print(`suppressed ${added.email}`, added);
      return 0;
    }
    case 'suppressions remove': {
      const removed = await api.liftSuppression(need('EMAIL'));
      print(`no longer suppressed: ${removed.email}`, removed);
      return 0;
    }
    case 'keys list': {
      const { items } = await api.json('GET', '/v1/admin/keys', z.object({ items: z.array(ApiKey) }));
      print(
        items
          .map(
            (k) =>
              `${k.keyId}\t${k.name}\t${k.scopes.join(',')}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}`,
          )
          .join('\n') || '(none)',
        items,
      );
      return 0;
    }
    case 'keys create': {
      const created = await api.json('POST', '/v1/admin/keys', ApiKey.extend({ key: z.string() }), {
        name: need('NAME'),
        scopes: values.scopes.split(','),
      });
      print(
        `${created.key}\n(key ${created.keyId}, scopes ${created.scopes.join(',')}: shown once, store it now)`,
        created,
      );
      return 0;
    }
    case 'keys revoke': {
      const revoked = await api.json(
        'DELETE',
        `/v1/admin/keys/${encodeURIComponent(need('KEY_ID'))}`,
        z.object({ keyId: z.string() }),
      );
      print(`revoked ${revoked.keyId}`, revoked);
      return 0;
    }
    case 'deliveries': {
      const id = command;
      if (!id) throw new CliError('missing SUBSCRIBER_ID: see --help');
      const items: Delivery[] = await collect((cursor) => api.deliveries(id, cursor, 1000));
      print(
        items
          .map(
            (d) =>
              `${d.incidentId}\t${d.updateId}\t${d.status}\t${d.sentAt ?? ''}\t${d.messageId ?? d.error ?? ''}`,
          )
          .join('\n') || '(no deliveries)',
        items,
      );
      return 0;
    }
    case 'backlog':
      return showBacklog(api, values.queue ?? []);
    default:
      throw new CliError(`unknown command "${positionals.join(' ')}": see --help`);
  }
}

/** Pending recipients by update, and what waits in the on-failure queues named. */
async function showBacklog(api: AdminApi, queueUrls: string[]): Promise<number> {
  const { pending, updates } = await api.backlog();
  const queues = await Promise.all(queueUrls.map(async (url) => ({ url, ...(await queueDepth(url)) })));
  const lines = [
    `${pending} recipient(s) pending in ${updates.length} update(s) not yet settled`,
    ...updates.map(
      (u) =>
        `${u.incidentId}\t${u.updateId}\tpending ${u.pending} of ${u.matched}\tsent ${u.sent}\tfailed ${u.failed}\tskipped ${u.skipped}\tidle ${u.idleMinutes} min`,
    ),
    ...queues.map((q) => `${q.url}\t${q.visible} waiting, ${q.inFlight} being read`),
  ];
  print(lines.join('\n'), { pending, updates, queues });
  return 0;
}

async function queueDepth(queueUrl: string) {
  const sqs = new SQSClient({});
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } finally {
    sqs.destroy();
  }
}

async function searchSubscribers(api: AdminApi): Promise<number> {
  const query = {
    email: values.email,
    status: values.status as Subscriber['status'] | undefined,
    pageId: values.page,
    groupId: values.region,
    componentId: values.component,
    host: values.host,
    limit: 100,
  };
  const items = await collect((cursor) => api.searchSubscribers({ ...query, cursor }));
  const topics = (s: Subscriber) => s.topics.map((t) => t.componentId ?? t.groupId ?? t.pageId).join(' ');
  // A webhook's row: its owner's address, then where its updates go (the URL masked).
  const where = (s: Subscriber) => (s.channel ? `\twebhook ${s.channel.endpoint}` : '');
  print(
    items.map((s) => `${s.id}\t${s.email}\t${s.status}\t${s.level}\t${topics(s)}${where(s)}`).join('\n') ||
      '(no match)',
    items,
  );
  return 0;
}

/** Follows `cursor` until the last page. */
async function collect<T>(page: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.cursor;
  } while (cursor);
  return items;
}

const VENDOR_NAMES = {
  statuspage: 'a Statuspage list',
  instatus: 'an Instatus list',
  betterstack: 'a Better Stack list',
};

/** A page's component list as its vendor's API gave it, with Better Stack's sections and a name beside. */
async function importPage(api: AdminApi, pageId: string, file: string | undefined): Promise<number> {
  if (!file) throw new CliError('missing FILE: see --help');
  const document = importDocument(await readJson(file), {
    ...(values.sections ? { sections: await readJson(values.sections) } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  const imported = await api.importComponents(pageId, document);
  print(
    `page ${pageId}: ${imported.regions} region(s) and ${imported.components} component(s) from ${VENDOR_NAMES[imported.vendor]}`,
    imported,
  );
  return 0;
}

async function readJson(file: string): Promise<object> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Sends the file in chunks (each a CSV with the header), so any size fits the API's per-request limit.
 * Errors name the line of the original file.
 */
async function importFile(api: AdminApi, file: string): Promise<number> {
  const { header, chunks } = csvChunks(await readFile(file, 'utf8'), Number(values.chunk) || 1000);
  if (!header) throw new CliError(`${file} is empty`);
  const total = chunks.reduce((n, chunk) => n + chunk.rows, 0);
  let totals = emptyReport(values['dry-run']);
  let done = 0;
  for (const chunk of chunks) {
    totals = withPart(totals, await api.importCsv(chunk.csv, values['dry-run']), chunk);
    done += chunk.rows;
    progress(done, total);
  }
  if (values.json) {
    console.log(JSON.stringify(totals, null, 2));
  } else {
    for (const rejected of totals.rejected) console.log(`line ${rejected.line}: ${rejected.error}`);
    const mode = values['dry-run'] ? ' (dry run: nothing written)' : '';
    console.log(
      `${totals.imported} imported, ${totals.updated} updated, ${totals.unchanged} unchanged, ${totals.rejected.length} rejected${mode}`,
    );
  }
  return totals.rejected.length > 0 ? 2 : 0;
}

async function exportAll(api: AdminApi): Promise<number> {
  let cursor: string | undefined;
  let csv = '';
  do {
    const page = await api.exportPage(cursor, 1000);
    if (values.out) csv += page.csv;
    else process.stdout.write(page.csv);
    cursor = page.cursor;
  } while (cursor);
  if (values.out) await writeFile(values.out, csv);
  return 0;
}

const LocalRedrive = z.object({ replayed: z.number(), stillFailing: z.number() });

/** Asks the running local stack to replay its set-aside batches, so the handlers run with its environment. */
async function redriveLocal(apiUrl: string): Promise<number> {
  if (!values.local && !isLoopback(apiUrl)) {
    throw new CliError(
      `${apiUrl} is not the local stack: pass --queue with an on-failure queue URL (stack outputs FanoutFailuresQueueUrl, SenderFailuresQueueUrl), or --local`,
    );
  }
  const response = await fetch(`${apiUrl}/_local/redrive`, { method: 'POST' }).catch(() => {
    throw new CliError(`no local stack answers at ${apiUrl}: start it with npm start (or pass --api-url)`);
  });
  if (!response.ok) {
    throw new CliError(`POST ${apiUrl}/_local/redrive failed (${response.status}): is this the local stack?`);
  }
  const result = LocalRedrive.parse(await response.json());
  print(
    `${result.replayed} batch(es) replayed, ${result.stillFailing} still failing${
      result.stillFailing > 0 ? ' (kept in the failure log, .local/failed-batches.jsonl)' : ''
    }`,
    result,
  );
  return result.stillFailing > 0 ? 2 : 0;
}

/** Replays an on-failure queue of a deployed stack; the region is the queue's unless AWS_REGION says. */
async function redriveAws(queueUrl: string): Promise<number> {
  const source = values.source as FunctionName | undefined;
  if (source && !STREAM_FUNCTIONS.includes(source)) {
    throw new CliError(`--source must be one of ${STREAM_FUNCTIONS.join(', ')}`);
  }
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new CliError('--max must be a positive whole number');
  const region = process.env.AWS_REGION ?? /^https:\/\/sqs\.([a-z0-9-]+)\./.exec(queueUrl)?.[1];
  const config = region ? { region } : {};
  const outcomes = await redriveQueue(
    {
      sqs: new SQSClient(config),
      streams: new DynamoDBStreamsClient(config),
      lambda: new LambdaClient(config),
    },
    {
      queueUrl,
      dryRun: values['dry-run'],
      maxMessages: max,
      ...(values.function ? { functionName: values.function } : {}),
      ...(source ? { source } : {}),
    },
    (outcome) => {
      if (!values.json) console.log(describeOutcome(outcome));
    },
  );
  print(summarize(outcomes, values['dry-run']), outcomes);
  return exitCode(outcomes);
}

function isLoopback(url: string): boolean {
  return /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);
}

function progress(done: number, total: number) {
  if (!process.stderr.isTTY || values.json) return;
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} rows`);
  if (done === total) process.stderr.write('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof CliError
        ? error.message
        : error instanceof AdminApiError
          ? error.summary
          : `status-notifier failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
