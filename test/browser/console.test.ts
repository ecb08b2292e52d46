/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LOCAL_REGION, localCredentials } from '../../infra/local/aws-local';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoEndpoints } from '../../shared/adapters/dynamo/endpoints';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import {
  assetBytes,
  describeInBrowser,
  expectAccessible as expectAccessibleInBothSchemes,
  expectClean as expectCleanPages,
  launchChromium,
  type PageWatch,
  watchPage,
} from '../support/browser';
import { uniqueEmail } from '../support/local-aws';
import { captureLogs } from '../support/logs';
import { adminCall, startTestStack, subscriberByEmail } from '../support/stack';

// A support person's day in the console, in a real Chromium, finding everything by its label, role or
// button text; axe-core checks every page they see, in the light and the dark scheme.

let stack: LocalStack;
let browser: Browser;
let logged: string[] = [];

beforeAll(async () => {
  stack = await startTestStack('cweb');
  browser = await launchChromium();
  // The handlers run in this process: whatever they log passes through here.
  logged = captureLogs();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await browser?.close();
  await stack?.stop();
});

const admin = async (method: string, path: string, body?: unknown) =>
  (await adminCall(stack, method, path, body)).body;
const subscriberOf = (email: string) => subscriberByEmail(stack, email);

async function openPage(options: Parameters<Browser['newContext']>[0] = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  return { context, page, watch: watchPage(page, stack.apiUrl) };
}

const visited: string[] = [];
/** axe on the page in both schemes, remembering which pages were checked. */
async function expectAccessible(page: Page) {
  await expectAccessibleInBothSchemes(page);
  visited.push(new URL(page.url()).pathname);
}

const expectClean = (watch: PageWatch) =>
  expectCleanPages(watch, { 'content-security-policy': "frame-ancestors 'none'" });

/** An endpoint paused as a 410 leaves it, written straight into its health. */
async function pauseEndpoint(subscriberId: string) {
  const db = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    }),
  );
  const at = new Date().toISOString();
  await new DynamoEndpoints(
    db,
    stack.tables.subscribers,
    stack.env.CHANNEL_SEALING_SECRET ?? '',
  ).recordHealth(subscriberId, {
    consecutiveFailures: 1,
    lastFailureAt: at,
    failingSince: at,
    quarantinedAt: at,
    quarantineReason: 'the endpoint answered 410 Gone',
  });
}

const freshSeed = (): Seed => ({ ...chatMessagesMayFail, id: `b${randomUUID().slice(0, 10)}` });

