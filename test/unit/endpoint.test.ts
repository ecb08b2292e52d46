import { describe, expect, it } from 'vitest';
import {
  eventId,
  FIRST_TRY_TIMEOUT_MS,
  HEALTHY,
  healthAfter,
  healthWorthRecording,
  lastSuccessAt,
  nextAttemptAt,
  QUARANTINE_FAILURES,
  signingSecrets,
  tryTimeoutMs,
} from '../../shared/domain/endpoint';
import { planIncidentIngest } from '../../shared/domain/ingest-plan';
import { StatuspageWebhook } from '../../shared/domain/statuspage';
import { incidentEventV1, statuspageBody, WebhookEventV1 } from '../../shared/domain/webhook-events';
import { incidentRecord, incidentUpdate } from '../support/records';

const at = (iso: string) => new Date(iso);
const start = at('2026-12-07T10:00:00Z');

describe('retrying a failed delivery', () => {
  const retryAt = (
    failedAttempts: number,
    now = start,
    extra: { retryAfterSeconds?: number; random?: number } = {},
  ) =>
    nextAttemptAt({
      failedAttempts,
      firstAttemptAt: start,
      now,
      random: () => extra.random ?? 0.5,
      ...(extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {}),
    });
  const seconds = (date: Date | undefined, from = start) =>
    date ? (date.getTime() - from.getTime()) / 1000 : undefined;

  it('waits 30 s, 2 min, 10 min, 1 h, then hourly, with a fifth of jitter either way', () => {
    expect([1, 2, 3, 4, 5, 20].map((n) => seconds(retryAt(n)))).toEqual([30, 120, 600, 3600, 3600, 3600]);
    expect(seconds(retryAt(1, start, { random: 0 }))).toBe(24);
    expect(seconds(retryAt(1, start, { random: 0.999999 }))).toBeCloseTo(36, 0);
  });

  it('waits at least as long as the endpoint asked, up to six hours', () => {
    expect(seconds(retryAt(1, start, { retryAfterSeconds: 900 }))).toBe(900);
    expect(seconds(retryAt(1, start, { retryAfterSeconds: 86_400 }))).toBe(6 * 3600);
  });

  it('gives up a day after the first attempt', () => {
    expect(retryAt(25, at('2026-12-08T09:59:00Z'))).toBeDefined();
    expect(retryAt(26, at('2026-12-08T10:00:00Z'))).toBeUndefined();
  });
});

describe('an endpoint’s health', () => {
  it('is quarantined at once by a 410, and by 30 failures in a row over at least a day', () => {
    expect(healthAfter(HEALTHY, { ok: false, gone: true, at: start })).toMatchObject({
      quarantinedAt: start.toISOString(),
      quarantineReason: 'the endpoint answered 410 Gone',
    });
    let health = HEALTHY;
    for (let n = 0; n < QUARANTINE_FAILURES + 5; n++)
      health = healthAfter(health, {
        ok: false,
        at: new Date(start.getTime() + n * 60_000),
        reason: 'answered 500',
      });
    expect(health).toMatchObject({ consecutiveFailures: 35, failingSince: start.toISOString() });
    expect(health.quarantinedAt).toBeUndefined(); // 35 failures, but within an hour
    health = healthAfter(health, { ok: false, at: at('2026-12-08T10:00:00Z'), reason: 'answered 500' });
    expect(health.quarantineReason).toBe(
      '36 failures in a row since 2026-12-07T10:00:00.000Z, the last: answered 500',
    );
  });

  it('recovers its count on a success', () => {
    const failing = healthAfter(HEALTHY, { ok: false, at: start });
    expect(healthAfter(failing, { ok: true, at: at('2026-12-07T10:05:00Z') })).toEqual({
      consecutiveFailures: 0,
      lastFailureAt: start.toISOString(),
      lastSuccessAt: '2026-12-07T10:05:00.000Z',
    });
  });
});

