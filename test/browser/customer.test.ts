/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LOCAL_DEFAULTS, type LocalStack } from '../../infra/local/stack';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed } from '../fixtures/seeds';
import {
  assetBytes,
  describeInBrowser,
  expectAccessible,
  expectClean as expectCleanPages,
  launchChromium,
  type PageWatch,
  watchPage,
} from '../support/browser';
import { isAbout, mailTo, uniqueEmail } from '../support/local-aws';
import { captureLogs } from '../support/logs';
import { startTestStack, subscriberByEmail } from '../support/stack';

// A customer's whole journey in a real Chromium, found on the page the way a person or a screen reader
// finds things: by labels, legends, roles and button text.

let stack: LocalStack;
let browser: Browser;
let owner: Server;
let ownerOrigin: string;
let logged: string[] = [];

beforeAll(async () => {
  // The page owner's site, on an origin of its own, to frame the subscribe form.
  owner = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<!doctype html><title>Owner</title><iframe title="Subscribe" src="${decodeURIComponent(req.url?.slice(1) ?? '')}" width="600" height="900"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => owner.listen(0, '127.0.0.1', resolve));
  // `localhost` and `127.0.0.1` are different origins: the owner's site is one, the notifier the other.
  ownerOrigin = `http://localhost:${(owner.address() as AddressInfo).port}`;
  stack = await startTestStack('web', {
    env: { SUBSCRIBE_LIMIT_PER_IP: '1000', SUBSCRIBE_EMBED_ORIGINS: ownerOrigin },
  });
  browser = await launchChromium();
  logged = captureLogs();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => owner?.close(resolve));
});

async function openPage(options: Parameters<Browser['newContext']>[0] = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 390, height: 844 },
    ...options,
  });
  const page = await context.newPage();
  return { context, page, watch: watchPage(page, stack.apiUrl) };
}

// Links in mail carry tokens: no customer page may pass its URL on as a referrer.
const expectClean = (watch: PageWatch) => expectCleanPages(watch, { 'referrer-policy': 'no-referrer' });

async function lastLink(email: string, path: string): Promise<string> {
  const text = (await mailTo([email])).at(-1)?.body.text ?? '';
  const link = new RegExp(`https?://\\S+${path}\\?token=\\S+`).exec(text)?.[0];
  if (!link) throw new Error(`no ${path} link in the last mail to ${email}`);
  return link;
}

const subscriberOf = (email: string) => subscriberByEmail(stack, email);

const seed = (): Seed => ({ ...chatMessagesMayFail, id: `w${randomUUID().slice(0, 10)}` });