describeInBrowser('support console in Chromium', () => {
  it('sign in → search → the subscriber and the delivery → import a CSV with a bad row → sign out', async () => {
    const email = uniqueEmail('support');
    await admin('POST', '/v1/admin/subscribers', {
      email,
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    });
    const seed = freshSeed();
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(seed, 1)),
    });
    await stack.waitForIdle();

    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/console`);
    await expectAccessible(page);
    await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    expect(page.url()).toBe(`${stack.apiUrl}/console/subscribers`);
    await expectAccessible(page);

    await page.getByLabel('Search subscribers').fill(email.split('@')[0] ?? '');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { name: email, level: 1 }).waitFor();
    await expectAccessible(page);

    // The delivery: the incident, the update, sent, when, and SES's message id.
    const heading = page.getByRole('heading', { name: seed.name, level: 3 });
    await expect(heading.getByRole('link', { name: seed.name }).count()).resolves.toBe(1);
    const deliveries = page.getByRole('region', { name: `Deliveries for ${seed.name}` });
    const row = deliveries.getByRole('row').filter({ hasText: 'investigating' });
    await expect(row.getByText('sent', { exact: true }).count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toMatch(/ UTC.*<ses-[^>]+@email\.amazonses\.com>/);
    await expect(page.getByText('Not suppressed: mail can go to this address').count()).resolves.toBe(1);

    // The incident, from the delivery's link.
    await heading.getByRole('link', { name: seed.name }).click();
    await page.getByRole('heading', { name: 'Updates' }).waitFor();
    const update = page.getByRole('region', { name: 'Updates and their mail' }).getByRole('row').nth(1);
    await expect(update.getByRole('cell').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['1', '0']),
    );
    await expectAccessible(page);

    // Import: a check first (nothing written), then the import; one bad row reported by its line.
    const marker = randomUUID().slice(0, 8);
    const file = join(tmpdir(), `console-${marker}.csv`);
    writeFileSync(
      file,
      [
        'email,page,region,component',
        `${marker}-1@example.com,${PAGE_ID},Prod1 (US),Channel - Chat`,
        `${marker}-2@example.com,Kustomer,Prod2 (EU),`,
        `${marker}-3@example.com,${PAGE_ID},Prod9 (Mars),`,
        `${marker}-4@example.com,${PAGE_ID},,`,
        '',
      ].join('\n'),
    );
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Import' }).click();
    await expectAccessible(page);
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check file' }).click();
    const report = page.getByRole('status');
    await report.getByRole('heading', { name: 'Check finished: nothing was written' }).waitFor();
    await expect(page.getByRole('progressbar', { name: 'Progress' }).getAttribute('value')).resolves.toBe(
      '100',
    );
    const rejected = page.getByRole('region', { name: 'Rejected rows' }).getByRole('row');
    await expect(rejected.count()).resolves.toBe(2);
    await expect(rejected.nth(1).getByRole('cell').allTextContents()).resolves.toEqual([
      '4',
      'unknown region "Prod9 (Mars)" on Kustomer',
    ]);
    await expect(report.textContent()).resolves.toContain('Would be added3');
    expect(await subscriberOf(`${marker}-1@example.com`)).toBeUndefined();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Import' }).click();
    await report.getByRole('heading', { name: 'Import finished' }).waitFor();
    await expect(report.textContent()).resolves.toContain('Added3');
    await expect(rejected.nth(1).getByRole('cell').first().textContent()).resolves.toBe('4');
    expect(await subscriberOf(`${marker}-2@example.com`)).toMatchObject({
      status: 'confirmed',
      topics: [{ key: `G#${PAGE_ID}#grp2prodeu01` }],
    });
    await expectAccessible(page);

    // A bigger file goes up in parts of 400 rows. Rows 400 and 401, either side of the first boundary,
    // have a note over two lines; bad rows are still named by their line in the file.
    const rows = Array.from({ length: 900 }, (_, i) => {
      const row = i + 1;
      const email = row === 401 || row === 850 ? 'not an address' : `${marker}-big-${row}@example.com`;
      const note = row === 400 || row === 401 ? `"called on ${row}, said:\n""no more mail"""` : '';
      return `${email},Kustomer,,,${note}`;
    });
    writeFileSync(file, ['email,page,region,component,note', ...rows, ''].join('\n'));
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check file' }).click();
    await report.getByRole('heading', { name: 'Check finished: nothing was written' }).waitFor();
    await expect(page.getByText('Checked 900 of 900 rows').count()).resolves.toBe(1);
    const lines = (row: number) => rejected.nth(row).getByRole('cell').allTextContents();
    // Row 401 starts on line 403 (row 400 took two lines); row 850 on line 853 (rows 400 and 401 did).
    await expect(lines(1)).resolves.toEqual(['403', 'not an email address: "not an address"']);
    await expect(lines(2)).resolves.toEqual(['853', 'not an email address: "not an address"']);
    await expect(report.textContent()).resolves.toContain('Would be added898');

    // The connection drops after the first part: what was done stays on the page, with where the rest begins.
    let parts = 0;
    await page.route('**/console/import?dryRun=*', (route) =>
      ++parts === 2 ? route.abort('failed') : route.continue(),
    );
    await page.getByRole('button', { name: 'Check file' }).click();
    await report
      .getByRole('heading', { name: 'Stopped part way: the counts are for the rows sent so far' })
      .waitFor();
    await expect(report.textContent()).resolves.toContain('Would be added400');
    await expect(report.textContent()).resolves.toContain(
      'Rows 1–400 were checked (of 900); the rest, from line 403 of the file, was not: The console could not be reached',
    );
    await expect(page.getByText('Checked 400 of 900 rows').count()).resolves.toBe(1);
    await page.unroute('**/console/import?dryRun=*');
    await expectAccessible(page);

    const token = (await context.cookies()).find((c) => c.name === 'console_session');
    expect(token).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/console' });
    expect(await page.evaluate(() => document.cookie)).toBe(''); // no script can read it

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    await expect(page.getByLabel('API key').inputValue()).resolves.toBe('');
    expect((await context.cookies()).find((c) => c.name === 'console_session')).toBeUndefined();

    expectClean(watch);
    for (const document of watch.documents) expect(document.url).not.toContain(LOCAL_DEFAULTS.ADMIN_API_KEY);
    const everything = logged.join('\n');
    expect(everything).not.toContain(LOCAL_DEFAULTS.ADMIN_API_KEY);
    expect(everything).not.toContain(token?.value.split('_')[2] ?? 'no token');
    await context.close();
  });

  it('removes a subscriber after a confirmation, manages suppressions, and says errors in words', async () => {
    const email = uniqueEmail('erase');
    const created = await admin('POST', '/v1/admin/subscribers', {
      email,
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const { context, page, watch } = await openPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.apiUrl}/console/subscribers/${created.id}`);
    await page.getByLabel('API key').fill('snk_000000000000_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('That API key is not valid').waitFor();
    await expectAccessible(page);
    await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    await page.goto(`${stack.apiUrl}/console/subscribers/${created.id}`);

    await page.getByRole('button', { name: 'Suppress' }).click();
    await page.getByText('Address suppressed: no mail goes to it now.').waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Lift suppression' }).click();
    await page.getByText('Suppression lifted').waitFor();

    await page.getByRole('link', { name: 'Remove subscriber' }).click();
    await page.getByRole('heading', { name: `Remove ${email}?` }).waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Remove subscriber' }).click();
    await page.getByText('Subscriber removed.').waitFor();
    expect(await subscriberOf(email)).toBeUndefined();

    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Suppressions' })
      .click();
    const suppressed = uniqueEmail('suppressed');
    await page.getByLabel('Email', { exact: true }).fill(suppressed);
    await page.getByLabel('Reason').fill('asked by phone');
    await page.getByRole('button', { name: 'Suppress' }).click();
    await page.getByRole('cell', { name: suppressed, exact: true }).waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: `Lift the suppression of ${suppressed}` }).click();
    await page.getByText('Suppression lifted').waitFor();
    await expect(page.getByRole('cell', { name: suppressed, exact: true }).count()).resolves.toBe(0);

    await page.goto(`${stack.apiUrl}/console/subscribers/${created.id}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await expect(page.getByText(`No subscriber ${created.id}`).count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Back to the console' }).click();

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Incidents' }).click();
    await expectAccessible(page);
    await page.getByLabel('Incident id').fill('no-such-incident');
    await page.getByRole('button', { name: 'Show incident' }).click();
    await page.getByRole('alert').getByText('No incident no-such-incident here').waitFor();
    await expectAccessible(page);
    expectClean(watch);
    await context.close();
  });

  it('imports an Instatus page’s components as its API lists them, and says what is wrong with a bad file', async () => {
    const pageId = `web${randomUUID().slice(0, 6)}`;
    const { context, page, watch } = await openPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.apiUrl}/console`);
    await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Pages' }).click();
    await page.getByRole('heading', { name: 'Status pages', level: 1 }).waitFor();
    await expectAccessible(page);

    const broken = join(tmpdir(), `components-${pageId}.json`);
    writeFileSync(broken, JSON.stringify([{ id: 'cl0nonamecomponent0000001', status: 'OPERATIONAL' }]));
    await page.getByLabel('Page id').fill(pageId);
    await page.getByLabel('Components file').setInputFiles(broken);
    await page.getByRole('button', { name: 'Import components' }).click();
    const summary = page.getByRole('alert');
    await summary.getByText(/At 0\.name in the file: /).waitFor();
    await expect(page.getByLabel('Page id').inputValue()).resolves.toBe(pageId);
    await expectAccessible(page);

    await page.getByLabel('Page name (optional)').fill('Acme Cloud');
    await page
      .getByLabel('Components file')
      .setInputFiles(fileURLToPath(new URL('../fixtures/instatus/components.json', import.meta.url)));
    await page.getByRole('button', { name: 'Import components' }).click();
    await page
      .getByRole('status')
      .getByText(`Imported 2 regions and 5 components from an Instatus component list into page ${pageId}.`)
      .waitFor();
    const row = page.getByRole('region', { name: 'Status pages' }).getByRole('row', { name: /Acme Cloud/ });
    await expect(row.getByRole('cell').allTextContents()).resolves.toEqual(['Acme Cloud', pageId, '2', '5']);
    await expectAccessible(page);
    expectClean(watch);
    await context.close();
  });

  it('shows a webhook’s health, sends it a test event, and resumes it once it is paused', async () => {
    const hook = `${stack.receiver.url}/hooks/console-${randomUUID().slice(0, 8)}`;
    const created = await admin('POST', '/v1/admin/subscribers', {
      channel: { type: 'webhook', url: hook },
      ownerEmail: uniqueEmail('hook-owner'),
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    });
    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/console`);
    await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    await page.goto(`${stack.apiUrl}/console/subscribers/${created.id}`);
    await page.getByRole('heading', { name: 'Webhook', level: 2 }).waitFor();
    await expect(page.getByText('Failures in a row').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Resume' }).count()).resolves.toBe(0);
    await expectAccessible(page);

    const before = stack.receiver.received.length;
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByRole('status').getByText('Test event sent: the endpoint took it.').waitFor();
    expect(stack.receiver.received.length).toBe(before + 1);
    expect(JSON.parse(stack.receiver.received[0]?.body ?? '{}')).toMatchObject({ type: 'test' });

    // Paused (as a 410 would leave it): the page says why, and Resume starts it again.
    await pauseEndpoint(created.id);
    await page.reload();
    await page.getByText(/Paused since .*: the endpoint answered 410 Gone/).waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByRole('status')
      .getByText('Webhook resumed: deliveries start again with the next update.')
      .waitFor();
    await expect(page.getByText(/Paused since/).count()).resolves.toBe(0);
    expectClean(watch);
    await context.close();
  });

  it('opens a link from elsewhere (a mail, a chat) signed in, without a second sign-in', async () => {
    const email = uniqueEmail('deeplink');
    const created = await admin('POST', '/v1/admin/subscribers', {
      email,
      topics: [{ pageId: PAGE_ID }],
      confirmed: true,
    });
    const { context, page } = await openPage();
    await page.goto(`${stack.apiUrl}/console`);
    await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    // Another site (a webmail) with a link to the subscriber's page.
    await context.route('http://mail.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Inbox</title><a href="${stack.apiUrl}/console/subscribers/${created.id}">the subscriber</a>`,
      }),
    );
    await page.goto('http://mail.example/inbox');
    await page.getByRole('link', { name: 'the subscriber' }).click();
    await page.waitForURL(`${stack.apiUrl}/console/subscribers/${created.id}`);
    await expect(page.getByRole('heading', { name: email, level: 1 }).count()).resolves.toBe(1);
    await context.close();
  });

  it('shows a read key everything and no way to change it, saying why', async () => {
    const key = await admin('POST', '/v1/admin/keys', { name: 'browser reader', scopes: ['read'] });
    const { context, page } = await openPage();
    await page.goto(`${stack.apiUrl}/console`);
    await page.getByLabel('API key').fill(key.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    const why = 'Your key can only read: ask for a key with the write scope to change subscribers.';
    await expect(page.getByText(why).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Add subscriber' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Import' }).click();
    await expect(page.getByText(why).count()).resolves.toBe(1);
    await expect(page.getByLabel('CSV file').count()).resolves.toBe(0);
    await context.close();
  });

  it('works with the keyboard alone, focus visible; pages are light and render without JavaScript', async () => {
    const { context, page } = await openPage();
    await page.goto(`${stack.apiUrl}/console`);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null;
        return { label: label ?? element.textContent, outline: getComputedStyle(element).outlineStyle };
      });
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toEqual({ label: 'Skip to content', outline: 'solid' });
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toMatchObject({ label: 'API key', outline: 'solid' });
    await page.keyboard.type(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toEqual({ label: 'Subscribers', outline: 'solid' });
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toEqual({ label: 'Suppressions', outline: 'solid' });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Suppressions', level: 1 }).waitFor();
    await context.close();

    // Without JavaScript every page still renders and every form still works (the import in one post).
    const noScript = await openPage({ javaScriptEnabled: false });
    await noScript.page.goto(`${stack.apiUrl}/console`);
    await noScript.page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
    await noScript.page.getByRole('button', { name: 'Sign in' }).click();
    await noScript.page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
    const file = join(tmpdir(), `console-nojs-${randomUUID().slice(0, 8)}.csv`);
    writeFileSync(file, `email,page\nnot an address,${PAGE_ID}\n`);
    await noScript.page.goto(`${stack.apiUrl}/console/import`);
    await noScript.page.getByLabel('CSV file').setInputFiles(file);
    await noScript.page.getByRole('button', { name: 'Check file' }).click();
    await noScript.page.getByRole('heading', { name: 'Check finished: nothing was written' }).waitFor();
    await expect(
      noScript.page.getByRole('region', { name: 'Rejected rows' }).getByRole('cell').first().textContent(),
    ).resolves.toBe('2');

    let heaviest = 0;
    const assets = await assetBytes(stack.apiUrl, await noScript.page.content());
    for (const document of noScript.watch.documents) {
      heaviest = Math.max(heaviest, document.bytes + assets);
      expect(document.bytes + assets, document.url).toBeLessThan(50 * 1024);
    }
    expect(heaviest).toBeGreaterThan(assets);
    await noScript.context.close();
    expect(visited.length).toBeGreaterThan(0);
  });
});
