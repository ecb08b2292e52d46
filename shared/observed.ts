import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { log } from './log';
import { metrics } from './metrics';

/**
 * The middlewares every handler starts with: the Lambda context in each log line (and keys a handler
 * appended cleared after each invocation), and, for handlers that count something, the invocation's
 * metrics flushed at its end.
 */
// biome-ignore lint/suspicious/noExplicitAny: middy middlewares for any event and result
export function observed({ counts }: { counts: boolean }): MiddlewareObj<any, any>[] {
  return [injectLambdaContext(log, { resetKeys: true }), ...(counts ? [logMetrics(metrics)] : [])];
}
