import { AppError } from '../../errors';

/** Pagination cursors are opaque to clients: the DynamoDB key to resume after, base64url-encoded. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION', 'invalid cursor', [
    { path: 'cursor', message: 'not a cursor this API returned' },
  ]);
}
