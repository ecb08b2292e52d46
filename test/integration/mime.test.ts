import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../shared/adapters/ses/mailer';
import { ComponentsJson } from '../../shared/domain/catalog';
import { catalogFromComponentsJson } from '../../shared/domain/catalog-import';
import { batchKeysOf } from '../../shared/domain/send-batch';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { componentTopicKey } from '../../shared/domain/topics';
import { systemClock } from '../../shared/ports';
import { confirmationMail } from '../../shared/templates/account';
import { fanOut } from '../../shared/usecases/fan-out';
import { ingestStatuspageWebhook } from '../../shared/usecases/ingest-statuspage';
import { sendDeliveries } from '../../shared/usecases/send-deliveries';
import componentsJson from '../fixtures/components.json';
import { chatMessagesMayFail, incidentWebhook, PAGE_ID, type Seed, US_CHAT } from '../fixtures/seeds';
import { freshStores, mailTo, mimeSource, sesClient, uniqueEmail } from '../support/local-aws';
import { subscriberRecord } from '../support/records';

// Every message as a mail client receives it: the emulator's MIME source, parsed by a real MIME parser.
let deps: Awaited<ReturnType<typeof setup>>;
async function setup() {
  return {
    ...(await freshStores()),
    mailer: new SesMailer(sesClient(), { from: 'status@notifier.example.com' }),
    clock: systemClock,
    config: {
      mailFrom: 'status@notifier.example.com',
      publicBaseUrl: 'https://status.example.com',
      linkSigningSecret: 'm'.repeat(32),
      sesMessageIdDomain: 'email.amazonses.com',
    },
  };
}

beforeAll(async () => {
  deps = await setup();
  const catalog = catalogFromComponentsJson(PAGE_ID, ComponentsJson.parse(componentsJson));
  await deps.catalog.replacePage({ ...catalog, page: { ...catalog.page, name: 'Kundenstatus Zürich' } });
});

async function deliver(seed: Seed, count: number, recipients: Array<{ id: string }>) {
  const result = await ingestStatuspageWebhook(deps, StatuspageWebhook.parse(incidentWebhook(seed, count)));
  if (result.kind !== 'incident') throw new Error('expected an incident');
  const updateId = result.notifying[0]!;
  const { batches } = await fanOut(deps, { incidentId: result.incidentId, updateId });
  const written = await deps.sendBatches.load(batchKeysOf(result.incidentId, updateId, batches));
  const wanted = new Set(recipients.map((r) => r.id));
  await sendDeliveries(
    deps,
    [...written.values()].map((batch) => ({
      ...batch,
      recipients: batch.recipients.filter((r) => wanted.has(r.subscriberId)),
      recordId: String(batch.index),
    })),
  );
}

async function parsed(email: string) {
  const mails = await mailTo([email]);
  return Promise.all(
    mails.map(async (mail) => ({
      messageId: mail.messageId,
      message: await simpleParser(await mimeSource(mail)),
    })),
  );
}

describe('notification mail as MIME', () => {
  it('threads one incident, keeps two apart, and survives hostile and non-ASCII text', async () => {
    const subscriber = subscriberRecord({
      email: uniqueEmail('mime'),
      topics: [
        {
          pageId: PAGE_ID,
          componentId: US_CHAT,
          groupId: 'grp1produs01',
          key: componentTopicKey(PAGE_ID, US_CHAT),
        },
      ],
    });
    await deps.subscribers.create(subscriber);
    const hostile: Seed = {
      ...chatMessagesMayFail,
      id: `h${randomUUID().slice(0, 8)}`,
      name: 'Störung: Chat <b>down</b>\r\nBcc: victim@example.com',
    };
    const other: Seed = { ...chatMessagesMayFail, id: `o${randomUUID().slice(0, 8)}` };
    await deliver(hostile, 1, [subscriber]);
    await deliver(hostile, 2, [subscriber]);
    await deliver(other, 1, [subscriber]);

    const [first, second, third] = await parsed(subscriber.email);
    const a = first!.message;
    const b = second!.message;
    const c = third!.message;

    // One subject per incident, decoded as written; no header smuggled in through the name.
    expect(a.subject).toBe('[Kundenstatus Zürich] Störung: Chat <b>down</b> Bcc: victim@example.com');
    expect(b.subject).toBe(a.subject);
    expect(a.bcc).toBeUndefined();
    expect(a.headers.has('bcc')).toBe(false);

    // Threading by the headers clients use.
    const root = a.references as string;
    expect(root).toMatch(/^<incident\.[0-9a-f]{32}@notifier\.example\.com>$/);
    expect(a.inReplyTo).toBe(root);
    expect(b.references).toEqual([root, `<${first!.messageId}@email.amazonses.com>`]);
    expect(b.inReplyTo).toBe(`<${first!.messageId}@email.amazonses.com>`);
    expect(c.subject).not.toBe(a.subject);
    expect(c.references).not.toBe(root);

    // List headers (mailparser gathers them under `list`), the list named after the page in an encoded word.
    const list = a.headers.get('list') as unknown as Record<string, Record<string, string>>;
    expect(list.id?.id).toBe(`${PAGE_ID}.status.notifier.example.com`);
    const [, encoded = ''] = /^=\?UTF-8\?B\?(.+)\?=$/.exec(list.id?.name ?? '') ?? [];
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe('Kundenstatus Zürich status');
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    expect(list.unsubscribe?.url).toMatch(/^https:\/\/status\.example\.com\/v1\/unsubscribe\?token=/);

    // Both parts, webhook text escaped in HTML, the reason for the mail in each.
    expect(a.html).toContain('Störung: Chat &#60;b&#62;down&#60;/b&#62;');
    expect(a.html).not.toContain('<b>down</b>');
    expect(a.text).toContain(
      'You receive this because you follow Channel - Chat in Prod1 (US) (Kundenstatus Zürich).',
    );
    expect(a.html).toContain('Channel - Chat in Prod1 (US) (Kundenstatus Zürich)');
    expect(b.text).toMatch(/Identified[\s\S]*Earlier updates[\s\S]*Investigating/);
  });
});

describe('account mail as MIME', () => {
  it('sends confirmations as transactional mail: both parts, the link, no list headers', async () => {
    const email = uniqueEmail('confirm-mime');
    const outcome = await deps.mailer.sendOne(
      email,
      confirmationMail({
        confirmUrl: 'https://status.example.com/v1/confirm?token=abc',
        topics: ['Channel - Chat in Prod1 (US) (Kundenstatus Zürich)'],
      }),
    );
    expect(outcome.ok).toBe(true);
    const [mail] = await parsed(email);
    const message = mail!.message;
    expect(message.subject).toBe('Confirm your status update subscription');
    expect(message.text).toContain('Confirm: https://status.example.com/v1/confirm?token=abc');
    expect(message.html).toContain('href="https://status.example.com/v1/confirm?token=abc"');
    expect(message.html).toContain('Kundenstatus Zürich');
    expect(message.headers.has('list')).toBe(false);
    expect(message.headers.has('list-unsubscribe')).toBe(false);
  });
});
