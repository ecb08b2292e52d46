/** A console session token: `sns_<id: 12 hex>_<secret: 64 hex>`, the only shape `createSession` mints. */
const SESSION_TOKEN = /^sns_([0-9a-f]{12})_([0-9a-f]{64})$/;

export const sessionToken = (sessionId: string, secret: string) => `sns_${sessionId}_${secret}`;

/** The session id and secret of a token, or undefined for anything else (an API key, a forged value). */
export function parseSessionToken(token: string): { sessionId: string; secret: string } | undefined {
  const match = SESSION_TOKEN.exec(token);
  return match?.[1] && match[2] ? { sessionId: match[1], secret: match[2] } : undefined;
}

export const isSessionToken = (value: string) => SESSION_TOKEN.test(value);
