import * as z from '../../domain/zod';
import { AppError } from '../../errors';

/** Pagination cursors are opaque to clients: the DynamoDB key to resume after, base64url-encoded. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** DynamoDB's limit for a sort key; partition keys are shorter still. */
const KeyPart = z.string().check(z.minLength(1), z.maxLength(1024));

/**
 * The key a cursor carries, checked against what the query it resumes can have returned: exactly these
 * key attributes, strings, and (for a query) in its partition. A cursor the API never returned is a 400,
 * not a start key DynamoDB refuses with a 500.
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: { keys: readonly string[]; partition?: { name: string; value: string } },
): Record<string, string> | undefined {
  if (!cursor) return undefined;
  const shape = z.strictObject(Object.fromEntries(expected.keys.map((name) => [name, KeyPart])));
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    const key = parsed.success ? (parsed.data as Record<string, string>) : undefined;
    if (key && (!expected.partition || key[expected.partition.name] === expected.partition.value)) return key;
  } catch {
    // not JSON: fall through
  }
  throw invalidCursor();
}

/** The refusal of a cursor the API cannot have returned for this request. */
export function invalidCursor(): AppError {
  return new AppError('VALIDATION', 'invalid cursor', [
    { path: 'cursor', message: 'not a cursor this API returned' },
  ]);
}
