import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_DEFAULTS } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { adminJson, screenshotSession, shoot } from './session';

/*
 * `npm run screenshots:console`: a support person's round through the console on a fresh local stack,
 * each page saved at phone and desktop width, light and dark, in docs/screenshots/. Look at them after
 * any console page change.
 */
await screenshotSession(async (stack, browser) => {
  const api = stack.apiUrl;
  const post = (path: string, body: unknown, method = 'POST') =>
    fetch(`${api}${path}`, { method, headers: adminJson, body: JSON.stringify(body) });
  for (const [email, topic] of [
    ['ana.lima@example.com', { componentId: US_CHAT }],
    ['ben.okafor@example.com', { groupId: 'grp1produs01' }],
    ['chloe.martin@example.com', {}],
  ] as const) {
    await post('/v1/admin/subscribers', { email, topics: [{ pageId: PAGE_ID, ...topic }], confirmed: true });
  }
  await post('/v1/admin/subscribers', { email: 'dev.pending@example.com', topics: [{ pageId: PAGE_ID }] });
  const webhook = (await (
    await post('/v1/admin/subscribers', {
      channel: { type: 'webhook', url: `${stack.receiver.url}/hooks/ops-alerts` },
      ownerEmail: 'ops@example.com',
      topics: [{ pageId: PAGE_ID, componentId: US_CHAT }],
      confirmed: true,
    })
  ).json()) as { id: string };
  await post('/v1/admin/suppressions', { email: 'bounced@example.net', reason: 'hard bounce' });
  for (const count of [1, 2]) {
    await fetch(`${api}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(chatMessagesMayFail, count)),
    });
    await stack.waitForIdle();
  }
  const readKey = (await (
    await post('/v1/admin/keys', { name: 'night shift', scopes: ['read'] })
  ).json()) as {
    key: string;
  };

  const page = await browser.newPage();
  await page.goto(`${api}/console`);
  await shoot(page, 'console', 'sign-in');
  await page.getByLabel('API key').fill('snk_000000000000_wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'console', 'sign-in-error');

  await page.getByLabel('API key').fill(LOCAL_DEFAULTS.ADMIN_API_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
  await shoot(page, 'console', 'subscribers');

  // The server's own error summary (the script would catch these first).
  await page.route('**/assets/site.js*', (route) => route.abort());
  await page.reload();
  await page.getByLabel('Email', { exact: true }).fill('not-an-address');
  await page.getByRole('button', { name: 'Add subscriber' }).click();
  await page.getByRole('alert').waitFor();
  await shoot(page, 'console', 'subscribers-add-errors');
  await page.unroute('**/assets/site.js*');

  await page.goto(`${api}/console/subscribers`);
  await page.getByLabel('Search subscribers').fill('ana');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'ana.lima@example.com' }).click();
  await page.getByRole('heading', { name: 'Delivery history' }).waitFor();
  await shoot(page, 'console', 'subscriber');
  await page.getByRole('link', { name: 'Remove subscriber' }).click();
  await shoot(page, 'console', 'remove');

  await page.goto(`${api}/console/subscribers/${webhook.id}`);
  await shoot(page, 'console', 'subscriber-webhook');

  await page.goto(`${api}/console/suppressions`);
  await shoot(page, 'console', 'suppressions');

  await page.goto(`${api}/console/import`);
  await shoot(page, 'console', 'import');
  const csv = join(tmpdir(), 'console-screenshot-import.csv');
  writeFileSync(
    csv,
    `email,page,region,component\nnew.one@example.com,${PAGE_ID},Prod1 (US),Channel - Chat\nnot an address,${PAGE_ID},,\nnew.two@example.com,${PAGE_ID},Prod9,\n`,
  );
  await page.getByLabel('CSV file').setInputFiles(csv);
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('heading', { name: 'Rejected rows' }).waitFor();
  await shoot(page, 'console', 'import-report');

  await page.goto(`${api}/console/incidents`);
  await shoot(page, 'console', 'incidents');
  await page.getByLabel('Incident id').fill(chatMessagesMayFail.id);
  await page.getByRole('button', { name: 'Show incident' }).click();
  await page.getByRole('heading', { name: 'Updates' }).waitFor();
  await shoot(page, 'console', 'incident');

  await page.goto(`${api}/console/pages`);
  await shoot(page, 'console', 'pages');
  await page.getByLabel('Page id').fill('cljqgukb00egiu420nmuvv1f7');
  await page.getByLabel('Page name (optional)').fill('Acme Cloud');
  await page
    .getByLabel('Components file')
    .setInputFiles(fileURLToPath(new URL('../fixtures/instatus/components.json', import.meta.url)));
  await page.getByRole('button', { name: 'Import components' }).click();
  await page.getByRole('status').waitFor();
  await shoot(page, 'console', 'pages-imported');

  await page.goto(`${api}/console/subscribers/no-such-subscriber`);
  await shoot(page, 'console', 'not-found');

  await page.getByRole('link', { name: 'Back to the console' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').fill(readKey.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Subscribers', level: 1 }).waitFor();
  await shoot(page, 'console', 'subscribers-read-only');
});
