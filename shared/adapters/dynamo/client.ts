import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkLogger } from '../sdk-logger';

/**
 * Attempts per request, throttling included (the SDK backs off between them, longer for throttles): an
 * on-demand table throttles a sudden burst (a fan-out to 100,000) until it adapts, and a request that
 * gives up too early fails a whole stream batch or a webhook.
 */
const MAX_ATTEMPTS = 6;

/**
 * The document client every store uses. The endpoint comes from the SDK's own configuration
 * (`AWS_ENDPOINT_URL_DYNAMODB` locally), so nothing here knows whether it runs in AWS.
 */
export function createDocumentClient(
  client = new DynamoDBClient({ maxAttempts: MAX_ATTEMPTS, logger: sdkLogger }),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
