import { Logger } from '@aws-lambda-powertools/logger';
import { METRICS_SERVICE } from './metric-names';

/**
 * Structured JSON logs, one line per event, through Powertools: each line carries the Lambda context
 * (function, request id, cold start) once a handler injects it, and the correlation ids the handler
 * passes (page, incident, update, subscriber id). Addresses are never logged: support finds a person by
 * subscriber id. `LOG_LEVEL` (or `POWERTOOLS_LOG_LEVEL`) sets the level.
 */
export const log = new Logger({ serviceName: METRICS_SERVICE });

const ADDRESS = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;

/**
 * An error as it may be logged: SES and DynamoDB errors can quote an address ("Email address is not
 * verified: …"); it becomes `<address>`.
 */
export function loggableError(error: unknown): { name: string; message: string; stack?: string } {
  const scrub = (text: string) => text.replace(ADDRESS, '<address>');
  if (error instanceof Error)
    return {
      name: error.name,
      message: scrub(error.message),
      ...(error.stack ? { stack: scrub(error.stack) } : {}),
    };
  return { name: 'Error', message: scrub(String(error)) };
}
