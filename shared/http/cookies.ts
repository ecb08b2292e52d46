import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A request cookie's value: API Gateway's payload 2.0 gives them in `cookies`, other callers in the header. */
export function cookieOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const pairs = event.cookies ?? (event.headers?.cookie ?? '').split(/;\s*/);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  /** Only over https (a deployed API); off for the local stack's plain http. */
  secure: boolean;
  /** Seconds; 0 deletes the cookie. Absent: it ends with the browser session. */
  maxAge?: number;
}

/**
 * A Set-Cookie value no script can read (HttpOnly), sent only to `path`, and from another site only on
 * a link followed there (SameSite=Lax): a link in a mail or a chat opens the page signed in, while
 * another site's form or script gets no cookie (the console's POSTs also need its CSRF token and origin).
 */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
    ...(options.maxAge !== undefined ? [`Max-Age=${options.maxAge}`] : []),
  ].join('; ');
}
