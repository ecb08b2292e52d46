import { createHmac } from 'node:crypto';
import { secretsEqual } from './secrets-equal';

/**
 * The console's CSRF token: an HMAC of a fixed label under the session token. Only a page rendered for
 * that session can carry it (another site cannot read the HttpOnly cookie to compute it), it needs no
 * storage, and it dies with the session.
 */
export function csrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('console-csrf').digest('base64url');
}

/** Whether a form's (or a script's header's) token belongs to this session, compared in constant time. */
export function csrfMatches(sessionToken: string, given: string | undefined): boolean {
  return given !== undefined && given !== '' && secretsEqual(given, csrfToken(sessionToken));
}
