import { randomUUID } from 'node:crypto';
import type { ImportReport } from '../domain/admin-views';
import type { PageCatalog } from '../domain/catalog';
import { csvField, csvValue, parseCsv } from '../domain/csv';
import { newNonce } from '../domain/link-tokens';
import { normalizeEmail, type SubscriberRecord } from '../domain/subscriber';
import { resolveTopic, type Topic } from '../domain/topics';
import * as z from '../domain/zod';
import { AppError } from '../errors';
import { log, loggableError } from '../log';
import type { Catalog, Clock, Subscribers } from '../ports';

export interface ImportDeps {
  subscribers: Subscribers;
  catalog: Catalog;
  clock: Clock;
}

/** One request imports at most this many rows: the CLI sends bigger files in chunks (API Gateway allows 30 s). */
export const MAX_IMPORT_ROWS = 5000;
const CONCURRENCY = 8;

const EmailField = z.email().check(z.maxLength(254));

type ImportStatus = 'confirmed' | 'unsubscribed' | 'pending';
interface Wanted {
  topics: Map<string, Topic>;
  status?: ImportStatus;
  firstLine: number;
}

/** A subscriber has at most this many topics: every write of one stays one DynamoDB transaction. */
export const MAX_TOPICS = 40;

/**
 * CSV import. Columns are found by the header: `email` and `page` are required, `region`, `component`
 * and `status` optional, others (an export's `id`, `level`) ignored, so an export re-imports as is.
 * Ids or names; an empty region or component means all of it; one row per topic; rows of one address
 * merge. Re-running a file changes nothing: topics are added, never duplicated. `status` may be
 * `confirmed` (the default) or `unsubscribed` (a known opt-out); `pending` leaves a known subscriber as
 * it is. An unsubscribed person is never re-subscribed by an import, only by their own confirmation.
 * `dryRun` validates and counts only.
 */
export async function importSubscribers(deps: ImportDeps, csv: string, options: { dryRun: boolean }) {
  const rows = parseCsv(csv);
  const header = rows.next();
  const names = header.done ? [] : header.value.fields.map((f) => f.trim().toLowerCase());
  const column = (name: string) => names.indexOf(name);
  if (column('email') < 0 || column('page') < 0) {
    throw new AppError(
      'VALIDATION',
      'the first line must be a header with email and page (and region, component, status)',
      [{ path: 'line 1', message: `got ${names.join(',') || 'nothing'}` }],
    );
  }
  const pick = (fields: string[]) =>
    ['email', 'page', 'region', 'component', 'status'].map((name) => csvValue(fields[column(name)] ?? ''));
  const catalog = await catalogIndex(deps.catalog);
  const report: ImportReport = {
    imported: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    dryRun: options.dryRun,
  };
  const wanted = new Map<string, Wanted>();
  let count = 0;
  for (const { line, fields } of rows) {
    if (++count > MAX_IMPORT_ROWS) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `at most ${MAX_IMPORT_ROWS} rows per request: send the file in parts`,
      );
    }
    // A webhook's or a chat channel's URL is a credential and not exported: its rows cannot bring it back.
    const channel = column('channel') >= 0 ? csvValue(fields[column('channel')] ?? '').toLowerCase() : '';
    if (channel && channel !== 'email') {
      report.rejected.push({ line, error: WEBHOOK_ROW });
      continue;
    }
    const parsed = parseRow(pick(fields), catalog);
    if ('error' in parsed) {
      report.rejected.push({ line, error: parsed.error });
      continue;
    }
    const entry: Wanted = wanted.get(parsed.email) ?? { topics: new Map(), firstLine: line };
    if (!entry.topics.has(parsed.topic.key) && entry.topics.size >= MAX_TOPICS) {
      report.rejected.push({ line, error: `more than ${MAX_TOPICS} topics for one address` });
      continue;
    }
    entry.topics.set(parsed.topic.key, parsed.topic);
    if (parsed.status) entry.status = parsed.status;
    wanted.set(parsed.email, entry);
  }

  // The addresses known already, read together: a request per 100 rows, not one per row.
  const known = await deps.subscribers.findManyByEmail([...wanted.keys()]);
  const now = deps.clock.now().toISOString();
  const creates: Array<{ record: SubscriberRecord; line: number }> = [];
  const saves: Array<{ record: SubscriberRecord; previous: SubscriberRecord; line: number }> = [];
  for (const [email, entry] of wanted) {
    const change = plan(email, entry, known.get(email), now);
    if ('error' in change) report.rejected.push({ line: entry.firstLine, error: change.error });
    else if (change.kind === 'unchanged') report.unchanged++;
    else if (change.kind === 'create') creates.push({ record: change.record, line: entry.firstLine });
    else saves.push({ record: change.record, previous: change.previous, line: entry.firstLine });
  }
  // One address failing (taken or changed concurrently) does not stop the others.
  const failed = (line: number, error: unknown) => {
    if (!(error instanceof AppError)) log.error('import write failed', { error: loggableError(error) });
    const message = error instanceof AppError ? error.message : 'could not be written; retry the import';
    report.rejected.push({ line, error: message });
  };
  const failures = options.dryRun
    ? new Map<string, unknown>()
    : await deps.subscribers.createMany(creates.map((c) => c.record));
  for (const { record, line } of creates) {
    if (failures.has(record.id)) failed(line, failures.get(record.id));
    else report.imported++;
  }
  let next = 0;
  const worker = async () => {
    while (next < saves.length) {
      const { record, previous, line } = saves[next++] as (typeof saves)[number];
      try {
        if (!options.dryRun) await deps.subscribers.save(record, previous);
        report.updated++;
      } catch (error) {
        failed(line, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, saves.length) }, worker));
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

