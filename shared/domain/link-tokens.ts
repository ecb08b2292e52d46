import { createHash, createHmac, randomBytes } from 'node:crypto';
import { secretsEqual } from './secrets-equal';

/**
 * Links in mail carry `<subscriberId>.<scope>.<secret>`, a token of one scope is refused for another:
 * - `c` confirms a subscription: 256 random bits, stored only as a SHA-256 hash, single use, expiring.
 * - `m` manages preferences and unsubscribes: an HMAC under a server secret of the subscriber id and a
 *   random per-subscriber nonce. Nothing stored yields the token without the server secret; the sender
 *   can still put one in every mail; rotating the nonce revokes every manage link at once.
 */
export type LinkScope = 'confirm' | 'manage';

const SCOPE_CODE: Record<LinkScope, string> = { confirm: 'c', manage: 'm' };

export interface ParsedLinkToken {
  subscriberId: string;
  scope: LinkScope;
  secret: string;
}

export function parseLinkToken(token: string): ParsedLinkToken | undefined {
  const [subscriberId, code, secret, ...rest] = token.split('.');
  if (!subscriberId || !secret || rest.length > 0 || !/^[\w-]{20,100}$/.test(secret)) return undefined;
  // Ids are UUIDs. No ':' either, which separates id and nonce in the signed text: "a" with nonce "b:c"
  // and "a:b" with nonce "c" sign the same.
  if (!/^[\w-]{1,100}$/.test(subscriberId)) return undefined;
  const scope = (Object.keys(SCOPE_CODE) as LinkScope[]).find((s) => SCOPE_CODE[s] === code);
  return scope ? { subscriberId, scope, secret } : undefined;
}

export function createManageToken(serverSecret: string, subscriberId: string, nonce: string): string {
  return `${subscriberId}.${SCOPE_CODE.manage}.${manageMac(serverSecret, subscriberId, nonce)}`;
}

export function manageTokenMatches(serverSecret: string, token: ParsedLinkToken, nonce: string): boolean {
  return (
    token.scope === 'manage' && secretsEqual(token.secret, manageMac(serverSecret, token.subscriberId, nonce))
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

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
