import type * as z from './domain/zod';

export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** Well-formed, but cannot be done as asked (an Idempotency-Key reused for another request). */
  | 'UNPROCESSABLE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  /** A service this one relies on (the admin API, for the console) failed or did not answer. */
  | 'BAD_GATEWAY';

export interface ErrorDetail {
  /** Where the problem is, as a dotted path into the request (`incident.incident_updates.0.id`). */
  path: string;
  message: string;
}

/** The one error type use-cases throw; `shared/http/errors.ts` maps its code to an HTTP status. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** With RATE_LIMITED: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  static fromZod(error: z.core.$ZodError, prefix: readonly PropertyKey[] = []): AppError {
    const details = error.issues.map((issue) => ({
      path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
      message: issue.message,
    }));
    const first = details[0];
    const summary = first ? `${first.path}: ${first.message}` : 'invalid input';
    return new AppError('VALIDATION', `Invalid request: ${summary}`, details);
  }
}

/** What `schema` makes of `value`, or a VALIDATION AppError whose details name each field it refuses. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.fromZod(parsed.error);
  return parsed.data;
}