type Change =
  | { kind: 'create'; record: SubscriberRecord }
  | { kind: 'save'; record: SubscriberRecord; previous: SubscriberRecord }
  | { kind: 'unchanged' }
  | { error: string };

/** What importing one address's rows does to what is stored for it. */
function plan(email: string, entry: Wanted, existing: SubscriberRecord | undefined, now: string): Change {
  if (!existing) {
    if (entry.status === 'pending') {
      return { error: `${email} is pending: a new subscriber is imported confirmed or unsubscribed` };
    }
    const status = entry.status ?? 'confirmed';
    const record: SubscriberRecord = {
      id: randomUUID(),
      email,
      status,
      level: 'all',
      topics: [...entry.topics.values()],
      createdAt: now,
      ...(status === 'confirmed' ? { confirmedAt: now } : {}),
      linkNonce: newNonce(),
      version: 0,
    };
    return { kind: 'create', record };
  }
  const known = new Set(existing.topics.map((t) => t.key));
  const added = [...entry.topics.values()].filter((t) => !known.has(t.key));
  if (existing.topics.length + added.length > MAX_TOPICS) {
    return { error: `${email} would follow more than ${MAX_TOPICS} topics` };
  }
  if (existing.status === 'unsubscribed' && entry.status === 'confirmed') {
    return { error: `${email} unsubscribed: only their own confirmation subscribes them again` };
  }
  // A pending subscriber stays pending: only the person confirms. `unsubscribed` always applies.
  const status = entry.status === 'unsubscribed' ? 'unsubscribed' : existing.status;
  if (added.length === 0 && status === existing.status) return { kind: 'unchanged' };
  return {
    kind: 'save',
    record: { ...existing, topics: [...existing.topics, ...added], status },
    previous: existing,
  };
}

interface CatalogIndex {
  pages: Map<string, PageCatalog & { pageId: string }>;
}