describe('recording health', () => {
  const success = (health: typeof HEALTHY, iso: string) => healthAfter(health, { ok: true, at: at(iso) });

  it('costs no write while an endpoint stays healthy, and one on each change of its state', () => {
    const healthy = success(HEALTHY, '2026-12-07T10:00:00Z');
    expect(healthWorthRecording(HEALTHY, healthy)).toBe(false);
    expect(healthWorthRecording(healthy, success(healthy, '2026-12-07T11:00:00Z'))).toBe(false);
    const failing = healthAfter(healthy, { ok: false, at: at('2026-12-07T12:00:00Z') });
    expect(healthWorthRecording(healthy, failing)).toBe(true);
    const failingMore = healthAfter(failing, { ok: false, at: at('2026-12-07T12:01:00Z') });
    expect(healthWorthRecording(failing, failingMore)).toBe(true);
    expect(healthWorthRecording(failingMore, success(failingMore, '2026-12-07T12:02:00Z'))).toBe(true);
  });

  it('gives a first try a short time until the endpoint proves slow, and every retry the whole time', () => {
    expect(tryTimeoutMs(HEALTHY, { attempts: 0 })).toBe(FIRST_TRY_TIMEOUT_MS);
    expect(tryTimeoutMs(HEALTHY, { attempts: 1 })).toBeUndefined();
    const slow = healthAfter(HEALTHY, { slow: true, at: start });
    expect(slow).toEqual({ consecutiveFailures: 0, slowSince: start.toISOString() });
    expect(healthWorthRecording(HEALTHY, slow)).toBe(true);
    expect(tryTimeoutMs(slow, { attempts: 0 })).toBeUndefined();
    // Still slow after a slow success; quick again after a quick one.
    const slowSuccess = healthAfter(slow, { ok: true, at: start, latencyMs: 3_000 });
    expect(slowSuccess.slowSince).toBe(start.toISOString());
    const quick = healthAfter(slowSuccess, { ok: true, at: start, latencyMs: 40 });
    expect(quick.slowSince).toBeUndefined();
    expect(tryTimeoutMs(quick, { attempts: 0 })).toBe(FIRST_TRY_TIMEOUT_MS);
  });

  it('takes the last success from the newest delivery sent when it is newer than the recorded one', () => {
    const health = { ...HEALTHY, lastSuccessAt: '2026-12-07T10:00:00.000Z' };
    const sent = (sentAt: string) => ({ status: 'sent', sentAt });
    expect(lastSuccessAt(health, [sent('2026-12-07T11:00:00.000Z'), { status: 'failed' }])).toBe(
      '2026-12-07T11:00:00.000Z',
    );
    expect(lastSuccessAt(health, [sent('2026-12-07T09:00:00.000Z')])).toBe('2026-12-07T10:00:00.000Z');
    expect(lastSuccessAt(HEALTHY, [{ status: 'pending' }])).toBeUndefined();
  });
});

describe('signing secrets', () => {
  it('sign with the old secret too for a day after a rotation', () => {
    const endpoint = {
      secrets: [
        { secret: 'whsec_new', createdAt: '2026-12-07T10:00:00Z' },
        { secret: 'whsec_old', createdAt: '2026-11-01T10:00:00Z' },
      ],
    };
    expect(signingSecrets(endpoint, at('2026-12-08T09:59:00Z'))).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(endpoint, at('2026-12-08T10:00:00Z'))).toEqual(['whsec_new']);
  });
});

describe('events', () => {
  const incident = incidentRecord({ componentIds: ['cmpchat'] });
  const update = {
    ...incidentUpdate(incident, 'u1', 'identified', '2025-08-06T14:29:00.000Z', 'A queue is not draining.'),
    affectedComponentIds: ['cmpchat'],
  };
  const input = {
    eventId: eventId({ subscriberId: 's1', incidentId: incident.incidentId, updateId: update.updateId }),
    at: start,
    page: { id: 'page', name: 'Kustomer' },
    incident,
    update,
    updates: [update],
    components: [{ id: 'cmpchat', name: 'Channel - Chat', region: 'Prod1 (US)' }],
    links: {
      manageUrl: 'https://notifier.example/manage',
      unsubscribeUrl: 'https://notifier.example/unsubscribe',
    },
  };

  it('have one id per endpoint and update, whatever retries', () => {
    expect(input.eventId).toMatch(/^evt_[\w-]{26}$/);
    expect(eventId({ subscriberId: 's1', incidentId: incident.incidentId, updateId: update.updateId })).toBe(
      input.eventId,
    );
    expect(
      eventId({ subscriberId: 's2', incidentId: incident.incidentId, updateId: update.updateId }),
    ).not.toBe(input.eventId);
  });

  it('in v1, say what happened in the versioned shape the OpenAPI document describes', () => {
    const event = incidentEventV1(input);
    expect(WebhookEventV1.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      version: '1',
      type: 'incident.update',
      data: {
        incident: { id: incident.incidentId, name: incident.name, status: 'identified', impact: 'major' },
        update: { id: update.updateId, text: update.body },
        components: [{ id: 'cmpchat', name: 'Channel - Chat', region: 'Prod1 (US)' }],
      },
    });
  });

  it('in Statuspage’s format, are a Statuspage webhook our own ingest takes as the same update', () => {
    const parsed = StatuspageWebhook.parse(statuspageBody(input));
    expect(parsed.kind).toBe('incident');
    const plan = planIncidentIngest(parsed as Extract<typeof parsed, { kind: 'incident' }>);
    expect(plan.updates.map((u) => [u.updateId, u.status, u.body, u.notify])).toEqual([
      [update.updateId, update.status, update.body, true],
    ]);
    expect(plan.incident).toMatchObject({ name: incident.name, componentIds: ['cmpchat'] });
  });
});
