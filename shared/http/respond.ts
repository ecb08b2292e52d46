import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;

export interface PageOptions {
  /** Origins that may frame the page (the embeddable subscribe form); none by default. */
  frameAncestors?: readonly string[];
  headers?: Record<string, string>;
}

/**
 * A page for a person. Scripts and styles only from this origin (no inline script can run, whatever a
 * value smuggles in), forms post only here, nobody frames it unless allowed, never cached, and a token
 * in its URL never leaks as a referrer.
 */
export function html(statusCode: number, body: string, options: PageOptions = {}): HttpResult {
  const ancestors = options.frameAncestors?.length ? options.frameAncestors.join(' ') : "'none'";
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-security-policy': [
        "default-src 'none'",
        "style-src 'self'",
        "script-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        `frame-ancestors ${ancestors}`,
      ].join('; '),
      ...options.headers,
    },
    body,
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** After a form post: 303, so a reload does not post again. */
export function redirect(location: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: 303, headers: { location, 'cache-control': 'no-store', ...headers }, body: '' };
}

/** A script or API client asking for JSON gets JSON from a page route; a browser gets the page. */
export function prefersJson(event: Pick<APIGatewayProxyEventV2, 'headers'>): boolean {
  const accept = event.headers?.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}
