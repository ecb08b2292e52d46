import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The origins this deployment's pages are served from: the public base URL's, and the one the request
 * was addressed to (the Host header a browser sets, which no other site's page can choose).
 */
export function ownOrigins(event: APIGatewayProxyEventV2, publicBaseUrl: string): string[] {
  const base = new URL(publicBaseUrl);
  const host = event.headers?.host ?? event.requestContext?.domainName;
  const scheme = event.headers?.['x-forwarded-proto'] ?? base.protocol.replace(':', '');
  return [base.origin, ...(host ? [`${scheme}://${host}`] : [])];
}

/**
 * Whether a request that changes something was sent from one of `own` origins' pages. A browser that
 * sends `Sec-Fetch-Site` says so itself (`none`: typed or bookmarked, never another site); one that
 * does not is judged by `Origin`, failing that by `Referer`. With neither, or `Origin: null` (a
 * sandboxed frame, a redirect across sites), it is refused: a form posted from our pages carries one.
 */
export function sentFromOwnSite(
  headers: Record<string, string | undefined> | undefined,
  own: readonly string[],
): boolean {
  const site = headers?.['sec-fetch-site'];
  if (site) return site === 'same-origin' || site === 'none';
  const origin = headers?.origin;
  if (origin) return own.includes(origin);
  const referer = headers?.referer;
  if (!referer) return false;
  try {
    return own.includes(new URL(referer).origin);
  } catch {
    return false;
  }
}
