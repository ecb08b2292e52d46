import { createHmac, randomBytes } from 'node:crypto';

/*
 * Webhook signatures per the Standard Webhooks specification: `webhook-id` (the same on every retry of an
 * event, so a receiver can drop repeats), `webhook-timestamp` (seconds), and `webhook-signature`, a
 * space-separated list of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret in use:
 * while a rotated secret's old one is still honoured, both sign.
 */

export const SIGNING_SECRET_PREFIX = 'whsec_';
/** Random bytes in a secret: above the specification's minimum of 24. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` and the base64 of random bytes, as receivers' libraries expect it. */
export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key a secret stands for: the base64-decoded part after `whsec_`. */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SIGNING_SECRET_PREFIX)) throw new Error('a signing secret starts with whsec_');
  return Buffer.from(secret.slice(SIGNING_SECRET_PREFIX.length), 'base64');
}

export interface SignedMessage {
  /** The event's id: the same on each retry of it. */
  id: string;
  timestamp: Date;
  body: string;
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers of a message signed with each of `secrets` (the newest first). */
export function signatureHeaders(secrets: readonly string[], message: SignedMessage): SignatureHeaders {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  const timestamp = String(Math.floor(message.timestamp.getTime() / 1000));
  const signed = `${message.id}.${timestamp}.${message.body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed).digest('base64')}`,
  );
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
  };
}
