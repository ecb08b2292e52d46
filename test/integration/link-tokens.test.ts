import { beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../shared/adapters/ses/mailer';
import { ComponentsJson } from '../../shared/domain/catalog';
import { catalogFromComponentsJson } from '../../shared/domain/catalog-import';
import { createIssuedManageToken } from '../../shared/domain/link-tokens';
import { RESEND_AFTER_MINUTES } from '../../shared/domain/subscriber';
import type { Clock } from '../../shared/ports';
import {
  confirmSubscription,
  getPreferences,
  requestSubscription,
  type SelfServiceDeps,
  unsubscribe,
} from '../../shared/usecases/self-service';
import componentsJson from '../fixtures/components.json';
import { PAGE_ID, US_CHAT } from '../fixtures/seeds';
import { freshStores, mailTo, sesClient, uniqueEmail } from '../support/local-aws';

// A subscriber's links over a life of subscribing, leaving and coming back, on DynamoDB Local and the SES
// emulator, with a clock the test moves past the resend interval.
let now = new Date('2026-11-23T10:00:00Z');
const clock: Clock = { now: () => now };
let deps: SelfServiceDeps;
const SECRET = 'k'.repeat(32);

beforeAll(async () => {
  const stores = await freshStores();
  deps = {
    ...stores,
    mailer: new SesMailer(sesClient(), { from: 'status@notifier.example.com' }),
    clock,
    config: { publicBaseUrl: 'https://status.example.com', linkSigningSecret: SECRET },
  };
  await deps.catalog.replacePage(catalogFromComponentsJson(PAGE_ID, ComponentsJson.parse(componentsJson)));
});

const tokenIn = async (email: string, path: string) => {
  const text = (await mailTo([email])).at(-1)?.body.text ?? '';
  const link = new RegExp(`https://status\\.example\\.com${path}\\?token=(\\S+)`).exec(text)?.[1];
  if (!link) throw new Error(`no ${path} link in the last mail to ${email}`);
  return decodeURIComponent(link);
};
const subscribeAs = (email: string) =>
  requestSubscription(
    deps,
    { email, topics: [{ pageId: PAGE_ID, componentId: US_CHAT }], level: 'all' },
    '127.0.0.1',
  );
const manageToken = (url: string) => decodeURIComponent(new URL(url).searchParams.get('token') ?? '');
const refused = { code: 'NOT_FOUND' };
/** Real time, which the store stamps a new nonce with: a second later, an issue time is a later second. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_100));

describe('link tokens over a subscriber’s life', () => {
  it('kills every older manage link when the subscriber starts over, and each token works for its purpose only', async () => {
    const email = uniqueEmail('life');
    await subscribeAs(email);
    const firstConfirm = await tokenIn(email, '/v1/confirm');
    await expect(getPreferences(deps, firstConfirm)).rejects.toMatchObject(refused); // confirm ≠ manage
    const first = manageToken((await confirmSubscription(deps, firstConfirm)).preferencesUrl);
    await expect(confirmSubscription(deps, firstConfirm)).rejects.toMatchObject(refused); // single use
    await expect(confirmSubscription(deps, first)).rejects.toMatchObject(refused); // manage ≠ confirm
    expect((await getPreferences(deps, first)).status).toBe('confirmed');
    // A link as the sender signs it, with the time it was issued rather than the nonce: works as well,
    // once issued after the confirmation replaced the nonce (issue times are whole seconds: wait one).
    const id = first.split('.')[0]!;
    await nextSecond();
    const issuedBefore = createIssuedManageToken(SECRET, id, new Date());
    expect((await getPreferences(deps, issuedBefore)).status).toBe('confirmed');
    await nextSecond();

    await unsubscribe(deps, first);
    expect((await getPreferences(deps, first)).status).toBe('unsubscribed'); // still theirs to come back

    // Within the resend interval nothing is mailed and nothing changes; after it, they start over.
    await subscribeAs(email);
    expect((await getPreferences(deps, first)).status).toBe('unsubscribed');
    now = new Date(now.getTime() + (RESEND_AFTER_MINUTES + 1) * 60_000);
    await subscribeAs(email);
    const secondConfirm = await tokenIn(email, '/v1/confirm');
    expect(secondConfirm).not.toBe(firstConfirm);
    await expect(getPreferences(deps, first)).rejects.toMatchObject(refused);
    await expect(unsubscribe(deps, first)).rejects.toMatchObject(refused);
    await expect(getPreferences(deps, issuedBefore)).rejects.toMatchObject(refused); // revoked with the nonce

    const second = manageToken((await confirmSubscription(deps, secondConfirm)).preferencesUrl);
    expect((await getPreferences(deps, second)).status).toBe('confirmed');
    await expect(getPreferences(deps, first)).rejects.toMatchObject(refused);
    await nextSecond();
    const issuedAfter = createIssuedManageToken(SECRET, id, new Date());
    expect((await getPreferences(deps, issuedAfter)).status).toBe('confirmed');
    await expect(getPreferences(deps, issuedBefore)).rejects.toMatchObject(refused);
  });

  it('lets a confirmation link expire after 48 hours', async () => {
    const email = uniqueEmail('late');
    await subscribeAs(email);
    const token = await tokenIn(email, '/v1/confirm');
    now = new Date(now.getTime() + 49 * 3_600_000);
    await expect(confirmSubscription(deps, token)).rejects.toMatchObject(refused);
  });
});
