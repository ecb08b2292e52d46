import { createHash } from 'node:crypto';
import type { HttpResult } from './respond';

/** A document that readers poll: its body, its type, and its newest change. */
export interface CacheableDocument {
  body: string;
  contentType: string;
  lastModified: Date;
}

/**
 * The answer to a GET of a document readers poll: `200` with an `ETag` (of the body) and `Last-Modified`,
 * or `304` with no body when the reader's copy is current: `If-None-Match` decides when sent, else
 * `If-Modified-Since` (RFC 9110, 13.2.2).
 */
export function conditionalGet(
  requestHeaders: Record<string, string | undefined>,
  document: CacheableDocument,
  cacheControl: string,
): HttpResult {
  const etag = `"${createHash('sha256').update(document.body).digest('base64url').slice(0, 32)}"`;
  // HTTP dates have whole seconds: a change within the second a reader last saw is caught by the ETag.
  // Never later than now (RFC 9110, 8.8.2.1): an update dated in the future would freeze readers' copies.
  const newest = Math.min(document.lastModified.getTime(), Date.now());
  const lastModified = new Date(Math.floor(newest / 1000) * 1000);
  const headers = { etag, 'last-modified': lastModified.toUTCString(), 'cache-control': cacheControl };
  if (isCurrent(requestHeaders, etag, lastModified)) return { statusCode: 304, headers, body: '' };
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': document.contentType, 'x-content-type-options': 'nosniff' },
    body: document.body,
  };
}

function isCurrent(headers: Record<string, string | undefined>, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // Weak comparison, as a GET's If-None-Match takes: W/"x" matches "x".
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}