describeInBrowser('customer pages in Chromium', () => {
  it('subscribe → confirm → a notification → preferences → unsubscribe', async () => {
    const email = uniqueEmail('journey');
    // The browser's time zone is the subscriber's: maintenance windows come in it.
    const { context, page, watch } = await openPage({ timezoneId: 'Asia/Tokyo' });

    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Get Kustomer status updates',
    );
    await expectAccessible(page);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await expectAccessible(page);

    // The confirmation mail's link opens a page whose button confirms: a scanner fetching it does nothing.
    await page.goto(await lastLink(email, '/v1/confirm'));
    expect((await subscriberOf(email))?.status).toBe('pending');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
    await expectAccessible(page);
    expect(await subscriberOf(email)).toMatchObject({ status: 'confirmed', level: 'all' });

    const incident = seed();
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(incident, 1)),
    });
    await stack.waitForIdle();
    const notification = (await mailTo([email])).find((m) =>
      isAbout(m, `statuspage:${PAGE_ID}:${incident.id}`),
    );
    expect(notification).toBeDefined();

    // Preferences from the link in the notification: add a component, change the level, save.
    await page.goto(await lastLink(email, '/v1/preferences'));
    await expectAccessible(page);
    const usRegion = page.getByRole('group', { name: 'Prod1 (US)' });
    await expect(usRegion.getByLabel('Channel - Chat').isChecked()).resolves.toBe(true);
    await usRegion.getByLabel('Channel - Email').check();
    await page.getByLabel('Start and resolution only').check();
    await page.getByRole('button', { name: 'Save' }).click();
    const saved = page.getByRole('status');
    await saved.getByText('Your preferences are saved.').waitFor();
    await expect(saved.textContent()).resolves.toContain('Added Channel - Email in Prod1 (US) (Kustomer)');
    await expect(saved.textContent()).resolves.not.toContain('Removed');
    await expect(saved.textContent()).resolves.toContain(
      'How often: Every update → Start and resolution only',
    );
    await expectAccessible(page);
    const after = await subscriberOf(email);
    expect(after).toMatchObject({ status: 'confirmed', level: 'lifecycle', timeZone: 'Asia/Tokyo' });
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Asia/Tokyo');
    // Both components of Prod1 (US), not the region: only the person ticks "components added later".
    expect(after?.topics.map((t) => t.key).sort()).toEqual([
      `C#${PAGE_ID}#cmpchatus001`,
      `C#${PAGE_ID}#cmpemailus01`,
    ]);

    await page.getByRole('button', { name: 'Unsubscribe from everything' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    await expectAccessible(page);
    expect((await subscriberOf(email))?.status).toBe('unsubscribed');

    expectClean(watch);
    const tokens = [await lastLink(email, '/v1/preferences')].map(
      (l) => new URL(l).searchParams.get('token') ?? '',
    );
    expect(logged.filter((line) => tokens.some((t) => t && line.includes(t)))).toEqual([]);
    await context.close();
  });

  it('keeps every page light: document, stylesheet and script under 50 KB, nothing from elsewhere', async () => {
    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(uniqueEmail('weight'));
    await page.getByLabel('Whole page').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const assets = await assetBytes(stack.apiUrl, await page.content());
    expect(assets).toBeGreaterThan(1000);
    for (const document of watch.documents) expect(document.bytes + assets).toBeLessThan(50 * 1024);
    expectClean(watch);
    await context.close();
  });

  it('makes the tree tri-state and checks the form before sending, with JavaScript on', async () => {
    const { context, page } = await openPage({ viewport: { width: 1280, height: 900 } });
    let posts = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST') posts++;
    });
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    const us = page.getByRole('group', { name: 'Prod1 (US)' });
    const wholeRegion = us.getByLabel('All of Prod1 (US), including components added later');
    await wholeRegion.check();
    await expect(us.getByLabel('Channel - Chat').isChecked()).resolves.toBe(true);
    await expect(us.getByLabel('Channel - Email').isChecked()).resolves.toBe(true);
    await us.getByLabel('Channel - Email').uncheck();
    await expect(wholeRegion.evaluate((box: HTMLInputElement) => box.indeterminate)).resolves.toBe(true);
    await expect(
      page.getByLabel('Whole page').evaluate((box: HTMLInputElement) => box.indeterminate),
    ).resolves.toBe(true);
    // Ticking the components one by one never ticks the region for the person: it shows mixed.
    await us.getByLabel('Channel - Email').check();
    await expect(wholeRegion.isChecked()).resolves.toBe(false);
    await expect(wholeRegion.evaluate((box: HTMLInputElement) => box.indeterminate)).resolves.toBe(true);
    await page.getByLabel('Whole page').check();
    await expect(wholeRegion.isChecked()).resolves.toBe(true);
    await expect(
      page.getByRole('group', { name: 'Other components' }).getByLabel('Public API').isChecked(),
    ).resolves.toBe(true);
    await page.getByLabel('Whole page').uncheck();

    await page.getByRole('button', { name: 'Subscribe' }).click();
    const summary = page.getByRole('alert');
    await expect(summary.textContent()).resolves.toContain('Enter your email address');
    await expect(summary.textContent()).resolves.toContain(
      'Choose at least one component, region or the whole page',
    );
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe('error-summary');
    // The summary's links take the reader to the field.
    await summary.getByRole('link', { name: 'Enter your email address' }).click();
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('email');
    expect(posts).toBe(0);
    await expectAccessible(page);
    await context.close();
  });

  it('offers the page’s feeds for what is ticked, and announces them to feed readers', async () => {
    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    const alternates = await page
      .locator('head link[rel="alternate"]')
      .evaluateAll((links) => links.map((l) => `${l.getAttribute('type')} ${l.getAttribute('href')}`));
    expect(alternates).toEqual([
      `application/atom+xml /feeds/${PAGE_ID}.atom`,
      `application/rss+xml /feeds/${PAGE_ID}.rss`,
    ]);
    const feeds = page.getByRole('region', { name: 'Or follow in a feed reader or calendar' });
    const href = (name: string) => feeds.getByRole('link', { name }).getAttribute('href');
    await expect(href('Atom feed')).resolves.toBe(`/feeds/${PAGE_ID}.atom`);
    await expect(href('Maintenance calendar')).resolves.toBe(
      `${stack.apiUrl.replace('http:', 'webcal:')}/feeds/${PAGE_ID}.ics`,
    );
    // A region, and a component outside it: the links narrow to both, as the server would draw them.
    await page.getByLabel('All of Prod2 (EU), including components added later').check();
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await expect(href('RSS feed')).resolves.toBe(
      `/feeds/${PAGE_ID}.rss?region=grp2prodeu01&component=cmpchatus001`,
    );
    // What the link names is a feed a reader can read.
    const rss = await fetch(`${stack.apiUrl}${await href('RSS feed')}`);
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain(
      '<title>Kustomer status: everything in Prod2 (EU); Channel - Chat in Prod1 (US)</title>',
    );
    await page.getByLabel('Whole page').check();
    await expect(href('JSON Feed')).resolves.toBe(`/feeds/${PAGE_ID}.json`);
    await expectAccessible(page);
    expectClean(watch);
    await context.close();
  });

  it('works with JavaScript off: the server answers mistakes on the form, keeping what was entered', async () => {
    const { context, page, watch } = await openPage({ javaScriptEnabled: false });
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('not-an-address');
    await page.getByRole('group', { name: 'Prod2 (EU)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const summary = page.getByRole('alert');
    await expect(summary.textContent()).resolves.toContain(
      'Enter an email address in the correct format, like name@example.com',
    );
    expect(watch.documents.at(-1)?.status).toBe(400);
    await expect(page.getByRole('textbox', { name: 'Email', exact: true }).inputValue()).resolves.toBe(
      'not-an-address',
    );
    await expect(
      page.getByRole('group', { name: 'Prod2 (EU)' }).getByLabel('Channel - Chat').isChecked(),
    ).resolves.toBe(true);

    const email = uniqueEmail('nojs');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect((await subscriberOf(email))?.topics.map((t) => t.key)).toEqual([`C#${PAGE_ID}#cmpchateu001`]);
    await context.close();

    // The server's error page, checked by axe (which needs JavaScript: here only our script is kept out).
    const withoutScript = await openPage();
    await withoutScript.page.route('**/assets/site.js*', (route) => route.abort());
    await withoutScript.page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    await withoutScript.page.getByRole('button', { name: 'Subscribe' }).click();
    await withoutScript.page.getByRole('alert').waitFor();
    await expect(withoutScript.page.getByRole('alert').textContent()).resolves.toContain(
      'Enter your email address',
    );
    await expectAccessible(withoutScript.page);
    await withoutScript.context.close();
  });

  it('subscribes a Slack channel: a URL of another kind is named, the message in the channel confirms it', async () => {
    const { context, page } = await openPage();
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    await page.getByRole('group', { name: 'Where should updates go?' }).getByLabel('Slack').check();
    await expect(page.getByLabel('Webhook URL', { exact: true }).isVisible()).resolves.toBe(false);
    await expect(page.getByLabel('Email for notices about this webhook').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.getByLabel('Slack webhook URL').fill('https://discord.com/api/webhooks/123/abc');
    const owner = uniqueEmail('slack-owner');
    await page.getByLabel('Email for notices about this webhook').fill(owner);
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('alert').getByText('looks like a Discord webhook, not a Slack one').waitFor();
    await expectAccessible(page);

    const hook = `${stack.receiver.url}/hooks/slack-${randomUUID().slice(0, 8)}`;
    await page.getByLabel('Slack webhook URL').fill(hook);
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your Slack channel' }).waitFor();
    await expectAccessible(page);

    // The local receiver shows the message as Slack lays it out, its Confirm button a link.
    const receiverPage = await context.newPage();
    await receiverPage.goto(`${stack.receiver.url}/`);
    const message = receiverPage.getByRole('article').filter({ hasText: new URL(hook).pathname });
    await expect(message.getByRole('heading', { name: /Slack message/ }).count()).resolves.toBe(1);
    const confirmUrl = await message
      .getByRole('link', { name: 'Open the confirm link' })
      .getAttribute('href');
    await receiverPage.close();
    await page.goto(confirmUrl ?? '');
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
    await page.getByText('will be posted in your Slack channel').waitFor();
    await expect(page.getByText('Your signing secret').count()).resolves.toBe(0);
    await expectAccessible(page);
    await context.close();
  });

  it('subscribes a webhook: the verification event’s link confirms it and shows its secret once', async () => {
    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    // With the script, only the chosen channel's fields show.
    await expect(page.getByLabel('Webhook URL', { exact: true }).isVisible()).resolves.toBe(false);
    await page.getByRole('group', { name: 'Where should updates go?' }).getByLabel('Webhook').check();
    await expect(page.getByRole('textbox', { name: 'Email', exact: true }).isVisible()).resolves.toBe(false);
    await expectAccessible(page);
    // A private address is refused on the form, in words, what was typed kept.
    await page.getByLabel('Webhook URL', { exact: true }).fill('https://192.168.1.10/hooks/status');
    const owner = uniqueEmail('hook-owner');
    await page.getByLabel('Email for notices about this webhook').fill(owner);
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page
      .getByRole('alert')
      .getByText('must be a public address, not a private, local or reserved one')
      .waitFor();
    await expect(page.getByLabel('Webhook URL', { exact: true }).inputValue()).resolves.toBe(
      'https://192.168.1.10/hooks/status',
    );
    await expectAccessible(page);

    const hook = `${stack.receiver.url}/hooks/browser-${randomUUID().slice(0, 8)}`;
    await page.getByLabel('Webhook URL', { exact: true }).fill(hook);
    await page.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your endpoint' }).waitFor();
    await expectAccessible(page);

    // The local receiver (a page of its own, not ours) lists the verification event with its confirm link.
    const receiverPage = await context.newPage();
    await receiverPage.goto(`${stack.receiver.url}/`);
    const event = receiverPage.getByRole('article').filter({ hasText: new URL(hook).pathname });
    const confirmUrl = await event.getByRole('link', { name: 'Open the confirm link' }).getAttribute('href');
    await receiverPage.close();
    await page.goto(confirmUrl ?? '');
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
    await expect(page.getByText('Your signing secret, shown this once:').count()).resolves.toBe(1);
    const secret = await page.locator('code.secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible(page);
    expect(await subscriberOf(owner)).toBeUndefined(); // its address is the owner's, not a subscription

    // Its page: the endpoint, a test event, a rotated secret, and the deliveries it got.
    await page.getByRole('link', { name: 'Manage preferences' }).click();
    await page.getByRole('heading', { name: 'Your webhook', level: 1 }).waitFor();
    // The URL as a credential: its last part, which may be a token, masked.
    await expect(
      page.getByText(`Updates are POSTed to ${stack.receiver.url}/hooks/br…`).count(),
    ).resolves.toBe(1);
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page
      .getByRole('status')
      .getByText(/^Test event sent: the endpoint answered 204 in \d+ ms\.$/)
      .waitFor();
    expect(stack.receiver.received[0]).toMatchObject({ path: new URL(hook).pathname });
    expect(JSON.parse(stack.receiver.received[0]?.body ?? '{}').type).toBe('test');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Rotate signing secret' }).click();
    await page.getByText('Your signing secret, shown this once:').waitFor();
    const rotated = await page.locator('code.secret').textContent();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(seed(), 1)),
    });
    await stack.waitForIdle();
    // The newest to this webhook: other tests' channels follow the same component.
    const update = stack.receiver.received.find((r) => r.path === new URL(hook).pathname);
    const signatures = String(update?.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2); // the new secret and, for a day, the old one
    await page.reload();
    const deliveries = page.getByRole('region', { name: 'Recent deliveries' }).getByRole('row');
    await expect(deliveries.nth(1).getByRole('cell').allTextContents()).resolves.toEqual([
      `${chatMessagesMayFail.name}: Investigating`,
      expect.stringMatching(/ UTC$/),
      '204',
      expect.stringMatching(/^\d+ ms$/),
      '1',
      'delivered',
    ]);
    await expectAccessible(page);
    expectClean(watch);
    await context.close();
  });

  it('can be used with the keyboard alone, with the focus always visible', async () => {
    const { context, page } = await openPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    const email = uniqueEmail('keys');
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : null;
        return { label: label ?? element.textContent, outline: getComputedStyle(element).outlineStyle };
      });
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toEqual({ label: 'Skip to content', outline: 'solid' });
    await page.keyboard.press('Tab');
    // Where updates go: the group is one stop, on the choice made (Email).
    await expect(focused()).resolves.toMatchObject({ label: 'Email', outline: 'solid' });
    await expect(page.evaluate(() => (document.activeElement as HTMLInputElement).type)).resolves.toBe(
      'radio',
    );
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toMatchObject({ label: 'Email', outline: 'solid' });
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toMatchObject({ label: 'Whole page', outline: 'solid' });
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter'); // submits the form from a checkbox, as browsers do
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect((await subscriberOf(email))?.topics.map((t) => t.key)).toEqual([`P#${PAGE_ID}`]);
    await context.close();
  });

  it('embeds in the page owner’s site only, and the answer stays in the frame', async () => {
    const { context, page } = await openPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(
      `${ownerOrigin}/${encodeURIComponent(`${stack.apiUrl}/subscribe/embed?page=${PAGE_ID}`)}`,
    );
    const frame = page.frameLocator('iframe[title="Subscribe"]');
    const email = uniqueEmail('embed');
    await frame.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await frame.getByRole('group', { name: 'Prod1 (US)' }).getByLabel('Channel - Chat').check();
    await frame.getByRole('button', { name: 'Subscribe' }).click();
    await frame.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect((await subscriberOf(email))?.status).toBe('pending');

    // The full page is not frameable, not even by the owner.
    const refused = new Promise<string>((resolve) =>
      page.on('console', (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(m.text());
      }),
    );
    await page.goto(`${ownerOrigin}/${encodeURIComponent(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`)}`);
    await expect(refused).resolves.toContain("frame-ancestors 'none'");
    await context.close();
  });

  it('follows one incident from the subscribe page, accessibly, and the script checks the address first', async () => {
    const incident = seed();
    await fetch(`${stack.apiUrl}/v1/webhooks/statuspage/${LOCAL_DEFAULTS.WEBHOOK_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(incidentWebhook(incident, 1)),
    });
    await stack.waitForIdle();
    const { context, page, watch } = await openPage();
    await page.goto(`${stack.apiUrl}/subscribe?page=${PAGE_ID}`);
    const happening = page.getByRole('region', { name: 'Happening now' });
    await happening.getByRole('link', { name: 'Follow this incident' }).first().click();
    await page.getByRole('heading', { name: /^Follow “/ }).waitFor();
    await expectAccessible(page);
    const email = uniqueEmail('follower');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('not-an-address');
    await page.getByRole('button', { name: 'Follow this incident' }).click();
    // The script catches it before anything is sent, with the server's words.
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'Enter an email address in the correct format',
    );
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('button', { name: 'Follow this incident' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await page.goto(await lastLink(email, '/v1/confirm'));
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor();
    const follower = (await stack) && (await subscriberOf(email));
    expect(follower?.status).toBe('confirmed');
    expectClean(watch);
    await context.close();
  });
});
