import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { faultScenario } from '../support/fault-stack';
import { startTestStack } from '../support/stack';

// The support CLI as a person runs it: a separate process against the API of a running stack.
let stack: LocalStack;
const dir = mkdtempSync(join(tmpdir(), 'cli-'));

beforeAll(async () => {
  stack = await startTestStack('cli');
});
afterAll(async () => {
  await stack?.stop();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['infra/cli/status-notifier.mjs', ...args], {
      env: {
        ...process.env,
        STATUS_NOTIFIER_API_URL: stack.apiUrl,
        STATUS_NOTIFIER_API_KEY: LOCAL_DEFAULTS.ADMIN_API_KEY,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('status-notifier CLI', () => {
  it('imports a file in chunks, naming bad rows by their line in the file, and exports it back', async () => {
    const marker = `cli${randomUUID().slice(0, 6)}`;
    const file = join(dir, 'subscribers.csv');
    writeFileSync(
      file,
      [
        'email,page,region,component',
        `${marker}-1@example.com,Kustomer,Prod1 (US),Channel - Chat`,
        `${marker}-2@example.com,Kustomer,Prod1 (US),`,
        `${marker}-3@example.com,Kustomer,Prod1 (US),No Such Component`,
        `${marker}-4@example.com,Kustomer,,`,
        'broken,Kustomer,,',
      ].join('\n'),
    );
    const run = await cli('subscribers', 'import', file, '--chunk', '2');
    expect(run.code).toBe(2); // some rows were rejected
    expect(run.stdout.trim().split('\n')).toEqual([
      'line 4: unknown component "No Such Component" in Prod1 (US)',
      'line 6: not an email address: "broken"',
      '3 imported, 0 updated, 0 unchanged, 2 rejected',
    ]);
    const again = await cli('subscribers', 'import', file, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, unchanged: 3 });

    const found = await cli('subscribers', 'search', '--email', marker, '--component', US_CHAT, '--json');
    expect(JSON.parse(found.stdout).map((s: { email: string }) => s.email)).toEqual([
      `${marker}-1@example.com`,
    ]);

    // Everything imported here is filed in the search index already: the upgrade pass has nothing to do.
    const reindexed = await cli('subscribers', 'reindex', '--json');
    expect(reindexed.code).toBe(0);
    expect(JSON.parse(reindexed.stdout)).toMatchObject({ reindexed: 0 });

    const exported = await cli('subscribers', 'export');
    expect(exported.stdout.split('\n')[0]).toBe('id,email,status,level,page,region,component,channel');
    expect(exported.stdout).toContain(`${marker}-4@example.com,confirmed,all,${PAGE_ID},,`);
  });

  it('shows the backlog: updates not yet settled, with their recipients still pending', async () => {
    const scenario = faultScenario(stack);
    await scenario.followers(4, 'backlog', US_CHAT);
    expect((await scenario.postIncident(US_CHAT)).status).toBe(202);
    await stack.waitForIdle(30_000);
    const run = await cli('backlog', '--json');
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout) as { pending: number; updates: Array<Record<string, unknown>> };
    expect(shown.pending).toBe(0);
    expect(shown.updates.at(-1)).toMatchObject({ pending: 0, failed: 0, idleMinutes: 0 });
    expect((await cli('backlog')).stdout).toMatch(
      /^0 recipient\(s\) pending in \d+ update\(s\) not yet settled\n.*\tpending 0 of \d+\tsent \d+/,
    );
  });

  it('creates and revokes keys, manages suppressions, and explains failures in one line', async () => {
    const created = await cli('keys', 'create', 'night-shift', '--scopes', 'read', '--json');
    const key = JSON.parse(created.stdout) as { keyId: string; key: string };
    expect(key.key).toMatch(/^snk_/);
    expect((await cli('keys', 'list')).stdout).toContain(`${key.keyId}\tnight-shift\tread\tactive`);
    expect((await cli('suppressions', 'add', 'bounced@example.com', '--reason', 'hard bounce')).code).toBe(0);
    expect((await cli('suppressions', 'list')).stdout).toContain('bounced@example.com\thard bounce');

    const readOnly = await cli('suppressions', 'remove', 'bounced@example.com', '--key', key.key);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr.trim()).toMatch(/^DELETE .* failed \(403\): this key lacks the write scope/);
    expect((await cli('keys', 'revoke', key.keyId)).stdout.trim()).toBe(`revoked ${key.keyId}`);
    expect((await cli('subscribers', 'search', '--key', key.key)).stderr).toContain('(401)');
    expect((await cli('frobnicate')).stderr.trim()).toBe('unknown command "frobnicate": see --help');
  });

  it('imports a page’s components from each vendor’s own list, naming the page when the list does not', async () => {
    const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
    const pageId = `cli${randomUUID().slice(0, 6)}`;
    const instatus = await cli(
      'pages',
      'import',
      pageId,
      fixture('instatus/components.json'),
      '--name',
      'Acme',
    );
    expect(instatus.stdout.trim()).toBe(
      `page ${pageId}: 2 region(s) and 5 component(s) from an Instatus list`,
    );
    const betterStack = await cli(
      'pages',
      'import',
      pageId,
      fixture('betterstack/resources.json'),
      '--sections',
      fixture('betterstack/sections.json'),
      '--json',
    );
    expect(JSON.parse(betterStack.stdout)).toEqual({
      pageId,
      vendor: 'betterstack',
      regions: 2,
      components: 4,
    });
    const catalog = await (await fetch(`${stack.apiUrl}/v1/catalog`)).json();
    expect(catalog.pages.find((p: { id: string }) => p.id === pageId)).toMatchObject({
      name: 'Acme', // kept from the first import: Better Stack's lists name no page
      regions: [{ name: 'Prod1 (US)' }, { name: 'Prod2 (EU)' }],
      components: [{ name: 'Billing' }],
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"id": "x"}]');
    const refused = await cli('pages', 'import', pageId, broken);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('0.name');
    writeFileSync(broken, '{ not json');
    expect((await cli('pages', 'import', pageId, broken)).stderr).toMatch(/broken\.json: .*JSON/);
  });
});
