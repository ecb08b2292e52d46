import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeaders } from '../../../shared/domain/webhook-signing';
import { anyText } from './arbitraries';

/*
 * Our signatures, checked by the `standardwebhooks` package's verifier: an implementation of the
 * Standard Webhooks specification we did not write, as receivers use it.
 */

const secrets = fc.constant(null).map(() => newSigningSecret());
const eventId = fc.string({ minLength: 1, maxLength: 60 }).map((id) => `evt_${id.replace(/[\s.]/g, '_')}`);
/** Within the verifier's tolerance of five minutes either way. */
const recent = fc.integer({ min: -240, max: 240 }).map((seconds) => new Date(Date.now() + seconds * 1000));

const verifies = (secret: string, body: string, headers: Record<string, string>) => {
  try {
    // Any text, not only JSON: the signature covers the bytes whatever they hold.
    new Webhook(secret).verify(body, headers, { jsonParse: false });
    return true;
  } catch {
    return false;
  }
};

describe('webhook signatures, for any event', () => {
  it('are accepted by the Standard Webhooks verifier', () => {
    fc.assert(
      fc.property(secrets, eventId, recent, anyText(2000), (secret, id, timestamp, body) => {
        expect(verifies(secret, body, { ...signatureHeaders([secret], { id, timestamp, body }) })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('are refused once the body, the id or the timestamp changes', () => {
    fc.assert(
      fc.property(
        secrets,
        eventId,
        recent,
        anyText(500),
        anyText(500, 1),
        fc.integer({ min: 1, max: 200 }),
        (secret, id, timestamp, body, change, seconds) => {
          const headers = signatureHeaders([secret], { id, timestamp, body });
          const other = body === body + change ? `${body}!` : body + change;
          expect(verifies(secret, other, { ...headers })).toBe(false);
          expect(verifies(secret, body, { ...headers, 'webhook-id': `${id}x` })).toBe(false);
          const moved = String(Number(headers['webhook-timestamp']) - seconds);
          expect(verifies(secret, body, { ...headers, 'webhook-timestamp': moved })).toBe(false);
          expect(verifies(newSigningSecret(), body, { ...headers })).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('while a secret rotates, verify with the old secret and with the new one', () => {
    fc.assert(
      fc.property(secrets, secrets, eventId, anyText(300), (fresh, old, id, body) => {
        const headers = signatureHeaders([fresh, old], { id, timestamp: new Date(), body });
        expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
        expect(verifies(fresh, body, { ...headers })).toBe(true);
        expect(verifies(old, body, { ...headers })).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('keep the same id and signature on a retry of the same event at the same time', () => {
    const secret = newSigningSecret();
    const message = { id: 'evt_1', timestamp: new Date('2026-12-07T10:00:00Z'), body: '{"a":1}' };
    expect(signatureHeaders([secret], message)).toEqual(signatureHeaders([secret], { ...message }));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});
