import { beforeAll, describe, expect, it } from 'vitest';
import { type Delivery, deliveryId, deliveryTag } from '../../shared/domain/delivery';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageIncidentWebhook } from '../../shared/domain/statuspage';
import { systemClock } from '../../shared/ports';
import { handleSesEvent, SesEvent } from '../../shared/usecases/feedback';
import { chatMessagesMayFail, incidentWebhook } from '../fixtures/seeds';
import bounce from '../fixtures/ses/bounce-permanent.json';
import complaint from '../fixtures/ses/complaint.json';
import delivered from '../fixtures/ses/delivery.json';
import { freshStores } from '../support/local-aws';

// SES events (real EventBridge shapes) against DynamoDB Local: suppressions and delivery outcomes.
let deps: Awaited<ReturnType<typeof setup>>;
async function setup() {
  return { ...(await freshStores()), clock: systemClock };
}

const plan = planIncidentIngest(StatuspageIncidentWebhook.parse(incidentWebhook(chatMessagesMayFail, 1)));
const update = plan.updates[0]!;

beforeAll(async () => {
  deps = await setup();
  await deps.incidents.save(plan.incident);
  await deps.incidents.addUpdate(update, plan.incident);
});

async function delivery(subscriberId: string, email: string): Promise<Delivery> {
  const sent: Delivery = {
    subscriberId,
    incidentId: update.incidentId,
    updateId: update.updateId,
    email,
    status: 'sent',
    attempts: 1,
    createdAt: new Date().toISOString(),
  };
  await deps.deliveries.recordOutcomes([sent]);
  return sent;
}

function event(fixture: object, tagged: Delivery, recipient: string) {
  const copy = structuredClone(fixture) as SesEvent & { detail: Record<string, any> };
  copy.detail.mail.tags = { delivery: [deliveryTag(tagged)] };
  copy.detail.mail.destination = [recipient];
  for (const list of [copy.detail.bounce?.bouncedRecipients, copy.detail.complaint?.complainedRecipients]) {
    if (list?.[0]) list[0].emailAddress = recipient;
  }
  return SesEvent.parse(copy);
}

const suppressedNow = async (email: string) => (await deps.suppressions.suppressed([email])).has(email);
const outcomeOf = async (d: Delivery) => (await deps.deliveries.load([d])).get(deliveryId(d))?.outcome;

describe('SES feedback', () => {
  it('suppresses on a hard bounce and on a complaint, and records the outcome once however often SES repeats it', async () => {
    const bounced = await delivery('sub-bounce', 'gone@example.com');
    const complained = await delivery('sub-complaint', 'annoyed@example.com');
    for (let i = 0; i < 3; i++) await handleSesEvent(deps, event(bounce, bounced, 'Gone@Example.com'));
    await handleSesEvent(deps, event(complaint, complained, 'annoyed@example.com'));

    expect(await suppressedNow('gone@example.com')).toBe(true);
    expect(await suppressedNow('annoyed@example.com')).toBe(true);
    expect(await outcomeOf(bounced)).toBe('bounced');
    expect(await outcomeOf(complained)).toBe('complained');
    const counts = (await deps.incidents.updateCounts(update.incidentId)).get(update.updateId);
    expect(counts?.outcomes).toMatchObject({ bounced: 1, complained: 1 });
    const { items } = await deps.suppressions.list(undefined, 100);
    expect(items).toContainEqual(
      expect.objectContaining({ email: 'gone@example.com', reason: 'hard bounce (General)', source: 'ses' }),
    );
  });

  it('counts soft bounces and suppresses only after repeated ones', async () => {
    const soft = structuredClone(bounce) as any;
    soft.detail.bounce.bounceType = 'Transient';
    soft.detail.bounce.bounceSubType = 'MailboxFull';
    const target = await delivery('sub-soft', 'full@example.com');
    await handleSesEvent(deps, event(soft, target, 'full@example.com'));
    await handleSesEvent(deps, event(soft, target, 'full@example.com'));
    expect(await suppressedNow('full@example.com')).toBe(false);
    expect(await outcomeOf(target)).toBe('soft-bounced');
    await handleSesEvent(deps, event(soft, target, 'full@example.com'));
    expect(await suppressedNow('full@example.com')).toBe(true);
  });

  it('records deliveries and ignores events for mail it did not tag', async () => {
    const happy = await delivery('sub-happy', 'happy@example.com');
    await handleSesEvent(deps, event(delivered, happy, 'happy@example.com'));
    expect(await outcomeOf(happy)).toBe('delivered');
    const untagged = SesEvent.parse({
      ...delivered,
      detail: { ...delivered.detail, mail: { ...delivered.detail.mail, tags: {} } },
    });
    expect(await handleSesEvent(deps, untagged)).toEqual({ outcome: 'delivered', suppressed: 0 });
  });

  it('never lets a late event undo a graver outcome, and waits for the sender to mark the mail', async () => {
    const annoyed = await delivery('sub-order', 'order@example.com');
    await handleSesEvent(deps, event(complaint, annoyed, 'order@example.com'));
    await handleSesEvent(deps, event(delivered, annoyed, 'order@example.com')); // arrives late
    expect(await outcomeOf(annoyed)).toBe('complained');

    const pending = { ...(await delivery('sub-early', 'early@example.com')), status: 'pending' as const };
    await deps.deliveries.recordOutcomes([pending]);
    await expect(handleSesEvent(deps, event(delivered, pending, 'early@example.com'))).rejects.toThrow(
      /not marked sent yet/,
    );
    // No record at all yet: SES's event overtook the sender's write.
    const unrecorded = { ...pending, subscriberId: 'sub-unrecorded' };
    await expect(handleSesEvent(deps, event(delivered, unrecorded, 'early@example.com'))).rejects.toThrow(
      /not marked sent yet/,
    );
  });
});
