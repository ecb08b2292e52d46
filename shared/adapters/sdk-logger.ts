import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type SdkLogger = NonNullable<DynamoDBClientConfig['logger']>;

/**
 * The logger of the SDK clients that carry volume (DynamoDB, the sender's SES, the local stream reader).
 * The SDK's logger middleware copies each request and response, sensitive fields masked, as the argument
 * of `logger.info`, even when its default no-op logger then drops it: a walk of every audience page,
 * batch of delivery records and stream page, about a tenth of the benchmark's CPU in this process.
 * Without an `info` it copies nothing. Nothing is lost: the SDK's default logs nothing either.
 */
export const sdkLogger = { debug() {}, warn() {}, error() {} } as unknown as SdkLogger;
