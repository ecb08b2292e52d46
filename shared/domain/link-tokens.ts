import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link token lets its holder do; a token of one scope is refused for another. */
export type LinkScope = 'unsubscribe';

/**
 * A link token is `<subscriberId>.<scope>.<mac>`: unguessable (256-bit HMAC under a server secret) and
 * stateless, so the sender can put one in every mail without storing it.
 */
export function createLinkToken(secret: string, scope: LinkScope, subscriberId: string): string {
  return `${subscriberId}.${scope}.${mac(secret, scope, subscriberId)}`;
}

/** The subscriber a token names, or undefined when it is forged, malformed or of another scope. */
export function verifyLinkToken(secret: string, scope: LinkScope, token: string): string | undefined {
  const [subscriberId, tokenScope, given, ...rest] = token.split('.');
  if (!subscriberId || tokenScope !== scope || !given || rest.length > 0) return undefined;
  const expected = Buffer.from(mac(secret, scope, subscriberId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? subscriberId : undefined;
}

function mac(secret: string, scope: LinkScope, subscriberId: string): string {
  return createHmac('sha256', secret).update(`${scope}:${subscriberId}`).digest('base64url');
}
