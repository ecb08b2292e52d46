import { createHash, createHmac, randomBytes } from 'node:crypto';
import { secretsEqual } from './secrets-equal';

/**
 * Links in mail carry `<subscriberId>.<scope>.<secret>`, a token of one scope is refused for another:
 * - `c` confirms a subscription: 256 random bits, stored only as a SHA-256 hash, single use, expiring.
 * - `m` manages preferences and unsubscribes: an HMAC under a server secret of the subscriber id and a
 *   random per-subscriber nonce. Nothing stored yields the token without the server secret; the sender
 *   can still put one in every mail; rotating the nonce revokes every manage link at once.
 * - `m` with a fourth part, the time it was issued (`<id>.m.<mac>.<seconds, base 36>`): an HMAC of the
 *   id and that time, which the sender signs without reading the subscriber. Rotating the nonce revokes
 *   these too: the subscriber's `linksValidFrom` moves to the rotation, and one issued before is refused.
 */
export type LinkScope = 'confirm' | 'manage';

const SCOPE_CODE: Record<LinkScope, string> = { confirm: 'c', manage: 'm' };

export interface ParsedLinkToken {
  subscriberId: string;
  scope: LinkScope;
  secret: string;
  /** A manage token signed with the time it was issued (whole seconds since the epoch). */
  issuedAt?: number;
}

export function parseLinkToken(token: string): ParsedLinkToken | undefined {
  const [subscriberId, code, secret, issued, ...rest] = token.split('.');
  if (!subscriberId || !secret || rest.length > 0 || !/^[\w-]{20,100}$/.test(secret)) return undefined;
  if (issued !== undefined && (code !== SCOPE_CODE.manage || !/^[0-9a-z]{1,10}$/.test(issued)))
    return undefined;
  // Ids are UUIDs. No ':' either, which separates id and nonce in the signed text: "a" with nonce "b:c"
  // and "a:b" with nonce "c" sign the same.
  if (!/^[\w-]{1,100}$/.test(subscriberId)) return undefined;
  const scope = (Object.keys(SCOPE_CODE) as LinkScope[]).find((s) => SCOPE_CODE[s] === code);
  if (!scope) return undefined;
  return {
    subscriberId,
    scope,
    secret,
    ...(issued !== undefined ? { issuedAt: Number.parseInt(issued, 36) } : {}),
  };
}

export function createManageToken(serverSecret: string, subscriberId: string, nonce: string): string {
  return `${subscriberId}.${SCOPE_CODE.manage}.${manageMac(serverSecret, subscriberId, nonce)}`;
}

/** A manage token that needs nothing stored: signed with the time it is issued, `issuedAt`. */
export function createIssuedManageToken(serverSecret: string, subscriberId: string, issuedAt: Date): string {
  const seconds = Math.floor(issuedAt.getTime() / 1000);
  return `${subscriberId}.${SCOPE_CODE.manage}.${issuedMac(serverSecret, subscriberId, seconds)}.${seconds.toString(36)}`;
}

/**
 * Whether a manage token is the subscriber's: by nonce, or issued after `validFrom` (the last rotation of
 * the nonce; none: any time). Issue times are whole seconds: one issued in the second of a rotation, before
 * or after it, is refused.
 */
export function manageTokenMatches(
  serverSecret: string,
  token: ParsedLinkToken,
  nonce: string,
  validFrom?: string,
): boolean {
  if (token.scope !== 'manage') return false;
  if (token.issuedAt === undefined)
    return secretsEqual(token.secret, manageMac(serverSecret, token.subscriberId, nonce));
  const rotatedAt = validFrom ? Date.parse(validFrom) : Number.NEGATIVE_INFINITY;
  return (
    token.issuedAt * 1000 > rotatedAt &&
    secretsEqual(token.secret, issuedMac(serverSecret, token.subscriberId, token.issuedAt))
  );
}

/** A fresh confirmation token and the hash to store in its place. */
export function createConfirmToken(subscriberId: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${subscriberId}.${SCOPE_CODE.confirm}.${secret}`, hash: sha256(secret) };
}

export function confirmTokenMatches(token: ParsedLinkToken, storedHash: string | undefined): boolean {
  return (
    token.scope === 'confirm' && storedHash !== undefined && secretsEqual(sha256(token.secret), storedHash)
  );
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

function manageMac(serverSecret: string, subscriberId: string, nonce: string): string {
  return createHmac('sha256', serverSecret).update(`manage:${subscriberId}:${nonce}`).digest('base64url');
}

function issuedMac(serverSecret: string, subscriberId: string, seconds: number): string {
  return createHmac('sha256', serverSecret)
    .update(`manage-issued:${subscriberId}:${seconds}`)
    .digest('base64url');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