async function catalogIndex(catalog: Catalog): Promise<CatalogIndex> {
  const pages = new Map<string, PageCatalog & { pageId: string }>();
  for (const page of await catalog.listPages()) {
    const pageId = page.page?.pageId ?? page.components[0]?.pageId ?? page.groups[0]?.pageId;
    if (!pageId) continue;
    const entry = { ...page, pageId };
    pages.set(pageId, entry);
    if (page.page?.name) pages.set(page.page.name.toLowerCase(), entry);
  }
  return { pages };
}

type ParsedRow = { email: string; topic: Topic; status?: ImportStatus } | { error: string };

function parseRow(fields: string[], index: CatalogIndex): ParsedRow {
  const [rawEmail = '', pageRef = '', regionRef = '', componentRef = '', rawStatus = ''] = fields.map((f) =>
    f.trim(),
  );
  const email = normalizeEmail(rawEmail);
  if (!EmailField.safeParse(email).success)
    return { error: `not an email address: ${JSON.stringify(rawEmail)}` };
  const page = index.pages.get(pageRef) ?? index.pages.get(pageRef.toLowerCase());
  if (!page) return { error: `unknown page ${JSON.stringify(pageRef)}` };
  const byName = <T extends { name: string }>(items: readonly T[], ref: string) =>
    items.filter((item) => item.name.toLowerCase() === ref.toLowerCase());

  let groupId: string | undefined;
  if (regionRef) {
    const group = page.groups.find((g) => g.groupId === regionRef) ?? byName(page.groups, regionRef)[0];
    if (!group)
      return { error: `unknown region ${JSON.stringify(regionRef)} on ${page.page?.name ?? page.pageId}` };
    groupId = group.groupId;
  }
  let componentId: string | undefined;
  if (componentRef) {
    const candidates = page.components.filter((c) => !groupId || c.groupId === groupId);
    const byId = candidates.find((c) => c.componentId === componentRef);
    const named = byName(candidates, componentRef);
    if (!byId && named.length > 1)
      return { error: `component ${JSON.stringify(componentRef)} is in several regions: give the region` };
    const component = byId ?? named[0];
    if (!component)
      return {
        error: `unknown component ${JSON.stringify(componentRef)}${regionRef ? ` in ${regionRef}` : ''}`,
      };
    componentId = component.componentId;
  }
  let status: ImportStatus | undefined;
  if (rawStatus) {
    const parsed = z.enum(['confirmed', 'unsubscribed', 'pending']).safeParse(rawStatus.toLowerCase());
    if (!parsed.success) {
      return {
        error: `status must be confirmed, unsubscribed or pending, not ${JSON.stringify(rawStatus)}`,
      };
    }
    status = parsed.data;
  }
  const resolution = resolveTopic(
    { pageId: page.pageId, ...(groupId ? { groupId } : {}), ...(componentId ? { componentId } : {}) },
    page,
  );
  if (!resolution.ok) return { error: resolution.problem };
  return { email, topic: resolution.topic, ...(status ? { status } : {}) };
}

export const EXPORT_HEADER = 'id,email,status,level,page,region,component,channel';
const WEBHOOK_ROW =
  'a webhook is not imported from a file (its URL is not exported): add it again with its URL through the admin API';

/** One page of the CSV export: a row per topic (ids, so the file re-imports), a cursor to the next page. */
export async function exportSubscribers(deps: ImportDeps, cursor: string | undefined, limit: number) {
  const page = await deps.subscribers.search({}, cursor, limit);
  const rows = page.items.flatMap((s) =>
    s.topics.map((t) =>
      // A webhook's row names its owner's address and `webhook`; its URL, a credential, is not exported.
      [
        s.id,
        s.email,
        s.status,
        s.level,
        t.pageId,
        t.groupId ?? '',
        t.componentId ?? '',
        s.channel?.type ?? 'email',
      ]
        .map(csvField)
        .join(','),
    ),
  );
  return {
    csv: `${cursor ? '' : `${EXPORT_HEADER}\n`}${rows.map((r) => `${r}\n`).join('')}`,
    cursor: page.cursor,
  };
}
