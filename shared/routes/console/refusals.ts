import { AdminApiError } from '../../adapters/admin-api';
import { AppError, type ErrorDetail } from '../../errors';
import { READ_ONLY } from '../../templates/pages/console/frame';
import { capitalized } from '../../templates/text';

/* The admin API's refusals as a person at the console reads them: on the form, or as an error page. */

/**
 * The field messages of a refused form: the console's own checks, and the API's validation (its field
 * paths are the form's) or conflict. Undefined for anything else, which becomes an error page.
 */
export function formProblems(
  error: unknown,
  words: { email?: string; conflict?: ErrorDetail },
): ErrorDetail[] | undefined {
  if (error instanceof AppError && error.code === 'VALIDATION') return error.details;
  if (!(error instanceof AdminApiError)) return undefined;
  if (error.status === 409 && words.conflict) return [words.conflict];
  if (error.status !== 400) return undefined;
  const details = error.details.length
    ? error.details
    : [{ path: 'form', message: capitalized(error.message) }];
  return details.map((d) => {
    const field = d.path.split('.')[0] ?? '';
    return field === 'email' && words.email
      ? { path: 'email', message: words.email }
      : { path: field, message: capitalized(d.message) };
  });
}

/**
 * The admin API's refusal, said for a person at the console. `write`: the console was asked to change
 * something, so a missing scope (the API's `scope` detail) is the read-only key's.
 */
export function inWords(error: AdminApiError, request: { write: boolean }): AppError {
  const message = capitalized(error.message);
  switch (error.status) {
    case 400:
      return new AppError('VALIDATION', `The admin API did not accept this: ${error.message}`, error.details);
    case 403:
      return new AppError(
        'FORBIDDEN',
        request.write && error.details.some((d) => d.path === 'scope') ? READ_ONLY : message,
      );
    case 404:
      return new AppError('NOT_FOUND', `${message}: it may have been removed, or the link is incomplete.`);
    case 409:
      return new AppError(
        'CONFLICT',
        `${message}: someone changed it in the meantime. Reload the page and try again.`,
      );
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', message);
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', message);
    case 429:
      return new AppError(
        'RATE_LIMITED',
        `The admin API is busy: try again in ${error.retryAfterSeconds ?? 60} seconds.`,
        [],
        error.retryAfterSeconds ?? 60,
      );
    default:
      return new AppError(
        'BAD_GATEWAY',
        `${error.code === 'UNREACHABLE' || error.code === 'BAD_RESPONSE' ? message : `The admin API failed (${error.status})`}. Try again in a moment; if it keeps happening, tell whoever runs the notifier.`,
      );
  }
}
